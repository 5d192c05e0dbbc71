"""The blank forms: Attachment 2 (catalog) and Attachment 1 (project declaration)."""
import pytest
from openpyxl import Workbook, load_workbook

from importers.catalog_reader import read_catalog
from importers.catalog_template import write_catalog_template
from importers.declaration_form import KEYS, read_declaration, write_declaration
from registry.core.errors import ValidationFailed

DECLARATION = {
    "applicant_unit": "云阳县民政局", "declared_on": "2026-03-28", "project_name": "低保管理信息系统升级改造",
    "project_type": "expansion", "owner": "云阳县民政局", "competent_department": "云阳县民政局",
    "leader_name": "张三", "leader_phone": "023-55123456", "contact_name": "李四", "contact_phone": "13800000000",
    "background": "《关于加强社会救助的通知》（渝民发〔2025〕1号）\n业务工作需要", "cost_estimate": "120万元",
    "preparation": "已完成需求调研", "schedule": "2026年完成建设，资金120万元", "has_feasibility_report": True,
    "has_budget_detail": False, "other_attachments": "", "remarks": "", "filled_by": "王五",
    "filled_by_phone": "13900000000"}


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    path = tmp_path_factory.mktemp("tpl") / "catalog.xlsx"
    write_catalog_template(path)
    return load_workbook(path), path


def test_catalog_template_is_laid_out_like_attachment_2(template):
    ws = template[0]["信息资源目录"]
    assert ws["A1"].value == "云阳县政务信息化项目信息资源目录" and ws["A2"].value == "系统名称："
    assert [c.value for c in ws[3]] == ["部门名称", "信息资源名称", "信息资源格式", None, "信息项名称", "数据类型",
                                        "数据长度", "共享类型", "共享方式", "是否向社会开放", "开放条件", "数据更新周期"]
    assert (ws["C4"].value, ws["D4"].value) == ("分类", "类型")
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A1:L1", "C3:D3", "A3:A4", "B3:B4", "L3:L4"} <= merged
    notes = [ws.cell(r, 1).value for r in range(ws.max_row - 8, ws.max_row + 1)]
    assert notes[0] == "填表说明：" and notes[-1].startswith("8. 数据更新周期")


def test_closed_vocabularies_are_strict_drop_downs_and_open_ones_only_suggest(template):
    ws = template[0]["信息资源目录"]
    by_column = {str(dv.sqref).split(":")[0].rstrip("0123456789"): dv for dv in ws.data_validations.dataValidation}
    for column, values in (("C", "电子文件,电子表格,数据库类,图形图像类,流媒体类,自表述格式"),
                           ("H", "无条件共享,有条件共享,不予共享"), ("I", "共享交换平台,接口,数据库,电子文档"),
                           ("J", "是,否")):
        dv = by_column[column]
        assert dv.type == "list" and dv.formula1 == f'"{values}"' and dv.showErrorMessage
        assert dv.error.startswith("只能选择")
    for column in ("D", "F", "L"):   # format type, data type, update cycle: open lists
        assert by_column[column].type == "list" and not by_column[column].showErrorMessage
    assert by_column["G"].type == "whole"
    assert all(by_column[c].showInputMessage and by_column[c].prompt for c in "ABCDEFGHIJKL")


def test_blank_template_reads_as_no_data_and_a_filled_one_imports(template, tmp_path):
    assert [p.reason for p in read_catalog(template[1]).problems] == ["表格中没有信息资源数据（只有表头，或数据行全部为空）"]
    book = load_workbook(template[1])
    ws = book["信息资源目录"]
    ws["B2"] = "低保管理信息系统"   # the form's bordered rows are already there: fill rows 5 and 6
    for col, value in zip("ABCDEFGHIJKL", ["云阳县民政局", "低保对象信息", "数据库类", "oracle", "姓名", "字符型C", 50,
                                          "有条件共享", "共享交换平台", "否", None, "每月"]):
        ws[f"{col}5"] = value
    ws["E6"], ws["F6"] = "公民身份号码", "字符型C(18)"
    book.save(tmp_path / "filled.xlsx")
    result = read_catalog(tmp_path / "filled.xlsx")
    assert result.problems == []
    (unit, system, res), = result.resources()
    assert (unit, system, res.title) == ("云阳县民政局", "低保管理信息系统", "低保对象信息")
    assert [(i.values["name"], i.values["data_length"]) for i in res.items] == [("姓名", 50), ("公民身份号码", 18)]


def test_declaration_round_trips_through_the_form(tmp_path):
    write_declaration(DECLARATION, tmp_path / "d.xlsx")
    assert read_declaration(tmp_path / "d.xlsx") == DECLARATION
    blank = read_declaration(write_declaration({}, tmp_path / "blank.xlsx"))
    assert set(blank) == set(KEYS) and blank["project_name"] == "" and blank["project_type"] is None


def test_declaration_form_has_the_project_type_drop_down(tmp_path):
    ws = load_workbook(write_declaration({}, tmp_path / "d.xlsx")).active
    assert ws["A1"].value == "云阳县政务信息化项目建设申报表"
    kinds = next(dv for dv in ws.data_validations.dataValidation if "B4" in str(dv.sqref))
    assert kinds.formula1 == '"新建,续建,改扩建"' and kinds.showErrorMessage


def test_declaration_is_read_by_labels_where_a_clerk_wrote_it(tmp_path):
    book = Workbook()
    ws = book.active
    ws.append(["云阳县政务信息化项目建设申报表"])
    ws.append(["项目申报单位(盖章): 云阳县民政局", None, None, "2026年3月28日"])
    ws.append([])
    ws.append(["项目名称", "低保系统", None, None])
    ws.append(["项目类别", "新建项目"])
    ws.append(["分管领导", "张三", "联系电话", 2355123456])
    ws.append(["项目联系人", None, "联系电话", "13800000000"])
    ws.append(["建设背景\n和依据", "业务需要"])
    ws.append(["申报时应附材料", "1. 项目基本情况报告(项目可行性研究报告/技术方案)", None, "是"])
    ws.append(["填表人：王五 联系电话：13900000000"])
    book.save(tmp_path / "clerk.xlsx")
    data = read_declaration(tmp_path / "clerk.xlsx")
    assert (data["applicant_unit"], data["declared_on"], data["project_type"]) == ("云阳县民政局", "2026-03-28", "new")
    assert (data["leader_name"], data["leader_phone"], data["contact_name"], data["contact_phone"]) == \
        ("张三", "2355123456", "", "13800000000")
    assert (data["background"], data["has_feasibility_report"], data["has_budget_detail"]) == ("业务需要", True, None)
    assert (data["filled_by"], data["filled_by_phone"]) == ("王五", "13900000000")


def test_declaration_with_a_bad_project_type_or_date_says_which_in_chinese(tmp_path):
    path = write_declaration({**DECLARATION, "project_type": None}, tmp_path / "d.xlsx")
    book = load_workbook(path)
    book.active["B4"], book.active["D2"] = "大修", "三月"
    book.save(path)
    with pytest.raises(ValidationFailed) as caught:
        read_declaration(path)
    assert "“大修”不是有效的项目类型，可选值：新建、续建、改扩建" in caught.value.errors["project_type"][0]
    assert "日期“三月”格式不正确" in caught.value.errors["declared_on"][0]
