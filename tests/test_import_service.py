"""The import applies a workbook in one transaction: idempotent, reporting, authorised, audited."""
import pytest

from importers.actions import LocalFile
from importers.problems import ImportFailed
from registry.core.errors import NotAuthorized
from tests.import_workbooks import (CIVIL, DIBAO, EXPECTED, HUJI, JIUZHU, POLICE, catalog_records, counts, form_rows,
                                    write_xlsx)

SYSTEM_LINE = ["系统名称：低保管理信息系统"]


@pytest.fixture
def units(make):
    return {"civil": make.unit(code="yymzj", name=CIVIL), "police": make.unit(code="yygaj", name=POLICE)}


def catalog_file(tmp_path, name="dibao.xlsx", resources=(DIBAO, JIUZHU), **kw):
    rows, merges = form_rows(resources=resources, lead=[SYSTEM_LINE], **kw)
    return write_xlsx(tmp_path / name, {"Sheet1": (rows, merges)})


def run_import(make, path, actor=None, **options):
    return make.act("catalog_import", {"upload": LocalFile(path), **options}, actor)


def test_first_import_creates_the_system_resources_and_items(make, reg, units, tmp_path):
    report = run_import(make, catalog_file(tmp_path, shape="merged"))
    assert (report["systems_created"], report["resources_created"], report["items_created"]) == (1, 2, 5)
    assert report["units"] == [{"name": CIVIL, "code": "yymzj", "systems": 1, "resources": 2, "items": 5}]
    records = {r[2]: r for r in catalog_records(reg)}
    for title, (values, items) in EXPECTED.items():
        record = records[title]
        assert record[:2] == (CIVIL, "低保管理信息系统")
        assert record[3:10] == tuple(values[k] for k in ("format_class", "format_type", "sharing_type",
                                                         "sharing_method", "open_to_public", "open_conditions",
                                                         "update_cycle"))
        assert record[10] == tuple((*item, n) for n, item in enumerate(items))


def test_every_created_resource_has_one_audit_row_with_its_items(make, reg, units, tmp_path):
    run_import(make, catalog_file(tmp_path))
    rows = make.act("audit_log_list", {"entity_type": "resource"})
    assert sorted(r["summary"] for r in rows) == ["低保对象信息", "救助资金发放信息"]
    dibao = next(r for r in rows if r["summary"] == "低保对象信息")
    assert dibao["action"] == "catalog_import" and dibao["before"] is None
    assert [i["name"] for i in dibao["after"]["items"]] == ["姓名", "公民身份号码", "宗教信仰"]
    assert dibao["after"]["items"][2]["sharing_type"] == "none" and "id" in dibao["after"]["items"][0]


def test_reimporting_the_same_file_changes_nothing(make, reg, units, tmp_path):
    path = catalog_file(tmp_path)
    run_import(make, path)
    before, records = counts(reg), catalog_records(reg)
    report = run_import(make, path)
    assert (report["resources_unchanged"], report["items_unchanged"]) == (2, 5)
    assert report["resources_created"] == report["resources_updated"] == report["items_created"] == 0
    assert report["items_updated"] == report["resources_would_delete"] == report["items_would_delete"] == 0
    assert counts(reg) == before and catalog_records(reg) == records


def test_a_changed_file_updates_reports_would_delete_and_replace_deletes(make, reg, units, tmp_path):
    run_import(make, catalog_file(tmp_path, resources=(DIBAO, JIUZHU, HUJI)))
    dibao = ("低保对象信息", "数据库类", "oracle", "有条件共享", "接口", "否", None, "每月",
             (("姓名", "字符型C", 60, None), ("宗教信仰", "字符型C", 2, "不予共享"), ("家庭人口数", "整型I", 2, None)))
    changed = catalog_file(tmp_path, "changed.xlsx", resources=(dibao, JIUZHU))
    report = run_import(make, changed)
    assert (report["resources_updated"], report["resources_unchanged"]) == (1, 1)
    assert (report["items_created"], report["items_updated"], report["items_unchanged"]) == (1, 2, 2)
    assert report["would_delete_resources"] == [{"unit": CIVIL, "system": "低保管理信息系统", "title": "户籍人口信息"}]
    assert report["would_delete_items"] == [{"unit": CIVIL, "system": "低保管理信息系统", "resource": "低保对象信息",
                                             "item": "公民身份号码"}]
    assert (report["resources_would_delete"], report["items_would_delete"]) == (1, 3)   # with 户籍人口信息's two
    assert len(catalog_records(reg)) == 3   # nothing deleted without replace
    record = next(r for r in catalog_records(reg) if r[2] == "低保对象信息")
    assert record[6] == "api" and ("姓名", "C", 60, None, 0) in record[10] and len(record[10]) == 4
    report = run_import(make, changed, replace=True)
    assert (report["resources_deleted"], report["items_deleted"]) == (1, 3)
    records = catalog_records(reg)
    assert [r[2] for r in records] == ["低保对象信息", "救助资金发放信息"]
    assert [i[0] for i in records[0][10]] == ["姓名", "宗教信仰", "家庭人口数"]
    audit = make.act("audit_log_list", {"entity_type": "resource"})
    deleted = next(r for r in audit if r["after"] is None)
    assert deleted["summary"] == "户籍人口信息" and len(deleted["before"]["items"]) == 2
    updated = [r for r in audit if r["before"] and r["after"] and r["summary"] == "低保对象信息"]
    assert updated[-1]["before"]["sharing_method"] == "platform" and updated[-1]["after"]["sharing_method"] == "api"
    assert run_import(make, changed)["resources_unchanged"] == 2


def test_dry_run_reports_exactly_and_writes_nothing(make, reg, units, tmp_path):
    before = counts(reg)
    report = run_import(make, catalog_file(tmp_path), dry_run=True)
    assert report["dry_run"] is True and (report["systems_created"], report["items_created"]) == (1, 5)
    assert counts(reg) == before


def test_a_problem_anywhere_means_nothing_is_written(make, reg, units, tmp_path):
    good, _ = form_rows(resources=(DIBAO,), lead=[SYSTEM_LINE])
    bad_res = ("坏资源", "数据库类", "oracle", "随便共享", "接口", "否", None, "每月", (("姓名", "C", 5, None),))
    bad, _ = form_rows(resources=(bad_res,), lead=[SYSTEM_LINE])
    path = write_xlsx(tmp_path / "mixed.xlsx", {"好": (good, []), "坏": (bad, [])})
    before = counts(reg)
    with pytest.raises(ImportFailed) as caught:
        run_import(make, path)
    assert [(p.sheet, p.row, p.column) for p in caught.value.problems] == [("坏", 4, "H")]
    assert counts(reg) == before


def test_unknown_unit_is_a_problem_and_no_unit_is_created(make, reg, units, tmp_path):
    before = counts(reg)
    with pytest.raises(ImportFailed) as caught:
        run_import(make, catalog_file(tmp_path, unit="云阳县不存在局"))
    (problem,) = caught.value.problems
    assert (problem.row, problem.column, problem.value) == (4, "A", "云阳县不存在局")
    assert "不存在" in problem.reason and "不会新建单位" in problem.reason
    assert counts(reg) == before


def test_department_user_is_refused_for_another_unit(make, reg, units, tmp_path):
    police_user = make.user("department", units["police"])
    before = counts(reg)
    with pytest.raises(NotAuthorized) as caught:
        run_import(make, catalog_file(tmp_path), actor=police_user["id"])
    assert "本单位" in caught.value.message
    with pytest.raises(NotAuthorized):
        run_import(make, catalog_file(tmp_path, unit=None), actor=police_user["id"], unit="yymzj")
    assert counts(reg) == before


def test_department_user_imports_a_file_without_unit_column_into_its_own_unit(make, reg, units, tmp_path):
    civil_user = make.user("department", units["civil"])
    report = run_import(make, catalog_file(tmp_path, unit=None), actor=civil_user["id"])
    assert report["units"][0]["code"] == "yymzj" and report["items_created"] == 5
    bureau = make.user("bureau")
    with pytest.raises(NotAuthorized):
        run_import(make, catalog_file(tmp_path, unit=None), actor=bureau["id"], unit="yymzj")


def test_a_chosen_unit_that_differs_from_the_file_is_a_problem(make, reg, units, tmp_path):
    with pytest.raises(ImportFailed) as caught:
        run_import(make, catalog_file(tmp_path), unit="yygaj")
    assert "与所选单位“云阳县公安局”不一致" in caught.value.problems[0].reason


def test_fields_the_form_does_not_carry_are_kept_on_update(make, reg, units, tmp_path):
    run_import(make, catalog_file(tmp_path, resources=(DIBAO,)))
    package = make.act("package_search", {"q": "低保对象信息"})["results"][0]
    make.act("package_patch", {"id": package["id"], "description": "摘要", "resource_code": "MZ-001"})
    dibao = DIBAO[:4] + ("接口",) + DIBAO[5:]
    run_import(make, catalog_file(tmp_path, "v2.xlsx", resources=(dibao,)))
    after = make.act("package_show", {"id": package["id"]})
    assert (after["notes"], after["resource_code"], after["sharing_method"]) == ("摘要", "MZ-001", "api")


def test_touched_resources_are_handed_to_search(make, reg, units, tmp_path):
    from registry.core.actions import call_action
    from registry.cli import CliActor
    path = catalog_file(tmp_path)
    with reg.db.sessions() as session:   # never committed
        ctx = reg.context(session, CliActor())
        call_action("catalog_import", ctx, {"upload": LocalFile(path)})
        assert len(ctx.changed_resources) == 2
    run_import(make, path)
    found = make.act("package_search", {"q": "发放金额"})
    assert [r["title"] for r in found["results"]] == ["救助资金发放信息"]
