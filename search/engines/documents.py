"""The one adapter of the indexed entity (an information resource): what is searchable and how it
serialises. Every backend indexes what `resource_documents` returns; the embedded backend also
stores the item → data-element mapping used by duplicate detection, in the same transaction.

A write rewrites only the rows that differ (`sync_documents`) and reports which data-element keys
and resources really changed, so the duplicate refresh after an edit is proportional to the edit,
not to the catalog."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, Iterator

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from catalog_schema import vocabularies as vocab
from registry.core.db import in_chunks
from registry.catalog.models import InformationItem, InformationResource, InformationSystem, Unit
from search.engines.bulk import insert_rows
from search.models import ItemElement, SearchDocument, SearchName
from search.engines.result_cache import bump_version
from search.engines.text_index import grams

BATCH = 2000
DOCUMENT_COLUMNS = ("resource_id", "body", "elements", "provides", "grams")
ELEMENT_COLUMNS = ("item_id", "resource_id", "system_id", "unit_id", "element_id", "key", "qualifier",
                   "confidence", "method", "shares", "name")
# what an item's document takes from its stored mapping (ItemElement) instead of matching it again
STORED_FIELDS = ("element_id", "key", "qualifier", "confidence", "method", "shares")
SHARING_TYPES_THAT_PROVIDE = ("unconditional", "conditional")
SHARING_METHODS_THAT_PROVIDE = ("platform", "api")


def provides(sharing_type: str | None, sharing_method: str | None) -> bool:
    """Offered as 无条件/有条件共享 through the sharing platform or an interface (Art. 28's provider)."""
    return sharing_type in SHARING_TYPES_THAT_PROVIDE and sharing_method in SHARING_METHODS_THAT_PROVIDE


@lru_cache(maxsize=1)
def matcher():
    from search.duplicates.elements import ElementMatcher
    return ElementMatcher()


@dataclass
class ResourceDocument:
    resource_id: int
    unit_id: int
    unit_code: str
    unit_name: str
    system_id: int
    system_code: str
    system_name: str
    name: str
    title: str
    description: str
    resource_code: str
    sharing_type: str
    sharing_method: str | None
    update_cycle: str | None
    format_class: str | None
    format_type: str | None
    open_to_public: bool
    modified: str
    items: list[dict] = field(default_factory=list)  # {id, name, data_type, data_length, element_id, key, ...}

    @property
    def provides(self) -> bool:
        return provides(self.sharing_type, self.sharing_method)

    @property
    def body(self) -> str:
        parts = [self.title, self.description, self.resource_code, self.unit_name, self.system_name]
        parts += [i["name"] for i in self.items]
        return search_text(" ".join(p for p in parts if p))

    @property
    def element_ids(self) -> list[str]:
        return sorted({i["element_id"] for i in self.items if i["element_id"]})


def search_text(text: str) -> str:
    """What a query is matched against: NFKC-folded, lower case (queries are folded the same way)."""
    return vocab.clean(text).lower()


_name_text = lru_cache(maxsize=65_536)(search_text)  # item names repeat across a catalog


def resource_documents(session: Session, resource_ids: Iterable[int] | None,
                       stored_mapping: bool = False) -> Iterator[ResourceDocument]:
    """Documents for these resources (all when None), in batches, with items mapped to elements.

    `stored_mapping`: take each item's element from `item_element`, which every write keeps current
    in its own transaction (the engine indexes exactly what duplicate detection reads, and a rebuild
    costs no matching); an item with no row there is matched. Otherwise every item is matched again
    (what writing the mapping itself needs).

    Plain column reads on the session's connection (no ORM objects: a full scan reads every row),
    after flushing whatever the current write has pending."""
    session.flush()
    connection = session.connection()
    if resource_ids is None:
        last = 0
        while True:
            rows = _resource_rows(connection, InformationResource.id > last)
            if not rows:
                return
            yield from _documents(connection, rows, stored_mapping)
            last = rows[-1].id
    else:
        for chunk in in_chunks(sorted(set(resource_ids)), BATCH):
            yield from _documents(connection, _resource_rows(connection, InformationResource.id.in_(chunk)),
                                  stored_mapping)


RESOURCE_FIELDS = ("id", "unit_id", "system_id", "name", "title", "description", "resource_code", "sharing_type",
                   "sharing_method", "update_cycle", "format_class", "format_type", "open_to_public", "modified")


def _resource_rows(connection, condition) -> list:
    R = InformationResource
    return connection.execute(
        select(*(getattr(R, f) for f in RESOURCE_FIELDS), Unit.code.label("unit_code"), Unit.name.label("unit_name"),
               InformationSystem.code.label("system_code"), InformationSystem.name.label("system_name"))
        .join(Unit, Unit.id == R.unit_id).join(InformationSystem, InformationSystem.id == R.system_id)
        .where(condition).order_by(R.id).limit(BATCH)).all()


def _documents(connection, rows: list, stored_mapping: bool = False) -> Iterator[ResourceDocument]:
    by_resource: dict[int, list] = {r.id: [] for r in rows}
    if not by_resource:
        return
    I, E = InformationItem, ItemElement
    columns = [I.id, I.resource_id, I.name, I.data_type, I.data_length, I.sharing_type]
    query = select(*columns).where(I.resource_id.in_(list(by_resource))).order_by(I.resource_id, I.position, I.id)
    if stored_mapping:
        query = query.add_columns(E.item_id, *(E.__table__.c[c] for c in STORED_FIELDS)) \
            .outerjoin(E, E.item_id == I.id)
    sharing = {r.id: (r.sharing_type, r.sharing_method) for r in rows}
    titles = {r.id: r.title for r in rows}
    match, in_context = matcher().match, matcher().in_context
    for item_id, resource_id, name, data_type, length, item_sharing, *stored in connection.execute(query):
        item = {"id": item_id, "name": name, "data_type": data_type, "data_length": length}
        if stored and stored[0] is not None:
            item.update(zip(STORED_FIELDS, stored[1:]))
        else:
            m = in_context(match(name, data_type, length), titles[resource_id])  # whose name, which scope
            resource_sharing, method = sharing[resource_id]
            item.update(element_id=m.element_id, key=m.key, qualifier=m.qualifier, confidence=m.confidence,
                        method=m.method, shares=provides(item_sharing or resource_sharing, method))
        by_resource[resource_id].append(item)
    for r in rows:
        yield ResourceDocument(
            resource_id=r.id, unit_id=r.unit_id, unit_code=r.unit_code, unit_name=r.unit_name,
            system_id=r.system_id, system_code=r.system_code, system_name=r.system_name, name=r.name,
            title=r.title, description=r.description or "", resource_code=r.resource_code or "",
            sharing_type=r.sharing_type, sharing_method=r.sharing_method, update_cycle=r.update_cycle,
            format_class=r.format_class, format_type=r.format_type, open_to_public=r.open_to_public,
            modified=r.modified.isoformat() if r.modified else "", items=by_resource[r.id])


def store_documents(session: Session, resource_ids: set[int] | None, progress=None) -> int:
    """Rewrite the search documents and item mappings of these resources (None: all) in this
    transaction; deleted resources simply get none. Returns the number of documents written."""
    bump_version(session)  # (search.engines.result_cache: cached results of the old index become unreachable)
    written = 0
    if resource_ids is None:
        session.execute(delete(ItemElement))
        session.execute(delete(SearchDocument))
    else:
        for chunk in in_chunks(sorted(resource_ids)):
            session.execute(delete(ItemElement).where(ItemElement.resource_id.in_(chunk)))
            session.execute(delete(SearchDocument).where(SearchDocument.resource_id.in_(chunk)))
    doc_rows, element_rows = [], []
    for doc in resource_documents(session, resource_ids):
        written += 1
        if progress is not None:
            progress(len(doc.items))
        doc_rows.append(document_row(doc))
        element_rows.extend(element_rows_of(doc))
        if len(element_rows) >= 20_000:
            _flush(session, doc_rows, element_rows)
    _flush(session, doc_rows, element_rows)
    if resource_ids is None:  # names no item holds any more (NOT IN: one pass, item_element's
        # indexes may be dropped during a full scan)
        held = select(ItemElement.name).where(ItemElement.name.is_not(None))
        session.execute(delete(SearchName).where(SearchName.name.not_in(held)))
    return written


def document_row(doc: ResourceDocument) -> tuple:
    body = doc.body
    return (doc.resource_id, body, " " + " ".join(doc.element_ids) + " ", doc.provides, grams(body))


def element_rows_of(doc: ResourceDocument) -> list[tuple]:
    return [(i["id"], doc.resource_id, doc.system_id, doc.unit_id, i["element_id"], i["key"], i["qualifier"],
             i["confidence"], i["method"], i["shares"], _name_text(i["name"])) for i in doc.items]


@dataclass
class Changes:
    """What a write changed for duplicate detection: data-element keys whose holders differ, and
    resources whose key set, title or sharing differ (their pairs need rescoring)."""
    keys: set[str] = field(default_factory=set)
    resources: set[int] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.keys or self.resources)


def sync_documents(session: Session, resource_ids: set[int]) -> Changes:
    """Bring these resources' documents and mappings up to date, rewriting only rows that differ."""
    changes = Changes()
    ids = sorted(resource_ids)
    old_items: dict[int, tuple] = {}
    old_docs: dict[int, tuple] = {}
    element_table, document_table = ItemElement.__table__, SearchDocument.__table__
    for chunk in in_chunks(ids):
        old_items.update((row[0], tuple(row)) for row in session.execute(
            select(*(element_table.c[c] for c in ELEMENT_COLUMNS)).where(element_table.c.resource_id.in_(chunk))))
        old_docs.update((row[0], tuple(row)) for row in session.execute(
            select(*(document_table.c[c] for c in DOCUMENT_COLUMNS)).where(document_table.c.resource_id.in_(chunk))))
    new_items: dict[int, tuple] = {}
    new_docs: dict[int, tuple] = {}
    for doc in resource_documents(session, ids):
        new_docs[doc.resource_id] = document_row(doc)
        new_items.update((row[0], row) for row in element_rows_of(doc))
    stale_items = [i for i, row in old_items.items() if new_items.get(i) != row]
    fresh_items = [row for i, row in new_items.items() if old_items.get(i) != row]
    stale_docs = [r for r, row in old_docs.items() if new_docs.get(r) != row]
    fresh_docs = [row for r, row in new_docs.items() if old_docs.get(r) != row]
    for chunk in in_chunks(stale_items):
        session.execute(delete(ItemElement).where(ItemElement.item_id.in_(chunk)))
    for chunk in in_chunks(stale_docs):
        session.execute(delete(SearchDocument).where(SearchDocument.resource_id.in_(chunk)))
    changes.keys = {old_items[i][5] for i in stale_items} | {row[5] for row in fresh_items}
    changes.keys.discard(None)
    _flush(session, fresh_docs, fresh_items)  # (empties the lists)
    old_keys, new_keys = _key_sets(old_items.values()), _key_sets(new_items.values())
    changes.resources = {r for r in old_keys.keys() | new_keys.keys() if old_keys.get(r) != new_keys.get(r)}
    changes.resources |= {r for r in old_docs.keys() | new_docs.keys()
                          if _titled_sharing(old_docs.get(r)) != _titled_sharing(new_docs.get(r))}
    return changes


def _titled_sharing(doc_row: tuple | None) -> tuple | None:
    """What a resource finding shows of the resource itself: its text (title) and whether it provides."""
    return None if doc_row is None else (doc_row[1], doc_row[3])


def _key_sets(rows) -> dict[int, frozenset]:
    """Per resource, the (key, element, confidence) its items hold: what resource findings are built from."""
    sets: dict[int, set] = {}
    for row in rows:
        if row[5] is not None:
            sets.setdefault(row[1], set()).add((row[5], row[4], row[7]))
    return {r: frozenset(s) for r, s in sets.items()}


def _flush(session: Session, doc_rows: list, element_rows: list) -> None:
    connection = session.connection()
    insert_rows(connection, SearchDocument.__table__, DOCUMENT_COLUMNS, doc_rows)
    insert_rows(connection, ItemElement.__table__, ELEMENT_COLUMNS, element_rows)
    _store_names(session, {row[-1] for row in element_rows})
    doc_rows.clear()
    element_rows.clear()


def _store_names(session: Session, names: set[str]) -> None:
    """Add the item names search_name does not hold yet (item_search finds items through them)."""
    missing = set(names)
    for chunk in in_chunks(sorted(names)):
        missing.difference_update(session.scalars(select(SearchName.name).where(SearchName.name.in_(chunk))))
    if not missing:
        return
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    # (DO NOTHING: a concurrent PostgreSQL writer may add the same name meanwhile)
    session.execute(insert(SearchName).on_conflict_do_nothing(),
                    [{"name": n, "grams": grams(n)} for n in sorted(missing)])
