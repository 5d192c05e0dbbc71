"""The search-engine backend without an engine: what can be checked before a request is sent.

Three kinds of tests, each named for what it proves:
- request builders (search.engines.es_mappings): the body we send has the shape we intend. They never
  prove that the engine accepts it or answers as intended — the contract suite
  (tests/test_search_contract.py) and tests/test_search_engine_node.py do that against the real
  OpenSearch node the suite starts;
- a model of the documented ngram token positions, proving the trigram-span argument itself;
- the backend against an unreachable address (real behaviour: nothing is mocked) and against a
  recording stand-in that answers like an Elasticsearch cluster (proves the requests the
  Elasticsearch adapter sends and our outbox handling given those answers, not the engine's
  behaviour).
"""
from __future__ import annotations

import json
import random
import threading
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from registry.cli import CliActor
from registry.core.config import Settings
from registry.core.errors import SearchQueryError
from registry.core.runtime import Registry
from search.engines import es_mappings as em
from search.engines.documents import ResourceDocument, search_text
from search.engines.elastic import ElasticsearchBackend, SearchUnavailable
from search.models import SearchOutbox
from search.engines.query import SearchQuery, parse_search
from tests.factories import Factory


def body_for(params: dict, elements: list[str] | None = None) -> dict:
    return em.search_body(parse_search(params), elements or [])


def filters_of(body: dict) -> list[dict]:
    return body["query"]["bool"]["filter"]


# -- the index mapping ---------------------------------------------------------------------------

def test_mapping_uses_only_built_in_analyzers():
    assert em.analyzers_used(em.index_body()) == {"cjk", "tokenizer:ngram"}


def test_smartcn_or_ik_replace_only_the_word_analyzer_never_the_substring_field():
    for choice, expected in (("smartcn", {"smartcn"}), ("ik", {"ik_max_word", "ik_smart"})):
        body = em.index_body(choice)
        assert em.analyzers_used(body) == expected | {"tokenizer:ngram"}
        assert body["mappings"]["properties"]["items"]["properties"]["name"]["fields"]["ngram"]["analyzer"] \
            == em.SUBSTRING_ANALYZER
    with pytest.raises(ValueError):
        em.index_body("jieba")


def test_substring_subfield_is_a_2_to_3_character_ngram_keeping_every_character():
    analysis = em.index_body()["settings"]["analysis"]
    assert analysis["tokenizer"]["substring_ngram"] == {"type": "ngram", "min_gram": 2, "max_gram": 3,
                                                       "token_chars": []}
    properties = em.index_body()["mappings"]["properties"]
    for field in em.TEXT_FIELDS:
        node = {"properties": properties}
        for part in field.split("."):
            node = node["properties"][part]
        assert node["fields"]["ngram"] == {"type": "text", "analyzer": em.SUBSTRING_ANALYZER, "norms": False}, field


def test_mapping_is_strict_and_keeps_ids_codes_and_keys_as_keywords():
    body = em.index_body()
    properties = body["mappings"]["properties"]
    assert body["mappings"]["dynamic"] == "strict"
    for field in ("name", "unit_code", "system_code", "sharing_type", "element_ids", "title_sort"):
        assert properties[field]["type"] == "keyword", field
    assert properties["items"]["properties"]["key"]["type"] == "keyword"
    assert properties["modified"]["type"] == properties["created"]["type"] == "date_nanos"


def test_a_building_index_turns_refresh_off_and_a_live_one_keeps_the_default_or_the_setting():
    assert em.index_body(building=True)["settings"]["index"]["refresh_interval"] == "-1"
    assert "refresh_interval" not in em.index_body()["settings"]["index"]
    assert em.index_body(refresh_interval="100ms")["settings"]["index"]["refresh_interval"] == "100ms"


def test_one_shard_with_a_replica_once_a_second_node_exists():
    assert em.index_body()["settings"]["index"] == {"number_of_shards": 1, "auto_expand_replicas": "0-1"}


def test_the_mapping_names_its_version_and_the_version_follows_the_mapping():
    body = em.index_body()
    assert body["mappings"]["_meta"]["registry_mapping"] == em.index_body(building=True)["mappings"]["_meta"][
        "registry_mapping"]
    assert em.index_body("smartcn")["mappings"]["_meta"]["registry_mapping"] != body["mappings"]["_meta"][
        "registry_mapping"]


def _document(**overrides) -> ResourceDocument:
    values = dict(resource_id=7, unit_id=1, unit_code="gaj", unit_name="云阳县公安局", system_id=2,
                  system_code="hjxt", system_name="户籍管理系统", name="res-7", title="ＡＢＣ常住人口信息",
                  description="说明", resource_code="R001", sharing_type="conditional", sharing_method="platform",
                  update_cycle="daily", format_class=None, format_type=None, open_to_public=False,
                  modified="2026-11-25T10:00:00.123456",
                  items=[{"id": 1, "name": "公民身份号码", "data_type": "C", "data_length": 18,
                          "element_id": "DE0001", "key": "DE0001"},
                         {"id": 2, "name": "备注", "data_type": "C", "data_length": 200,
                          "element_id": None, "key": None}])
    values.update(overrides)
    return ResourceDocument(**values)


def test_document_text_is_normalised_like_the_embedded_search_text_and_raw_title_kept_for_sorting():
    source = em.document_source(_document(), datetime(2026, 1, 2, 3, 4, 5))
    assert source["title"] == search_text("ＡＢＣ常住人口信息") == "abc常住人口信息"
    assert source["title_sort"] == "ＡＢＣ常住人口信息"
    assert source["created"] == "2026-01-02T03:04:05"
    assert source["modified"] == "2026-11-25T10:00:00.123456"


def test_document_carries_element_ids_and_item_keys_and_every_mapped_field_only():
    source = em.document_source(_document(), None)
    assert source["element_ids"] == ["DE0001"]
    assert [i["key"] for i in source["items"]] == ["DE0001", None]
    assert source["items"][0] == {"name": "公民身份号码", "data_type": "C", "length": 18,
                                  "element_id": "DE0001", "key": "DE0001"}
    properties = em.index_body()["mappings"]["properties"]
    assert set(source) <= set(properties)
    assert set(source["items"][0]) <= set(properties["items"]["properties"])


# -- a q term ------------------------------------------------------------------------------------

def test_a_two_or_three_character_term_is_one_term_query_on_the_ngram_field():
    assert em._substring("items.name", "身份") == {"term": {"items.name.ngram": "身份"}}
    assert em._substring("title", "身份证") == {"term": {"title.ngram": "身份证"}}


def test_a_longer_term_is_an_in_order_span_of_its_overlapping_trigrams_with_slop_k_minus_1():
    clause = em._substring("items.name", "公民身份证")["span_near"]
    assert [c["span_term"]["items.name.ngram"] for c in clause["clauses"]] == ["公民身", "民身份", "身份证"]
    assert clause["slop"] == 2 and clause["in_order"] is True


def test_a_single_character_term_matches_grams_starting_or_ending_with_it_escaped():
    clause = em._substring("title", "证")["bool"]
    assert clause["should"] == [{"prefix": {"title.ngram": "证"}}, {"wildcard": {"title.ngram": {"value": "?证"}}}]
    assert em._substring("title", "*")["bool"]["should"][1] == {"wildcard": {"title.ngram": {"value": "?\\*"}}}


def _grams_with_positions(value: str) -> list[tuple[str, int]]:
    """Lucene NGramTokenizer (min 2, max 3) as its javadoc documents it: grams by increasing start
    offset, shorter first, each with position increment 1 ("ab abc bc bcd cd cde de")."""
    grams = []
    for start in range(len(value)):
        for size in (2, 3):
            if start + size <= len(value):
                grams.append(value[start:start + size])
    return [(g, p) for p, g in enumerate(grams)]


def _span_near_matches(value: str, trigrams: list[str], slop: int) -> bool:
    """Lucene's in-order span_near over single-position spans: each next span starts after the
    previous one; the sum of gaps is at most slop (tried from every start, greedy as NearSpansOrdered)."""
    positions = {}
    for gram, pos in _grams_with_positions(value):
        positions.setdefault(gram, []).append(pos)
    for first in positions.get(trigrams[0], []):
        previous, gaps = first, 0
        for gram in trigrams[1:]:
            later = [p for p in positions.get(gram, []) if p > previous]
            if not later:
                break
            gaps += later[0] - previous - 1
            previous = later[0]
        else:
            if gaps <= slop:
                return True
    return False


def test_trigram_span_equals_substring_under_the_documented_ngram_positions():
    """A model of the argument in es_mappings._substring, not of Elasticsearch itself."""
    rng = random.Random(20261125)
    alphabet = "身份证号码公民"
    for _ in range(3000):
        value = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        term = "".join(rng.choice(alphabet) for _ in range(rng.randint(4, 6)))
        span = em._substring("f", term)["span_near"]
        trigrams = [c["span_term"]["f.ngram"] for c in span["clauses"]]
        assert _span_near_matches(value, trigrams, span["slop"]) == (term in value), (value, term)


def test_every_q_term_is_a_required_filter_over_all_searchable_fields():
    text = filters_of(body_for({"q": "低保 名册"}))[0]["bool"]["filter"]
    assert len(text) == 2
    for clause, term in zip(text, ("低保", "名册")):
        should = clause["bool"]["should"]
        assert clause["bool"]["minimum_should_match"] == 1
        assert should == [{"term": {f + ".ngram": term}} for f in em.TEXT_FIELDS]


def test_q_terms_are_normalised_before_they_are_sent():
    text = filters_of(body_for({"q": "ＡＢ"}))[0]["bool"]["filter"]
    assert text[0]["bool"]["should"][0] == {"term": {"title.ngram": "ab"}}


def test_q_naming_a_data_element_also_matches_documents_holding_it():
    match = filters_of(body_for({"q": "身份证"}, ["DE0001"]))[0]["bool"]
    assert match["minimum_should_match"] == 1
    assert match["should"][1] == {"terms": {"element_ids": ["DE0001"]}}
    assert "filter" in match["should"][0]["bool"]


def test_element_matches_outrank_title_matches_and_word_relevance_only_orders_within_a_tier():
    should = body_for({"q": "身份证"}, ["DE0001"])["query"]["bool"]["should"]
    assert should[0] == {"constant_score": {"filter": {"term": {"element_ids": "DE0001"}}, "boost": 8.0}}
    assert should[1]["constant_score"]["filter"] == {"term": {"title.norm": "身份证"}}
    assert should[1]["constant_score"]["boost"] == 4.0
    assert should[2]["constant_score"] == {"filter": {"term": {"title.ngram": "身份证"}}, "boost": 2.0}
    assert should[3]["multi_match"]["boost"] == em.WORD_RELEVANCE_BOOST < 0.01


def test_no_q_and_no_filter_is_match_all():
    assert body_for({})["query"] == {"match_all": {}}


# -- fq filters -------------------------------------------------------------------------------

@pytest.mark.parametrize("fq, expected", [
    ("organization:gaj", {"bool": {"should": [{"terms": {"unit_code": ["gaj"]}}], "minimum_should_match": 1}}),
    ("owner_org:12", {"bool": {"should": [{"terms": {"unit_code": ["12"]}}, {"terms": {"unit_id": [12]}}],
                               "minimum_should_match": 1}}),
    ("groups:hjxt", {"bool": {"should": [{"terms": {"system_code": ["hjxt"]}}], "minimum_should_match": 1}}),
    ("groups:5", {"bool": {"should": [{"terms": {"system_code": ["5"]}}, {"terms": {"system_id": [5]}}],
                           "minimum_should_match": 1}}),
    ("data_element:DE0001", {"terms": {"element_ids": ["DE0001"]}}),
    ("sharing_type:无条件共享", {"terms": {"sharing_type": ["unconditional"]}}),
    ("update_cycle:daily", {"terms": {"update_cycle": ["daily"]}}),
    ("open_to_public:true", {"term": {"open_to_public": True}}),
])
def test_fq_filter_becomes_a_filter_on_the_indexed_field(fq, expected):
    assert filters_of(body_for({"fq": fq})) == [expected]


def test_fq_organization_filter_matches_unit_code_or_unit_id_and_leaves_scores_alone():
    body = body_for({"fq": "organization:gaj organization:3"})
    assert filters_of(body) == [{"bool": {"should": [{"terms": {"unit_code": ["gaj", "3"]}},
                                                     {"terms": {"unit_id": [3]}}], "minimum_should_match": 1}}]
    assert "should" not in body["query"]["bool"]


# -- sorting, paging, counting --------------------------------------------------------------------

@pytest.mark.parametrize("params", [{}, {"q": "人口"}, {"sort": "name desc"},
                                    {"sort": "title asc, metadata_modified desc"},
                                    {"sort": "score desc", "q": "人口"}, {"sort": "id desc"}])
def test_sort_always_ends_with_the_id_tie_breaker(params):
    assert body_for(params)["sort"][-1] == {"id": {"order": "asc"}}


def test_default_sort_is_score_with_q_and_name_without():
    assert body_for({"q": "人口"})["sort"][0] == {"_score": {"order": "desc"}}
    assert body_for({})["sort"][0] == {"name": {"order": "asc"}}


def test_sort_fields_map_to_keyword_and_date_fields():
    sort = body_for({"sort": "title asc, metadata_modified desc, metadata_created asc"})["sort"]
    assert sort[:3] == [{"title_sort": {"order": "asc"}}, {"modified": {"order": "desc"}},
                        {"created": {"order": "asc"}}]


def test_score_sort_without_q_orders_by_id_like_the_embedded_backend():
    assert body_for({"sort": "score desc"})["sort"][0] == {"id": {"order": "desc"}}


def test_rows_and_start_become_size_and_from_and_the_count_is_exact():
    body = body_for({"rows": 25, "start": 50})
    assert (body["size"], body["from"], body["track_total_hits"], body["_source"]) == (25, 50, True, False)
    assert body_for({"rows": 0})["size"] == 0


def test_paging_past_the_result_window_is_refused_with_a_chinese_message():
    with pytest.raises(SearchQueryError, match="翻页过深"):
        em.search_body(SearchQuery(rows=10, start=em.MAX_RESULT_WINDOW), [])


# -- facets ---------------------------------------------------------------------------------------

def test_facet_limit_and_mincount_become_terms_size_and_min_doc_count_ordered_by_count_then_key():
    aggs = body_for({"facet.field": '["organization", "data_element"]', "facet.limit": 5, "facet.mincount": 2})["aggs"]
    assert aggs["organization"] == {"terms": {"field": "unit_code", "size": 5, "min_doc_count": 2,
                                              "order": [{"_count": "desc"}, {"_key": "asc"}]}}
    assert aggs["data_element"]["terms"]["field"] == "element_ids"


def test_facet_limit_minus_one_means_every_bucket_up_to_the_bucket_cap():
    aggs = body_for({"facet.field": ["groups"], "facet.limit": -1})["aggs"]
    assert aggs["groups"]["terms"]["size"] == em.FACET_ALL_BUCKETS


def test_facet_limit_zero_sends_no_aggregation_and_yields_empty_facets():
    query = parse_search({"facet.field": ["groups"], "facet.limit": 0})
    assert "aggs" not in em.search_body(query, [])
    assert em.search_result({"hits": {"total": {"value": 3}, "hits": []}}, query).facets == {"groups": {}}


def test_every_facet_field_of_the_api_has_an_indexed_field():
    from search.engines.query import FACET_FIELDS
    assert set(FACET_FIELDS) == set(em.FACET_FIELDS)


def test_a_search_response_becomes_ids_in_rank_order_count_and_facets():
    query = parse_search({"facet.field": ["organization"]})
    response = {"hits": {"total": {"value": 42, "relation": "eq"}, "hits": [{"_id": "9"}, {"_id": "3"}]},
                "aggregations": {"organization": {"buckets": [{"key": "gaj", "doc_count": 30},
                                                              {"key": "mzj", "doc_count": 12}]}}}
    result = em.search_result(response, query)
    assert (result.count, result.ids, result.facets) == (42, [9, 3], {"organization": {"gaj": 30, "mzj": 12}})


# -- duplicate candidates, aliases, bulk --------------------------------------------------------------

def test_duplicate_keys_request_pages_a_composite_terms_aggregation_with_a_unit_cardinality():
    body = em.duplicate_keys_body(1000, {"key": "DE0001"})
    keys = body["aggs"]["keys"]
    assert body["size"] == 0
    assert keys["composite"] == {"size": 1000, "sources": [{"key": {"terms": {"field": "items.key"}}}],
                                 "after": {"key": "DE0001"}}
    assert keys["aggs"]["units"]["cardinality"]["field"] == "unit_id"


def test_duplicate_keys_page_keeps_keys_held_by_enough_units_and_stops_on_an_empty_page():
    response = {"aggregations": {"keys": {"after_key": {"key": "DE0002"}, "buckets": [
        {"key": {"key": "DE0001"}, "doc_count": 9, "units": {"value": 3}},
        {"key": {"key": "DE0002"}, "doc_count": 4, "units": {"value": 1}}]}}}
    keys, after = em.duplicate_keys_page(response, min_units=2)
    assert keys == [em.DuplicateKey("DE0001", 3, 9)] and after == {"key": "DE0002"}
    assert em.duplicate_keys_page({"aggregations": {"keys": {"buckets": []}}}, 2) == ([], None)


def test_alias_swap_is_one_request_moving_live_to_the_new_index_and_dropping_building():
    actions = em.alias_swap_actions("reg", "reg-resources-v2", ["reg-resources-v1"])
    assert actions == [{"remove": {"index": "reg-resources-v1", "alias": "reg-resources"}},
                       {"add": {"index": "reg-resources-v2", "alias": "reg-resources"}},
                       {"remove": {"index": "reg-resources-v2", "alias": "reg-resources-building"}}]


def test_versioned_index_names_match_the_pattern_and_sort_by_time():
    first = em.versioned_index("reg", datetime(2026, 1, 2, 3, 4, 5, 6))
    second = em.versioned_index("reg", datetime(2026, 1, 2, 3, 4, 5, 7))
    assert first.startswith("reg-resources-v") and first < second
    assert em.index_pattern("reg") == "reg-resources-v*"


def test_bulk_actions_index_under_the_resource_id_and_delete_vanished_ids():
    actions = em.bulk_actions("reg-resources", [{"id": 4, "title": "x"}], [5])
    assert actions == [{"_op_type": "index", "_index": "reg-resources", "_id": "4", "_source": {"id": 4, "title": "x"}},
                       {"_op_type": "delete", "_index": "reg-resources", "_id": "5"}]


def test_index_prefix_must_be_lower_case():
    with pytest.raises(ValueError):
        ElasticsearchBackend("http://127.0.0.1:9", "Registry")


# -- the backend against an unreachable cluster (real behaviour, nothing mocked) ---------------------

def _registry(database_url: str, es_url: str, prefix: str = "reg") -> Registry:
    settings = Settings.from_env(environ={}, database_url=database_url, search_backend="elasticsearch",
                                 es_url=es_url, es_index_prefix=prefix)
    return Registry.from_settings(settings)


@pytest.fixture
def unreachable(app, migrated):
    reg = _registry(migrated, "http://127.0.0.1:1")
    yield reg
    reg.db.dispose()


def _outbox(reg) -> list[int]:
    with reg.db.unit_of_work() as session:
        return list(session.scalars(select(SearchOutbox.resource_id).order_by(SearchOutbox.resource_id)))


def test_a_write_while_the_cluster_is_unreachable_commits_and_stays_queued_and_not_ready(unreachable):
    package = Factory(unreachable).package()
    assert package["id"]  # the action itself succeeded
    assert _outbox(unreachable) == [package["id"]]
    assert unreachable.search.pending() == 1
    assert unreachable.search.ping() is False
    assert unreachable.search.status()["reachable"] is False


def test_replaying_the_outbox_while_unreachable_raises_and_keeps_the_rows(unreachable):
    package = Factory(unreachable).package()
    with pytest.raises(Exception):
        unreachable.search.replay_outbox()
    assert _outbox(unreachable) == [package["id"]]


def test_a_search_while_unreachable_is_a_503_search_error(unreachable):
    with pytest.raises(SearchUnavailable) as caught:
        unreachable.run_action("package_search", None, {"q": "人口"})
    assert caught.value.status == 503 and caught.value.error_dict()["__type"] == "Search Error"


# -- the backend against a recording stand-in (proves our requests and outbox handling only) ---------

class StandIn:
    """Answers the few APIs the backend calls the way a cluster documents them, and records every
    request. It does not search: /_search returns every stored document."""

    def __init__(self):
        self.requests: list[tuple[str, str, dict, object]] = []
        self.indices: dict[str, dict] = {}       # index → {"aliases": set, "docs": {id: source}}
        self.lock = threading.Lock()

    def resolve(self, name: str) -> list[str]:
        return [i for i, meta in self.indices.items() if i == name or name in meta["aliases"]]

    def handle(self, method: str, path: str, query: dict, body):
        parts = [p for p in path.split("/") if p]
        if not parts:           # GET /: a cluster's root answer (the product header is sent by the handler)
            return 200, {"version": {"number": "8.19.3", "build_flavor": "default"}, "tagline": "You Know, for Search"}
        if parts[-1] == "_bulk":
            return 200, self.bulk(body)
        if method == "GET" and len(parts) == 2 and parts[1] == "_alias":
            prefix = parts[0].rstrip("*")
            return 200, {i: {"aliases": {a: {} for a in m["aliases"]}} for i, m in self.indices.items()
                         if i.startswith(prefix)}
        if method == "HEAD" and len(parts) == 1:
            return (200 if self.resolve(parts[0]) else 404), None
        if method == "GET" and parts == ["_cluster", "health"]:
            return 200, {"status": "green"}
        if method == "GET" and len(parts) == 2 and parts[1] == "_mapping":
            return 200, {i: {"mappings": self.indices[i]["mappings"]} for i in self.resolve(parts[0])}
        if method == "PUT" and len(parts) == 1:
            self.indices[parts[0]] = {"aliases": set(body.get("aliases", {})), "docs": {},
                                      "mappings": body.get("mappings", {})}
            return 200, {"acknowledged": True, "index": parts[0]}
        if method == "PUT" and parts[-1] == "_settings" or method == "POST" and parts[-1] == "_refresh":
            return 200, {"acknowledged": True}
        if method == "POST" and parts == ["_aliases"]:
            for action in body["actions"]:
                (kind, spec), = action.items()
                aliases = self.indices[spec["index"]]["aliases"]
                aliases.add(spec["alias"]) if kind == "add" else aliases.discard(spec["alias"])
            return 200, {"acknowledged": True}
        if method == "DELETE" and len(parts) == 1:
            for name in parts[0].split(","):
                self.indices.pop(name, None)
            return 200, {"acknowledged": True}
        if parts[-1] == "_search":
            docs = [d for i in self.resolve(parts[0]) for d in self.indices[i]["docs"].values()]
            return 200, {"hits": {"total": {"value": len(docs), "relation": "eq"},
                                  "hits": [{"_id": str(d["id"])} for d in sorted(docs, key=lambda d: d["id"])]}}
        return 400, {"error": {"type": "unsupported_by_stand_in", "reason": f"{method} {path}"}}

    def bulk(self, lines: list[dict]) -> dict:
        items = []
        iterator = iter(lines)
        for header in iterator:
            (op, meta), = header.items()
            targets = self.resolve(meta["_index"])
            if len(targets) != 1:
                items.append({op: {"status": 404, "error": {"type": "index_not_found_exception"}}})
                continue
            docs = self.indices[targets[0]]["docs"]
            if op == "index":
                docs[meta["_id"]] = next(iterator)
                items.append({op: {"_id": meta["_id"], "status": 200, "result": "updated"}})
            else:
                found = docs.pop(meta["_id"], None)
                items.append({op: {"_id": meta["_id"], "status": 200 if found else 404,
                                   "result": "deleted" if found else "not_found"}})
        return {"errors": any(not 200 <= next(iter(i.values()))["status"] < 300 for i in items), "items": items}

    def calls(self, method: str, suffix: str = "") -> list[tuple]:
        return [r for r in self.requests if r[0] == method and r[1].endswith(suffix)]


@pytest.fixture
def stand_in(app, migrated):
    cluster = StandIn()

    class Handler(BaseHTTPRequestHandler):
        def _serve(self):
            url = urlsplit(self.path)
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if url.path.endswith("_bulk"):
                body = [json.loads(line) for line in raw.decode().splitlines() if line.strip()]
            else:
                body = json.loads(raw) if raw else {}
            with cluster.lock:
                cluster.requests.append((self.command, url.path, parse_qs(url.query), body))
                status, answer = cluster.handle(self.command, url.path, parse_qs(url.query), body)
            payload = b"" if answer is None else json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("X-Elastic-Product", "Elasticsearch")
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)

        do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _serve

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    reg = _registry(migrated, f"http://127.0.0.1:{server.server_port}")
    cluster.reg = reg
    yield cluster
    server.shutdown()
    reg.db.dispose()


def _reindex(reg) -> int:
    with reg.db.unit_of_work() as session:
        return reg.search.reindex(session)


def test_reindex_fills_a_new_index_through_the_building_alias_then_swaps_aliases_in_one_request(stand_in):
    reg = stand_in.reg
    Factory(reg).package()
    stand_in.requests.clear()
    assert _reindex(reg) == 1
    created = stand_in.calls("PUT")[0]
    new_index = created[1].strip("/")
    assert new_index.startswith("reg-resources-v")
    assert created[3]["aliases"] == {"reg-resources-building": {}}
    assert created[3]["settings"]["index"]["refresh_interval"] == "-1"
    bulk = stand_in.calls("PUT", "_bulk") + stand_in.calls("POST", "_bulk")
    assert bulk[0][3][0] == {"index": {"_index": "reg-resources-building", "_id": str(bulk[0][3][1]["id"])}}
    assert bulk[0][2]["require_alias"] == ["true"]
    assert stand_in.calls("POST", "_aliases")[0][3]["actions"][-1] == {
        "remove": {"index": new_index, "alias": "reg-resources-building"}}
    assert stand_in.indices[new_index]["aliases"] == {"reg-resources"}

    assert _reindex(reg) == 1            # a second rebuild retires the first index
    assert len(stand_in.indices) == 1 and new_index not in stand_in.indices


def test_after_commit_sends_changed_resources_to_the_live_alias_waiting_for_refresh_then_clears_the_outbox(stand_in):
    reg = stand_in.reg
    _reindex(reg)
    stand_in.requests.clear()
    package = Factory(reg).package(title="常住人口信息")
    bulk = stand_in.calls("PUT", "_bulk") + stand_in.calls("POST", "_bulk")
    header, source = bulk[0][3][0], bulk[0][3][1]
    assert header == {"index": {"_index": "reg-resources", "_id": str(package["id"])}}
    assert source["title"] == "常住人口信息" and source["element_ids"] == ["DE0001", "DE0002", "DE0055"]
    assert bulk[0][2]["refresh"] == ["wait_for"] and bulk[0][2]["require_alias"] == ["true"]
    assert _outbox(reg) == [] and reg.search.pending() == 0 and reg.search.ping() is True

    reg.run_action("package_delete", CliActor(), {"id": package["id"]})
    last = (stand_in.calls("PUT", "_bulk") + stand_in.calls("POST", "_bulk"))[-1]
    assert last[3] == [{"delete": {"_index": "reg-resources", "_id": str(package["id"])}}]
    assert _outbox(reg) == []


def test_a_search_sends_the_built_request_to_the_live_alias(stand_in):
    reg = stand_in.reg
    _reindex(reg)
    Factory(reg).package()
    stand_in.requests.clear()
    params = {"q": "身份证", "fq": "sharing_type:conditional", "facet.field": ["organization"], "rows": 5}
    result = reg.run_action("package_search", CliActor(), params)
    (method, path, _, body), = stand_in.calls("POST", "_search") or stand_in.calls("GET", "_search")
    assert path == "/reg-resources/_search"
    # the first 100 ranked ids are asked once and cached (search.engines.result_cache), the page cut from them
    assert body == {**em.search_body(parse_search(params), ["DE0001"]), "from": 0, "size": 100}
    assert result["count"] == 1
    # anonymously: the same request, limited to the resources open to the public
    stand_in.requests.clear()
    reg.run_action("package_search", None, params)   # (the stand-in answers the same canned hits)
    (method, path, _, body), = stand_in.calls("POST", "_search") or stand_in.calls("GET", "_search")
    public = parse_search(params)
    public.public_only = True
    assert body == {**em.search_body(public, ["DE0001"]), "from": 0, "size": 100}
    assert {"term": {"open_to_public": True}} in body["query"]["bool"]["filter"]


def test_while_a_reindex_is_building_writes_keep_their_outbox_rows_until_it_replays_them(stand_in):
    reg = stand_in.reg
    _reindex(reg)
    live = next(iter(stand_in.indices))
    stand_in.indices[live]["aliases"].add("reg-resources-building")   # as during a rebuild
    package = Factory(reg).package()
    assert _outbox(reg) == [package["id"]]                             # indexed, but kept for the rebuild
    assert reg.search.replay_outbox() == 1 and _outbox(reg) == [package["id"]]
    stand_in.indices[live]["aliases"].discard("reg-resources-building")
    assert reg.search.replay_outbox() == 1
    assert _outbox(reg) == []


def test_without_a_live_index_writes_stay_queued_and_readiness_says_so(stand_in):
    reg = stand_in.reg
    package = Factory(reg).package()                                   # no reindex yet: no alias
    assert _outbox(reg) == [package["id"]]
    assert not (stand_in.calls("PUT", "_bulk") + stand_in.calls("POST", "_bulk"))  # never auto-creates an index
    assert reg.search.status()["index"] is False and reg.search.ping() is False
    _reindex(reg)                                                      # builds the index, replays the outbox
    assert _outbox(reg) == [] and reg.search.ping() is True


def test_the_engine_url_may_name_several_nodes_of_one_cluster():
    from search.engines.clients import ElasticsearchClient, OpenSearchClient, hosts_of
    assert hosts_of("http://n1:9200, http://n2:9200,") == ["http://n1:9200", "http://n2:9200"]
    assert len(OpenSearchClient("http://n1:9200,http://n2:9200").client.transport.connection_pool.connections) == 2
    assert len(ElasticsearchClient("http://n1:9200,http://n2:9200").client.transport.node_pool.all()) == 2


def test_detection_tries_the_next_node_when_one_is_unreachable(stand_in):
    from search.engines.clients import detect_engine
    url = stand_in.reg.search.url
    assert detect_engine(f"http://127.0.0.1:1,{url}") == "elasticsearch"


def test_the_opensearch_adapter_refuses_an_elasticsearch_server_before_its_first_request(stand_in):
    from search.engines.clients import EngineError, OpenSearchClient
    client = OpenSearchClient(stand_in.reg.search.url)
    before = len(stand_in.requests)
    with pytest.raises(EngineError, match="is Elasticsearch, not OpenSearch") as refused:
        client.health()
    assert refused.value.kind == "incompatible"
    assert [r[:2] for r in stand_in.requests[before:]] == [("GET", "/")]     # nothing else was sent


def test_the_opensearch_adapter_accepts_a_server_whose_root_does_not_say_what_it_is_and_asks_once():
    """E.g. a managed cluster whose user may not read `GET /`: given the benefit of the doubt."""
    from search.engines.clients import OpenSearchClient
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append(self.path)
            status, payload = (403, b'{"error":"forbidden"}') if self.path == "/" else (200, b'{"status":"green"}')
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        client = OpenSearchClient(f"http://127.0.0.1:{server.server_port}")
        assert client.health() == {"status": "green"}
        assert client.health() == {"status": "green"}
        assert seen == ["/", "/_cluster/health", "/_cluster/health"]
    finally:
        server.shutdown()
