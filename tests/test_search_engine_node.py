"""What docs/search-backends.md claims about the search engine, proved on a real one: the node
the suite starts (OpenSearch 2.19, tools/search-node; or Elasticsearch 8.19, tools/es8-analysis,
with REGISTRY_TEST_ENGINE=elasticsearch), or the cluster at REGISTRY_ES_URL.

Indexing after the commit through the outbox; a write committed while the engine is down (the
node stopped) or hung (the node's JVM paused) is indexed when it comes back; a reindex answers
searches throughout and moves the alias at once; renames re-index; deletions leave the index;
the duplicate-key aggregation agrees with the database; and every fault reaches the user as a
clear Chinese message, never a stack trace, while the database write succeeds.

Tests that stop or pause the engine need the suite's own node; against REGISTRY_ES_URL they skip.
"""
from __future__ import annotations

import json
import logging
import threading
import time
import urllib.request
from collections import defaultdict
from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import delete, func, select, update

from registry.app import create_app
from registry.cli import CliActor, main
from registry.core.errors import SearchQueryError
from search.engines import es_mappings as em
from search.engines.documents import resource_documents
from search.engines.elastic import SearchUnavailable
from search.engines.clients import detect_engine
from search.models import DuplicateFinding, ItemElement, SearchOutbox
from search.engines.query import parse_search
from tests.conftest import ENGINE_REFRESH
from tests.factories import Factory

pytestmark = pytest.mark.search_engine


@pytest.fixture
def engine(app, engine_app):
    """The engine-backed registry on the just-emptied database, with a fresh, empty index."""
    reg = engine_app.extensions["registry"]
    with reg.db.unit_of_work() as session:
        reg.search.reindex(session)
    return reg


@pytest.fixture
def own_node(search_node):
    if search_node is None:
        pytest.skip("stops or pauses the engine: only the suite's own node, not the cluster at REGISTRY_ES_URL")
    return search_node


def indexed(reg) -> dict[int, dict]:
    """Every document behind the live alias, straight from the engine."""
    response = reg.search.es.search(reg.search.alias, {"query": {"match_all": {}}, "size": 1000,
                                                       "_source": ["id", "title", "unit_name", "system_name"]})
    return {int(h["_id"]): h["_source"] for h in response["hits"]["hits"]}


def outbox(reg) -> set[int]:
    with reg.db.unit_of_work() as session:
        return set(session.scalars(select(SearchOutbox.resource_id)))


def found(reg, q: str, **params) -> set[str]:
    result = reg.run_action("package_search", CliActor(), {"q": q, "rows": 100, **params})
    return {r["title"] for r in result["results"]}


def engine_request(url: str, method: str, path: str, body: dict) -> dict:
    request = urllib.request.Request(url + path, data=json.dumps(body).encode(), method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def age_outbox(reg, seconds: int) -> None:
    """Make the queued rows look `seconds` older (the readiness probe replays rows past its grace)."""
    with reg.db.unit_of_work() as session:
        rows = session.execute(select(SearchOutbox.resource_id, SearchOutbox.queued_at)).all()
        for resource_id, queued_at in rows:
            session.execute(update(SearchOutbox).where(SearchOutbox.resource_id == resource_id)
                            .values(queued_at=queued_at - timedelta(seconds=seconds)))


def test_the_engine_is_detected_from_its_root_answer_and_reported_by_status_show(engine, search_engine_url):
    kind = detect_engine(search_engine_url)
    assert kind in ("opensearch", "elasticsearch")
    assert engine.search.name == kind
    assert engine.run_action("status_show", None, {})["search_backend"] == kind


def test_a_committed_write_is_indexed_after_the_commit_and_leaves_no_outbox_row(engine):
    package = Factory(engine).package(title="常住人口基础信息")
    assert indexed(engine)[package["id"]]["title"] == "常住人口基础信息"
    assert outbox(engine) == set()
    assert engine.search.status()["mapping"] == "current"
    assert engine.search.readiness() == "ok"


def test_a_write_committed_while_the_engine_is_down_is_indexed_when_it_comes_back(engine, engine_app, own_node):
    make = Factory(engine)
    system = make.system()
    kept = make.package(system, title="停机前登记的资源")
    renamed = make.package(system, title="停机前将改名的资源")
    deleted = make.package(system, title="停机期间将删除的资源")
    client = engine_app.test_client()

    own_node.stop(keep_home=True)             # the same data comes back with the node
    try:
        added = make.package(system, title="停机期间登记的资源")                    # each write commits
        engine.run_action("package_patch", CliActor(), {"id": renamed["id"], "title": "停机期间改名的资源"})
        engine.run_action("package_delete", CliActor(), {"id": deleted["id"]})
        assert outbox(engine) == {added["id"], renamed["id"], deleted["id"]}

        with pytest.raises(SearchUnavailable, match="搜索服务暂时不可用"):
            found(engine, "资源")
        answer = client.get("/api/3/action/package_search", query_string={"q": "资源"})
        assert answer.status_code == 503
        assert answer.get_json()["error"] == {"__type": "Search Error", "message": "搜索服务暂时不可用，请稍后再试"}
        page = client.get("/search", query_string={"q": "资源"})
        assert page.status_code == 200 and "搜索服务暂时不可用" in page.get_data(as_text=True)
        assert "Traceback" not in page.get_data(as_text=True)
        assert client.get("/readyz").get_json()["checks"]["search"] == "error"
    finally:
        own_node.start()

    # Back up, nothing replayed yet: the engine holds the old documents, the rows are still queued.
    assert {d["title"] for d in indexed(engine).values()} == {"停机前登记的资源", "停机前将改名的资源",
                                                              "停机期间将删除的资源"}
    age_outbox(engine, 120)                   # as if the probe ran after the grace period
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.get_json()["checks"]["search"] == "ok"
    assert outbox(engine) == set()
    assert found(engine, "资源") == {"停机前登记的资源", "停机期间改名的资源", "停机期间登记的资源"}
    assert set(indexed(engine)) == {kept["id"], renamed["id"], added["id"]}


def test_an_answer_read_between_a_commit_and_its_indexing_is_not_served_once_the_engine_holds_the_write(engine):
    """Searches are cached per index version; a write replaces the version at its commit, but the
    engine sees the write only afterwards. An answer read from the engine in between (stored under
    the write's version) must not outlive the indexing."""
    from registry.catalog.models import InformationResource
    package = Factory(engine).package(title="窗口期之前的标题")
    assert found(engine, "窗口期之后") == set()
    with engine.db.unit_of_work(write=True) as session:      # committed, not yet in the engine
        session.execute(update(InformationResource).where(InformationResource.id == package["id"])
                        .values(title="窗口期之后的标题"))
        engine.search.index_resources(session, {package["id"]})
    assert outbox(engine) == {package["id"]}
    assert found(engine, "窗口期之后") == set()               # the engine's answer, under the new version
    assert found(engine, "窗口期之后") == set()               # (now from the cache)
    assert engine.search.replay_outbox() == 1                # the engine holds the write
    assert found(engine, "窗口期之后") == {"窗口期之后的标题"}


def test_a_write_while_the_engine_hangs_commits_tells_the_searcher_and_is_indexed_by_the_next_write(
        engine, engine_app, migrated, tmp_path, own_node):
    slow = create_app({"database_url": migrated, "instance_path": str(tmp_path), "secret_key": "k",
                       "search_backend": "opensearch" if engine.search.name == "opensearch" else "elasticsearch",
                       "es_url": own_node.url, "es_index_prefix": engine.search.prefix,
                       "es_refresh_interval": ENGINE_REFRESH, "es_timeout_seconds": 3,
                       "search_catch_up_on_start": False})
    reg = slow.extensions["registry"]
    make = Factory(reg)
    system = make.system()
    before = make.package(system, title="卡顿前登记的资源")
    own_node.pause()                                    # the JVM stops answering; connections stay open
    try:
        during = make.package(system, title="卡顿期间登记的资源")
        assert outbox(reg) == {during["id"]}
        with pytest.raises(SearchUnavailable, match="搜索服务响应超时"):
            found(reg, "资源")
    finally:
        own_node.resume()
        own_node.wait_ready()
    after = make.package(system, title="恢复后登记的资源")   # indexes itself, then catches up the queue
    assert outbox(reg) == set()
    assert set(indexed(reg)) == {before["id"], during["id"], after["id"]}
    reg.db.dispose()


def test_searches_keep_answering_during_a_reindex_and_the_alias_moves_in_one_step(engine):
    make = Factory(engine)
    system = make.system()
    for n in range(5):
        make.package(system, title=f"重建索引期间可检索的资源{n}")
    old_index = sorted(engine.search.es.get_alias(engine.search.alias))
    filled, resume = threading.Event(), threading.Event()
    during: list = []

    def progress(items: int) -> None:      # the new index is filled; the alias has not moved yet
        filled.set()
        resume.wait(60)

    def rebuild():
        try:
            with engine.db.unit_of_work() as session:
                during.append(engine.search.reindex(session, progress=progress))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            during.append(exc)
            filled.set()

    worker = threading.Thread(target=rebuild)
    worker.start()
    try:
        assert filled.wait(120)
        aliases = engine.search.es.get_alias(em.index_pattern(engine.search.prefix))
        building = [i for i, meta in aliases.items() if engine.search.building in meta["aliases"]]
        assert len(building) == 1 and building[0] not in old_index        # the new index exists …
        assert sorted(i for i, m in aliases.items() if engine.search.alias in m["aliases"]) == old_index  # … old serves
        for _ in range(3):
            assert len(found(engine, "重建索引期间")) == 5
    finally:
        resume.set()
        worker.join(120)
    assert during == [5]
    now_live = sorted(engine.search.es.get_alias(engine.search.alias))
    assert now_live == building and not set(old_index) & set(engine.search.es.get_alias(
        em.index_pattern(engine.search.prefix)))                              # the old index is gone
    assert len(found(engine, "重建索引期间")) == 5


def test_renaming_a_unit_or_a_system_reindexes_its_resources(engine):
    make = Factory(engine)
    unit = make.unit(code="rn-unit", name="甲测试局")
    system = make.system(unit, code="rn-sys", name="乙业务系统")
    first = make.package(system, title="资源一")
    second = make.package(system, title="资源二")
    assert found(engine, "甲测试局") == {"资源一", "资源二"}

    engine.run_action("unit_patch", CliActor(), {"id": unit["id"], "name": "丙测试局"})
    assert found(engine, "甲测试局") == set() and found(engine, "丙测试局") == {"资源一", "资源二"}
    engine.run_action("system_patch", CliActor(), {"id": system["id"], "name": "丁业务系统"})
    assert found(engine, "乙业务") == set() and found(engine, "丁业务") == {"资源一", "资源二"}
    docs = indexed(engine)
    assert {docs[p["id"]]["unit_name"] for p in (first, second)} == {"丙测试局"}
    assert {docs[p["id"]]["system_name"] for p in (first, second)} == {"丁业务系统"}
    assert outbox(engine) == set()


def test_resources_deleted_in_the_database_leave_the_index(engine):
    make = Factory(engine)
    doomed = make.system()
    gone = [make.package(doomed, title=f"随系统删除的资源{n}") for n in range(2)]
    stays = make.package(title="保留的资源")
    engine.run_action("system_delete", CliActor(), {"id": doomed["id"]})
    assert set(indexed(engine)) == {stays["id"]}
    assert not {p["id"] for p in gone} & set(indexed(engine))

    # A document whose resource no longer exists in the database (e.g. after restoring an older
    # backup): replaying its id deletes it, and a reindex rebuilds from the database alone.
    ghost = {"id": 987654, "name": "ghost", "title": "数据库中已不存在的资源", "title_sort": "x",
             "unit_id": 1, "system_id": 1, "element_ids": [], "items": []}
    engine.search._bulk(em.bulk_actions(engine.search.alias, [ghost, {**ghost, "id": 987655}], []),
                        refresh="wait_for")
    assert {987654, 987655} <= set(indexed(engine))
    from search.engines.elastic import queue_outbox
    with engine.db.unit_of_work() as session:
        queue_outbox(session, [987654])
    assert engine.search.replay_outbox() == 1
    assert 987654 not in indexed(engine)
    with engine.db.unit_of_work() as session:
        assert engine.search.reindex(session) == 1
    assert set(indexed(engine)) == {stays["id"]}


def test_the_duplicate_key_aggregation_agrees_with_the_database(engine):
    make = Factory(engine)
    for n, items in enumerate((("公民身份号码", "姓名", "联系电话"), ("公民身份证号码", "姓名"),
                               ("身份证号", "户籍地址"), ("统一社会信用代码", "企业名称"))):
        make.package(make.system(make.unit(name=f"重复测试局{n}")), items=items)
    holders = defaultdict(set)
    with engine.db.unit_of_work() as session:
        for doc in resource_documents(session, None):
            for item in doc.items:
                if item["key"]:
                    holders[item["key"]].add(doc.unit_id)
    expected = {key for key, units in holders.items() if len(units) >= 2}
    assert expected                                   # 公民身份号码 under three names, 姓名 twice
    keys = engine.search.duplicate_keys(min_units=2, page_size=2)      # several composite pages
    assert {k.key for k in keys} == expected
    assert all(k.units == len(holders[k.key]) for k in keys)
    assert {k.key for k in engine.search.duplicate_keys(min_units=3)} == {
        key for key, units in holders.items() if len(units) >= 3}


def engine_items(reg, resource_id: int) -> dict[str, str | None]:
    """Item name → the data element the engine's document gives it."""
    source = reg.search.es.search(reg.search.alias, {"query": {"ids": {"values": [str(resource_id)]}}})
    return {i["name"]: i["element_id"] for i in source["hits"]["hits"][0]["_source"]["items"]}


def test_the_engine_indexes_the_mapping_the_database_holds_and_a_scan_sends_it_the_new_one(engine):
    """A reindex reads the stored item mapping (what duplicate detection reads) and matches nothing
    again; `registry scan` re-maps every item and then rebuilds the engine's documents from it."""
    package = Factory(engine).package(title="人口信息", items=("公民身份号码", "姓名"))
    assert engine_items(engine, package["id"]) == {"公民身份号码": "DE0001", "姓名": "DE0002"}
    with engine.db.unit_of_work() as session:     # a mapping made by an older element dictionary
        session.execute(update(ItemElement).where(ItemElement.name == "公民身份号码")
                        .values(element_id="DE9999", key="DE9999"))
    with engine.db.unit_of_work() as session:
        engine.search.reindex(session)
    assert engine_items(engine, package["id"]) == {"公民身份号码": "DE9999", "姓名": "DE0002"}
    assert "DE9999" in {k.key for k in engine.search.duplicate_keys(min_units=1)}

    result = CliRunner().invoke(main, ["scan"], env=_cli_env(engine))
    assert result.exit_code == 0, result.output
    assert "检索引擎索引已按新的映射重建（1 项信息资源）" in result.output
    assert engine_items(engine, package["id"]) == {"公民身份号码": "DE0001", "姓名": "DE0002"}
    assert "DE9999" not in {k.key for k in engine.search.duplicate_keys(min_units=1)}


def test_a_scan_with_the_engine_unreachable_keeps_its_findings_and_says_to_reindex(engine, tmp_path):
    make = Factory(engine)
    for n in range(2):
        make.package(make.system(make.unit(name=f"扫描测试局{n}")), items=("公民身份号码", "姓名"))
    with engine.db.unit_of_work() as session:
        session.execute(delete(DuplicateFinding))
    result = CliRunner().invoke(main, ["scan"], env={**_cli_env(engine), "REGISTRY_ES_URL": "http://127.0.0.1:1",
                                                     "REGISTRY_INSTANCE_PATH": str(tmp_path)})
    assert result.exit_code == 0, result.output
    assert "重建索引失败：搜索引擎无法连接" in result.output and "扫描结果已保存，请排除后运行 registry reindex" in result.output
    assert "Traceback" not in result.output
    with engine.db.unit_of_work() as session:
        assert session.scalar(select(func.count()).select_from(DuplicateFinding)) > 0


def test_the_engine_clients_log_no_line_per_request(engine, caplog):
    """A search is one access line, not one more per engine request (the backend logs failures)."""
    caplog.set_level(logging.INFO)
    Factory(engine).package(title="日志测试资源")
    assert found(engine, "日志测试") == {"日志测试资源"}
    assert not [r.getMessage() for r in caplog.records
                if r.name.split(".")[0] in ("opensearch", "elasticsearch", "elastic_transport") and r.levelno < logging.WARNING]


def test_a_query_the_engine_refuses_is_a_chinese_message_not_a_stack_trace(engine, engine_app, search_engine_url):
    Factory(engine).package(title="证件信息")
    # A cluster may forbid the prefix/wildcard queries a one-character term needs.
    engine_request(search_engine_url, "PUT", "/_cluster/settings",
                   {"transient": {"search.allow_expensive_queries": False}})
    try:
        with pytest.raises(SearchQueryError, match="搜索服务无法执行这个查询"):
            found(engine, "证")
        client = engine_app.test_client()
        answer = client.get("/api/3/action/package_search", query_string={"q": "证"})
        assert answer.status_code == 400
        assert answer.get_json()["error"]["__type"] == "Search Query Error"
        page = client.get("/search", query_string={"q": "证"}).get_data(as_text=True)
        assert "搜索服务无法执行这个查询" in page and "Traceback" not in page
        assert found(engine, "证件") == {"证件信息"}       # other queries still answer
    finally:
        engine_request(search_engine_url, "PUT", "/_cluster/settings",
                       {"transient": {"search.allow_expensive_queries": None}})


def test_an_index_built_by_an_older_mapping_keeps_writes_queued_until_reindex(engine, engine_app):
    """A mapping conflict after an upgrade: the live index lacks a field this release writes."""
    search = engine.search
    live = sorted(search.es.get_alias(search.alias))
    old = em.index_body(search.word_analyzer)
    del old["mappings"]["properties"]["format_type"]
    old["mappings"]["_meta"] = {"registry_mapping": "older-release"}
    search.es.create_index(f"{search.prefix}-resources-v19990101000000000000", old["settings"], old["mappings"], {})
    search.es.update_aliases([{"remove": {"index": live[0], "alias": search.alias}},
                              {"add": {"index": f"{search.prefix}-resources-v19990101000000000000",
                                       "alias": search.alias}}])
    search.es.delete_index(live)
    assert search.status()["mapping"] == "outdated"
    client = engine_app.test_client()
    assert client.get("/readyz").status_code == 503

    package = Factory(engine).package(title="升级后登记的资源")       # the write itself succeeds
    assert package["id"] and outbox(engine) == {package["id"]}      # the engine refused the document
    assert found(engine, "升级后") == set()                          # searches still answer

    runner = CliRunner()
    result = runner.invoke(main, ["reindex"], env=_cli_env(engine))
    assert result.exit_code == 0, result.output
    assert "索引已重建：1 项信息资源" in result.output
    assert outbox(engine) == set() and search.status()["mapping"] == "current"
    assert found(engine, "升级后") == {"升级后登记的资源"}
    assert client.get("/readyz").status_code == 200


def test_reindex_with_the_engine_unreachable_says_so_in_chinese_and_changes_nothing(engine, tmp_path):
    result = CliRunner().invoke(main, ["reindex"], env={**_cli_env(engine), "REGISTRY_ES_URL": "http://127.0.0.1:1",
                                                        "REGISTRY_INSTANCE_PATH": str(tmp_path)})
    assert result.exit_code == 1
    assert "重建索引失败：搜索引擎无法连接" in result.output and "Traceback" not in result.output


def _cli_env(reg) -> dict:
    settings = reg.settings
    return {"REGISTRY_DATABASE_URL": settings.database_url, "REGISTRY_INSTANCE_PATH": settings.instance_path,
            "REGISTRY_SEARCH_BACKEND": "auto", "REGISTRY_ES_URL": reg.search.url,
            "REGISTRY_ES_INDEX_PREFIX": settings.es_index_prefix, "REGISTRY_ES_REFRESH_INTERVAL": ENGINE_REFRESH}


def test_a_missing_copy_of_a_shard_is_reported_as_degraded_while_searches_answer(engine, engine_app):
    """A cluster that lost a node answers from the remaining copies: /readyz says so and stays 200."""
    Factory(engine).package(title="降级时仍可检索的资源")
    live = sorted(engine.search.es.get_alias(engine.search.alias))[0]
    engine.search.es.put_settings(live, {"index": {"auto_expand_replicas": False, "number_of_replicas": 1}})
    try:   # one node cannot hold the replica: yellow
        answer = engine_app.test_client().get("/readyz")
        assert answer.status_code == 200
        assert answer.get_json() == {"status": "degraded", "checks": {"database": "ok", "search": "degraded"}}
        assert found(engine, "降级时") == {"降级时仍可检索的资源"}
    finally:
        engine.search.es.put_settings(live, {"index": {"auto_expand_replicas": "0-1"}})
    deadline = time.monotonic() + 60   # the cluster drops the replica asynchronously (slowly under load)
    while engine.search.es.health()["status"] != "green" and time.monotonic() < deadline:
        time.sleep(0.2)
    assert engine_app.test_client().get("/readyz").get_json()["checks"]["search"] == "ok"


def test_the_other_engines_client_is_refused_with_a_clear_reason(engine, search_engine_url):
    """The `elasticsearch` client against OpenSearch, the `opensearch` one against Elasticsearch."""
    from search.engines.elastic import EngineBackend
    from search.engines.clients import EngineError
    other, reason = (("elasticsearch", "not Elasticsearch") if engine.search.name == "opensearch"
                     else ("opensearch", "is Elasticsearch, not OpenSearch"))
    wrong = EngineBackend(search_engine_url, engine.search.prefix, db=engine.db, engine=other)
    with pytest.raises(EngineError, match=reason):
        wrong.es.get_alias(em.index_pattern(engine.search.prefix))
    with pytest.raises(SearchUnavailable, match="搜索服务暂时不可用"):    # a configuration fault, not the query's
        wrong.search_packages(None, parse_search({"q": "资源"}))
    assert wrong.readiness() == "error"


def test_auto_detection_waits_for_an_engine_that_is_down_at_start_up(engine, migrated, tmp_path, own_node):
    """`auto` with the engine down when the app starts: writes queue; the engine is detected later."""
    own_node.stop(keep_home=True)
    try:
        late = create_app({"database_url": migrated, "instance_path": str(tmp_path), "secret_key": "k",
                           "search_backend": "auto", "es_url": own_node.url, "es_index_prefix": engine.search.prefix,
                           "es_refresh_interval": ENGINE_REFRESH})
        reg = late.extensions["registry"]
        assert reg.search.name == "auto"
        queued = Factory(reg).package(title="引擎未启动时登记的资源")
        assert outbox(reg) == {queued["id"]}
    finally:
        own_node.start()
    assert reg.search.replay_outbox() == 1                 # what start-up and the probe call
    assert reg.search.name == engine.search.name and outbox(reg) == set()
    assert found(reg, "引擎未启动时") == {"引擎未启动时登记的资源"}
    reg.db.dispose()
