"""The item → element mappings that resource findings need, read globally (a full scan) or only
around the resources a write touched (the incremental refresh inside every write).

A full read of `item_element` costs time in proportion to the whole catalog (0.4 s at 10,000 items
on the load benchmark, held under the write lock on every edit). Around subjects the same numbers
come from the subjects' rows, SQL aggregates for the rarity weights, the holders of the subjects'
rarest keys, and the candidate partners' rows — the same values the global read gives for them.
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select, true
from sqlalchemy.orm import Session

from registry.core.db import in_chunks
from search.models import ItemElement as IE


@dataclass
class MappingView:
    keys_of: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))      # without own-record keys
    all_keys_of: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    unit_of: dict[int, int] = field(default_factory=dict)
    weight: dict[str, float] = field(default_factory=dict)
    holders: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    unit_count: int = 2


def _base(min_confidence: float):
    return (select(IE.resource_id, IE.unit_id, IE.key, IE.element_id)
            .where(IE.key.is_not(None), IE.confidence >= min_confidence))


def _add_rows(view: MappingView, rows, own: frozenset[str]) -> None:
    for resource_id, unit_id, key, element_id in rows:
        view.all_keys_of[resource_id].add(key)
        if element_id in own:
            continue
        view.keys_of[resource_id].add(key)
        view.unit_of[resource_id] = unit_id


def global_view(session: Session, own: frozenset[str], min_confidence: float) -> MappingView:
    view = MappingView()
    units_per_key: dict[str, set[int]] = defaultdict(set)
    rows = session.connection().execute(_base(min_confidence)).all()
    for _resource, unit_id, key, _element in rows:
        units_per_key[key].add(unit_id)
    _add_rows(view, rows, own)
    view.unit_count = max(len(set(view.unit_of.values())), 2)
    view.weight = {k: math.log((view.unit_count + 1) / len(us)) + 0.05 for k, us in units_per_key.items()}
    for resource_id, keys in view.keys_of.items():
        for key in keys:
            view.holders[key].append(resource_id)
    return view


def view_around(session: Session, subjects: set[int], own: frozenset[str], min_confidence: float,
                keys_per_resource: int, bucket_cap: int) -> MappingView:
    view = MappingView()
    not_own = or_(IE.element_id.is_(None), IE.element_id.not_in(own)) if own else true()
    view.unit_count = max(session.scalar(select(func.count(func.distinct(IE.unit_id)))
                                         .where(IE.key.is_not(None), IE.confidence >= min_confidence, not_own)) or 0, 2)
    _add_rows(view, _rows_of(session, subjects, min_confidence), own)
    _weigh(session, view, {k for r in subjects for k in view.all_keys_of.get(r, ())}, min_confidence)
    rare = {k for r in subjects if r in view.keys_of
            for k in sorted(view.keys_of[r], key=lambda k: (-view.weight[k], k))[:keys_per_resource]}
    for chunk in in_chunks(sorted(rare)):
        for resource_id, unit_id, key in session.execute(
                select(IE.resource_id, IE.unit_id, IE.key).distinct()
                .where(IE.key.in_(chunk), IE.confidence >= min_confidence, not_own)):
            view.holders[key].append(resource_id)
            view.unit_of[resource_id] = unit_id
    partners = {r for key in rare if len(view.holders[key]) <= bucket_cap  # larger buckets are skipped
                for r in view.holders[key]} - set(view.all_keys_of)
    _add_rows(view, _rows_of(session, partners, min_confidence), own)
    _weigh(session, view, {k for keys in view.all_keys_of.values() for k in keys} - set(view.weight), min_confidence)
    return view


def _rows_of(session: Session, resources: set[int], min_confidence: float) -> list:
    rows: list = []
    for chunk in in_chunks(sorted(resources)):
        rows.extend(session.execute(_base(min_confidence).where(IE.resource_id.in_(chunk))).all())
    return rows


def _weigh(session: Session, view: MappingView, keys: set[str], min_confidence: float) -> None:
    for chunk in in_chunks(sorted(keys)):
        for key, units in session.execute(select(IE.key, func.count(func.distinct(IE.unit_id)))
                                          .where(IE.key.in_(chunk), IE.confidence >= min_confidence)
                                          .group_by(IE.key)):
            view.weight[key] = math.log((view.unit_count + 1) / units) + 0.05
