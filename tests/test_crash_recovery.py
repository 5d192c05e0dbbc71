"""Crash consistency of the search index, and serialised writers.

A subprocess commits a change through the real boundary (`Registry.run_action`) and is killed at
the after-commit hook point, i.e. after the database commit and before any after-commit index
update. A restarted app must then find the change in search.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select, text

from registry.app import create_app
from search.models import SearchOutbox
from tests.test_elastic_requests import stand_in  # noqa: F401 - the recording ES double (a fixture)

CHEAP_HASH = {"argon2_time_cost": 1, "argon2_memory_kib": 1024}  # as tests/conftest.py: hashing is global
ROOT = Path(__file__).resolve().parent.parent

CRASHING_WRITER = textwrap.dedent("""
    import os, sys
    from registry.cli import CliActor
    from registry.core.config import Settings
    from registry.core.runtime import Registry
    url, instance, backend, es_url, system_id = sys.argv[1:6]
    settings = Settings.from_env({}, database_url=url, instance_path=instance, search_backend=backend, argon2_time_cost=1, argon2_memory_kib=1024,
                                 es_url=es_url, es_index_prefix="reg", search_catch_up_on_start=False)
    reg = Registry.from_settings(settings)

    def die(resource_ids):  # the after-commit hook point: committed, not yet indexed afterwards
        sys.stdout.write("committed %s\\n" % sorted(resource_ids)); sys.stdout.flush()
        os.kill(os.getpid(), 9)

    reg.search.after_commit = die
    reg.run_action("package_create", CliActor(), {"system": int(system_id), "title": "崩溃后仍可检索的低保名册",
                   "sharing_type": "conditional", "items": [{"name": "救助对象姓名"}]})
    print("not killed")
""")


def _crash(database_url: str, instance: Path, backend: str, es_url: str, system_id: int) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-c", CRASHING_WRITER, database_url, str(instance), backend, es_url,
                           str(system_id)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-2000:]
    assert proc.stdout.startswith("committed ["), proc.stdout
    return proc


def _indexed_ids(cluster) -> set[str]:
    return {line["index"]["_id"] for _method, path, _query, body in cluster.requests if path.endswith("_bulk")
            for line in body if "index" in line}


def test_embedded_index_has_no_window_a_writer_killed_right_after_commit_is_found_after_restart(migrated, tmp_path, make):
    system = make.system()
    reader = {"Authorization": make.token(make.user("reviewer"))}   # (the resource is not open to the public)
    _crash(migrated, tmp_path, "embedded", "", system["id"])

    restarted = create_app({"database_url": migrated, "instance_path": str(tmp_path), "secret_key": "k", **CHEAP_HASH})
    try:
        found = restarted.test_client().get("/api/3/action/package_search", query_string={"q": "低保名册"},
                                                  headers=reader).get_json()
        assert [r["title"] for r in found["result"]["results"]] == ["崩溃后仍可检索的低保名册"]
        items = restarted.test_client().get("/api/3/action/item_search", query_string={"q": "救助对象"},
                                                  headers=reader).get_json()
        assert items["result"]["count"] == 1
    finally:
        restarted.extensions["registry"].db.dispose()


def test_outbox_replay_on_start_sends_a_change_committed_before_the_crash_to_the_recording_es_double(
        stand_in, migrated, tmp_path, make):  # noqa: F811
    """No Elasticsearch runs here: this proves the outbox row survives the crash and that app start
    replays it as a bulk index request to the live alias, not Elasticsearch's own behaviour."""
    reg = stand_in.reg
    with reg.db.unit_of_work() as session:
        reg.search.reindex(session)  # a live index exists before the crash
    es_url = reg.search.url
    system = make.system()
    proc = _crash(migrated, tmp_path, "elasticsearch", es_url, system["id"])
    resource_id = int(proc.stdout.split("[")[1].split("]")[0])
    with reg.db.unit_of_work() as session:
        assert list(session.scalars(select(SearchOutbox.resource_id))) == [resource_id]
    assert str(resource_id) not in _indexed_ids(stand_in)  # the crash came before the index update

    restarted = create_app({"database_url": migrated, "instance_path": str(tmp_path), "secret_key": "k", **CHEAP_HASH,
                            "search_backend": "elasticsearch", "es_url": es_url, "es_index_prefix": "reg"})
    try:
        assert str(resource_id) in _indexed_ids(stand_in)
        with reg.db.unit_of_work() as session:
            assert session.scalar(select(SearchOutbox.resource_id)) is None
    finally:
        restarted.extensions["registry"].db.dispose()


def test_write_transactions_queue_behind_each_other_while_reads_do_not_wait(reg):
    if not reg.db.is_sqlite:
        pytest.skip("SQLite's BEGIN IMMEDIATE; PostgreSQL uses row locks and advisory locks")
    holder_ready, release = threading.Event(), threading.Event()
    order: list[str] = []

    def holder():
        with reg.db.unit_of_work(write=True) as session:
            session.execute(text("SELECT 1"))
            holder_ready.set()
            release.wait(10)
            order.append("first writer commits")

    thread = threading.Thread(target=holder)
    thread.start()
    holder_ready.wait(10)
    started = time.perf_counter()
    with reg.db.unit_of_work() as session:  # a read: deferred, does not wait
        session.execute(text("SELECT count(*) FROM unit"))
    assert time.perf_counter() - started < 1
    threading.Timer(0.5, release.set).start()
    with reg.db.unit_of_work(write=True) as session:  # waits (busy_timeout) for the first writer
        session.execute(text("SELECT 1"))
        order.append("second writer begins")
    thread.join()
    assert order == ["first writer commits", "second writer begins"]


def test_imports_into_one_unit_are_serialised_by_an_advisory_lock_other_units_are_not(reg):
    from registry.core.locks import lock_unit, unit_locked
    if reg.db.is_sqlite:
        pytest.skip("PostgreSQL advisory locks; SQLite serialises every write transaction")
    with reg.db.unit_of_work(write=True) as first:
        lock_unit(first, 41, "import")
        with reg.db.unit_of_work() as other:
            assert unit_locked(other, 41, "import") is True
            assert unit_locked(other, 42, "import") is False
            assert unit_locked(other, 41, "scan") is False
    with reg.db.unit_of_work() as later:  # released at commit
        assert unit_locked(later, 41, "import") is False
