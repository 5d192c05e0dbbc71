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

import hashlib
import json
from collections import Counter, defaultdict
from functools import lru_cache
from itertools import groupby
from typing import Iterator, NamedTuple

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from registry.core.db import in_chunks, utcnow
from registry.catalog.models import InformationResource, InformationSystem, Unit
from search.engines.bulk import indexes_built_after, insert_rows, page_cache
from search.engines.documents import SHARING_METHODS_THAT_PROVIDE, SHARING_TYPES_THAT_PROVIDE
from search.models import DuplicateFinding, ItemElement

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
SCAN_CACHE_MIB = 256          # SQLite page cache during a full scan
UPSERT_BATCH = 20_000          # findings written per round: a full scan's memory stays bounded
COMPUTED = ("kind", "key", "element_id", "element_name", "system_id", "unit_id", "resource_id",
            "other_resource_id", "role", "provider_system_id", "score", "evidence")
FINDING_COLUMNS = ("fingerprint", *COMPUTED, "digest", "state", "active", "must_reuse_from_system_id", "reason",
                   "reviewed_by", "reviewed_at", "first_seen", "last_seen")
OWN_RECORD_SUBJECTS = frozenset(("事项", "证照", "地理"))


HOLDER_FIELDS = ("unit_id", "system_id", "resource_id", "item_id", "confidence", "shares")


class Holding(NamedTuple):
    item_id: int
    resource_id: int
    system_id: int
    unit_id: int
    element_id: str | None
    confidence: float
    shares: bool

    def evidence(self) -> list:
        """Ids, the mapping's confidence and whether the item is shared, as a list in HOLDER_FIELDS
        order (a million findings stay small). Names, types and lengths are resolved when read
        (search.actions.resolve_evidence): what a finding shows stays current, and an edit that
        leaves the mapping alone changes no finding."""
        return [self.unit_id, self.system_id, self.resource_id, self.item_id, round(self.confidence, 3), self.shares]


def holder_dict(holder: list | dict) -> dict:
    """A stored evidence holder as a dict (rows written before the list form are dicts already)."""
    return holder if isinstance(holder, dict) else dict(zip(HOLDER_FIELDS, holder))


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


def _holdings(session: Session, keys: set[str] | None) -> Iterator[tuple[str, list[Holding]]]:
    """(key, holders) for these keys (None: all), streamed in key order from item_element alone."""
    IE = ItemElement
    stmt = (select(IE.key, IE.item_id, IE.resource_id, IE.system_id, IE.unit_id, IE.element_id, IE.confidence,
                   IE.shares)
            .where(IE.key.is_not(None), IE.confidence >= MIN_CONFIDENCE)
            # a table scan and one sort beat walking the key index with a row lookup per entry (2×)
            .order_by(IE.key.concat("") if session.bind.dialect.name == "sqlite" else IE.key))
    key_list = None if keys is None else sorted(keys)
    chunks = [None] if key_list is None else list(in_chunks(key_list))
    own = own_record_elements()
    connection = session.connection()
    for chunk in chunks:  # (yield_per on the statement: on the connection it would stream every later write too)
        chunk_stmt = stmt if chunk is None else stmt.where(IE.key.in_(chunk))
        rows = connection.execute(chunk_stmt.execution_options(yield_per=20_000))
        for key, group in groupby(rows, key=lambda row: row[0]):
            holdings = [Holding(*row[1:]) for row in group if row[5] not in own]
            if holdings:
                yield key, holdings


def _names(session: Session) -> dict:
    return {"unit": dict(session.execute(select(Unit.id, Unit.name)).all()),
            "system": dict(session.execute(select(InformationSystem.id, InformationSystem.name)).all())}


def _authority_units(element_id: str | None, names: dict) -> set[int]:
    element = _elements().get(element_id) if element_id else None
    if element is None or not element.source_unit:
        return set()
    return {uid for uid, name in names["unit"].items() if element.source_unit in name}


def provider_systems(element_id: str | None, systems: dict[int, tuple[int, bool]], names: dict) -> tuple[set, set]:
    """The one provider rule, used by the findings and by the "already provided by" hint alike:
    the systems of the element's authoritative unit (公安 for 公民身份号码) when it holds the item;
    otherwise the systems that offer it as 无条件/有条件共享 through the platform or an interface.
    `systems`: system id → (unit id, shares). Returns (provider system ids, authority unit ids)."""
    authority = _authority_units(element_id, names) & {unit for unit, _ in systems.values()}
    if authority:
        return {s for s, (unit, _) in systems.items() if unit in authority}, authority
    return {s for s, (_, shares) in systems.items() if shares}, authority


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
    providers, authority = provider_systems(
        element_id, {s: (hs[0].unit_id, any(h.shares for h in hs)) for s, hs in by_system.items()}, names)
    provider_units = {by_system[p][0].unit_id for p in providers}
    ranked = sorted(holdings, key=lambda h: (h.system_id not in providers, h.unit_id, h.item_id))
    ranked_providers = sorted(providers, key=lambda p: (by_system[p][0].unit_id, p))
    cached: dict[int, list] = {}

    def evidence(h: Holding) -> list:
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
            "element_name": element.name if element else key.lstrip("~").split("@", 1)[0], "system_id": system_id,
            "unit_id": unit_id, "resource_id": mine[0].resource_id, "other_resource_id": None, "role": role,
            "provider_system_id": provider if role == "recollector" else None,
            "score": round(min(min(h.confidence for h in mine), others[0][4]), 3),
            "evidence": {"items": [evidence(h) for h in mine], "others": others,
                         "other_count": len(holdings) - units[unit_id],
                         "other_units": len(units) - 1, "authority": bool(authority), "qualifier": qualifier},
        })
    return findings


def refresh_findings(session: Session, keys: set[str] | None, resources: set[int] | None = None,
                     progress=None) -> dict:
    """Recompute the item findings of these keys and the resource findings around these resources
    (both None: everything, a full scan). Written in batches, so memory does not grow with the catalog.

    After an edit, `keys` are the keys whose holders changed and `resources` the resources whose key
    set, title or sharing changed (search.engines.documents.sync_documents). Pairs not involving them keep
    their score until the next full scan, although the rarity weights of shared keys drift a little."""
    names = _names(session)
    writer = _FindingWriter(session, keys, resources)
    for key, holdings in _holdings(session, keys):
        writer.add(item_findings(key, holdings, names))
        if progress is not None:
            progress(1)
    if keys is None or resources:
        writer.add(resource_findings(session, resources, names))
    return writer.finish()


class _FindingWriter:
    """Upserts findings by fingerprint, a batch at a time: new ones are inserted, detected ones are
    rewritten only when what the scan computed differs (their digest), review decisions are never
    touched, and findings in scope that were not detected again are kept but marked inactive.

    Core statements with executemany: a full rescan touches a finding per (key, system), which at
    province scale is a million rows — too many for one ORM object each."""

    def __init__(self, session: Session, keys: set[str] | None, resources: set[int] | None) -> None:
        self.session, self.connection = session, session.connection()
        self.table = DuplicateFinding.__table__
        self.full = keys is None
        self.now = utcnow()
        self.pending: list[dict] = []
        self.seen: set[str] = set()
        self.stats = Counter(detected=0, new=0, changed=0, inactive=0)
        self.scope: dict[str, tuple] = {}  # fingerprint → (id, active, digest) of what this run covers
        self.table_empty = self.full and self.session.scalar(select(self.table.c.id).limit(1)) is None
        if not self.full:
            columns = self._columns()
            for chunk in in_chunks(sorted(keys)):
                self._remember(self.scope, columns.where(self.table.c.kind == "item", self.table.c.key.in_(chunk)))
            for chunk in in_chunks(sorted(resources or ())):  # a pair's two sides: the touched one may be either
                self._remember(self.scope, columns.where(
                    self.table.c.kind == "resource",
                    self.table.c.resource_id.in_(chunk) | self.table.c.other_resource_id.in_(chunk)))

    def _columns(self):
        return select(self.table.c.fingerprint, self.table.c.id, self.table.c.active, self.table.c.digest)

    def _remember(self, into: dict, stmt) -> None:
        into.update((fp, (fid, active, digest)) for fp, fid, active, digest in self.connection.execute(stmt))

    def add(self, findings: list[dict]) -> None:
        self.pending.extend(findings)
        if len(self.pending) >= UPSERT_BATCH:
            self._flush()

    def _flush(self) -> None:
        batch, self.pending = self.pending, []
        fresh = []
        for data in batch:
            if data["fingerprint"] not in self.seen:
                self.seen.add(data["fingerprint"])
                fresh.append(data)
        self.stats["detected"] += len(fresh)
        known = self.scope
        if not self.table_empty:  # also found outside the scope: the other side of a resource pair
            outside = sorted(d["fingerprint"] for d in fresh if d["fingerprint"] not in known)
            known = dict(known)
            for chunk in in_chunks(outside):
                self._remember(known, self._columns().where(self.table.c.fingerprint.in_(chunk)))
        new_rows, changed = [], []
        head = COMPUTED[:-1]  # COMPUTED ends with the evidence, stored as JSON text
        for data in fresh:
            values = (*(data[c] for c in head), json.dumps(data["evidence"], ensure_ascii=False, separators=(",", ":")))
            digest = _digest(values)
            found = known.get(data["fingerprint"])
            if found is None:
                new_rows.append((data["fingerprint"], *values, digest, "open", True, None, "", None, None, self.now,
                                 self.now))
            elif found[2] != digest or not found[1]:
                changed.append({"b_id": found[0], **{f"v_{c}": data[c] for c in COMPUTED}, "v_digest": digest})
        if changed:
            self.connection.execute(
                update(self.table).where(self.table.c.id == bindparam("b_id"))
                .values({**{c: bindparam(f"v_{c}") for c in (*COMPUTED, "digest")}, "active": True,
                         "last_seen": self.now}), changed)
        insert_rows(self.connection, self.table, FINDING_COLUMNS, new_rows)
        self.stats["new"] += len(new_rows)
        self.stats["changed"] += len(changed)

    def finish(self) -> dict:
        self._flush()
        if self.full:
            gone = [fid for fid, fp in self.connection.execute(
                select(self.table.c.id, self.table.c.fingerprint).where(self.table.c.active.is_(True)))
                if fp not in self.seen]
        else:
            gone = [fid for fp, (fid, active, _) in self.scope.items() if active and fp not in self.seen]
        for chunk in in_chunks(gone):
            self.connection.execute(update(self.table).where(self.table.c.id.in_(chunk)).values(active=False))
        if self.full and not self.table_empty:  # every active finding was detected by this scan
            self.connection.execute(update(self.table).where(self.table.c.active.is_(True)).values(last_seen=self.now))
        self.stats["inactive"] = len(gone)
        self.session.expire_all()
        return dict(self.stats)


def _digest(values: tuple) -> str:
    """Of everything a scan computes for a finding (not its review): equal digests, nothing to write."""
    return hashlib.blake2b("\x1f".join(map(str, values)).encode(), digest_size=8).hexdigest()


def resource_findings(session: Session, subjects: set[int] | None, names: dict) -> list[dict]:
    """Pairs of resources of different units whose rarity-weighted key sets overlap strongly."""
    from search.duplicates.scan_view import global_view, view_around
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
    meta = {}
    for chunk in in_chunks(sorted(ids)):
        meta.update({r[0]: r[1:] for r in session.execute(
            select(InformationResource.id, InformationResource.title, InformationResource.system_id,
                   InformationResource.unit_id).where(InformationResource.id.in_(chunk)))})
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
    """Map every item again and recompute every finding; review decisions are kept. One at a time
    (the scan lock, taken after the search index version as every index write does)."""
    from registry.core.locks import lock_unit
    from search.engines.documents import store_documents
    from search.engines.result_cache import bump_version
    bump_version(session)
    lock_unit(session, None, "scan")
    connection = session.connection()
    findings = DuplicateFinding.__table__
    first = session.scalar(select(findings.c.id).limit(1)) is None
    with page_cache(connection, SCAN_CACHE_MIB):
        with indexes_built_after(connection, ItemElement.__table__):
            documents = store_documents(session, None, progress)
        with indexes_built_after(connection, *([findings] if first else [])):
            stats = refresh_findings(session, None)
    return {"resources": documents, **stats}
