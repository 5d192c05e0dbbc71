"""The search-provider interface. The database is the source of truth; an index is rebuilt from it."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy.orm import Session

from search.engines.query import SearchQuery


@dataclass
class SearchResult:
    count: int
    ids: list[int]                                       # resource ids, in rank order
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


class SearchBackend(Protocol):
    name: str
    # whether the index lives outside the database (an engine): a full scan, which rewrites every
    # item's mapping in the database, must then rebuild it
    index_outside_database: bool

    def search_packages(self, session: Session, query: SearchQuery) -> SearchResult: ...

    def index_resources(self, session: Session, resource_ids: set[int]) -> None:
        """Bring the index up to date for these resources (deleted ones are removed)."""

    def reindex(self, session: Session, progress=None) -> int:
        """Rebuild the whole index from the database; returns the number of resources indexed."""
