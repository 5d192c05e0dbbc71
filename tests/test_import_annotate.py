"""The annotated copy marks each bad cell red with the reason as a comment."""
from openpyxl import load_workbook

from importers.annotate import LIST_SHEET, RED, annotate
from importers.catalog_reader import read_catalog
from tests.import_workbooks import DIBAO, form_rows, write_csv, write_xls, write_xlsx

BAD = ("低保审批信息", "数据库类", "oracle", "随便共享", "共享交换平台", "否", None, "每月",
       (("姓名", "字符型C", "十八", None), (None, "字符型C", 18, None)))


def bad_rows(shape="blank"):
    return form_rows(resources=(BAD, DIBAO[:1] + ("纸质",) + DIBAO[2:]), shape=shape,
                     lead=[["系统名称：低保管理信息系统"]])


def marks(path, sheet):
    ws = load_workbook(path)[sheet]
    return {c.coordinate: c.comment.text for row in ws.iter_rows() for c in row
            if c.fill is not None and c.fill.fgColor.rgb == RED and c.comment is not None}


def test_bad_cells_of_an_xlsx_are_red_with_the_reason_and_formatting_is_kept(tmp_path):
    rows, merges = bad_rows("merged")
    source = write_xlsx(tmp_path / "目录.xlsx", {"目录": (rows, merges)})
    result = read_catalog(source)
    out = annotate(source, "目录.xlsx", result.problems, tmp_path / "out.xlsx")
    assert marks(out, "目录") == {
        "G4": "数据长度必须是整数",
        "H4": "“随便共享”不是有效的共享类型，可选值：无条件共享、有条件共享、不予共享",
        "E5": "信息项名称不能为空",
        "C6": "“纸质”不是有效的信息资源格式分类，可选值：电子文件、电子表格、数据库类、图形图像类、流媒体类、自表述格式",
    }
    book = load_workbook(out)
    assert book.sheetnames[0] == LIST_SHEET and {str(r) for r in book["目录"].merged_cells.ranges} >= set(merges)
    listed = [row for row in book[LIST_SHEET].iter_rows(min_row=3, values_only=True)]
    assert [(r[0], r[1], r[2]) for r in listed] == [("目录", 4, "G"), ("目录", 4, "H"), ("目录", 5, "E"),
                                                     ("目录", 6, "C")]


def test_a_problem_inside_a_merged_range_marks_its_top_left_cell(tmp_path):
    rows, merges = form_rows(resources=(DIBAO,), shape="merged", lead=[["系统名称：低保管理信息系统"]])
    rows[3][7] = "不存在的共享"
    source = write_xlsx(tmp_path / "m.xlsx", {"Sheet1": (rows, merges + ["H4:H6"])})
    result = read_catalog(source)
    out = annotate(source, "m.xlsx", result.problems, tmp_path / "out.xlsx")
    assert list(marks(out, "Sheet1")) == ["H4"]


def test_xls_and_csv_inputs_get_an_xlsx_copy_with_the_same_marks(tmp_path):
    rows, merges = bad_rows()
    for source, kind in ((write_xls(tmp_path / "目录.xls", {"目录": (rows, merges)}), "xls"),
                         (write_csv(tmp_path / "目录.csv", rows, "gb18030"), "csv")):
        result = read_catalog(source)
        out = annotate(source, source.name, result.problems, tmp_path / f"{kind}.xlsx")
        assert set(marks(out, "目录")) == {"G4", "H4", "E5", "C6"}
        assert load_workbook(out)["目录"]["B4"].value == "低保审批信息"
