"""Export back to the Attachment 2 layout, and the round trip import → export → import."""
import pytest
from openpyxl import load_workbook

from importers.actions import LocalFile
from importers.catalog_export import export_catalog
from tests.conftest import empty_database
from tests.import_workbooks import (CIVIL, DIBAO, JIUZHU, catalog_records, form_rows, synthetic_units, write_county,
                                    write_xlsx)


@pytest.fixture
def imported(make, tmp_path):
    make.unit(code="yymzj", name=CIVIL)
    rows, _ = form_rows(resources=(DIBAO, JIUZHU), lead=[["系统名称：低保管理信息系统"]])
    make.act("catalog_import", {"upload": LocalFile(write_xlsx(tmp_path / "in.xlsx", {"Sheet1": (rows, [])}))})


def export(reg, path, **scope):
    with reg.db.sessions() as session:
        return export_catalog(session, path, **scope)


def test_export_has_the_form_title_two_level_header_chinese_labels_and_merged_resource_cells(reg, imported,
                                                                                               tmp_path):
    counts = export(reg, tmp_path / "out.xlsx", unit="yymzj")
    assert counts == {"units": 1, "systems": 1, "resources": 2, "items": 5}
    ws = load_workbook(tmp_path / "out.xlsx")["信息资源目录"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "云阳县政务信息化项目信息资源目录"
    assert rows[1] == ("部门名称", "系统名称", "信息资源名称", "信息资源格式", None, "信息项名称", "数据类型", "数据长度",
                       "共享类型", "共享方式", "是否向社会开放", "开放条件", "数据更新周期")
    assert rows[2][3:5] == ("分类", "类型")
    assert rows[3] == (CIVIL, "低保管理信息系统", "低保对象信息", "数据库类", "oracle", "姓名", "字符型C", 50, "有条件共享",
                       "共享交换平台", "否", None, "每月")
    assert [r[8] for r in rows[3:6]] == ["有条件共享", "有条件共享", "不予共享"]   # an item's own 共享类型 is kept
    assert rows[6][2:5] == ("救助资金发放信息", "电子表格", "xlsx") and rows[6][12] == "每季度"
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"D2:E2", "A2:A3", "C4:C6", "J4:J6", "M4:M6", "A4:A8", "B4:B8", "I7:I8"} <= merged
    assert "I4:I6" not in merged


def test_detail_sheet_has_one_row_per_item_with_unit_and_system(reg, imported, tmp_path):
    export(reg, tmp_path / "out.xlsx")
    rows = list(load_workbook(tmp_path / "out.xlsx")["明细"].iter_rows(values_only=True))
    assert "导入时忽略此表" in rows[0][0]
    header = rows[1]
    assert {"部门代码", "部门名称", "系统名称", "信息资源名称", "信息项名称", "数据类型", "共享类型"} <= set(header)
    items = [dict(zip(header, r)) for r in rows[2:]]
    assert len(items) == 5 and {i["部门代码"] for i in items} == {"yymzj"}
    assert next(i for i in items if i["信息项名称"] == "宗教信仰")["共享类型"] == "不予共享"


def test_round_trip_of_a_generated_county_gives_the_same_records(app, reg, make, tmp_path):
    units = synthetic_units(4, 2, 3, 6)
    for unit in units:
        make.unit(code=unit["code"], name=unit["name"], kind=unit["kind"])
    report = make.act("catalog_import", {"upload": LocalFile(write_county(units, tmp_path / "county.xlsx"))})
    assert report["items_created"] == 4 * 2 * 3 * 6
    first = catalog_records(reg)
    export(reg, tmp_path / "export.xlsx")
    again = make.act("catalog_import", {"upload": LocalFile(tmp_path / "export.xlsx")})
    assert again["resources_unchanged"] == 24 and again["items_unchanged"] == 144
    empty_database(reg.db.engine)
    for unit in units:
        make.unit(code=unit["code"], name=unit["name"], kind=unit["kind"])
    make.act("catalog_import", {"upload": LocalFile(tmp_path / "export.xlsx")})
    assert catalog_records(reg) == first
    export(reg, tmp_path / "export2.xlsx")
    sheet = lambda p: list(load_workbook(p)["信息资源目录"].iter_rows(values_only=True))  # noqa: E731
    assert sheet(tmp_path / "export2.xlsx") == sheet(tmp_path / "export.xlsx")
