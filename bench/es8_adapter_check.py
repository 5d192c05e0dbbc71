"""The Elasticsearch adapter against a real Elasticsearch 8 from Maven Central's integ-test-zip.

With the registry's analysis plugin installed (tools/es8-analysis: `es8.sh start 9380` does it all)
the real mapping is used and Chinese text search is checked too (身份证 finds 公民身份证号码, synonyms
ranked first, 低保 名册); the whole contract suite also runs there:
`REGISTRY_ES_URL=http://127.0.0.1:9380 ./test.sh tests/test_search_contract.py tests/test_search_engine_node.py`.
Without the plugin (the bare zip, as below) the analyzers are swapped for `standard`:

    mvn dependency:get -Dartifact=org.elasticsearch.distribution.integ-test-zip:elasticsearch:8.19.3:zip
    unzip ~/.m2/repository/org/elasticsearch/distribution/integ-test-zip/elasticsearch/8.19.3/elasticsearch-8.19.3.zip
    # as a non-root user, security off, single-node, http.port 9380; ES_JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64
    python3 bench/es8_adapter_check.py http://127.0.0.1:9380

That zip is a minimal distribution: transport-netty4, x-pack-core/security and apm only. It has no
analysis-common module (no `ngram` tokenizer, no `cjk` analyzer: creating the registry's index
fails with "Unknown tokenizer type [ngram]") and no `GET /` (405). So the full contract cannot run
on it. This script swaps the two analyzers for `standard` (which the zip has) and checks
everything of the contract that does not depend on them, through the registry's own actions and
the `elasticsearch` 8.x client: detection, reindex through the aliases, bulk with require_alias,
outbox indexing after commit, fq filters, facets, paging, sorting, counts, deletion, the
duplicate-key aggregation. Text matching (q) is checked on the OpenSearch node only.
"""
from __future__ import annotations

import shutil
import sys
import tempfile
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from registry.cli import CliActor  # noqa: E402
from registry.core.config import Settings  # noqa: E402
from registry.migrate import upgrade  # noqa: E402
from registry.core.plugins_models import import_all_models  # noqa: E402
from registry.core.runtime import Registry  # noqa: E402
from search.engines import es_mappings as em  # noqa: E402
from search.engines.clients import detect_engine  # noqa: E402

_index_body = em.index_body


def standard_analysis_body(*args, **kwargs) -> dict:
    body = _index_body(*args, **kwargs)
    body["settings"]["analysis"] = {"analyzer": {em.SUBSTRING_ANALYZER: {"type": "standard"},
                                                 "cjk": {"type": "standard"}}}
    return body


def has_registry_analysis(url: str) -> bool:
    """Whether the engine knows the `ngram` tokenizer and `cjk` analyzer the mapping names."""
    import json
    import urllib.error
    import urllib.request
    for body in ({"tokenizer": {"type": "ngram", "min_gram": 2, "max_gram": 3, "token_chars": []}, "text": "身份证"},
                 {"analyzer": "cjk", "text": "身份证"}):
        request = urllib.request.Request(url.rstrip("/") + "/_analyze", data=json.dumps(body).encode(), method="POST",
                                         headers={"Content-Type": "application/json"})
        try:
            urllib.request.urlopen(request, timeout=30).read()
        except urllib.error.HTTPError:
            return False
    return True


def main(url: str) -> int:
    text_search = has_registry_analysis(url)
    if not text_search:
        em.index_body = standard_analysis_body
    print("analysis:", "the registry's mapping (ngram + cjk)" if text_search else "standard (no analysis plugin)")
    folder = tempfile.mkdtemp(prefix="es8-check-")
    database = f"sqlite:///{folder}/check.sqlite3"
    import_all_models()
    upgrade(database)
    prefix = f"es8-check-{uuid.uuid4().hex[:6]}"
    reg = Registry.from_settings(Settings.from_env({}, database_url=database, instance_path=folder,
                                                   search_backend="auto", es_url=url, es_index_prefix=prefix,
                                                   es_refresh_interval="100ms", argon2_time_cost=1,
                                                   argon2_memory_kib=1024))
    checks: list[tuple[str, bool]] = []

    def check(name: str, ok: bool) -> None:
        checks.append((name, ok))
        print(("ok    " if ok else "FAIL  ") + name)

    check("detected as elasticsearch", detect_engine(url) == "elasticsearch")
    with reg.db.unit_of_work() as session:
        reg.search.reindex(session)
    check("adapter is the elasticsearch 8.x client", reg.search.name == "elasticsearch")
    act = lambda name, data: reg.run_action(name, CliActor(), data)  # noqa: E731
    gaj = act("unit_create", {"code": "c-gaj", "name": "测试公安局", "kind": "department"})
    mzj = act("unit_create", {"code": "c-mzj", "name": "测试民政局", "kind": "department"})
    hj = act("system_create", {"unit": gaj["id"], "code": "c-hjxt", "name": "户籍管理系统"})
    db = act("system_create", {"unit": mzj["id"], "code": "c-dbxt", "name": "低保管理系统"})
    res = {}
    for name, system, title, items, sharing in (
            ("alpha", hj, "常住人口信息", ("公民身份号码", "姓名", "户籍地址"), "unconditional"),
            ("bravo", db, "低保对象名册", ("公民身份证号码", "姓名", "联系电话"), "conditional"),
            ("charlie", db, "身份证遗失登记", ("办理日期", "补办原因"), "conditional"),
            ("delta", hj, "企业登记信息", ("统一社会信用代码", "企业名称"), "unconditional")):
        res[name] = act("package_create", {"system": system["id"], "name": name, "title": title,
                                           "sharing_type": sharing, "sharing_method": "platform",
                                           "update_cycle": "daily",
                                           "items": [{"name": i, "data_type": "C", "data_length": 50} for i in items]})
    search = lambda **p: reg.run_action("package_search", None, {"rows": 100, **p})  # noqa: E731
    names = lambda **p: [r["name"] for r in search(**p)["results"]]  # noqa: E731
    check("outbox emptied after the commits", reg.search.pending() == 0)
    check("count of everything", search()["count"] == 4)
    check("fq organization by code", set(names(fq="organization:c-gaj")) == {"alpha", "delta"})
    check("fq owner_org by id", set(names(fq=f"owner_org:{mzj['id']}")) == {"bravo", "charlie"})
    check("fq groups by code", set(names(fq="groups:c-dbxt")) == {"bravo", "charlie"})
    check("fq sharing_type label", set(names(fq="sharing_type:无条件共享")) == {"alpha", "delta"})
    check("fq data_element", set(names(fq="data_element:DE0001")) == {"alpha", "bravo"})
    facets = search(**{"facet.field": ["organization", "sharing_type", "data_element"]})["facets"]
    check("facets", facets["organization"] == {"c-gaj": 2, "c-mzj": 2}
          and facets["sharing_type"] == {"unconditional": 2, "conditional": 2} and facets["data_element"]["DE0001"] == 2)
    check("sort name asc/desc", names(sort="name asc") == ["alpha", "bravo", "charlie", "delta"]
          and names(sort="name desc") == ["delta", "charlie", "bravo", "alpha"])
    pages = [names(rows=3, start=0, sort="name asc"), names(rows=3, start=3, sort="name asc")]
    check("paging", pages == [["alpha", "bravo", "charlie"], ["delta"]])
    if text_search:
        check("身份证 finds 公民身份证号码 (substring) and the synonym 公民身份号码, element matches first",
              set(names(q="身份证")) == {"alpha", "bravo", "charlie"} and names(q="身份证")[-1] == "charlie")
        check("every word must match: 低保 名册", names(q="低保 名册") == ["bravo"])
        check("a 4-character term (span of trigrams): 身份证号", set(names(q="身份证号")) == {"alpha", "bravo"})
        check("a 1-character term: 证", set(names(q="证")) == {"bravo", "charlie"})
        check("count with a text query and a filter", search(q="姓名", fq="sharing_type:conditional")["count"] == 1)
    keys = {k.key for k in reg.search.duplicate_keys(min_units=2, page_size=1)}
    check("duplicate-key aggregation (composite pages, cardinality)", "DE0001" in {k.split(":")[0] for k in keys})
    act("package_delete", {"id": res["bravo"]["id"]})
    check("deleted resource leaves the index", set(names()) == {"alpha", "charlie", "delta"})
    with reg.db.unit_of_work() as session:
        count = reg.search.reindex(session)
    check("zero-downtime reindex through the alias", count == 3 and set(names()) == {"alpha", "charlie", "delta"})
    check("readiness", reg.search.readiness() == "ok")
    ours = list(reg.search.es.get_alias(em.index_pattern(prefix)))
    reg.search.es.delete_index(ours)
    reg.db.dispose()
    shutil.rmtree(folder, ignore_errors=True)
    failed = [n for n, ok in checks if not ok]
    print(f"{len(checks) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:9380"))
