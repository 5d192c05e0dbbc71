"""Every request body the Elasticsearch backend sends, as pure functions of their inputs.

Kept apart from the client so each body can be unit-tested without a cluster (tests prove the
request we build, never that Elasticsearch accepts it; the contract suite does that against a
real cluster when REGISTRY_ES_URL is set).

Analysis uses only what every stock cluster has. Elasticsearch ships no Chinese word
segmentation, so text is normalised in Python (`search_text`, the embedded backend's folding)
and indexed twice:
- the field itself with the `cjk` analyzer (overlapping character bigrams): a word relevance
  signal only, used to order results inside a ranking tier;
- a `.ngram` subfield (ngram tokenizer, 2–3 characters, every character kept): what decides
  whether a term matches, with the embedded backend's substring semantics (身份证 matches inside
  公民身份证号码). Terms of 2–3 characters are one `term` query; longer ones a `span_near` of
  their overlapping trigrams (see `_substring`); a single character a prefix/suffix gram query
  (which misses only a field whose whole value is that one character).
`smartcn` (official plugin) or IK (third-party) can replace `cjk` for the relevance field; the
matching never depends on them.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from registry.core.errors import SearchQueryError
from search.engines.backend import SearchResult
from search.engines.documents import ResourceDocument, search_text
from search.engines.query import SearchQuery

# The ngram sizes are load-bearing: `_substring` relies on Lucene's NGramTokenizer emitting, for
# min 2 / max 3, "ab abc bc bcd cd …" with position increment 1 each, so the trigram starting at
# character i sits at position 2i + 1 (Lucene NGramTokenizer javadoc).
NGRAM_MIN, NGRAM_MAX = 2, 3
# analyzer choice → (index analyzer, search analyzer) of the word-relevance field
WORD_ANALYZERS = {"cjk": ("cjk", "cjk"), "smartcn": ("smartcn", "smartcn"), "ik": ("ik_max_word", "ik_smart")}
BUILTIN_ANALYZERS = frozenset(("cjk", "standard", "keyword", "simple", "whitespace"))
SUBSTRING_ANALYZER = "substring"
# Searchable text fields: the same parts the embedded backend's search document holds.
TEXT_FIELDS = ("title", "description", "resource_code", "unit_name", "system_name", "items.name")
WORD_FIELDS = ("title", "items.name", "description")
# Ranking tiers, the embedded backend's numbers: each data element the query names exactly, then
# a title equal to / containing the query. The word-relevance score is scaled far below the
# smallest tier step (2), so it only orders documents inside a tier.
ELEMENT_BOOST, TITLE_EQUALS_BOOST, TITLE_CONTAINS_BOOST, WORD_RELEVANCE_BOOST = 8.0, 4.0, 2.0, 0.001
SORT_FIELDS = {"name": "name", "title": "title_sort", "modified": "modified", "created": "created", "id": "id"}
FACET_FIELDS = {"organization": "unit_code", "groups": "system_code", "sharing_type": "sharing_type",
                "sharing_method": "sharing_method", "update_cycle": "update_cycle",
                "format_class": "format_class", "data_element": "element_ids"}
# facet.limit -1 ("no limit") asks for every bucket up to this many; the cluster's own cap
# (search.max_buckets, 65,536 by default) counts all facets of one request together.
FACET_ALL_BUCKETS = 10_000
MAX_RESULT_WINDOW = 10_000          # index.max_result_window: from + size beyond it is refused
CARDINALITY_PRECISION = 3_000       # unit counts are exact below this many units per key
BULK_CHUNK = 500


# -- names -----------------------------------------------------------------------------------

def live_alias(prefix: str) -> str:
    """What searches and writes address; moved atomically by a reindex."""
    return f"{prefix}-resources"


def building_alias(prefix: str) -> str:
    """Present only while a reindex fills a new index (writers then keep their outbox rows)."""
    return f"{prefix}-resources-building"


def index_pattern(prefix: str) -> str:
    return f"{prefix}-resources-v*"


def versioned_index(prefix: str, now: datetime) -> str:
    return f"{prefix}-resources-v{now:%Y%m%d%H%M%S%f}"


# -- the index ---------------------------------------------------------------------------------

def _text(word_analyzer: str) -> dict:
    index_analyzer, search_analyzer = WORD_ANALYZERS[word_analyzer]
    field = {"type": "text", "analyzer": index_analyzer,
             "fields": {"ngram": {"type": "text", "analyzer": SUBSTRING_ANALYZER, "norms": False}}}
    if search_analyzer != index_analyzer:
        field["search_analyzer"] = search_analyzer
    return field


def index_body(word_analyzer: str = "cjk", building: bool = False, refresh_interval: str | None = None) -> dict:
    """Settings and mappings of a resources index. `building`: no refreshes while bulk loading.

    One shard (a county's or a province's catalog is a few GB at most) and one replica as soon as
    a second node exists (`auto_expand_replicas` 0-1: a single node stays green, a cluster keeps a
    copy of every shard on another node). The mapping's `_meta.registry_mapping` names this
    mapping's version, so an index built by an older release is recognised (`mapping_version`)."""
    if word_analyzer not in WORD_ANALYZERS:
        raise ValueError(f"unknown word analyzer {word_analyzer!r}; choose one of {sorted(WORD_ANALYZERS)}")
    keyword = {"type": "keyword"}
    title = _text(word_analyzer)
    title["fields"]["norm"] = {"type": "keyword", "ignore_above": 512}
    settings: dict = {"analysis": {
        "tokenizer": {"substring_ngram": {"type": "ngram", "min_gram": NGRAM_MIN, "max_gram": NGRAM_MAX,
                                          "token_chars": []}},
        "analyzer": {SUBSTRING_ANALYZER: {"type": "custom", "tokenizer": "substring_ngram"}}}}
    settings["index"] = {"number_of_shards": 1, "auto_expand_replicas": "0-1"}
    if building:
        settings["index"]["refresh_interval"] = "-1"
    elif refresh_interval:
        settings["index"]["refresh_interval"] = refresh_interval
    properties = {
        "id": {"type": "long"}, "name": keyword, "title": title, "title_sort": keyword,
        "description": _text(word_analyzer), "resource_code": _text(word_analyzer),
        "unit_id": {"type": "integer"}, "unit_code": keyword, "unit_name": _text(word_analyzer),
        "system_id": {"type": "integer"}, "system_code": keyword, "system_name": _text(word_analyzer),
        "sharing_type": keyword, "sharing_method": keyword, "update_cycle": keyword,
        "format_class": keyword, "format_type": keyword, "open_to_public": {"type": "boolean"},
        "modified": {"type": "date_nanos"}, "created": {"type": "date_nanos"},
        "element_ids": keyword,
        # An object array (each leaf field becomes a parallel array): searches and the duplicate-key
        # aggregation work per resource, so per-item correlation (nested) is not needed yet.
        "items": {"properties": {"name": _text(word_analyzer), "data_type": keyword,
                                 "length": {"type": "integer"}, "element_id": keyword, "key": keyword}},
    }
    mappings = {"dynamic": "strict", "properties": properties}
    mappings["_meta"] = {"registry_mapping": mapping_version(mappings, settings["analysis"])}
    return {"settings": settings, "mappings": mappings}


def mapping_version(mappings: dict, analysis: dict) -> str:
    """A short digest of the mapping and analysis: equal digests, compatible indexes."""
    import hashlib
    import json
    text = json.dumps({"m": {k: v for k, v in mappings.items() if k != "_meta"}, "a": analysis}, sort_keys=True)
    return hashlib.sha1(text.encode()).hexdigest()[:12]


def analyzers_used(body: dict) -> set[str]:
    """Every analyzer a mapping names, custom ones resolved to their tokenizer and filter types."""
    analysis = body["settings"]["analysis"]
    custom = analysis.get("analyzer", {})
    found: set[str] = set()

    def walk(node: dict) -> None:
        for key in ("analyzer", "search_analyzer"):
            if key in node:
                found.add(node[key])
        for child in node.get("properties", {}).values():
            walk(child)
        for child in node.get("fields", {}).values():
            walk(child)

    walk(body["mappings"])
    resolved = set()
    for name in found:
        if name in custom:
            spec = custom[name]
            tokenizer = analysis.get("tokenizer", {}).get(spec["tokenizer"], {"type": spec["tokenizer"]})
            resolved.add("tokenizer:" + tokenizer["type"])
            resolved.update("filter:" + f for f in spec.get("filter", []))
        else:
            resolved.add(name)
    return resolved


def document_source(doc: ResourceDocument, created: datetime | None) -> dict:
    """The indexed form of the one adapter's document (text normalised as the embedded backend does)."""
    return {
        "id": doc.resource_id, "name": doc.name, "title": search_text(doc.title), "title_sort": doc.title,
        "description": search_text(doc.description), "resource_code": search_text(doc.resource_code),
        "unit_id": doc.unit_id, "unit_code": doc.unit_code, "unit_name": search_text(doc.unit_name),
        "system_id": doc.system_id, "system_code": doc.system_code, "system_name": search_text(doc.system_name),
        "sharing_type": doc.sharing_type, "sharing_method": doc.sharing_method,
        "update_cycle": doc.update_cycle, "format_class": doc.format_class, "format_type": doc.format_type,
        "open_to_public": bool(doc.open_to_public), "modified": doc.modified or None,
        "created": created.isoformat() if created else None, "element_ids": doc.element_ids,
        "items": [{"name": search_text(i["name"]), "data_type": i["data_type"], "length": i["data_length"],
                   "element_id": i["element_id"], "key": i["key"]} for i in doc.items],
    }


# -- searching ---------------------------------------------------------------------------------

def _escape_wildcard(text: str) -> str:
    return text.replace("\\", "\\\\").replace("*", "\\*").replace("?", "\\?")


def _substring(field: str, term: str) -> dict:
    """Documents whose `field` contains `term` (already normalised) as a substring.

    Why the trigram span is exact: in the 2–3 gram stream every trigram sits at an odd position
    (2i + 1), so two trigrams starting at adjacent characters are exactly 2 positions apart.
    An in-order span_near of the k overlapping trigrams with slop k − 1 allows total gaps of
    k − 1 between k spans, i.e. gap 1 each, i.e. adjacent starts: the term itself. Separate
    values of an array field are 100 positions apart, so a match never spans two item names.
    """
    grams = field + ".ngram"
    if len(term) == 1:
        return {"bool": {"should": [{"prefix": {grams: term}},
                                    {"wildcard": {grams: {"value": "?" + _escape_wildcard(term)}}}],
                         "minimum_should_match": 1}}
    if len(term) <= NGRAM_MAX:
        return {"term": {grams: term}}
    trigrams = [term[i:i + NGRAM_MAX] for i in range(len(term) - NGRAM_MAX + 1)]
    return {"span_near": {"clauses": [{"span_term": {grams: g}} for g in trigrams],
                          "slop": len(trigrams) - 1, "in_order": True}}


def term_clause(term: str) -> dict:
    """One query term: a substring of any searchable field (the embedded search document's parts)."""
    return {"bool": {"should": [_substring(f, term) for f in TEXT_FIELDS], "minimum_should_match": 1}}


def _ref_filter(code_field: str, id_field: str, values: list[str]) -> dict:
    should: list[dict] = [{"terms": {code_field: values}}]
    ids = [int(v) for v in values if v.isdecimal()]
    if ids:
        should.append({"terms": {id_field: ids}})
    return {"bool": {"should": should, "minimum_should_match": 1}}


def filter_clauses(filters: dict[str, list[str]]) -> list[dict]:
    """fq filters; values of one field are alternatives, fields are all required (as embedded)."""
    clauses = []
    for attr, values in filters.items():
        if attr == "unit":
            clauses.append(_ref_filter("unit_code", "unit_id", values))
        elif attr == "system":
            clauses.append(_ref_filter("system_code", "system_id", values))
        elif attr == "open_to_public":
            clauses.append({"term": {"open_to_public": values[-1] == "true"}})
        elif attr == "data_element":
            clauses.append({"terms": {"element_ids": values}})
        else:
            clauses.append({"terms": {attr: values}})
    return clauses


def score_clauses(q: str, elements: list[str]) -> list[dict]:
    """Optional clauses that rank: exact data-element matches first, then the title."""
    folded = search_text(q)
    clauses: list[dict] = [{"constant_score": {"filter": {"term": {"element_ids": e}}, "boost": ELEMENT_BOOST}}
                           for e in elements]
    clauses.append({"constant_score": {"filter": {"term": {"title.norm": folded}}, "boost": TITLE_EQUALS_BOOST}})
    clauses.append({"constant_score": {"filter": _substring("title", folded), "boost": TITLE_CONTAINS_BOOST}})
    clauses.append({"multi_match": {"query": folded, "fields": list(WORD_FIELDS), "boost": WORD_RELEVANCE_BOOST}})
    return clauses


def query_clause(query: SearchQuery, elements: list[str]) -> dict:
    """Every term must match (substring); a document holding an element the query names also matches."""
    filters = filter_clauses(query.filters)
    if query.public_only:
        filters.append({"term": {"open_to_public": True}})
    should: list[dict] = []
    terms = [t for t in (search_text(part) for part in query.q.split()) if t]
    if terms:
        text = {"bool": {"filter": [term_clause(t) for t in terms]}}
        if elements:
            text = {"bool": {"should": [text, {"terms": {"element_ids": elements}}], "minimum_should_match": 1}}
        filters.append(text)
        should = score_clauses(query.q, elements)
    if not filters:
        return {"match_all": {}}
    clause: dict = {"filter": filters}
    if should:
        clause["should"] = should
    return {"bool": clause}


def sort_clause(query: SearchQuery) -> list[dict]:
    """The requested order, always ending with the id: a unique tie-breaker, so pages never overlap."""
    order = []
    for key, descending in query.sort or ([("score", True)] if query.q else [("name", False)]):
        direction = "desc" if descending else "asc"
        if key == "score":
            # Without a query every score is equal; the embedded backend then orders by id.
            order.append({"_score": {"order": direction}} if query.q else {"id": {"order": direction}})
        else:
            order.append({SORT_FIELDS[key]: {"order": direction}})
    order.append({"id": {"order": "asc"}})
    return order


def facet_aggs(query: SearchQuery) -> dict:
    size = min(query.facet_limit, FACET_ALL_BUCKETS)
    if size <= 0:
        return {}
    return {name: {"terms": {"field": FACET_FIELDS[name], "size": size,
                             "min_doc_count": max(query.facet_mincount, 1),
                             "order": [{"_count": "desc"}, {"_key": "asc"}]}}
            for name in query.facet_fields}


def search_body(query: SearchQuery, elements: list[str]) -> dict:
    """The whole _search request for a parsed CKAN query; `elements`: those the query names."""
    if query.start + query.rows > MAX_RESULT_WINDOW:
        raise SearchQueryError(f"翻页过深：start + rows 不能超过 {MAX_RESULT_WINDOW}，请用筛选条件缩小范围")
    body = {"query": query_clause(query, elements), "sort": sort_clause(query), "from": query.start,
            "size": query.rows, "track_total_hits": True, "_source": False}
    aggs = facet_aggs(query)
    if aggs:
        body["aggs"] = aggs
    return body


def search_result(response: dict, query: SearchQuery) -> SearchResult:
    hits = response["hits"]
    aggregations = response.get("aggregations") or {}
    facets = {name: {str(b["key"]): b["doc_count"] for b in aggregations.get(name, {}).get("buckets", [])}
              for name in query.facet_fields}
    return SearchResult(count=hits["total"]["value"], ids=[int(h["_id"]) for h in hits["hits"]], facets=facets)


# -- duplicate candidates ------------------------------------------------------------------------

@dataclass(frozen=True)
class DuplicateKey:
    key: str
    units: int        # distinct units holding the key (exact below CARDINALITY_PRECISION)
    resources: int


def duplicate_keys_body(page_size: int, after: dict | None = None) -> dict:
    """One page of item keys with the number of distinct units holding each (composite paging)."""
    composite: dict = {"size": page_size, "sources": [{"key": {"terms": {"field": "items.key"}}}]}
    if after:
        composite["after"] = after
    return {"size": 0, "track_total_hits": False, "aggs": {"keys": {
        "composite": composite,
        "aggs": {"units": {"cardinality": {"field": "unit_id", "precision_threshold": CARDINALITY_PRECISION}}}}}}


def duplicate_keys_page(response: dict, min_units: int) -> tuple[list[DuplicateKey], dict | None]:
    """Keys held by at least `min_units` units, and the `after` key of the next page (None: done)."""
    agg = response["aggregations"]["keys"]
    keys = [DuplicateKey(b["key"]["key"], b["units"]["value"], b["doc_count"]) for b in agg["buckets"]
            if b["units"]["value"] >= min_units]
    return keys, (agg.get("after_key") if agg["buckets"] else None)


# -- index lifecycle ---------------------------------------------------------------------------

def alias_swap_actions(prefix: str, new_index: str, live_indices: list[str]) -> list[dict]:
    """One atomic _aliases request: the live alias leaves the old index for the new one, and the
    building alias leaves the new one."""
    live = live_alias(prefix)
    actions: list[dict] = [{"remove": {"index": i, "alias": live}} for i in live_indices]
    actions.append({"add": {"index": new_index, "alias": live}})
    actions.append({"remove": {"index": new_index, "alias": building_alias(prefix)}})
    return actions


def bulk_actions(alias: str, sources: list[dict], deleted_ids: list[int]) -> list[dict]:
    """Index each document under its resource id; delete the ids that no longer exist."""
    actions = [{"_op_type": "index", "_index": alias, "_id": str(s["id"]), "_source": s} for s in sources]
    actions.extend({"_op_type": "delete", "_index": alias, "_id": str(i)} for i in deleted_ids)
    return actions
