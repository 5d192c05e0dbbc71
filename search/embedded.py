"""The embedded backend: the database itself answers searches, so there is no index to drift.

Text matching is substring matching over resource title, description, code, unit and system
names and item names (so 身份证 finds 公民身份证号码). On SQLite and PostgreSQL alike this is plain
SQL; the duplicate-detection data (item → data element) lives in ordinary tables too.
"""
from __future__ import annotations

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import Session

from registry.models import InformationItem, InformationResource, InformationSystem, Unit
from search.backend import SearchResult
from search.query import SearchQuery

R, I, S, U = InformationResource, InformationItem, InformationSystem, Unit


def _like(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def text_condition(q: str):
    conditions = []
    for term in q.split():
        pattern = _like(term)
        conditions.append(or_(
            R.title.like(pattern, escape="\\"), R.description.like(pattern, escape="\\"),
            R.resource_code.like(pattern, escape="\\"),
            S.name.like(pattern, escape="\\"), U.name.like(pattern, escape="\\"),
            exists(select(I.id).where(I.resource_id == R.id, I.name.like(pattern, escape="\\"))),
        ))
    return and_(*conditions)


def _ref_condition(column_id, column_code, values: list[str]):
    ids = [int(v) for v in values if v.isdigit()]
    return or_(column_code.in_(values), column_id.in_(ids))


def filter_conditions(filters: dict[str, list[str]]) -> list:
    conditions = []
    for attr, values in filters.items():
        if attr == "unit":
            conditions.append(_ref_condition(U.id, U.code, values))
        elif attr == "system":
            conditions.append(_ref_condition(S.id, S.code, values))
        elif attr == "open_to_public":
            conditions.append(R.open_to_public.is_(values[-1] == "true"))
        elif attr == "data_element":
            conditions.append(_element_condition(values))
        else:
            conditions.append(getattr(R, attr).in_(values))
    return conditions


def _element_condition(values: list[str]):
    from search.models import ItemElement  # created by the duplicate-detection layer
    return exists(select(I.id).join(ItemElement, ItemElement.item_id == I.id)
                  .where(I.resource_id == R.id, ItemElement.element_id.in_(values)))


FACET_COLUMNS = {"organization": U.code, "groups": S.code, "sharing_type": R.sharing_type,
                 "sharing_method": R.sharing_method, "update_cycle": R.update_cycle,
                 "format_class": R.format_class}


class EmbeddedSearch:
    name = "embedded"

    def base_query(self, query: SearchQuery):
        conditions = filter_conditions(query.filters)
        if query.q:
            conditions.append(text_condition(query.q))
        return conditions

    def search_packages(self, session: Session, query: SearchQuery) -> SearchResult:
        conditions = self.base_query(query)
        joined = lambda stmt: stmt.join(S, S.id == R.system_id).join(U, U.id == R.unit_id).where(*conditions)
        count = session.scalar(joined(select(func.count(R.id))))
        ids: list[int] = []
        if query.rows > 0 and query.start < count:
            stmt = joined(select(R.id)).order_by(*self._order(query)).offset(query.start).limit(query.rows)
            ids = list(session.scalars(stmt))
        facets = {f: self._facet(session, joined, f, query) for f in query.facet_fields}
        return SearchResult(count=count, ids=ids, facets=facets)

    def _order(self, query: SearchQuery) -> list:
        order = []
        sort = query.sort or ([("score", True)] if query.q else [("name", False)])
        for key, descending in sort:
            if key == "score":
                column = self._score(query.q) if query.q else R.id
            else:
                column = getattr(R, key)
            order.append(column.desc() if descending else column.asc())
        order.append(R.id.asc())  # unique tie-breaker: pages never overlap
        return order

    @staticmethod
    def _score(q: str):
        """Title equal to the query ranks first, then title containing it, then item-name hits."""
        terms = q.split()
        item_exact = exists(select(I.id).where(I.resource_id == R.id, I.name.in_(terms)))
        return (case((R.title == q, 4), else_=0) + case((R.title.like(_like(q), escape="\\"), 2), else_=0)
                + case((item_exact, 1), else_=0))

    def _facet(self, session: Session, joined, name: str, query: SearchQuery) -> dict[str, int]:
        if name == "data_element":
            return self._element_facet(session, joined, query)
        column = FACET_COLUMNS[name]
        rows = session.execute(joined(select(column, func.count(R.id))).group_by(column)
                               .having(func.count(R.id) >= max(query.facet_mincount, 1))
                               .order_by(func.count(R.id).desc(), column).limit(query.facet_limit))
        return {str(value): n for value, n in rows if value is not None}

    def _element_facet(self, session: Session, joined, query: SearchQuery) -> dict[str, int]:
        from search.models import ItemElement
        stmt = joined(select(ItemElement.element_id, func.count(func.distinct(R.id)))
                      .select_from(R).join(I, I.resource_id == R.id)
                      .join(ItemElement, ItemElement.item_id == I.id)).group_by(ItemElement.element_id)
        rows = session.execute(stmt.having(func.count(func.distinct(R.id)) >= max(query.facet_mincount, 1))
                               .order_by(func.count(func.distinct(R.id)).desc()).limit(query.facet_limit))
        return {value: n for value, n in rows if value is not None}

    def index_resources(self, session: Session, resource_ids: set[int]) -> None:
        return None  # the database is the index

    def reindex(self, session: Session, progress=None) -> int:
        return session.scalar(select(func.count(R.id)))
