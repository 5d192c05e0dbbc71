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

import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from registry.db import utcnow
from registry.models import InformationItem, InformationResource, InformationSystem, Unit
from search.bulk import insert_rows
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
AROUND_AT_MOST = 200          # more touched resources than this: one full read of item_element is cheaper
HOLDERS_IN_EVIDENCE = 3
FINDING_COLUMNS = ("fingerprint", "kind", "key", "element_id", "element_name", "system_id", "unit_id",
                   "resource_id", "other_resource_id", "role", "provider_system_id", "score", "evidence",
                   "state", "active", "must_reuse_from_system_id", "reason", "reviewed_by", "reviewed_at",
                   "first_seen", "last_seen")
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

    def evidence(self) -> dict:
        """Ids and the item's own spelling; unit/system/resource names are resolved when read
        (search.actions.resolve_evidence), so a million findings stay small and names current."""
        return {"unit_id": self.unit_id, "system_id": self.system_id, "resource_id": self.resource_id,
                "item_id": self.item_id, "item": self.item_name, "data_type": self.data_type,
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
    """The findings of one key: one per collecting system that is not a provider.

    Linear in the key's holders: they are ranked once (providers first), and each system's
    evidence takes the first few that belong to another unit."""
    units = Counter(h.unit_id for h in holdings)
    if len(units) < 2:
        return []
    by_system: dict[int, list[Holding]] = defaultdict(list)
    for h in holdings:
        by_system[h.system_id].append(h)
    element_id = next((h.element_id for h in holdings if h.element_id), None)
    authority = _authority_units(element_id, names) & set(units)
    if authority:
        providers = {s for s, hs in by_system.items() if hs[0].unit_id in authority}
    else:
        providers = {s for s, hs in by_system.items() if any(h.shares for h in hs)}
    provider_units = {by_system[p][0].unit_id for p in providers}
    ranked = sorted(holdings, key=lambda h: (h.system_id not in providers, h.unit_id, h.item_id))
    ranked_providers = sorted(providers, key=lambda p: (by_system[p][0].unit_id, p))
    cached: dict[int, dict] = {}

    def evidence(h: Holding) -> dict:
        if h.item_id not in cached:
            cached[h.item_id] = h.evidence()
        return cached[h.item_id]

    element = _elements().get(element_id) if element_id else None
    qualifier = key.split("@", 1)[1] if "@" in key else None
    findings = []
    for system_id, mine in by_system.items():
        unit_id = mine[0].unit_id
        if system_id in providers and (authority or len(provider_units) == 1):
            continue
        provider = next((p for p in ranked_providers if by_system[p][0].unit_id != unit_id), None)
        role = "recollector" if provider is not None and system_id not in providers else "undecided"
        others = []
        for h in ranked:
            if h.unit_id != unit_id:
                others.append(evidence(h))
                if len(others) == HOLDERS_IN_EVIDENCE:
                    break
        findings.append({
            "fingerprint": f"item:{key}:{system_id}", "kind": "item", "key": key, "element_id": element_id,
            "element_name": element.name if element else mine[0].item_name, "system_id": system_id,
            "unit_id": unit_id, "resource_id": mine[0].resource_id, "other_resource_id": None, "role": role,
            "provider_system_id": provider if role == "recollector" else None,
            "score": round(min(min(h.confidence for h in mine), others[0]["confidence"]), 3),
            "evidence": {"items": [evidence(h) for h in mine], "others": others,
                         "other_count": len(holdings) - units[unit_id],
                         "other_units": len(units) - 1, "authority": bool(authority), "qualifier": qualifier},
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
    """Insert new findings, refresh detected ones (keeping their review), deactivate the vanished.

    Core statements with executemany: a full rescan touches a finding per (key, system), which
    at province scale is a million rows — too many for one ORM object each."""
    table = DuplicateFinding.__table__
    now = utcnow()
    connection = session.connection()
    existing: dict[str, tuple[int, bool]] = {}
    columns = select(table.c.fingerprint, table.c.id, table.c.active)
    if keys is None:
        existing = {fp: (fid, active) for fp, fid, active in connection.execute(columns)}
    else:
        for chunk in _chunks(sorted(keys)):
            existing.update({fp: (fid, active) for fp, fid, active in connection.execute(
                columns.where(table.c.kind == "item", table.c.key.in_(chunk)))})
        for chunk in _chunks(sorted(resources or ())):  # a pair's two sides: the touched one may be either
            existing.update({fp: (fid, active) for fp, fid, active in connection.execute(
                columns.where(table.c.kind == "resource",
                              table.c.resource_id.in_(chunk) | table.c.other_resource_id.in_(chunk)))})
    # A produced finding may exist outside the scope above (the other side of a resource pair):
    # look every remaining fingerprint up, so nothing detected twice is inserted twice.
    unseen = sorted({d["fingerprint"] for d in produced} - set(existing))
    for chunk in _chunks(unseen):
        existing.update({fp: (fid, active) for fp, fid, active in connection.execute(
            columns.where(table.c.fingerprint.in_(chunk)))})
    new_rows, refreshed, produced_prints = [], [], set()
    for data in produced:
        if data["fingerprint"] in produced_prints:
            continue
        produced_prints.add(data["fingerprint"])
        found = existing.pop(data["fingerprint"], None)
        if found is None:
            new_rows.append({**data, "state": "open", "active": True, "first_seen": now, "last_seen": now,
                             "reason": "", "must_reuse_from_system_id": None, "reviewed_by": None,
                             "reviewed_at": None})
        else:
            refreshed.append({"b_id": found[0], **{f"v_{k}": v for k, v in data.items() if k != "fingerprint"},
                          "v_last_seen": now})
    if refreshed:
        fields = [k[2:] for k in refreshed[0] if k.startswith("v_")]
        connection.execute(update(table).where(table.c.id == bindparam("b_id"))
                           .values({**{f: bindparam(f"v_{f}") for f in fields}, "active": True}), refreshed)
    gone = [fid for fid, active in existing.values() if active]
    for chunk in _chunks(gone):
        connection.execute(update(table).where(table.c.id.in_(chunk)).values(active=False))
    if new_rows:
        insert_rows(connection, table, FINDING_COLUMNS,
                    [tuple(json.dumps(row[c], ensure_ascii=False) if c == "evidence" else row[c]
                           for c in FINDING_COLUMNS) for row in new_rows])
    session.expire_all()
    return {"detected": len(produced), "new": len(new_rows), "inactive": len(gone)}


def _chunks(values: list, size: int = 900):
    for start in range(0, len(values), size):
        yield values[start:start + size]


def resource_findings(session: Session, subjects: set[int] | None, names: dict) -> list[dict]:
    """Pairs of resources of different units whose rarity-weighted key sets overlap strongly."""
    from search.scan_view import global_view, view_around
    own = own_record_elements()
    view = global_view(session, own, MIN_CONFIDENCE) if subjects is None or len(subjects) > AROUND_AT_MOST else \
        view_around(session, subjects, own, MIN_CONFIDENCE, CANDIDATE_KEYS_PER_RESOURCE, CANDIDATE_BUCKET_CAP)
    keys_of, all_keys_of, unit_of, weight, holders = (view.keys_of, view.all_keys_of, view.unit_of, view.weight,
                                                      view.holders)
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
        "evidence": {"resource": title, "other_resource": other_title, "other_unit_id": other_unit,
                     "other_system_id": other_system, "shared_keys": sorted(shared)[:50],
                     "shared_count": len(shared)},
    }]


def full_scan(session: Session, progress=None) -> dict:
    """Map every item again and recompute every finding; review decisions are kept."""
    from search.documents import store_documents
    documents = store_documents(session, None, progress)
    stats = refresh_findings(session, None)
    return {"resources": documents, **stats}
