"""The embedded backend: the database itself answers searches, so there is no separate index to
drift. Search documents and item mappings are rewritten in the same transaction as the change.

Substring matching over each resource's search document (title, description, code, unit, system
and item names), so 身份证 finds 公民身份证号码, every term answered by an index (search.engines.text_index:
FTS5 on SQLite, pg_trgm and gram arrays on PostgreSQL). A term that is a synonym of a standard data
element also finds resources holding that element under another name, and ranks them first.

Results are computed from indexes only (counts, the ranked first ids, facets in one pass over the
matches) and kept in an exact per-process cache keyed by the index version (search.engines.result_cache),
so a repeated query, or the next page of one, costs a lookup until the catalog changes.
"""
from __future__ import annotations

from collections import Counter
from functools import cache

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from registry.catalog.models import InformationResource, InformationSystem, Unit
from search.engines.backend import SearchResult
from search.engines.documents import matcher, search_text, store_documents, sync_documents
from search.models import ItemElement, SearchDocument
from search.engines.query import SearchQuery
from search.engines.result_cache import bump_version, ranked_page
from search.engines.text_index import like_pattern, resources_containing

R, S, U, D, E = InformationResource, InformationSystem, Unit, SearchDocument, ItemElement
# facet → the resource column counted (organization and groups are shown by code)
FACET_COLUMNS = {"organization": R.unit_id, "groups": R.system_id, "sharing_type": R.sharing_type,
                 "sharing_method": R.sharing_method, "update_cycle": R.update_cycle,
                 "format_class": R.format_class}

def query_elements(q: str) -> list[str]:
    """Data elements the query names exactly (身份证 → 公民身份号码) or by an everyday word
    (社保 → 社会保障号码, 参保险种 …; search.engines.vocabulary)."""
    from search.engines.vocabulary import everyday_elements
    found = []
    for term in [q, *q.split()]:
        element = matcher().alias_of(term)
        for element in ((element,) if element else ()) + everyday_elements(term):
            if element not in found:
                found.append(element)
    return found


def holding(elements: list[str]):
    """Ids of the resources with an item mapped to one of these elements (a covering index)."""
    return select(E.resource_id).where(E.element_id.in_(elements))


class EmbeddedSearch:
    name = "embedded"
    index_outside_database = False   # its index is the search tables a scan rewrites itself

    def _conditions(self, session: Session, query: SearchQuery) -> list:
        conditions = _filter_conditions(query.filters)
        if query.public_only:
            conditions.append(R.open_to_public.is_(True))
        if query.q:
            text_match = and_(*(R.id.in_(resources_containing(session, search_text(t))) for t in query.q.split()))
            elements = query_elements(query.q)
            if elements:
                text_match = or_(text_match, R.id.in_(holding(elements)))
            conditions.append(text_match)
        return conditions

    def search_packages(self, session: Session, query: SearchQuery) -> SearchResult:
        key = ("package_search", query.q, tuple(sorted((k, tuple(v)) for k, v in query.filters.items())),
               tuple(query.sort), tuple(query.facet_fields), query.facet_limit, query.facet_mincount,
               query.public_only)
        where = cache(lambda: self._conditions(session, query))  # (built only when not cached)
        found, ids = ranked_page(
            session, key, query.start, query.rows,
            count=lambda: session.scalar(select(func.count()).select_from(R).where(*where())),
            ranked=lambda: select(R.id).where(*where()).order_by(*self._order(query)),
            facets=(lambda: self._facets(session, where(), query)) if query.facet_fields else None)
        facets = {f: dict(found.facets.get(f, {})) for f in query.facet_fields}
        return SearchResult(count=found.count, ids=ids, facets=facets)

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
        score = case((R.title == q, 4), else_=0) + case((R.title.like(like_pattern(q), escape="\\"), 2), else_=0)
        for element in query_elements(q):
            score = score + case((R.id.in_(holding([element])), 8), else_=0)
        return score

    def _facets(self, session: Session, conditions: list, query: SearchQuery) -> dict[str, dict[str, int]]:
        """Every requested facet in one pass over the matched resources (exact counts)."""
        plain = [f for f in query.facet_fields if f != "data_element"]
        with_elements = "data_element" in query.facet_fields
        stmt = select(*(FACET_COLUMNS[f] for f in plain), *([D.elements] if with_elements else [])).select_from(R)
        if with_elements:
            stmt = stmt.outerjoin(D, D.resource_id == R.id)
        counts = {f: Counter() for f in query.facet_fields}
        columns = [counts[f] for f in plain]
        for row in session.execute(stmt.where(*conditions)):
            for counter, value in zip(columns, row):
                counter[value] += 1
            if with_elements and row[-1]:
                counts["data_element"].update(row[-1].split())  # distinct per resource
        for field, model in (("organization", U), ("groups", S)):
            if field in counts:
                ids = [i for i in counts[field] if i is not None]
                codes = dict(session.execute(select(model.id, model.code).where(model.id.in_(ids))).all())
                counts[field] = Counter({codes[i]: n for i, n in counts[field].items() if i in codes})
        least = max(query.facet_mincount, 1)
        return {f: dict(sorted(((str(v), n) for v, n in counts[f].items() if v is not None and n >= least),
                               key=lambda vn: (-vn[1], vn[0]))[:query.facet_limit])
                for f in query.facet_fields}

    def index_resources(self, session: Session, resource_ids: set[int]) -> None:
        """Bring these resources' documents and mappings up to date, then the duplicate findings of
        exactly what changed (an edit that leaves every mapping alone recomputes nothing)."""
        from registry.core.locks import lock_unit
        from search.duplicates.scan import refresh_findings
        # always (filters and sorts read resource columns that change even when no document does),
        # and first: every index write takes the version row before the scan lock (one lock order)
        bump_version(session)
        changes = sync_documents(session, resource_ids)
        if changes:
            # findings span units: one refresh at a time (PostgreSQL: else concurrent writers deadlock
            # on finding rows or insert the same fingerprint twice; SQLite's writers are serialised)
            lock_unit(session, None, "scan")
            refresh_findings(session, changes.keys, changes.resources)

    def reindex(self, session: Session, progress=None) -> int:
        return store_documents(session, None, progress)

    def duplicate_keys(self, session: Session, min_units: int = 2) -> list:
        """Item keys (data element + role class) held by at least `min_units` units, in key order:
        one GROUP BY over the item mapping (the engine backend asks its cluster instead)."""
        from search.engines.es_mappings import DuplicateKey
        units = func.count(E.unit_id.distinct())
        rows = session.execute(select(E.key, units, func.count(E.resource_id.distinct()))
                               .where(E.key.is_not(None)).group_by(E.key).having(units >= min_units).order_by(E.key))
        return [DuplicateKey(key, n_units, n_resources) for key, n_units, n_resources in rows]

    def ping(self) -> bool:
        return True


def _ref_ids(model, values: list[str]):
    """Ids of the units or systems named by code or id."""
    return select(model.id).where(or_(model.code.in_(values), model.id.in_([int(v) for v in values if v.isdecimal()])))


def _filter_conditions(filters: dict[str, list[str]]) -> list:
    conditions = []
    for attr, values in filters.items():
        if attr == "unit":
            conditions.append(R.unit_id.in_(_ref_ids(U, values)))
        elif attr == "system":
            conditions.append(R.system_id.in_(_ref_ids(S, values)))
        elif attr == "open_to_public":
            conditions.append(R.open_to_public.is_(values[-1] == "true"))
        elif attr == "data_element":
            conditions.append(R.id.in_(holding(values)))
        else:
            conditions.append(getattr(R, attr).in_(values))
    return conditions
