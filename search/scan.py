"""Duplicate-collection findings (重复采集, Art. 28), computed from the item → element mappings.

Item level: for every data-element key held by two or more units, each collecting system that is
not a provider gets one finding. A provider is, in order: a system of the element's authoritative
unit (公安 for 公民身份号码 …); else a system offering the item as 无条件/有条件共享 through the sharing
platform or an interface. Where a provider exists in another unit, the others are re-collectors;
where none does, every collector is flagged "undecided" for the Bureau.

Resource level: resources of different units whose key sets overlap strongly, weighted by rarity
(a key every unit holds, like 姓名, links records but says little about duplication).

What counts: elements describing a subject that several units could collect once and share —
persons, legal entities, vehicles, real estate (and names outside the dictionary that are spelled
identically). Elements whose subject is the unit's own business record (事项: 处罚依据, 案件编号 …),
its own licences (证照: 发证日期 …) or an address component (地理: 乡镇街道 …) are not duplicate
collection when two agencies both hold them: each records its own penalties, permits and cases.

Findings are upserted by fingerprint: a review decision survives every rescan, and a finding no
longer detected is kept, marked inactive.
"""
from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from registry.db import utcnow
from registry.models import InformationItem, InformationResource, InformationSystem, Unit
from search.models import DuplicateFinding, ItemElement

SHARING_TYPES_THAT_PROVIDE = ("unconditional", "conditional")
SHARING_METHODS_THAT_PROVIDE = ("platform", "api")
MIN_CONFIDENCE = 0.6          # the matcher's review band starts here
# Resource pairs: the rarity-weighted share of the smaller resource's keys that the other also holds
# (own-record keys count in the resource's mass but never as shared), and a minimum number of shared
# subject keys. Chosen on the demo county's planted pairs (低保对象信息 ↔ 户籍人口信息 scores 0.46 with 11
# shared keys; same-kind permits of different agencies stay below).
RESOURCE_MIN_SCORE = 0.45
RESOURCE_MIN_SHARED = 5
CANDIDATE_KEYS_PER_RESOURCE = 4
CANDIDATE_BUCKET_CAP = 64
HOLDERS_IN_EVIDENCE = 8
OWN_RECORD_SUBJECTS = frozenset(("事项", "证照", "地理"))


@dataclass(frozen=True)
class Holding:
    item_id: int
    item_name: str
    data_type: str | None
    data_length: int | None
    resource_id: int
    resource_title: str
    system_id: int
    unit_id: int
    element_id: str | None
    confidence: float
    shares: bool

    def evidence(self, names: dict) -> dict:
        return {"unit": names["unit"][self.unit_id], "system": names["system"][self.system_id],
                "system_id": self.system_id, "resource": self.resource_title, "resource_id": self.resource_id,
                "item": self.item_name, "item_id": self.item_id, "data_type": self.data_type,
                "data_length": self.data_length, "confidence": round(self.confidence, 3), "shares": self.shares}


@lru_cache(maxsize=1)
def _elements() -> dict:
    from catalog_schema.data_elements import load_elements
    return {e.id: e for e in load_elements()}


@lru_cache(maxsize=1)
def own_record_elements() -> frozenset[str]:
    """Element ids whose subject is a unit's own record (never a duplicate-collection finding)."""
    return frozenset(e.id for e in _elements().values() if e.subject in OWN_RECORD_SUBJECTS)


def counts_for_duplication(element_id: str | None) -> bool:
    return element_id not in own_record_elements()


def _holdings(session: Session, keys: set[str] | None) -> dict[str, list[Holding]]:
    effective = InformationItem.sharing_type
    stmt = (select(ItemElement.key, ItemElement.item_id, InformationItem.name, InformationItem.data_type,
                   InformationItem.data_length, ItemElement.resource_id, InformationResource.title,
                   ItemElement.system_id, ItemElement.unit_id, ItemElement.element_id, ItemElement.confidence,
                   effective, InformationResource.sharing_type, InformationResource.sharing_method)
            .join(InformationItem, InformationItem.id == ItemElement.item_id)
            .join(InformationResource, InformationResource.id == ItemElement.resource_id)
            .where(ItemElement.key.is_not(None), ItemElement.confidence >= MIN_CONFIDENCE))
    groups: dict[str, list[Holding]] = defaultdict(list)
    key_list = None if keys is None else sorted(keys)
    chunks = [None] if key_list is None else [key_list[i:i + 900] for i in range(0, len(key_list), 900)]
    for chunk in chunks:
        rows = session.execute(stmt if chunk is None else stmt.where(ItemElement.key.in_(chunk)))
        for key, item_id, name, dtype, length, res_id, title, sys_id, unit_id, element, conf, item_share, \
                res_share, method in rows:
            if not counts_for_duplication(element):
                continue
            sharing = item_share or res_share
            shares = sharing in SHARING_TYPES_THAT_PROVIDE and method in SHARING_METHODS_THAT_PROVIDE
            groups[key].append(Holding(item_id, name, dtype, length, res_id, title, sys_id, unit_id, element,
                                       conf, shares))
    return groups


def _names(session: Session) -> dict:
    return {"unit": dict(session.execute(select(Unit.id, Unit.name)).all()),
            "system": dict(session.execute(select(InformationSystem.id, InformationSystem.name)).all())}


def _authority_units(element_id: str | None, names: dict) -> set[int]:
    element = _elements().get(element_id) if element_id else None
    if element is None or not element.source_unit:
        return set()
    return {uid for uid, name in names["unit"].items() if element.source_unit in name}


def item_findings(key: str, holdings: list[Holding], names: dict) -> list[dict]:
    """The findings of one key: one per collecting system that is not a provider."""
    if len({h.unit_id for h in holdings}) < 2:
        return []
    by_system: dict[int, list[Holding]] = defaultdict(list)
    for h in holdings:
        by_system[h.system_id].append(h)
    element_id = next((h.element_id for h in holdings if h.element_id), None)
    authority = _authority_units(element_id, names) & {h.unit_id for h in holdings}
    if authority:
        providers = {s for s, hs in by_system.items() if hs[0].unit_id in authority}
    else:
        providers = {s for s, hs in by_system.items() if any(h.shares for h in hs)}
    element = _elements().get(element_id) if element_id else None
    findings = []
    for system_id, mine in by_system.items():
        unit_id = mine[0].unit_id
        if system_id in providers and (authority or len({by_system[p][0].unit_id for p in providers}) == 1):
            continue
        others = [h for h in holdings if h.unit_id != unit_id]
        other_providers = sorted(p for p in providers if by_system[p][0].unit_id != unit_id)
        role = "recollector" if other_providers and system_id not in providers else "undecided"
        provider = other_providers[0] if role == "recollector" else None
        ranked = sorted(others, key=lambda h: (h.system_id not in providers, h.unit_id, h.item_id))
        findings.append({
            "fingerprint": f"item:{key}:{system_id}", "kind": "item", "key": key, "element_id": element_id,
            "element_name": element.name if element else mine[0].item_name, "system_id": system_id,
            "unit_id": unit_id, "resource_id": mine[0].resource_id, "other_resource_id": None, "role": role,
            "provider_system_id": provider, "score": round(min(h.confidence for h in mine + ranked[:1]), 3),
            "evidence": {"items": [h.evidence(names) for h in mine],
                         "others": [h.evidence(names) for h in ranked[:HOLDERS_IN_EVIDENCE]],
                         "other_count": len(others), "other_units": len({h.unit_id for h in others}),
                         "authority": bool(authority), "qualifier": key.split("|", 1)[1] if "|" in key else None},
        })
    return findings


def refresh_findings(session: Session, keys: set[str] | None, progress=None) -> dict:
    """Recompute item findings for these keys (None: all) and resource findings around them."""
    names = _names(session)
    groups = _holdings(session, keys)
    produced = []
    for key, holdings in groups.items():
        produced.extend(item_findings(key, holdings, names))
        if progress is not None:
            progress(1)
    touched_resources = None if keys is None else {h.resource_id for hs in groups.values() for h in hs}
    produced.extend(resource_findings(session, touched_resources, names))
    stats = _upsert(session, produced, keys, touched_resources)
    return stats


def _upsert(session: Session, produced: list[dict], keys: set[str] | None, resources: set[int] | None) -> dict:
    now = utcnow()
    existing: dict[str, DuplicateFinding] = {}
    scope = select(DuplicateFinding)
    if keys is not None:
        key_list = sorted(keys)
        for start in range(0, len(key_list), 900):
            for f in session.scalars(scope.where(DuplicateFinding.kind == "item",
                                                 DuplicateFinding.key.in_(key_list[start:start + 900]))):
                existing[f.fingerprint] = f
        res_list = sorted(resources or ())
        for start in range(0, len(res_list), 900):
            for f in session.scalars(scope.where(DuplicateFinding.kind == "resource",
                                                 DuplicateFinding.resource_id.in_(res_list[start:start + 900]))):
                existing[f.fingerprint] = f
    else:
        existing = {f.fingerprint: f for f in session.scalars(scope)}
    seen, new_rows = set(), []
    for data in produced:
        seen.add(data["fingerprint"])
        row = existing.get(data["fingerprint"])
        if row is None:
            new_rows.append({**data, "state": "open", "active": True, "first_seen": now, "last_seen": now,
                             "reason": ""})
        else:
            for field, value in data.items():
                setattr(row, field, value)
            row.active, row.last_seen = True, now
    gone = [f.id for fp, f in existing.items() if fp not in seen and f.active]
    for start in range(0, len(gone), 900):
        session.execute(update(DuplicateFinding).where(DuplicateFinding.id.in_(gone[start:start + 900]))
                        .values(active=False))
    if new_rows:
        from sqlalchemy import insert
        session.execute(insert(DuplicateFinding), new_rows)
    session.flush()
    return {"detected": len(produced), "new": len(new_rows), "inactive": len(gone)}


def resource_findings(session: Session, subjects: set[int] | None, names: dict) -> list[dict]:
    """Pairs of resources of different units whose rarity-weighted key sets overlap strongly."""
    rows = session.execute(select(ItemElement.resource_id, ItemElement.unit_id, ItemElement.key,
                                  ItemElement.element_id)
                           .where(ItemElement.key.is_not(None), ItemElement.confidence >= MIN_CONFIDENCE)).all()
    keys_of: dict[int, set[str]] = defaultdict(set)
    unit_of: dict[int, int] = {}
    units_per_key: dict[str, set[int]] = defaultdict(set)
    own = own_record_elements()
    all_keys_of: dict[int, set[str]] = defaultdict(set)
    for resource_id, unit_id, key, element_id in rows:
        all_keys_of[resource_id].add(key)
        units_per_key[key].add(unit_id)
        if element_id in own:
            continue
        keys_of[resource_id].add(key)
        unit_of[resource_id] = unit_id
    unit_count = max(len(set(unit_of.values())), 2)
    weight = {k: math.log((unit_count + 1) / len(us)) + 0.05 for k, us in units_per_key.items()}
    holders: dict[str, list[int]] = defaultdict(list)
    for resource_id, keys in keys_of.items():
        for key in keys:
            holders[key].append(resource_id)
    candidates: Counter = Counter()
    subject_ids = keys_of.keys() if subjects is None else [r for r in subjects if r in keys_of]
    for resource_id in subject_ids:
        rare = sorted(keys_of[resource_id], key=lambda k: (-weight[k], k))[:CANDIDATE_KEYS_PER_RESOURCE]
        for key in rare:
            bucket = holders[key]
            if len(bucket) > CANDIDATE_BUCKET_CAP:
                continue
            for other in bucket:
                if other != resource_id and unit_of[other] != unit_of[resource_id]:
                    candidates[(min(resource_id, other), max(resource_id, other))] += 1
    if not candidates:
        return []
    sharing = dict(session.execute(select(InformationResource.id, InformationResource.sharing_type.in_(
        SHARING_TYPES_THAT_PROVIDE) & InformationResource.sharing_method.in_(SHARING_METHODS_THAT_PROVIDE))
        .where(InformationResource.id.in_({r for pair in candidates for r in pair}))).all()) \
        if len(candidates) < 30_000 else _all_sharing(session)
    meta = _resource_meta(session, {r for pair in candidates for r in pair})
    findings = []
    for a, b in candidates:
        shared = keys_of[a] & keys_of[b]
        if len(shared) < RESOURCE_MIN_SHARED:
            continue
        common = sum(weight[k] for k in shared)
        smaller = min(sum(weight[k] for k in all_keys_of[a]), sum(weight[k] for k in all_keys_of[b]))
        score = common / smaller if smaller else 0.0
        if score >= RESOURCE_MIN_SCORE:
            findings.extend(_resource_side(a, b, shared, score, sharing, meta, names))
            findings.extend(_resource_side(b, a, shared, score, sharing, meta, names))
    return findings


def _all_sharing(session: Session) -> dict[int, bool]:
    return dict(session.execute(select(InformationResource.id, InformationResource.sharing_type.in_(
        SHARING_TYPES_THAT_PROVIDE) & InformationResource.sharing_method.in_(SHARING_METHODS_THAT_PROVIDE))).all())


def _resource_meta(session: Session, ids: set[int]) -> dict[int, tuple]:
    ids_list = sorted(ids)
    meta = {}
    for start in range(0, len(ids_list), 900):
        meta.update({r[0]: r[1:] for r in session.execute(
            select(InformationResource.id, InformationResource.title, InformationResource.system_id,
                   InformationResource.unit_id).where(InformationResource.id.in_(ids_list[start:start + 900])))})
    return meta


def _resource_side(me: int, them: int, shared: set[str], score: float, sharing: dict, meta: dict,
                   names: dict) -> list[dict]:
    """The finding of one side of an overlapping pair, unless that side is the provider."""
    me_shares, them_shares = bool(sharing.get(me)), bool(sharing.get(them))
    if me_shares and not them_shares:
        return []  # `me` provides; the other side's finding names it
    role = "recollector" if them_shares and not me_shares else "undecided"
    title, system_id, unit_id = meta[me]
    other_title, other_system, other_unit = meta[them]
    return [{
        "fingerprint": f"resource:{me}:{them}", "kind": "resource", "key": None, "element_id": None,
        "element_name": f"{title} ↔ {other_title}", "system_id": system_id, "unit_id": unit_id,
        "resource_id": me, "other_resource_id": them, "role": role,
        "provider_system_id": other_system if role == "recollector" else None, "score": round(score, 3),
        "evidence": {"resource": title, "other_resource": other_title, "other_unit": names["unit"][other_unit],
                     "other_system": names["system"][other_system], "shared_keys": sorted(shared)[:50],
                     "shared_count": len(shared)},
    }]


def full_scan(session: Session, progress=None) -> dict:
    """Map every item again and recompute every finding; review decisions are kept."""
    from search.documents import store_documents
    documents = store_documents(session, None, progress)
    stats = refresh_findings(session, None)
    return {"resources": documents, **stats}
