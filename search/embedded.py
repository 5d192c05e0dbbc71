"""The embedded backend: the database itself answers searches, so there is no separate index to
drift. Search documents and item mappings are rewritten in the same transaction as the change.

Substring matching over each resource's search document (title, description, code, unit, system
and item names), so 身份证 finds 公民身份证号码; on SQLite through an FTS5 trigram index for terms of
three or more characters, on PostgreSQL through a pg_trgm GIN index. A term that is a synonym of a
standard data element also finds resources holding that element under another name, and ranks them
first.
"""
from __future__ import annotations

from sqlalchemy import and_, case, column, exists, func, or_, select, table
from sqlalchemy.orm import Session

from registry.models import InformationItem, InformationResource, InformationSystem, Unit
from search.backend import SearchResult
from search.documents import matcher, search_text, store_documents, sync_documents
from search.models import ItemElement, SearchDocument
from search.query import SearchQuery

R, I, S, U, D = InformationResource, InformationItem, InformationSystem, Unit, SearchDocument
FTS = table("search_fts", column("rowid"), column("body"))
FACET_COLUMNS = {"organization": U.code, "groups": S.code, "sharing_type": R.sharing_type,
                 "sharing_method": R.sharing_method, "update_cycle": R.update_cycle,
                 "format_class": R.format_class}


def _like(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def query_elements(q: str) -> list[str]:
    """Data elements the query names exactly (身份证 → 公民身份号码)."""
    found = []
    for term in [q, *q.split()]:
        element = matcher().alias_of(term)
        if element and element not in found:
            found.append(element)
    return found


class EmbeddedSearch:
    name = "embedded"

    def _term_condition(self, session: Session, term: str):
        folded = search_text(term)
        if session.bind.dialect.name == "sqlite" and len(folded) >= 3 and not any(c in folded for c in "%_\\"):
            return R.id.in_(select(FTS.c.rowid).where(FTS.c.body.like(f"%{folded}%")))
        return D.body.like(_like(folded), escape="\\")

    def _conditions(self, session: Session, query: SearchQuery) -> list:
        conditions = _filter_conditions(query.filters)
        if query.q:
            text_match = and_(*(self._term_condition(session, t) for t in query.q.split()))
            elements = query_elements(query.q)
            if elements:
                text_match = or_(text_match, *(D.elements.like(f"% {e} %") for e in elements))
            conditions.append(text_match)
        return conditions

    def search_packages(self, session: Session, query: SearchQuery) -> SearchResult:
        conditions = self._conditions(session, query)

        def joined(stmt):
            return (stmt.join(S, S.id == R.system_id).join(U, U.id == R.unit_id)
                    .outerjoin(D, D.resource_id == R.id).where(*conditions))

        count = session.scalar(joined(select(func.count(R.id))))
        ids: list[int] = []
        if query.rows > 0 and query.start < count:
            stmt = joined(select(R.id)).order_by(*self._order(query)).offset(query.start).limit(query.rows)
            ids = list(session.scalars(stmt))
        facets = {f: self._facet(session, joined, f, query) for f in query.facet_fields}
        return SearchResult(count=count, ids=ids, facets=facets)

    def _order(self, query: SearchQuery) -> list:
        order = []
        for key, descending in query.sort or ([("score", True)] if query.q else [("name", False)]):
            column_ = self._score(query.q) if key == "score" else getattr(R, key)
            order.append(column_.desc() if descending else column_.asc())
        order.append(R.id.asc())  # a unique tie-breaker: pages never overlap
        return order

    @staticmethod
    def _score(q: str):
        """Exact data-element matches first, then title equal to / containing the query."""
        if not q:
            return R.id
        element_hit = [case((D.elements.like(f"% {e} %"), 8), else_=0) for e in query_elements(q)]
        score = case((R.title == q, 4), else_=0) + case((R.title.like(_like(q), escape="\\"), 2), else_=0)
        for part in element_hit:
            score = score + part
        return score

    def _facet(self, session: Session, joined, name: str, query: SearchQuery) -> dict[str, int]:
        if name == "data_element":
            stmt = joined(select(ItemElement.element_id, func.count(func.distinct(R.id))).select_from(R)
                          .join(ItemElement, ItemElement.resource_id == R.id)
                          .where(ItemElement.element_id.is_not(None))).group_by(ItemElement.element_id)
            counted = func.count(func.distinct(R.id))
        else:
            column_ = FACET_COLUMNS[name]
            stmt = joined(select(column_, func.count(R.id))).group_by(column_)
            counted = func.count(R.id)
        rows = session.execute(stmt.having(counted >= max(query.facet_mincount, 1))
                               .order_by(counted.desc()).limit(query.facet_limit))
        return {str(value): n for value, n in rows if value is not None}

    def index_resources(self, session: Session, resource_ids: set[int]) -> None:
        """Bring these resources' documents and mappings up to date, then the duplicate findings of
        exactly what changed (an edit that leaves every mapping alone recomputes nothing)."""
        from registry.locks import lock_unit
        from search.scan import refresh_findings
        changes = sync_documents(session, resource_ids)
        if changes:
            # findings span units: one refresh at a time (PostgreSQL: else concurrent writers deadlock
            # on finding rows or insert the same fingerprint twice; SQLite's writers are serialised)
            lock_unit(session, None, "scan")
            refresh_findings(session, changes.keys, changes.resources)

    def reindex(self, session: Session, progress=None) -> int:
        return store_documents(session, None, progress)

    def ping(self) -> bool:
        return True


def _ref_condition(column_id, column_code, values: list[str]):
    return or_(column_code.in_(values), column_id.in_([int(v) for v in values if v.isdecimal()]))


def _filter_conditions(filters: dict[str, list[str]]) -> list:
    conditions = []
    for attr, values in filters.items():
        if attr == "unit":
            conditions.append(_ref_condition(U.id, U.code, values))
        elif attr == "system":
            conditions.append(_ref_condition(S.id, S.code, values))
        elif attr == "open_to_public":
            conditions.append(R.open_to_public.is_(values[-1] == "true"))
        elif attr == "data_element":
            conditions.append(exists(select(ItemElement.item_id).where(
                ItemElement.resource_id == R.id, ItemElement.element_id.in_(values))))
        else:
            conditions.append(getattr(R, attr).in_(values))
    return conditions
