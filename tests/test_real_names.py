"""Duplicate detection on names written the way a city data warehouse writes them (issue 16's classes
of error on real names): whose name and whose code, licence holders, one person identifier, truncated
and code/name-suffixed names, registration facts, licence scopes, and the explanation of every mapping."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from search.duplicates.elements import ElementMatcher, same_item

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def matcher() -> ElementMatcher:
    return ElementMatcher()


def read(matcher, name, data_type=None, length=None, title=None):
    return matcher.in_context(matcher.match(name, data_type, length), title)


def element(matcher, *args, **kwargs) -> str | None:
    found = read(matcher, *args, **kwargs)
    return matcher.elements[found.element_id].name if found.element_id else None


def same(matcher, a: tuple, b: tuple) -> bool:
    return same_item(read(matcher, *a), read(matcher, *b))


def test_oracle_type_names_give_their_length_so_an_18_long_id_number_is_the_citizen_id(matcher):
    assert element(matcher, "证件号码", "VARCHAR2(18)") == "公民身份号码"
    assert element(matcher, "法定代表人证件号码", "NVARCHAR2(18)") == "公民身份号码"
    assert same(matcher, ("证件号码", "VARCHAR2(18)"), ("公民身份号码", "VARCHAR2(18)"))
    assert element(matcher, "证件号码", "VARCHAR2(50)") == "证件号码"


@pytest.mark.parametrize("name, expected", [
    ("持证主体代码", "统一社会信用代码"), ("持证者主体代码", "统一社会信用代码"),
    ("持证主体名称", "单位名称"), ("持证者主体名称", "单位名称"),
])
def test_licence_holder_codes_and_names_are_the_subjects_credit_code_and_name(matcher, name, expected):
    assert element(matcher, name, "VARCHAR2(200)") == expected


def test_another_organisations_name_is_not_the_subjects_name(matcher):
    for name, title in (("监督机构名称", "公共场所卫生许可信息"), ("运营单位名称", "养老机构信息"),
                        ("公交站名称", "公交站点信息"), ("研究所名称", "科技项目信息"),
                        ("管辖派出所名称", "旅馆业治安管理信息")):
        assert not same(matcher, (name, None, None, title), ("企业名称",)), name
        assert not same(matcher, (name, None, None, title), ("单位名称",)), name


def test_an_organisation_named_by_the_resource_is_the_subjects_own_name(matcher):
    assert same(matcher, ("旅行社名称", None, None, "旅行社经营许可信息"), ("企业名称",))
    assert same(matcher, ("律所名称", None, None, "律师事务所信息"), ("单位名称",))
    assert same(matcher, ("场所名称", None, None, "宗教活动场所信息"), ("单位名称",))
    assert not same(matcher, ("场所名称", None, None, "公众聚集场所投入使用营业前消防安全检查信息"), ("单位名称",))
    why = read(matcher, "旅行社名称", title="旅行社经营许可信息").explanation()
    assert why[-1]["step"] == "记录主体" and "旅行社经营许可信息" in why[-1]["detail"]


def test_the_organisation_a_person_belongs_to_is_the_workplace_not_the_subject(matcher):
    assert element(matcher, "参保所属单位名称") == "工作单位"
    assert same(matcher, ("所属旅行社名称",), ("工作单位",))


def test_organisation_classifications_of_different_registers_are_different_items(matcher):
    kinds = ["企业类型", "组织类型", "机构类别", "单位类型", "机构类型"]
    for i, a in enumerate(kinds):
        for b in kinds[i + 1:]:
            assert not same(matcher, (a,), (b,)), (a, b)
    assert same(matcher, ("企业类型名称",), ("企业类型代码",))
    assert same(matcher, ("登记注册类型",), ("企业类型",))
    assert same(matcher, ("社会组织类型",), ("组织类型",))


@pytest.mark.parametrize("a, b", [
    ("统一社会信用", "统一社会信用代码"),            # truncated by the source
    ("登记状态代码", "登记状态名称"),                # a code and its label
    ("企业状态名称", "登记状态"),
    ("从事行业", "行业类别"), ("行业门类名称", "国民经济行业代码"),
    ("工商营业执照生产范围", "经营范围"),
    ("具体地址(工商注册)", "住所"),
    ("行政相对人代码_1(统一社会信用代码)", "统一社会信用代码"),
    ("营业执照统一社会信用代码", "统一社会信用代码"),
])
def test_truncated_suffixed_and_registration_names_meet_their_element(matcher, a, b):
    assert same(matcher, (a,), (b,))


def test_a_licences_scope_is_not_the_registered_business_scope(matcher):
    assert not same(matcher, ("经营范围", None, None, "道路运输经营许可信息"), ("经营范围", None, None, "企业登记信息"))
    assert not same(matcher, ("业务范围",), ("经营范围",))
    assert not same(matcher, ("许可经营范围",), ("经营范围",))
    assert same(matcher, ("经营范围", None, None, "企业登记信息"), ("经营范围", None, None, "纳税人登记信息"))


def test_every_mapping_explains_each_step_with_its_score(matcher):
    found = matcher.match("法定代表人证件号码", "VARCHAR2(18)")
    steps = found.explanation()
    assert [s["step"] for s in steps] == ["去掉角色或主体前缀后为同义名称", "类型长度作证", "角色"]
    assert [s["score"] for s in steps] == [0.97, 0.9, 0.9]
    assert "法定代表人证件号码" in steps[0]["detail"] and "公民身份号码" in steps[1]["detail"] and "18" in steps[1]["detail"]
    assert matcher.match("身份證號碼（必填）").explanation()[0]["step"] == "规范化"
    unmapped = matcher.match("监督机构名称").explanation()
    assert "另一个组织" in unmapped[-1]["detail"]


def test_the_warehouse_style_held_out_parts_meet_the_goal():
    spec = importlib.util.spec_from_file_location("dedup_real", ROOT / "bench" / "dedup_real.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    matcher = ElementMatcher()
    for split in ("test", "test2"):
        scores = bench.pair_scores(bench.load_items(split), matcher, 0.6)
        assert scores["precision"] >= 0.95 and scores["recall"] >= 0.90, (split, scores["precision"], scores["recall"])


@pytest.mark.parametrize("name", ["记录ID", "删除标志", "是否删除", "同步时间", "版本号", "时间戳", "数据状态"])
def test_housekeeping_columns_of_a_warehouse_duplicate_nothing(matcher, name):
    found = matcher.match(name, "VARCHAR2(50)")
    assert found.key is None and found.method == "generic"
    assert not same(matcher, (name, "VARCHAR2(50)"), (name, "VARCHAR2(50)"))


def test_another_organisations_code_is_not_the_subjects_unless_the_resource_is_about_it(matcher):
    assert not same(matcher, ("监管单位统一社会信用代码", None, None, "公交站点信息"), ("统一社会信用代码",))
    assert not same(matcher, ("运营单位统一社会信用代码", None, None, "养老机构信息"), ("统一社会信用代码",))
    assert same(matcher, ("使用单位统一社会信用代码", None, None, "特种设备使用登记信息"), ("统一社会信用代码",))
    why = read(matcher, "监管单位统一社会信用代码", title="公交站点信息").explanation()
    assert "另一个组织" in why[-1]["detail"]
