"""The finish of issue 19: budget lists in .xls and WPS .et, funding-report storing runs only when
asked, the favicon, an invalid /due date, the edit form's labels, the item grid's delete button,
the 明细 numbering, the reviewer's dashboard title, people's names instead of login names."""
from __future__ import annotations

import re

import pytest
import xlwt
from click.testing import CliRunner
from openpyxl import load_workbook
from sqlalchemy import func, select

from registry.funding.models import BudgetRun
from registry.funding.storage import LocalUpload
from registry.core.people import display_names
from tests.test_funding_budget import LINES
from tests.test_web_lists import login


def xls_budget(path, lines=LINES[:3]):
    book = xlwt.Workbook()
    sheet = book.add_sheet("运维经费")
    for c, text in enumerate(("序号", "申报单位", "系统名称", "申请金额（元）")):
        sheet.write(0, c, text)
    for r, (unit, system, amount, _) in enumerate(lines, start=1):
        for c, value in enumerate((r, unit, system, amount)):
            sheet.write(r, c, value)
    book.save(str(path))
    return path


@pytest.mark.parametrize("suffix", [".xls", ".et"])
def test_budget_list_in_xls_or_wps_et_is_read(make, tmp_path, suffix):
    path = xls_budget(tmp_path / f"预算{suffix}")  # an .et is an OLE2 file holding a BIFF workbook, as .xls
    run = make.act("budget_upload", {"year": 2027, "upload": LocalUpload(path, path.name)})
    assert run["line_count"] == 3


def test_a_file_that_is_no_workbook_is_refused_in_chinese(make, tmp_path):
    path = tmp_path / "预算.et"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    from registry.core.errors import RegistryError
    with pytest.raises(RegistryError) as caught:
        make.act("budget_upload", {"year": 2027, "upload": LocalUpload(path, path.name)})
    assert "WPS 表格（.et）" in caught.value.message and "另存为 .xlsx" in caught.value.message


def test_funding_report_stores_a_run_only_with_budget_and_says_so(app, reg, make, tmp_path, monkeypatch):
    from registry.cli import main
    monkeypatch.setattr("registry.cli.make_registry", lambda: reg)
    path = xls_budget(tmp_path / "预算.xls")
    runner = CliRunner()
    out = runner.invoke(main, ["funding-report", "--year", "2027", "--budget", str(path), "--out",
                               str(tmp_path / "r1.xlsx")])
    assert out.exit_code == 0, out.output
    run_id = int(re.search(r"编号 (\d+)", out.output).group(1))
    assert "已保存为新的预算申报清单" in out.output and f"--run {run_id}" in out.output
    out = runner.invoke(main, ["funding-report", "--year", "2027", "--run", str(run_id), "--out",
                               str(tmp_path / "r2.xlsx")])
    assert out.exit_code == 0 and "未新存清单" in out.output, out.output
    with reg.db.unit_of_work() as session:
        assert session.scalar(select(func.count()).select_from(BudgetRun)) == 1


def test_every_page_has_a_favicon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert 'rel="icon"' in client.get("/units").get_data(as_text=True)


def test_an_invalid_due_date_is_named_not_replaced_by_today(client, make):
    login(client, make.user("bureau"))
    page = client.get("/due?date=2026-13-45").get_data(as_text=True)
    assert "查询日期“2026-13-45”不是有效日期，请按 2026-12-06 的格式填写" in page
    assert "截至" not in page  # no list "as of today" pretending to answer the question


def test_edit_form_shows_labels_a_delete_button_and_the_reviewer_has_its_own_title(client, make):
    unit = make.unit(code="rsj", name="云阳县人力资源和社会保障局")
    system = make.system(unit, name="劳动监察系统")
    package = make.act("package_create", {"system": system["id"], "title": "劳动保障监察信息", "sharing_type": "有条件共享",
                                          "format_class": "数据库类", "format_type": "kingbasees",
                                          "items": [{"name": "案件编号", "data_type": "C", "data_length": 30}]})
    login(client, make.user("admin"))
    form = client.get(f"/resources/{package['name']}/edit").get_data(as_text=True)
    assert 'value="KingbaseES"' in form and "删除此行" in form
    login(client, make.user("reviewer"))
    dashboard = client.get("/dashboard/bureau").get_data(as_text=True)
    assert "<h1>监督查阅工作台</h1>" in dashboard and "<h1>大数据局工作台</h1>" not in dashboard


def test_detail_sheet_numbers_items_from_one(make, tmp_path):
    from importers.catalog_export import export_catalog
    unit = make.unit(code="mzj", name="云阳县民政局")
    system = make.system(unit, name="低保系统")
    make.act("package_create", {"system": system["id"], "title": "低保对象信息", "sharing_type": "有条件共享",
                                "items": [{"name": "姓名", "data_type": "C", "data_length": 50},
                                          {"name": "身份证号", "data_type": "C", "data_length": 18}]})
    reg = make.reg
    with reg.db.unit_of_work() as session:
        export_catalog(session, tmp_path / "out.xlsx")
    rows = list(load_workbook(tmp_path / "out.xlsx")["明细"].iter_rows(values_only=True))
    header = rows[1]
    column = header.index("信息项排序")
    assert [r[column] for r in rows[2:]] == [1, 2]


def test_login_names_are_shown_as_names(make):
    unit = make.unit(code="gaj", name="云阳县公安局")
    make.act("user_create", {"username": "yygaj", "password": "a-long-password-1", "role": "department",
                             "unit": unit["id"], "display_name": "云阳县公安局"})
    with make.reg.db.unit_of_work() as session:
        names = display_names(session, ["cli:root", "demo-loader", "yygaj", "", None])
    assert names == {"cli:root": "命令行（root）", "demo-loader": "演示数据", "yygaj": "云阳县公安局"}


def test_answers_carry_the_signers_names_for_pages_and_api_consumers_alike(make):
    police = make.unit(code="gaj", name="云阳县公安局")
    hukou = make.system(police, name="户政管理信息系统")
    make.act("package_create", {"system": hukou["id"], "title": "户籍人口信息", "sharing_type": "有条件共享",
                                "items": [{"name": "公民身份号码", "data_type": "C", "data_length": 18}]})
    civil = make.unit(code="mzj", name="云阳县民政局")
    make.act("package_create", {"system": make.system(civil, name="低保系统")["id"], "title": "低保对象信息",
                                "sharing_type": "不予共享", "items": [{"name": "身份证号", "data_type": "C", "data_length": 18}]})
    bureau = make.user("bureau", make.unit(code="dsjj", name="云阳县大数据局"), username="张科长")
    finding = make.act("duplicate_list", {"rows": 10})["results"][0]
    make.act("duplicate_review", {"id": finding["id"], "decision": "dismiss", "reason": "口径不同"}, bureau["id"])
    assert make.act("duplicate_show", {"id": finding["id"]})["reviewed_by_name"] == "张科长（云阳县大数据局）"
    make.act("sharing_calendar_set", {"year": 2027, "holidays": ["2027-01-01"]})
    (year,) = [y for y in make.act("sharing_calendar_list", {})["years"] if y["year"] == 2027]
    assert year["entered_by_name"].startswith("命令行（")
