"""Fixtures: a real database (SQLite by default, PostgreSQL with REGISTRY_TEST_DATABASE_URL),
migrated once per session and emptied between tests; the app; a live HTTP server; factories
that create records through the actions."""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from registry.app import create_app
from registry.core.db import Base
from registry.core.plugins_models import import_all_models

PG_URL = os.environ.get("REGISTRY_TEST_DATABASE_URL", "")
# One county day for the whole run, inherited by the servers and CLIs the tests start, so the suite
# passes whatever day it runs; tests/test_clock.py moves the clock across year ends and 30 September.
SUITE_DAY = os.environ.setdefault("REGISTRY_TODAY", "2026-12-06")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    if PG_URL:
        return PG_URL
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")


@pytest.fixture(scope="session")
def migrated(database_url):
    from registry.core.db import make_engine
    from registry.migrate import upgrade
    import_all_models()
    engine = make_engine(database_url)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    upgrade(database_url)
    return database_url


# Every row out and every id sequence back to its start, as TRUNCATE … RESTART IDENTITY would do; by
# DELETE in one round trip, which on a test's few rows is several times cheaper than TRUNCATE (new
# files for 37 tables and their indexes, per test).
_PG_RESTART_SEQUENCES = ("SELECT setval((quote_ident(schemaname) || '.' || quote_ident(sequencename))::regclass, start_value, false) "
                         "FROM pg_sequences WHERE schemaname = 'public' AND last_value IS NOT NULL")


def empty_database(engine) -> None:
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("; ".join([*(f'DELETE FROM "{t}"' for t in tables), _PG_RESTART_SEQUENCES]))
        else:
            conn.execute(text("PRAGMA defer_foreign_keys=ON"))  # checked at commit, when all is gone
            for table in tables:
                conn.execute(text(f'DELETE FROM "{table}"'))


@pytest.fixture(scope="session")
def session_app(migrated, tmp_path_factory):
    instance = tmp_path_factory.mktemp("instance")
    app = create_app({"database_url": migrated, "instance_path": str(instance), "secret_key": "test-secret",
                      "max_upload_mb": 5, "argon2_time_cost": 1, "argon2_memory_kib": 1024})
    app.config.update(TESTING=True)
    return app


@pytest.fixture
def app(session_app):
    reg = session_app.extensions["registry"]
    empty_database(reg.db.engine)
    session_app.config["WTF_CSRF_ENABLED"] = True
    yield session_app


@pytest.fixture
def reg(app):
    return app.extensions["registry"]


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def live_server(session_app):
    from werkzeug.serving import make_server
    server = make_server("127.0.0.1", 0, session_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def live_url(live_server, app):
    """The live server's URL, with the database emptied for this test."""
    return live_server


@pytest.fixture(scope="session")
def demo_snapshot(session_app, tmp_path_factory):
    """The demo county (`registry.demo.load_demo`), loaded once per run and saved (tests/snapshots.py)."""
    from registry.demo import load_demo
    from tests.snapshots import DatabaseSnapshot
    reg = session_app.extensions["registry"]
    empty_database(reg.db.engine)
    load_demo(reg, progress=lambda _m: None)
    return DatabaseSnapshot.take(reg, tmp_path_factory.mktemp("demo-snapshot"))


@pytest.fixture
def demo_loaded(app, demo_snapshot):
    """The suite's database holding exactly what `load_demo` writes into an empty one (put back from
    the run's snapshot: a load costs seconds, putting it back a fraction); returns the registry."""
    reg = app.extensions["registry"]
    demo_snapshot.restore(reg)
    return reg


@pytest.fixture(scope="session")
def _saved_data() -> dict:
    return {}


@pytest.fixture
def saved(app, _saved_data, tmp_path_factory):
    """`saved(key, build)`: the rows `build()` writes into the emptied database, built the first time in
    the run and put back (tests/snapshots.py) for every later test asking for the same key; returns
    `build()`'s value (a copy). For set-ups that only write rows through the actions and that the test
    needs as they were written (ids included), not for ones that depend on the test's own parameters."""
    import copy
    from tests.snapshots import DatabaseSnapshot
    reg = app.extensions["registry"]

    def once(key: str, build):
        if key in _saved_data:
            snapshot, value = _saved_data[key]
            snapshot.restore(reg)
            return copy.deepcopy(value)
        value = build()
        _saved_data[key] = (DatabaseSnapshot.take(reg, tmp_path_factory.mktemp("saved")), copy.deepcopy(value))
        return value
    return once


@pytest.fixture(scope="module")
def chromium():
    """One headless Chromium per test module; each `browser` (tests/browser.py) opens its own context
    in it. Per module, not per run: Playwright's sync loop must not outlive the browser tests."""
    from tests.browser import launch, stop
    pw, chromium = launch()
    yield chromium
    stop(pw, chromium)


from tests.factories import Factory  # noqa: E402


@pytest.fixture
def make(reg) -> Factory:
    return Factory(reg)


# -- a real search engine ------------------------------------------------------------------------
# One node per pytest run, started on first use: OpenSearch 2.19 (tools/search-node) by default,
# Elasticsearch 8.19 (tools/es8-analysis) with REGISTRY_TEST_ENGINE=elasticsearch; or the cluster at
# REGISTRY_ES_URL. Without Java and Maven its tests skip and say why, unless the run requires the
# engine (REGISTRY_REQUIRE_SEARCH_ENGINE=1, as .ci/run sets): then they fail.
ES_URL = os.environ.get("REGISTRY_ES_URL", "")
REQUIRE_SEARCH_ENGINE = os.environ.get("REGISTRY_REQUIRE_SEARCH_ENGINE", "") not in ("", "0")
TEST_ENGINE = os.environ.get("REGISTRY_TEST_ENGINE", "") or "opensearch"
TEST_ENGINE_NAMES = {"opensearch": "OpenSearch 2.19", "elasticsearch": "Elasticsearch 8.19"}
if TEST_ENGINE not in TEST_ENGINE_NAMES:
    raise pytest.UsageError(f"REGISTRY_TEST_ENGINE={TEST_ENGINE!r}: choose opensearch or elasticsearch")


def no_search_engine(reason: str):
    if REQUIRE_SEARCH_ENGINE:
        pytest.fail(f"REGISTRY_REQUIRE_SEARCH_ENGINE is set but no search engine runs: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def search_node():
    """The suite's own node (search.node.SearchNode, or search.es_node.ElasticsearchNode with
    REGISTRY_TEST_ENGINE=elasticsearch), or None when REGISTRY_ES_URL names a cluster (which the
    tests must not stop)."""
    if ES_URL:
        yield None
        return
    from search.node import NodeError, SearchNode, missing_tools
    reason = missing_tools()
    if reason:
        no_search_engine(f"{reason}; or set REGISTRY_ES_URL=http://host:9200")
    if TEST_ENGINE == "elasticsearch":
        from search.es_node import ElasticsearchNode as SearchNode  # noqa: F811
    node = SearchNode(heap="512m")
    try:
        node.start()
    except NodeError as exc:
        node.stop()
        no_search_engine(f"the {TEST_ENGINE_NAMES[TEST_ENGINE]} node did not start: {exc}")
    try:
        yield node
    finally:
        node.stop()


@pytest.fixture(scope="session")
def search_engine_url(search_node) -> str:
    return ES_URL or search_node.url


# Writers wait for the next refresh (refresh=wait_for); the engine's 1 s default would cost a
# second per write in the suite.
ENGINE_REFRESH = "100ms"


@pytest.fixture(scope="session")
def engine_app(migrated, tmp_path_factory, search_engine_url):
    """An app on the suite's database whose search backend is the real engine (detected: auto),
    under an index prefix of its own; its indexes are deleted at the end of the run."""
    import uuid
    prefix = f"registry-contract-{uuid.uuid4().hex[:8]}"
    app = create_app({"database_url": migrated, "instance_path": str(tmp_path_factory.mktemp("es-instance")),
                      "secret_key": "test-secret", "search_backend": "auto", "es_url": search_engine_url,
                      "es_index_prefix": prefix, "es_refresh_interval": ENGINE_REFRESH,
                      "argon2_time_cost": 1, "argon2_memory_kib": 1024})
    app.config.update(TESTING=True)
    yield app
    reg = app.extensions["registry"]
    try:
        ours = list(reg.search.es.get_alias(f"{prefix}-resources-v*"))
        if ours:  # by name: clusters refuse wildcard deletes (action.destructive_requires_name)
            reg.search.es.delete_index(ours)
    finally:
        reg.db.dispose()


def pytest_report_header(config):
    engine = (f"search engine: {ES_URL}" if ES_URL
              else f"search engine: an {TEST_ENGINE_NAMES[TEST_ENGINE]} node started on first use")
    return [f"database: {'PostgreSQL ' + PG_URL if PG_URL else 'SQLite (temporary file)'}", engine]
