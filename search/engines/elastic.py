"""The search-engine backend (OpenSearch or Elasticsearch): the same documents and semantics as
the embedded one, served by a cluster (for a province-scale catalog, or to take search load off
the database). One backend, engine-neutral request bodies (`search.engines.es_mappings`), and a thin
client adapter per engine (`search.engines.clients`: `elasticsearch` 8.x client for Elasticsearch 8/9,
`opensearch-py` for OpenSearch 1–3, or `auto` from `GET /`).

The database stays the source of truth. Inside the write's transaction the embedded backend's
database side runs unchanged (search documents, item → element mappings, duplicate findings) and
the changed resource ids go into `search_outbox`. After the commit `after_commit` indexes them
and removes their outbox rows; if the engine fails, the rows stay, the failure is logged,
`pending()` counts them and `ping()` (the readiness probe) reports it — nothing is dropped.
`replay_outbox()` (start-up, `reindex`, the probe, and after each successful write) brings the
index back in line.

Request bodies are built in `search.engines.es_mappings` (pure functions, unit-tested).
"""
from __future__ import annotations

import itertools
import json
import logging
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from datetime import datetime, timedelta, timezone
from typing import Iterable, Iterator
from urllib.parse import urlsplit

from sqlalchemy import delete, func, select, tuple_
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from registry.core.db import utcnow
from registry.core.errors import RegistryError, SearchQueryError
from registry.catalog.models import InformationResource
from search.engines import es_mappings as em
from search.engines.backend import SearchResult
from search.engines.documents import resource_documents
from search.engines.embedded import EmbeddedSearch, query_elements
from search.engines.clients import REQUEST_TIMEOUT, EngineError, make_client
from search.models import SearchOutbox
from search.engines.query import SearchQuery
from search.engines.result_cache import MAX_PREFIX, PREFIX_ROWS, RESULTS, Ranked, bump_version, read_version

log = logging.getLogger("registry.search")

ES_ERRORS = (EngineError,)
OUTBOX_GRACE = timedelta(seconds=60)    # older rows mean indexing failed (not merely in flight)
CATCH_UP_ROWS = 500                     # leftovers replayed after a successful write / by the probe
REPLAY_BATCH = 500
REINDEX_TIMEOUT = 300                   # seconds for each bulk request of a rebuild


class SearchUnavailable(RegistryError):
    """The search cluster cannot answer (down, or the index was never built)."""

    status = 503
    ckan_type = "Search Error"


class IndexingFailed(Exception):
    """The engine refused some documents or has no live index; the outbox keeps them."""


# What an operator reads when a rebuild fails (registry reindex, the search_reindex action).
ENGINE_FAILURES = {"unreachable": "无法连接", "timeout": "响应超时", "refused": "拒绝了请求",
                   "missing": "找不到索引", "failed": "内部出错"}

# What a user reads when the engine cannot answer (the engine's own reason goes to the log only).
USER_MESSAGES = {
    "missing": "搜索索引尚未建立，请管理员运行 registry reindex",
    "timeout": "搜索服务响应超时，请稍后再试",
    "unreachable": "搜索服务暂时不可用，请稍后再试",
    "failed": "搜索服务暂时不可用，请稍后再试",
    "refused": "搜索服务无法执行这个查询，请减少或简化搜索词后再试",
}


class EngineBackend:
    """`engine`: elasticsearch | opensearch | auto (detected from `GET /` on first use)."""

    index_outside_database = True    # a full scan's new mapping must be sent to the engine

    def __init__(self, url: str, index_prefix: str = "registry", db=None, word_analyzer: str = "cjk",
                 client=None, engine: str = "auto", refresh_interval: str | None = None,
                 timeout: float = REQUEST_TIMEOUT):
        if index_prefix != index_prefix.lower() or not index_prefix:
            raise ValueError("REGISTRY_ES_INDEX_PREFIX must be non-empty lower case (an index name part)")
        em.index_body(word_analyzer)  # fails early on an unknown analyzer
        self.url = url
        self.prefix = index_prefix
        self.db = db
        self.word_analyzer = word_analyzer
        self.refresh_interval = refresh_interval
        # Writes wait for this after their commit: a hung cluster must not hold a request for long.
        self.es = client or make_client(engine, url, timeout)
        self.alias = em.live_alias(index_prefix)
        self.building = em.building_alias(index_prefix)
        self._database_side = EmbeddedSearch()

    @property
    def name(self) -> str:
        """The engine in use: opensearch / elasticsearch ("auto" until the first answer)."""
        return getattr(self.es, "detected", None) or self.es.product

    # -- searching ---------------------------------------------------------------------------

    def search_packages(self, session: Session, query: SearchQuery) -> SearchResult:
        """Through the per-process result cache, as the embedded backend (search.engines.result_cache): the
        answer to a request body (count, the first ranked ids, facets) is kept under the index
        version, which every write replaces in its transaction and again once the engine holds it
        (`_sync`), so an answer read from the engine between the commit and the indexing is never
        served after it. Pages within the kept ids cost no engine request."""
        body = em.search_body(query, query_elements(query.q) if query.q else [])
        version = read_version(session) if session is not None else None
        if version is None:   # a write transaction, or no index version yet: no cache
            return em.search_result(self._search(body), query)
        key = ("engine", self.alias, json.dumps({k: v for k, v in body.items() if k not in ("from", "size")},
                                                sort_keys=True, ensure_ascii=False))
        start, window = query.start, query.start + query.rows
        found = RESULTS.get(version, key)
        if found is None or (query.rows and found.short_of(window) and window <= MAX_PREFIX):
            prefix = min(max(window, PREFIX_ROWS), MAX_PREFIX) if query.rows else 0
            first = em.search_result(self._search({**body, "from": 0, "size": prefix}), query)
            found = Ranked(first.count, tuple(first.ids), first.facets)
            RESULTS.put(version, key, found)
        if not query.rows or start >= found.count:
            ids: list[int] = []
        elif not found.short_of(window):
            ids = list(found.ids[start:window])
        else:   # a deep page
            ids = em.search_result(self._search(body), query).ids
        return SearchResult(count=found.count, ids=ids,
                            facets={f: dict(found.facets.get(f, {})) for f in query.facet_fields})

    def _search(self, body: dict) -> dict:
        try:
            return self.es.search(index=self.alias, body=body)
        except EngineError as exc:
            log.error("search engine failed a search on %s: %s", self.alias, exc)
            if exc.kind == "refused":   # the engine refuses this query (not the service): a 400
                raise SearchQueryError(USER_MESSAGES["refused"]) from None
            raise SearchUnavailable(USER_MESSAGES.get(exc.kind, USER_MESSAGES["failed"])) from None

    # -- writes --------------------------------------------------------------------------------

    def index_resources(self, session: Session, resource_ids: set[int]) -> None:
        """Inside the write's transaction: the database side exactly as the embedded backend does
        it (findings come from the database mapping), plus the outbox rows for after the commit."""
        self._database_side.index_resources(session, resource_ids)
        queue_outbox(session, resource_ids)

    def after_commit(self, resource_ids: set[int]) -> None:
        """Index what the committed transaction changed; on failure keep it queued and say so."""
        try:
            self._sync(sorted(resource_ids))
        except (IndexingFailed, SQLAlchemyError, *ES_ERRORS) as exc:
            # The change is committed; failing the request now would misreport it. The rows stay
            # queued, `pending()` counts them and the readiness probe reports them.
            log.error("search engine indexing failed for resources %s; kept in search_outbox: %s",
                      sorted(resource_ids)[:20], exc)
            return
        self._catch_up()

    def replay_outbox(self, max_rows: int | None = None, session: Session | None = None) -> int:
        """Index every resource still queued (oldest first); returns how many were processed.
        Raises when the engine fails, so start-up and `registry reindex` show the problem.
        `session`: do it in the caller's transaction (reindex, which may hold SQLite's write lock)."""
        done = 0
        while max_rows is None or done < max_rows:
            limit = REPLAY_BATCH if max_rows is None else min(REPLAY_BATCH, max_rows - done)
            with self._session(session) as current:
                ids = list(current.scalars(select(SearchOutbox.resource_id)
                                           .order_by(SearchOutbox.queued_at, SearchOutbox.resource_id).limit(limit)))
            if not ids:
                break
            cleared = self._sync(ids, session)
            done += len(ids)
            if not cleared:  # a reindex is filling a new index; it replays the outbox itself
                break
        return done

    def pending(self) -> int:
        """Resources whose index entry is behind the database (queued in search_outbox)."""
        with self._session() as session:
            return session.scalar(select(func.count()).select_from(SearchOutbox))

    def _catch_up(self) -> None:
        try:
            if self.pending():
                self.replay_outbox(CATCH_UP_ROWS)
        except (IndexingFailed, SQLAlchemyError, *ES_ERRORS) as exc:
            log.error("search engine outbox replay failed; rows stay queued: %s", exc)

    def _sync(self, ids: list[int], session: Session | None = None) -> bool:
        """Index these resources' current documents (delete the vanished) and clear the outbox rows
        seen before reading them. Returns False when the rows had to stay (a reindex is building).

        Order matters. The building alias is checked before the write, so a write that saw no
        reindex reached the live alias after any reindex had read the database, or after its swap.
        The outbox tokens (queued_at) are read with or before the documents, so a row is removed
        only if the document sent is at least as new as the change that queued it; a newer change
        re-queues with a new token and survives."""
        live, building = self._alias_state()
        if not live:
            raise IndexingFailed(f"no index behind alias {self.alias}: run `registry reindex`")
        with self._session(session) as current:
            tokens = [tuple(t) for t in current.execute(
                select(SearchOutbox.resource_id, SearchOutbox.queued_at).where(SearchOutbox.resource_id.in_(ids)))]
            sources = [em.document_source(doc, created) for doc, created in _documents(current, ids)]
        found = {s["id"] for s in sources}
        self._bulk(em.bulk_actions(self.alias, sources, [i for i in ids if i not in found]), refresh="wait_for")
        with self._session(session, write=True) as current:
            # The engine now answers with these documents: answers cached from it before (possibly
            # under the write's own version, between its commit and now) become unreachable.
            bump_version(current)
            if building:
                return False
            for start in range(0, len(tokens), 400):
                current.execute(delete(SearchOutbox).where(
                    tuple_(SearchOutbox.resource_id, SearchOutbox.queued_at).in_(tokens[start:start + 400])))
        return True

    def _bulk(self, actions: list[dict], refresh=None, timeout: float | None = None) -> int:
        # require_alias (in the adapter): a write to a missing alias fails, never auto-creates an index
        indexed, failed = self.es.bulk(actions, refresh=refresh, timeout=timeout)
        if failed:
            raise IndexingFailed(f"{len(failed)} document(s) refused, first: {failed[0]}")
        return indexed

    def _alias_state(self) -> tuple[list[str], list[str]]:
        """(indices behind the live alias, indices behind the building alias)."""
        indices = self.es.get_alias(em.index_pattern(self.prefix))
        live = sorted(i for i, meta in indices.items() if self.alias in meta.get("aliases", {}))
        building = sorted(i for i, meta in indices.items() if self.building in meta.get("aliases", {}))
        return live, building

    def _session(self, session: Session | None = None, write: bool = False):
        """The caller's session (its transaction, not committed here), or a fresh unit of work."""
        if session is not None:
            return nullcontext(session)
        if self.db is None:
            raise RuntimeError("ElasticsearchBackend needs the Database (make_backend passes it)")
        return self.db.unit_of_work(write=write)

    # -- rebuilding ----------------------------------------------------------------------------

    def reindex(self, session: Session, progress=None) -> int:
        """Rebuild without downtime: fill a new versioned index while the old one serves, swap the
        live alias in one atomic request, delete the old indexes, then replay what was written
        meanwhile (writers keep their outbox rows while the building alias exists).

        The documents carry the item mapping the database holds (`item_element`, kept current by
        every write in its own transaction), so a rebuild reads the database and matches nothing;
        re-mapping every item is `registry scan`'s job, which then rebuilds through here (the
        `duplicate_scan` action, as `index_outside_database` says). `progress(n)` is called per bulk batch with the number of items in it."""
        live, building = self._alias_state()   # fail fast, before reading the whole database
        if building:
            raise IndexingFailed(f"another reindex is filling {building[0]} (alias {self.building}); if it "
                                 f"crashed, delete that index first: DELETE {_without_credentials(self.url)}/"
                                 f"{building[0]}")
        if self.es.index_exists(self.alias) and not live:
            raise IndexingFailed(f"{self.alias} is an index, not an alias (auto-created by a write?); "
                                 f"delete it and run reindex again")
        new_index = em.versioned_index(self.prefix, datetime.now(timezone.utc))
        body = em.index_body(self.word_analyzer, building=True)
        self.es.create_index(new_index, body["settings"], body["mappings"], {self.building: {}})
        try:
            count = self._fill(session, progress)
            self.es.put_settings(new_index, {"index": {"refresh_interval": self.refresh_interval}})
            self.es.refresh(new_index)
            self.es.update_aliases(em.alias_swap_actions(self.prefix, new_index, live))
        except BaseException:
            log.error("reindex into %s failed; %s still serves the old index", new_index, self.alias)
            try:
                self.es.delete_index([new_index])
            except ES_ERRORS as exc:
                log.error("could not delete the unfinished index %s (delete it by hand): %s", new_index, exc)
            raise
        old = [i for i in self.es.get_alias(em.index_pattern(self.prefix)) if i != new_index]
        if old:
            self.es.delete_index(old)
        log.info("reindexed %d resources into %s (alias %s); removed %s", count, new_index, self.alias,
                 old or "none")
        self.replay_outbox(session=session)
        return count

    def _fill(self, session: Session, progress) -> int:
        """Bulk-load every document into the building alias. The next batch is read from the
        database while the engine indexes the previous one (one bulk request in flight), so the
        rebuild runs at the engine's pace rather than at the sum of both."""
        count = 0
        in_flight: tuple | None = None       # (future, items in its batch)
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="reindex-bulk") as sender:
            for batch in _batches(_documents(session, None), em.BULK_CHUNK):
                actions = em.bulk_actions(self.building, [em.document_source(doc, created) for doc, created in batch], [])
                if in_flight is not None:
                    self._landed(in_flight, progress)
                in_flight = (sender.submit(self._bulk, actions, None, REINDEX_TIMEOUT),
                             sum(len(doc.items) for doc, _ in batch))
                count += len(batch)
            if in_flight is not None:
                self._landed(in_flight, progress)
        return count

    @staticmethod
    def _landed(in_flight: tuple, progress) -> None:
        future, items = in_flight
        future.result()                      # raises what the bulk request raised
        if progress is not None:
            progress(items)

    # -- duplicate candidates -----------------------------------------------------------------------

    def duplicate_keys(self, session: Session | None = None, min_units: int = 2,
                       page_size: int = 1000) -> list[em.DuplicateKey]:
        """Item keys (data element + role class) held by at least `min_units` units, in key order,
        computed by the cluster (the database is not read): a composite terms aggregation on
        items.key with a cardinality of unit_id, paged, so no pairs of items or resources are ever
        compared. The same answer as `EmbeddedSearch.duplicate_keys` (the action
        `duplicate_key_list` uses either)."""
        found: list[em.DuplicateKey] = []
        after = None
        while True:
            response = self._search(em.duplicate_keys_body(page_size, after))
            keys, after = em.duplicate_keys_page(response, min_units)
            found.extend(keys)
            if after is None:
                return found

    # -- health --------------------------------------------------------------------------------------

    def status(self) -> dict:
        """For operators: engine reachable, live index present and built by this release's mapping,
        the engine's health (green / yellow: a copy of some shard is missing / red), outbox rows
        (stale: older than the grace period)."""
        state = {"engine": self.name, "reachable": False, "index": False, "mapping": None, "health": None,
                 "pending": None, "stale": None}
        try:
            live, _ = self._alias_state()
            state.update(reachable=True, index=bool(live))
            if live:
                meta = self.es.get_mapping(live[0]).get(live[0], {}).get("mappings", {}).get("_meta") or {}
                state["mapping"] = "current" if meta.get("registry_mapping") == self._mapping_version else "outdated"
            state["health"] = self.es.health().get("status")
        except ES_ERRORS as exc:
            state["error"] = str(exc)[:200]
        try:
            with self._session() as session:
                state["pending"] = session.scalar(select(func.count()).select_from(SearchOutbox))
                state["stale"] = session.scalar(select(func.count()).select_from(SearchOutbox)
                                                .where(SearchOutbox.queued_at < utcnow() - OUTBOX_GRACE))
        except SQLAlchemyError as exc:  # the readiness probe reports the database on its own
            state["error"] = f"outbox unreadable: {exc.__class__.__name__}"
        return state

    @property
    def _mapping_version(self) -> str:
        return em.index_body(self.word_analyzer)["mappings"]["_meta"]["registry_mapping"]

    def readiness(self) -> str:
        """"ok"; "degraded" (answering, but the engine lacks a copy of some shard: a node is down);
        or "error" (see ping). Stale outbox rows are replayed first, so the index heals by itself
        once the engine is back, even without new writes."""
        state = self.status()
        if state["reachable"] and state["index"] and state["stale"]:
            self._catch_up()
            state = self.status()
        ready = bool(state["reachable"] and state["index"] and state["mapping"] == "current"
                     and state["stale"] == 0 and state["health"] in ("green", "yellow"))
        if not ready:
            if state["mapping"] == "outdated":
                log.error("search index %s was built by another mapping version: run `registry reindex`", self.alias)
            log.warning("search not ready: %s", state)
            return "error"
        if state["health"] == "yellow":
            log.warning("search engine degraded (health yellow: a shard copy is missing): %s", state)
            return "degraded"
        return "ok"

    def ping(self) -> bool:
        """Ready: the engine answers, the live index exists with this release's mapping, the engine
        is not red and no outbox row is stale (after replaying stale rows)."""
        return self.readiness() != "error"


def queue_outbox(session: Session, resource_ids: Iterable[int]) -> None:
    """Upsert the ids into search_outbox in the caller's transaction (a re-queue renews the token)."""
    now = utcnow()
    rows = [{"resource_id": i, "queued_at": now} for i in sorted(set(resource_ids))]
    if not rows:
        return
    dialect = session.bind.dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:
        raise NotImplementedError(f"search_outbox upsert for {dialect}")
    for start in range(0, len(rows), 500):
        stmt = insert(SearchOutbox).values(rows[start:start + 500])
        session.execute(stmt.on_conflict_do_update(index_elements=[SearchOutbox.resource_id],
                                                   set_={"queued_at": stmt.excluded.queued_at}))


def _documents(session: Session, ids: list[int] | None) -> Iterator[tuple]:
    """(document, created) pairs: the one adapter's documents, items with the mapping the database
    holds, plus the creation time, which ResourceDocument does not carry (the `metadata_created`
    sort needs it)."""
    for batch in _batches(resource_documents(session, ids, stored_mapping=True), em.BULK_CHUNK):
        created = dict(session.execute(select(InformationResource.id, InformationResource.created)
                                       .where(InformationResource.id.in_([d.resource_id for d in batch]))).all())
        for doc in batch:
            yield doc, created.get(doc.resource_id)


def _without_credentials(url: str) -> str:
    parts = urlsplit(url)
    return parts._replace(netloc=parts.hostname + (f":{parts.port}" if parts.port else "")).geturl() \
        if parts.hostname else url


def _batches(iterable: Iterable, size: int) -> Iterator[list]:
    iterator = iter(iterable)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


ElasticsearchBackend = EngineBackend   # the name before OpenSearch was supported
