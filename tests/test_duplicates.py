"""Duplicate-collection findings (Art. 28): detection, roles, review that survives rescans."""
import json

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from registry.core.errors import NotAuthorized, ValidationFailed


@pytest.fixture
def two_units(make):
    police = make.unit(code="gaj", name="云阳县公安局")
    civil = make.unit(code="mzj", name="云阳县民政局")
    hukou = make.system(police, name="户政管理信息系统")
    dibao = make.system(civil, name="低保救助管理信息系统")
    return police, civil, hukou, dibao


def items(*specs):
    return [{"name": n, "data_type": t, "data_length": l} for n, t, l in specs]


def findings(make, **filters):
    return make.act("duplicate_list", {"rows": 1000, **filters})["results"]


def test_same_element_under_different_names_in_two_units_is_found(make, two_units):
    police, civil, hukou, dibao = two_units
    make.act("package_create", {"system": hukou["id"], "title": "户籍人口信息", "sharing_type": "有条件共享",
                                "sharing_method": "共享交换平台",
                                "items": items(("公民身份号码", "C", 18), ("出生日期", "D", 8))})
    make.act("package_create", {"system": dibao["id"], "title": "低保对象信息", "sharing_type": "不予共享",
                                "items": items(("身份证号", "C", 18), ("出生年月", "D", 8), ("死亡日期", "D", 8))})
    found = {(f["element_name"], f["system_name"], f["role"]) for f in findings(make, kind="item")}
    assert ("公民身份号码", "低保救助管理信息系统", "recollector") in found
    assert ("出生日期", "低保救助管理信息系统", "recollector") in found
    assert not any(s == "户政管理信息系统" for _, s, _ in found), "the sharing authority is the provider"
    assert not any(e == "死亡日期" for e, _, _ in found), "出生日期 and 死亡日期 are different elements"
    finding = next(f for f in findings(make, kind="item") if f["element_name"] == "公民身份号码")
    assert finding["provider_system_name"] == "户政管理信息系统"
    assert finding["evidence"]["items"][0]["item"] == "身份证号"
    assert finding["evidence"]["others"][0]["item"] == "公民身份号码"


def test_items_of_one_unit_are_never_a_finding(make):
    unit = make.unit()
    make.package(make.system(unit), items=("公民身份号码",))
    make.package(make.system(unit), items=("身份证号",))
    assert findings(make) == []


def test_when_nobody_shares_both_collectors_are_flagged_undecided(make):
    for n in range(2):
        unit = make.unit(name=f"云阳县某局{n}", code=f"mj{n}")
        make.act("package_create", {"system": make.system(unit)["id"], "title": "职工信息", "sharing_type": "不予共享",
                                    "items": items(("手机号码", "C", 11))})
    rows = findings(make, kind="item")
    assert len(rows) == 2 and {f["role"] for f in rows} == {"undecided"}


def test_own_business_records_of_two_agencies_are_not_duplicates(make):
    for n in range(2):
        unit = make.unit()
        make.act("package_create", {"system": make.system(unit)["id"], "title": "行政处罚信息", "sharing_type": "不予共享",
                                    "items": items(("处罚依据", "C", 500), ("案件编号", "C", 50))})
    assert findings(make) == []


def test_dismissal_survives_a_rescan_and_confirmation_names_the_provider(make, two_units, reg):
    police, civil, hukou, dibao = two_units
    make.act("package_create", {"system": hukou["id"], "title": "户籍人口信息", "sharing_type": "有条件共享",
                                "sharing_method": "接口", "items": items(("公民身份号码", "C", 18), ("姓名", "C", 50))})
    pkg = make.act("package_create", {"system": dibao["id"], "title": "低保对象信息", "sharing_type": "不予共享",
                                      "items": items(("身份证号码", "C", 18), ("姓名", "C", 50))})
    by_element = {f["element_name"]: f for f in findings(make, kind="item")}
    bureau = make.user("bureau")
    make.act("duplicate_review", {"id": by_element["姓名"]["id"], "decision": "dismiss", "reason": "口径不同"},
             bureau["id"])
    confirmed = make.act("duplicate_review", {"id": by_element["公民身份号码"]["id"], "decision": "confirm"},
                         bureau["id"])
    assert confirmed["state"] == "confirmed" and confirmed["must_reuse_from_system_name"] == "户政管理信息系统"
    make.act("duplicate_scan", {})
    make.act("package_patch", {"id": pkg["id"], "description": "改动触发增量扫描"})
    after = {f["element_name"]: f for f in findings(make, kind="item")}
    assert after["姓名"]["state"] == "dismissed" and after["姓名"]["reason"] == "口径不同"
    assert after["公民身份号码"]["state"] == "confirmed"
    audit = reg.run_action("audit_log_list", bureau["id"], {"entity_type": "duplicate_finding"})
    assert {r["action"] for r in audit} == {"duplicate_review"} and len(audit) == 2


def test_removing_the_item_makes_the_finding_inactive_but_keeps_its_history(make, two_units):
    police, civil, hukou, dibao = two_units
    make.package(hukou, items=("公民身份号码",), sharing_type="unconditional")
    pkg = make.act("package_create", {"system": dibao["id"], "title": "低保对象信息", "sharing_type": "不予共享",
                                      "items": items(("身份证号", "C", 18), ("保障金额", "Y", 12))})
    assert len(findings(make, kind="item")) == 1
    make.act("item_delete", {"id": pkg["items"][0]["id"]})
    assert findings(make, kind="item") == []
    history = findings(make, kind="item", include_inactive=True)
    assert len(history) == 1 and history[0]["active"] is False


def test_only_the_bureau_reviews_findings(make, two_units):
    police, civil, hukou, dibao = two_units
    make.package(hukou, items=("公民身份号码",))
    make.package(dibao, items=("身份证号",))
    finding = findings(make)[0]
    for role, unit in (("department", civil), ("finance", None), ("reviewer", None)):
        user = make.user(role, unit)
        with pytest.raises(NotAuthorized):
            make.act("duplicate_review", {"id": finding["id"], "decision": "dismiss", "reason": "x"}, user["id"])


def test_dismissing_needs_a_reason_and_confirming_needs_a_provider_of_another_unit(make, two_units):
    police, civil, hukou, dibao = two_units
    make.act("package_create", {"system": hukou["id"], "title": "甲", "sharing_type": "不予共享",
                                "items": items(("手机号码", "C", 11))})
    make.act("package_create", {"system": dibao["id"], "title": "乙", "sharing_type": "不予共享",
                                "items": items(("联系电话", "C", 11))})
    finding = next(f for f in findings(make) if f["system_id"] == dibao["id"])
    with pytest.raises(ValidationFailed) as no_reason:
        make.act("duplicate_review", {"id": finding["id"], "decision": "dismiss"})
    assert "理由" in no_reason.value.errors["reason"][0]
    with pytest.raises(ValidationFailed) as no_provider:
        make.act("duplicate_review", {"id": finding["id"], "decision": "confirm"})
    assert "提供方" in no_provider.value.errors["must_reuse_from"][0]
    with pytest.raises(ValidationFailed):
        make.act("duplicate_review", {"id": finding["id"], "decision": "confirm", "must_reuse_from": dibao["id"]})
    done = make.act("duplicate_review", {"id": finding["id"], "decision": "confirm", "must_reuse_from": hukou["code"]})
    assert done["must_reuse_from_system_id"] == hukou["id"]


def test_registration_time_lookup_names_the_unit_that_already_provides(make, two_units):
    police, civil, hukou, dibao = two_units
    make.act("package_create", {"system": hukou["id"], "title": "户籍人口信息", "sharing_type": "有条件共享",
                                "sharing_method": "共享交换平台", "items": items(("公民身份号码", "C", 18))})
    found = make.act("item_provider_lookup", {"name": "身份证号码", "data_type": "字符型C", "data_length": 18,
                                              "unit": civil["code"]})
    assert found["data_element_name"] == "公民身份号码"
    assert found["providers"][0]["unit"] == "云阳县公安局"
    assert found["providers"][0]["sharing_method_label"] == "共享交换平台"
    own = make.act("item_provider_lookup", {"name": "公民身份号码", "unit": police["code"]})
    assert own["providers"] == []


def test_the_lookup_lists_one_entry_per_providing_system_in_pinyin_order_and_counts_them_all(make):
    shared = {"sharing_type": "有条件共享", "sharing_method": "共享交换平台"}
    bai, an, cai = (make.system(make.unit(code=c, name=n)) for c, n in
                    (("bai", "云阳县白鹤街道办事处"), ("an", "云阳县安监局"), ("cai", "云阳县财政局")))
    for title in ("乙类名册", "甲类名册"):                      # two items in one system: one entry
        make.act("package_create", {"system": an["id"], "title": title, **shared, "items": items(("姓名", "C", 50))})
    make.act("package_create", {"system": bai["id"], "title": "居民名册", **shared, "items": items(("姓名", "C", 50))})
    make.act("package_create", {"system": cai["id"], "title": "内部名册", "sharing_type": "不予共享",
                                "items": items(("姓名", "C", 50))})       # holds it, provides nothing
    found = make.act("item_provider_lookup", {"name": "姓名"})
    assert found["provider_count"] == 2
    assert [(p["unit"], p["resource"]) for p in found["providers"]] == [("云阳县安监局", "甲类名册"),
                                                                         ("云阳县白鹤街道办事处", "居民名册")]
    first = make.act("item_provider_lookup", {"name": "姓名", "providers_rows": 1})
    assert first["provider_count"] == 2 and [p["unit"] for p in first["providers"]] == ["云阳县安监局"]


def test_overlap_matrix_counts_shared_elements_per_unit_pair(make, two_units):
    police, civil, hukou, dibao = two_units
    make.package(hukou, items=("公民身份号码", "姓名", "户籍地址"))
    make.package(dibao, items=("身份证号", "姓名", "保障金额"))
    result = make.act("overlap_matrix", {})
    codes = [u["code"] for u in result["units"]]
    i, j = codes.index("gaj"), codes.index("mzj")
    assert result["matrix"][i][j] == result["matrix"][j][i] == 2


def test_item_search_finds_substring_and_element_synonyms(make, two_units):
    police, civil, hukou, dibao = two_units
    make.package(hukou, items=("公民身份号码", "公民身份证号码"))
    result = make.act("item_search", {"q": "身份证"})
    assert {r["name"] for r in result["results"]} == {"公民身份号码", "公民身份证号码"}


def test_duplicates_cli_exports_json_and_xlsx(make, two_units, app, tmp_path, monkeypatch):
    from registry.cli import main
    police, civil, hukou, dibao = two_units
    make.package(hukou, items=("公民身份号码",))
    make.package(dibao, items=("身份证号",))
    reg = app.extensions["registry"]
    monkeypatch.setattr("registry.cli.make_registry", lambda: reg)
    runner = CliRunner()
    out = runner.invoke(main, ["duplicates", "--format", "json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert {r["unit"] for f in data for r in f["rows"]} == {"云阳县公安局", "云阳县民政局"}
    target = tmp_path / "dups.xlsx"
    out = runner.invoke(main, ["duplicates", "--format", "xlsx", "--out", str(target)])
    assert out.exit_code == 0, out.output
    sheet = load_workbook(target).active
    assert sheet["D1"].value == "数据元" and {sheet.cell(r, 9).value for r in range(2, sheet.max_row + 1)} >= {"身份证号"}
    out = runner.invoke(main, ["scan"])
    assert out.exit_code == 0 and "扫描完成" in out.output


def test_demo_county_planted_duplicates_are_found(demo_loaded):
    reg = demo_loaded
    from registry.demo_data import planted_duplicates
    rows = reg.run_action("duplicate_list", reg_actor(), {"rows": 5000, "kind": "item"})["results"]
    flagged, key_of = set(), {}
    for f in rows:
        for holder in f["evidence"]["items"]:
            flagged.add((holder["unit"], holder["resource"], holder["item"]))
            key_of[(holder["unit"], holder["resource"], holder["item"])] = f["key"]
        for holder in f["evidence"]["others"]:
            key_of.setdefault((holder["unit"], holder["resource"], holder["item"]), f["key"])
    names = _unit_names(reg)
    missing = []
    for a, b in planted_duplicates():
        a, b = (names[a[0]], a[1], a[2]), (names[b[0]], b[1], b[2])
        same_key = a in key_of and key_of.get(a) == key_of.get(b)
        if not (same_key and (a in flagged or b in flagged)):
            missing.append((a, b))
    assert missing == [], missing
    resource_pairs = {(f["evidence"]["resource"], f["evidence"]["other_resource"])
                      for f in reg.run_action("duplicate_list", reg_actor(), {"rows": 5000, "kind": "resource"})["results"]}
    assert ("低保对象信息", "户籍人口信息") in resource_pairs or ("户籍人口信息", "低保对象信息") in resource_pairs


def reg_actor():
    from registry.cli import CliActor
    return CliActor()


def _unit_names(reg):
    from sqlalchemy import select

    from registry.catalog.models import Unit
    with reg.db.sessions() as session:
        return dict(session.execute(select(Unit.code, Unit.name)).all())


def test_renaming_a_unit_or_system_updates_search(make):
    unit = make.unit(name="云阳县旧名局")
    system = make.system(unit, name="旧名系统")
    make.package(system, items=("姓名",))
    assert make.act("package_search", {"q": "旧名局"})["count"] == 1
    make.act("unit_patch", {"id": unit["id"], "name": "云阳县新名局"})
    make.act("system_patch", {"id": system["id"], "name": "新名系统"})
    assert make.act("package_search", {"q": "旧名"})["count"] == 0
    assert make.act("package_search", {"q": "新名局 新名系统"})["count"] == 1
