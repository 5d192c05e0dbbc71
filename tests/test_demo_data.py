"""The demo county (registry.demo_data) and the synthetic generator (registry.synthetic)."""
from __future__ import annotations

import hashlib
import itertools
import json
import re

import pytest

from catalog_schema import vocabularies as vocab
from registry import synthetic
from registry.demo_data import DEMO_USERS, demo_counts, demo_county, hard_negatives, planted_duplicates

SLUG = re.compile(r"^[a-z0-9_-]{2,60}$")
# Deliberately non-standard values on the open lists, to exercise the non-standard display.
NON_STANDARD_OK = {
    "update_cycle": {"每半年", "每学期", "按需"},
    "data_type": {"二进制"},
    "format_type": {"shp", "json", "mysql"},
}


@pytest.fixture(scope="module")
def county():
    return demo_county()


def _systems(units):
    return [s for u in units for s in u["systems"]]


def _resources(units):
    return [r for s in _systems(units) for r in s["resources"]]


def _items(units):
    return [i for r in _resources(units) for i in r["items"]]


def _check_vocab(name: str, value, *, nullable=False, non_standard=frozenset()):
    if value is None and nullable:
        return
    voc = vocab.ALL[name]
    assert value in voc.codes or value in non_standard, f"{name}: {value!r}"
    if value not in voc.codes:
        assert voc.open, f"{name} is a closed list but has {value!r}"
        assert voc.resolve(value) == value  # stored as written


def _check_unit_shape(units):
    unit_codes = [u["code"] for u in units]
    assert len(set(unit_codes)) == len(unit_codes)
    system_codes = [s["code"] for s in _systems(units)]
    assert len(set(system_codes)) == len(system_codes)
    resource_codes = [r["code"] for r in _resources(units)]
    assert len(set(resource_codes)) == len(resource_codes)
    for unit in units:
        assert SLUG.match(unit["code"]), unit["code"]
        assert unit["name"]
        _check_vocab("unit_kind", unit["kind"])
        assert unit["parent_code"] is None or unit["parent_code"] in unit_codes
        for system in unit["systems"]:
            assert SLUG.match(system["code"]), system["code"]
            assert system["name"] and isinstance(system["aliases"], list)
            _check_vocab("system_status", system["status"])
            _check_vocab("network", system["network"])
            assert isinstance(system["in_directory"], bool)
            for res in system["resources"]:
                assert isinstance(res["code"], str) and res["code"] and res["name"]
                _check_vocab("format_class", res["format_class"])
                _check_vocab("format_type", res["format_type"], non_standard=NON_STANDARD_OK["format_type"])
                _check_vocab("sharing_type", res["sharing_type"])
                _check_vocab("sharing_method", res["sharing_method"])
                _check_vocab("open_to_public", res["open_to_public"])
                _check_vocab("update_cycle", res["update_cycle"], non_standard=NON_STANDARD_OK["update_cycle"])
                assert isinstance(res["open_conditions"], str) and isinstance(res["description"], str)
                names = [i["name"] for i in res["items"]]
                assert len(set(names)) == len(names), f"repeated item names in {res['code']}"
                for item in res["items"]:
                    assert set(item) == {"name", "data_type", "data_length", "sharing_type"}
                    _check_vocab("data_type", item["data_type"], non_standard=NON_STANDARD_OK["data_type"])
                    _check_vocab("sharing_type", item["sharing_type"], nullable=True)
                    length = item["data_length"]
                    assert length is None or (isinstance(length, int) and length > 0)


# --- the demo county ---------------------------------------------------------------------------

def test_demo_meets_size_minimums(county):
    counts = demo_counts()
    assert counts == {"units": len(county), "systems": len(_systems(county)),
                      "resources": len(_resources(county)), "items": len(_items(county))}
    assert counts["units"] >= 12 and counts["systems"] >= 30
    assert counts["resources"] >= 150 and counts["items"] >= 1500
    for res in _resources(county):
        real = [i for i in res["items"] if i["name"] != "备注"]
        assert 5 <= len(real) <= 25, res["name"]


def test_demo_shape_codes_and_vocabularies(county):
    _check_unit_shape(county)
    assert all(r["code"].startswith(s["code"] + "-r") for s in _systems(county) for r in s["resources"])


def test_demo_is_deterministic_and_a_fresh_copy(county):
    again = demo_county()
    assert again == county
    again[0]["systems"].clear()
    assert demo_county() == county


def test_demo_uses_the_non_standard_open_values(county):
    cycles = {r["update_cycle"] for r in _resources(county)}
    types = {i["data_type"] for i in _items(county)}
    assert "每半年" in cycles and "二进制" in types
    assert {"none", "conditional", "unconditional"} <= {r["sharing_type"] for r in _resources(county)}
    assert {"yes", "no"} <= {r["open_to_public"] for r in _resources(county)}


def test_demo_units_and_hierarchy(county):
    by_code = {u["code"]: u for u in county}
    by_name = {u["name"]: u for u in county}
    for name in ("云阳县公安局", "云阳县民政局", "云阳县人力资源和社会保障局", "云阳县卫生健康委员会",
                 "云阳县教育委员会", "云阳县市场监督管理局", "云阳县住房和城乡建设委员会", "云阳县规划和自然资源局",
                 "云阳县交通运输委员会", "云阳县农业农村委员会", "云阳县医疗保障局", "云阳县大数据发展局",
                 "云阳县财政局"):
        assert name in by_name
    assert any("税务局" in name for name in by_name)
    kinds = {u["kind"] for u in county}
    assert {"department", "school", "hospital", "institution", "soe"} <= kinds
    for unit in county:
        if unit["kind"] == "school":
            assert by_code[unit["parent_code"]]["name"] == "云阳县教育委员会"
        if unit["kind"] == "hospital":
            assert by_code[unit["parent_code"]]["name"] == "云阳县卫生健康委员会"
        if unit["parent_code"]:
            assert by_code[unit["parent_code"]]["kind"] == "department"


def test_demo_system_variety(county):
    systems = _systems(county)
    assert sum(not s["in_directory"] for s in systems) >= 3
    assert sum(s["network"] == "isolated" for s in systems) == 1
    assert sum(s["status"] == "stopped" for s in systems) == 1
    names = {s["name"] for s in systems}
    assert {"云阳县智慧公安综合管理平台", "低保救助管理信息系统", "社会保险经办系统"} <= names


def _lookup(county):
    return {(u["code"], r["name"], i["name"]): i
            for u in county for s in u["systems"] for r in s["resources"] for i in r["items"]}


def test_planted_duplicates_exist_across_units(county):
    found = _lookup(county)
    pairs = planted_duplicates()
    assert len(pairs) >= 30
    assert len(set(pairs)) == len(pairs)
    for left, right in pairs:
        assert left in found, left
        assert right in found, right
        assert left[0] != right[0], "a planted duplicate is across units"
    # The names vary: the detector must do more than compare strings.
    assert sum(left[2] != right[2] for left, right in pairs) >= 15
    # 民政's 低保对象信息 overlaps strongly with 公安's 户籍人口信息.
    overlap = {(a, b) for a, b in pairs if a[:2] == ("yygaj", "户籍人口信息") and b[:2] == ("yymzj", "低保对象信息")}
    assert len(overlap) >= 8


def test_identity_number_collected_under_varied_names(county):
    found = _lookup(county)
    spellings = {("yygaj", "户籍人口信息", "公民身份号码"), ("yymzj", "低保对象信息", "身份证号"),
                 ("yyrsj", "参保人员信息", "身份证号码"), ("yywjw", "居民电子健康档案", "证件号码(身份证)")}
    for key in spellings:
        assert found[key]["data_type"] == "C" and found[key]["data_length"] == 18
    codes = {("yyscjgj", "统一社会信用代码"), ("yyswj", "社会信用代码"), ("yyzjw", "社会统一信用代码")}
    assert codes <= {(k[0], k[2]) for k in found}


def test_hard_negatives_exist_and_are_not_planted(county):
    found = _lookup(county)
    planted = {frozenset(p) for p in planted_duplicates()}
    names = set()
    for left, right in hard_negatives():
        assert left in found and right in found
        assert frozenset((left, right)) not in planted
        names.add(frozenset((left[2], right[2])))
    assert frozenset(("出生日期", "死亡日期")) in names
    assert frozenset(("企业名称", "企业类型")) in names


def test_demo_users(county):
    codes = {u["code"] for u in county}
    by_name = {u["username"]: u for u in DEMO_USERS}
    assert len(by_name) == len(DEMO_USERS)
    for code in codes:
        user = by_name[code]
        assert user["role"] == "department" and user["unit_code"] == code
    for name in ("bureau", "finance", "reviewer", "admin"):
        assert by_name[name]["role"] == name
    assert by_name["bureau"]["unit_code"] == "yydsjj" and by_name["finance"]["unit_code"] == "yyczj"
    for user in DEMO_USERS:
        assert user["password"] == "demo12345" and user["display_name"]
        assert user["unit_code"] is None or user["unit_code"] in codes
        assert user["role"] in vocab.ROLE.codes


# --- the synthetic generator -------------------------------------------------------------------

def _digest(units) -> str:
    digest = hashlib.sha256()
    for unit in units:
        digest.update(json.dumps(unit, ensure_ascii=False, sort_keys=True).encode())
    return digest.hexdigest()


def test_synthetic_yields_requested_counts():
    gen = synthetic.synthetic_county(7, 3, 4, 11, seed=5)
    assert iter(gen) is gen  # a generator: one unit at a time
    units = list(gen)
    assert len(units) == 7
    assert all(len(u["systems"]) == 3 for u in units)
    assert all(len(s["resources"]) == 4 for s in _systems(units))
    assert all(len(r["items"]) == 11 for r in _resources(units))
    assert [u["code"] for u in units] == [f"u{i:04d}" for i in range(7)]
    _check_unit_shape(units)


def test_synthetic_is_deterministic():
    args = (5, 2, 3, 30)
    assert _digest(synthetic.synthetic_county(*args, seed=1)) == _digest(synthetic.synthetic_county(*args, seed=1))
    assert _digest(synthetic.synthetic_county(*args, seed=1)) != _digest(synthetic.synthetic_county(*args, seed=2))
    # unit i depends only on (seed, i): a longer run starts with the shorter one
    longer = list(itertools.islice(synthetic.synthetic_county(9, 2, 3, 30, seed=1), 5))
    assert _digest(longer) == _digest(synthetic.synthetic_county(*args, seed=1))


def test_synthetic_more_items_than_concepts_stay_unique():
    count = synthetic.concept_count() + 50
    (unit,) = synthetic.synthetic_county(1, 1, 1, count)
    names = [i["name"] for i in unit["systems"][0]["resources"][0]["items"]]
    assert len(names) == count == len(set(names))


def test_synthetic_hierarchy_and_names():
    units = list(synthetic.synthetic_county(120, 1, 1, 5))
    codes = {u["code"] for u in units}
    assert len({u["name"] for u in units}) == len(units)
    assert units[0]["name"].startswith("云阳县")
    assert {"school", "hospital", "soe", "institution"} <= {u["kind"] for u in units}
    for unit in units:
        if unit["parent_code"]:
            assert unit["parent_code"] in codes and unit["parent_code"] < unit["code"]


def test_synthetic_names_vary_and_map_to_concepts():
    units = list(synthetic.synthetic_county(20, 3, 5, 40, seed=3))
    names = [i["name"] for i in _items(units)]
    concepts: dict[str, set[str]] = {}
    for name in names:
        key = synthetic.concept_of(name)
        assert key is not None, name
        concepts.setdefault(key, set()).add(name)
    # the same concept appears under several spellings: a detector has real work to do
    assert len(concepts["公民身份号码"]) >= 4
    assert any(":" in key for key in concepts)  # qualified names (申请人姓名 …)
    assert any(re.search(r"[\uff01-\uff5e]", n) for n in names)  # full-width characters
    assert synthetic.concept_of("出生日期") != synthetic.concept_of("死亡日期")
    assert synthetic.concept_of("企业名称") != synthetic.concept_of("企业类型")
    assert synthetic.concept_of("身份证号") == synthetic.concept_of("公民身份号码")
    assert synthetic.concept_count() >= 200
