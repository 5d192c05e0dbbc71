"""Parsing CKAN search parameters (q, fq, sort, rows, start, facets) into a backend-neutral query."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from catalog_schema import vocabularies as vocab
from registry.core.errors import SearchQueryError, ValidationFailed

MAX_ROWS = 1000
# fq field → (query attribute, vocabulary to normalise the value with, or None)
FILTER_FIELDS = {
    "organization": ("unit", None), "owner_org": ("unit", None), "unit": ("unit", None),
    "groups": ("system", None), "system": ("system", None),
    "sharing_type": ("sharing_type", vocab.SHARING_TYPE),
    "sharing_method": ("sharing_method", vocab.SHARING_METHOD),
    "update_cycle": ("update_cycle", vocab.UPDATE_CYCLE),
    "format_class": ("format_class", vocab.FORMAT_CLASS),
    "format_type": ("format_type", vocab.FORMAT_TYPE),
    "open_to_public": ("open_to_public", vocab.OPEN_TO_PUBLIC),
    "data_element": ("data_element", None),
}
FACET_FIELDS = ("organization", "groups", "sharing_type", "sharing_method", "update_cycle",
                "format_class", "data_element")
SORT_FIELDS = {"name": "name", "title": "title", "metadata_modified": "modified",
               "metadata_created": "created", "score": "score", "id": "id"}
_FQ_TOKEN = re.compile(r'(?:\+|-)?(\w+):(?:"([^"]*)"|(\S+))')


@dataclass
class SearchQuery:
    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    rows: int = 10
    start: int = 0
    sort: list[tuple[str, bool]] = field(default_factory=list)  # (field, descending)
    facet_fields: list[str] = field(default_factory=list)
    facet_limit: int = 50
    facet_mincount: int = 1
    # only resources open to the public (an anonymous caller: registry.core.authz.public_catalog_only);
    # a condition of its own, on top of any fq (an fq on open_to_public cannot widen it)
    public_only: bool = False


def _int(data: dict, key: str, default: int, minimum: int = 0) -> int:
    value = data.get(key, default)
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: int(1e999)
        raise ValidationFailed({key: [f"{key} 必须是整数"]}) from None
    if number < minimum:
        raise ValidationFailed({key: [f"{key} 不能小于 {minimum}"]})
    return number


def parse_fq(fq: str) -> dict[str, list[str]]:
    filters: dict[str, list[str]] = {}
    rest = _FQ_TOKEN.sub("", fq).replace("AND", "").strip()
    if rest:
        raise SearchQueryError(f"无法解析筛选条件 fq：“{fq}”，格式应为 字段:值")
    for match in _FQ_TOKEN.finditer(fq):
        key, value = match.group(1), match.group(2) if match.group(2) is not None else match.group(3)
        if key not in FILTER_FIELDS:
            raise SearchQueryError(f"不支持按“{key}”筛选，可用字段：{'、'.join(FILTER_FIELDS)}")
        attr, vocabulary = FILTER_FIELDS[key]
        if vocabulary is not None:
            value = vocabulary.normalize(value) or value
            if attr == "open_to_public":
                value = "true" if value == "yes" else "false"
        filters.setdefault(attr, []).append(value)
    return filters


def parse_sort(sort: str) -> list[tuple[str, bool]]:
    result = []
    for part in (p.strip() for p in str(sort).split(",") if p.strip()):
        bits = part.split()
        key, direction = bits[0], (bits[1].lower() if len(bits) > 1 else "asc")
        if key not in SORT_FIELDS or direction not in ("asc", "desc") or len(bits) > 2:
            raise SearchQueryError(f"无法按“{part}”排序，可用字段：{'、'.join(SORT_FIELDS)}，方向 asc/desc")
        result.append((SORT_FIELDS[key], direction == "desc"))
    return result


def parse_facet_fields(value) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            value = [value]
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise ValidationFailed({"facet.field": ["facet.field 必须是字段名列表"]})
    unknown = [f for f in value if f not in FACET_FIELDS]
    if unknown:
        raise ValidationFailed({"facet.field": [f"不支持的分面字段：{'、'.join(map(str, unknown))}"]})
    return value


def parse_search(data: dict) -> SearchQuery:
    q = data.get("q") or ""
    if not isinstance(q, str):
        raise ValidationFailed({"q": ["q 必须是文本"]})
    q = "" if q.strip() in ("*:*", "*") else vocab.clean(q)
    if len(q) > 200:
        raise ValidationFailed({"q": ["搜索词不能超过200个字符"]})
    fq = data.get("fq") or ""
    if not isinstance(fq, str):
        raise ValidationFailed({"fq": ["fq 必须是文本"]})
    facet_limit = _int(data, "facet.limit", 50, minimum=-1)
    return SearchQuery(
        q=q, filters=parse_fq(fq), rows=min(_int(data, "rows", 10), MAX_ROWS),
        start=_int(data, "start", 0), sort=parse_sort(data.get("sort") or ""),
        facet_fields=parse_facet_fields(data.get("facet.field")),
        facet_limit=facet_limit if facet_limit >= 0 else 10**9,
        facet_mincount=_int(data, "facet.mincount", 1))
