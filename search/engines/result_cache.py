"""An exact per-process cache of search results, keyed by the catalog's index version.

Every write to the search index (`search.engines.documents.store_documents`, and every
`EmbeddedSearch.index_resources`, which the Elasticsearch backend also runs for the database side)
stores a new random token in `search_version`, in the writing transaction. A reader reads the token
first, in its own transaction, and only reuses a result computed under the same token: any
committed write, from any process or server, makes every older result unreachable. A random token
rather than a counter, so that a restored backup or a re-created database can never present an old
number for different data.

Only read-only sessions use the cache: a write transaction may search its own uncommitted changes,
which must never be served to anyone else. Without a token (a new database before its first index
write) nothing is cached.

Lock order (PostgreSQL): every index write takes the `search_version` row first, before the
duplicate scan's advisory lock (`EmbeddedSearch.index_resources`, `duplicate_scan`), so two writers
never wait for each other in opposite orders.
"""
from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Callable, Hashable

from sqlalchemy import Select, text
from sqlalchemy.orm import Session

from registry.core.db import WRITE_OPTION

_READ = text("SELECT token FROM search_version WHERE id = 1")
_BUMP = text("INSERT INTO search_version (id, token) VALUES (1, :token) "
             "ON CONFLICT (id) DO UPDATE SET token = excluded.token")


def bump_version(session: Session) -> None:
    """Mark the search index changed (call in the transaction that changes it)."""
    session.execute(_BUMP, {"token": uuid.uuid4().hex})


def read_version(session: Session) -> str | None:
    """The current token, or None when results must not be cached (a write session, no token)."""
    if session.get_bind().get_execution_options().get(WRITE_OPTION):
        return None
    return session.scalar(_READ)


class ResultCache:
    """A small LRU of results for one version; a newer version empties it."""

    def __init__(self, size: int = 1024):
        self.size = size
        self._version: str | None = None
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, version: str | None, key: Hashable) -> Any:
        if version is None:
            return None
        with self._lock:
            if version != self._version:
                return None
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def put(self, version: str | None, key: Hashable, value: Any) -> None:
        if version is None:
            return
        with self._lock:
            if version != self._version:
                self._version = version
                self._entries.clear()
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._version = None
            self._entries.clear()


RESULTS = ResultCache()


PREFIX_ROWS = 100    # ranked ids kept per cached query, so its next pages need no query
MAX_PREFIX = 1000    # pages beyond are read with OFFSET each time


@dataclass(frozen=True)
class Ranked:
    """A query's answer as cached: the count, the first ranked ids (all when len(ids) == count),
    and facets (field → value → count)."""
    count: int
    ids: tuple[int, ...]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)

    def short_of(self, window: int) -> bool:
        """Whether the kept ids end before `window` while more results exist."""
        return window > len(self.ids) and len(self.ids) < self.count


def ranked_page(session: Session, key: Hashable, start: int, rows: int, count: Callable[[], int],
                ranked: Callable[[], Select], facets: Callable[[], dict] | None = None) -> tuple[Ranked, list[int]]:
    """One page of a ranked query, through the cache: `count()` and `facets()` compute the totals,
    `ranked()` is the ordered SELECT of ids; they are called only when the answer is not cached, and
    after the version is read (so run no query of the answer before calling this). Returns the
    (cached) answer and the page's ids."""
    version = read_version(session)  # first: whatever is computed below is at least this new
    window = start + rows
    found = RESULTS.get(version, key)
    if found is None or (rows and found.short_of(window) and window <= MAX_PREFIX):
        total = count()
        prefix = min(max(window, PREFIX_ROWS), MAX_PREFIX) if rows else 0
        ids = tuple(session.scalars(ranked().limit(prefix))) if prefix and total else ()
        found = Ranked(total, ids, facets() if facets is not None and total else {})
        RESULTS.put(version, key, found)
    if not rows or start >= found.count:
        return found, []
    if not found.short_of(window):
        return found, list(found.ids[start:window])
    return found, list(session.scalars(ranked().offset(start).limit(rows)))  # a deep page


PACKAGES = ResultCache(size=2048)  # package dicts, ≈ 11 KB each with 20 items: ≈ 22 MB per process at most
ITEMS = ResultCache(size=4096)     # item_search result dicts, ≈ 1 KB each


def cached_dicts(session: Session, cache: ResultCache, ids: list[int],
                 load: Callable[[list[int]], list[dict]]) -> list[dict]:
    """The result dicts of these records (by their "id"), in order; `load` builds those not cached
    under the current version. Exact for what the search index's writes cover: a package dict (the
    resource, its items, its unit's and system's code and name) and an item_search row (the item, its
    mapping, its resource, system and unit) change only through writes that reindex the resource, and
    so replace the version. The dicts are shared: callers read them, never change them."""
    version = read_version(session)
    found = {i: cache.get(version, i) for i in ids}
    missing = [i for i, record in found.items() if record is None]
    if missing:
        for record in load(missing):
            cache.put(version, record["id"], record)
            found[record["id"]] = record
    return [found[i] for i in ids if found.get(i) is not None]
