"""Item-name → data-element matching: the behaviour duplicate-collection detection relies on."""
from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import pytest

from catalog_schema.data_elements import SUBJECTS, load_elements
from catalog_schema.vocabularies import DATA_TYPE
from search.duplicates.elements import AUTO_ACCEPT, ElementMatcher, same_item
from search.duplicates.normalize import index_key

ROOT = Path(__file__).resolve().parents[1]
PAIRS = ROOT / "tests" / "data" / "dedup_eval" / "pairs.csv"


@pytest.fixture(scope="module")
def matcher() -> ElementMatcher:
    return ElementMatcher()


def same(matcher: ElementMatcher, a, b) -> bool:
    a = a if isinstance(a, tuple) else (a,)
    b = b if isinstance(b, tuple) else (b,)
    return same_item(matcher.match(*a), matcher.match(*b))


def element_name(matcher: ElementMatcher, *item) -> str | None:
    found = matcher.match(*item)
    return matcher.elements[found.element_id].name if found.element_id else None


@pytest.mark.parametrize("name", ["身份证号", "公民身份号码", "身份证号码", "证件号码(身份证)", "居民身份证号码",
                                  "身份证件号码", "身份证"])
def test_id_number_synonyms_map_to_the_citizen_id_element(matcher, name):
    assert element_name(matcher, name) == "公民身份号码"
    assert same(matcher, name, "公民身份号码")


def test_birth_date_and_birth_month_are_the_same_item(matcher):
    assert same(matcher, ("出生日期", "D", 8), ("出生年月", "C", 6))
    assert same(matcher, "出生日期", "出生年月日")


@pytest.mark.parametrize("name", ["社会信用代码", "信用代码", "统一信用代码"])
def test_credit_code_abbreviations_are_the_unified_social_credit_code(matcher, name):
    assert same(matcher, name, "统一社会信用代码")


@pytest.mark.parametrize("variant, plain", [
    ("身份證號碼", "身份证号码"),                 # traditional
    ("公民身份号码（必填）", "公民身份号码"),       # full-width bracket, noise in it
    ("公 民 身 份 号 码", "公民身份号码"),          # spaces
    ("姓　名", "姓名"),                           # full-width space
    ("ＸＭ", "姓名"),                             # full-width letters of the pinyin code
    ("出生日期（yyyymmdd）", "出生日期"),          # format hint in brackets
    ("聯繫電話", "联系电话"),
])
def test_width_script_bracket_and_space_variants_match(matcher, variant, plain):
    assert same(matcher, variant, plain)


def test_an_18_long_character_field_named_certificate_number_is_an_id_number(matcher):
    assert element_name(matcher, "证件号码", "C", 18) == "公民身份号码"
    assert element_name(matcher, "证件号码", "varchar(18)") == "公民身份号码"
    assert same(matcher, ("证件号码", "C", 18), "身份证号")


def test_a_date_field_named_certificate_number_is_not_an_id_number(matcher):
    found = matcher.match("证件号码", "D", 8)
    assert found.element_id is None and found.method == "type_conflict"
    assert not same(matcher, ("证件号码", "D", 8), "身份证号")


def test_a_long_certificate_number_stays_a_generic_certificate_number(matcher):
    assert element_name(matcher, "证件号码", "C", 50) == "证件号码"
    assert not same(matcher, ("证件号码", "C", 50), "身份证号")


def test_a_validity_period_stored_as_a_date_is_its_end(matcher):
    assert element_name(matcher, "证书有效期", "D", 8) == "有效期截止日期"
    assert element_name(matcher, "有效期限（起）", "D", 8) == "有效期起始日期"


HARD_NEGATIVES = [
    ("出生日期", "死亡日期"), ("出生时间", "死亡时间"), ("企业名称", "企业类型"), ("企业名称", "企业类型代码"),
    ("身份证号", "手机号码"), ("统一社会信用代码", "组织机构代码"), ("开始日期", "结束日期"),
    ("开始时间", "截止时间"), ("入院日期", "出院日期"), ("个人缴费金额", "单位缴费金额"),
    ("发票代码", "发票号码"), ("学号", "学籍号"), ("结婚登记日期", "离婚登记日期"), ("营业期限自", "营业期限至"),
    ("存栏量", "出栏量"), ("开工日期", "竣工日期"), ("户籍地址", "现住址"), ("建筑面积", "套内建筑面积"),
    ("税款所属期起", "税款所属期止"), ("号牌号码", "号牌种类"), ("车辆识别代号", "发动机号"),
    ("发证日期", "有效期截止日期"), ("不动产权证号", "不动产单元号"), ("法定代表人联系电话", "经办人联系电话"),
    ("姓名", "户主姓名"), ("申请日期", "受理日期"), ("累积记分", "违法记分"), ("迁入日期", "迁出日期"),
    ("有效期限（起）", "有效期限（止）"), ("住所", "经营场所"), ("统一社会信用代码", "纳税人识别号"),
]


@pytest.mark.parametrize("a, b", HARD_NEGATIVES)
def test_hard_negatives_stay_apart(matcher, a, b):
    assert not same(matcher, a, b)
    assert not same(matcher, b, a)


def test_a_role_qualified_item_keeps_its_element_and_carries_the_role(matcher):
    found = matcher.match("法定代表人联系电话")
    assert element_name(matcher, "法定代表人联系电话") == element_name(matcher, "联系电话")
    assert found.qualifier == "法定代表人"


def test_the_same_role_in_other_words_is_the_same_item(matcher):
    assert same(matcher, "法定代表人联系电话", "法人代表电话")
    assert same(matcher, "法定代表人身份证号", "法人证件号码(身份证)")
    assert same(matcher, "法定代表人", "法定代表人姓名")      # a bare role means that party's name


def test_a_different_role_or_no_role_is_a_different_item(matcher):
    assert not same(matcher, "法定代表人联系电话", "经办人联系电话")
    assert not same(matcher, "法定代表人联系电话", "联系电话")
    assert not same(matcher, "监护人姓名", "姓名")


def test_the_records_own_subject_designator_is_not_a_role(matcher):
    assert same(matcher, "患者姓名", "姓名")
    assert same(matcher, "学生身份证号", "公民身份号码")
    assert same(matcher, "企业联系电话", "联系电话")
    assert same(matcher, "企业住所", "住所")


def test_a_designator_is_not_peeled_onto_an_element_of_another_subject(matcher):
    assert element_name(matcher, "单位缴费金额") == "单位缴费金额"
    assert not same(matcher, "单位缴纳金额", "缴费金额")


@pytest.mark.parametrize("name", ["防护等级", "设备使用地点", "服务时长（小时）", "准迁证编号"])
def test_names_outside_the_dictionary_return_no_element(matcher, name):
    found = matcher.match(name)
    assert found.element_id is None and found.method == "unmapped"


def test_identical_names_outside_the_dictionary_still_pair_up(matcher):
    assert same(matcher, "防护等级", "防护 等级")


@pytest.mark.parametrize("name", ["备注", "名称", "状态", "个人编号"])
def test_generic_names_never_make_a_duplicate(matcher, name):
    assert matcher.match(name).key is None
    assert not same(matcher, name, name)


def test_repeated_names_are_answered_from_the_memo(matcher):
    assert matcher.match("联系电话", "C", 20) is matcher.match("联系电话", "C", 20)


def test_dictionary_has_300_elements_with_unique_ids_and_unambiguous_synonyms():
    elements = load_elements()
    assert len(elements) >= 300
    assert len({e.id for e in elements}) == len(elements)
    owner: dict[str, str] = {}
    for element in elements:
        for spelling in element.spellings:
            assert owner.setdefault(index_key(spelling), element.id) == element.id, spelling
    ElementMatcher(elements)  # the index refuses a synonym claimed twice


def test_dictionary_types_subjects_and_lengths_are_well_formed():
    for element in load_elements():
        assert element.data_type in DATA_TYPE.codes, element.id
        assert element.subject in SUBJECTS, element.id
        assert not element.fixed_length or element.length, element.id


def test_every_element_matches_its_own_preferred_name(matcher):
    for element in load_elements():
        assert matcher.match(element.name).element_id == element.id, element.name


def _eval_rows() -> list[dict]:
    with PAIRS.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_eval_set_is_labelled_and_split_by_unit():
    rows = _eval_rows()
    assert len(rows) >= 1000
    assert {r["label"] for r in rows} == {"0", "1"}
    units = {split: {u for r in rows if r["split"] == split for u in (r["unit_a"], r["unit_b"])}
             for split in ("dev", "test")}
    assert units["dev"] and units["test"] and not units["dev"] & units["test"]
    kinds = {r["kind"] for r in rows}
    assert {"synonym", "exact", "hard_negative", "random_negative"} <= kinds


def test_eval_test_split_reaches_the_quality_targets():
    spec = importlib.util.spec_from_file_location("dedup_quality", ROOT / "bench" / "dedup_quality.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    results = bench.evaluate(_eval_rows())
    test = results["test"]
    assert test["matcher"]["precision"] >= 0.95
    assert test["matcher"]["recall"] >= 0.90
    assert test["recall_gain"] >= 0.30
    assert AUTO_ACCEPT == bench.AUTO_ACCEPT
