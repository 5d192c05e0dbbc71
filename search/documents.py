"""The one adapter of the indexed entity (an information resource): what is searchable and how it
serialises. Every backend indexes what `resource_documents` returns; the embedded backend also
stores the item → data-element mapping used by duplicate detection, in the same transaction."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, Iterator

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from catalog_schema import vocabularies as vocab
from registry.models import InformationItem, InformationResource, InformationSystem, Unit
from search.bulk import insert_rows
from search.models import ItemElement, SearchDocument

BATCH = 2000
DOCUMENT_COLUMNS = ("resource_id", "body", "elements")
ELEMENT_COLUMNS = ("item_id", "resource_id", "system_id", "unit_id", "element_id", "key", "qualifier",
                   "confidence", "method")


@lru_cache(maxsize=1)
def matcher():
    from search.elements import ElementMatcher
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


def resource_documents(session: Session, resource_ids: Iterable[int] | None) -> Iterator[ResourceDocument]:
    """Documents for these resources (all when None), in batches, with items mapped to elements."""
    if resource_ids is None:
        last = 0
        while True:
            rows = _resource_rows(session, InformationResource.id > last)
            if not rows:
                return
            yield from _documents(session, rows)
            last = rows[-1][0].id
    else:
        for chunk in _chunks(sorted(set(resource_ids)), BATCH):
            yield from _documents(session, _resource_rows(session, InformationResource.id.in_(chunk)))


def _resource_rows(session: Session, condition) -> list:
    return session.execute(
        select(InformationResource, Unit.code, Unit.name, InformationSystem.code, InformationSystem.name)
        .join(Unit, Unit.id == InformationResource.unit_id)
        .join(InformationSystem, InformationSystem.id == InformationResource.system_id)
        .where(condition).order_by(InformationResource.id).limit(BATCH)).all()


def _documents(session: Session, rows: list) -> Iterator[ResourceDocument]:
    by_resource: dict[int, list] = {r[0].id: [] for r in rows}
    if not by_resource:
        return
    items = session.execute(select(InformationItem.id, InformationItem.resource_id, InformationItem.name,
                                   InformationItem.data_type, InformationItem.data_length)
                            .where(InformationItem.resource_id.in_(list(by_resource)))
                            .order_by(InformationItem.resource_id, InformationItem.position, InformationItem.id))
    match = matcher().match
    for item_id, resource_id, name, data_type, length in items:
        m = match(name, data_type, length)
        by_resource[resource_id].append({"id": item_id, "name": name, "data_type": data_type,
                                         "data_length": length, "element_id": m.element_id, "key": m.key,
                                         "qualifier": m.qualifier, "confidence": m.confidence,
                                         "method": m.method})
    for res, unit_code, unit_name, system_code, system_name in rows:
        yield ResourceDocument(
            resource_id=res.id, unit_id=res.unit_id, unit_code=unit_code, unit_name=unit_name,
            system_id=res.system_id, system_code=system_code, system_name=system_name, name=res.name,
            title=res.title, description=res.description or "", resource_code=res.resource_code or "",
            sharing_type=res.sharing_type, sharing_method=res.sharing_method, update_cycle=res.update_cycle,
            format_class=res.format_class, format_type=res.format_type, open_to_public=res.open_to_public,
            modified=res.modified.isoformat() if res.modified else "", items=by_resource[res.id])


def store_documents(session: Session, resource_ids: set[int] | None, progress=None) -> int:
    """Rewrite the search documents and item mappings of these resources (None: all) in this
    transaction; deleted resources simply get none. Returns the number of documents written."""
    written = 0
    if resource_ids is None:
        session.execute(delete(ItemElement))
        session.execute(delete(SearchDocument))
    else:
        for chunk in _chunks(sorted(resource_ids)):
            session.execute(delete(ItemElement).where(ItemElement.resource_id.in_(chunk)))
            session.execute(delete(SearchDocument).where(SearchDocument.resource_id.in_(chunk)))
    doc_rows, element_rows = [], []
    for doc in resource_documents(session, resource_ids):
        written += 1
        if progress is not None:
            progress(len(doc.items))
        doc_rows.append((doc.resource_id, doc.body, " " + " ".join(doc.element_ids) + " "))
        element_rows.extend((i["id"], doc.resource_id, doc.system_id, doc.unit_id, i["element_id"], i["key"],
                             i["qualifier"], i["confidence"], i["method"]) for i in doc.items)
        if len(element_rows) >= 20_000:
            _flush(session, doc_rows, element_rows)
    _flush(session, doc_rows, element_rows)
    return written


def _flush(session: Session, doc_rows: list, element_rows: list) -> None:
    connection = session.connection()
    insert_rows(connection, SearchDocument.__table__, DOCUMENT_COLUMNS, doc_rows)
    insert_rows(connection, ItemElement.__table__, ELEMENT_COLUMNS, element_rows)
    doc_rows.clear()
    element_rows.clear()


def _chunks(values: list[int], size: int = 900) -> Iterator[list[int]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]
