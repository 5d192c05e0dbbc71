"""The reader finds the catalog in the shapes real department workbooks come in."""
import pytest

from importers.catalog_reader import read_catalog
from importers.catalog_table import NO_SYSTEM
from tests.import_workbooks import (CIVIL, DIBAO, EXPECTED, HUJI, JIUZHU, NOTES, POLICE, form_rows, write_csv,
                                    write_xls, write_xlsx)

TITLE_LINE = ["云阳县政务信息化项目信息资源目录"]


def parsed(result) -> dict:
    """{(unit, system, title): (values, [(item, type, length, own sharing)])} of a ParseResult."""
    out = {}
    for unit, system, res in result.resources():
        items = [(i.values["name"], i.values.get("data_type"), i.values.get("data_length"),
                  i.values.get("sharing_type")) for i in res.items]
        out[(unit, system, res.title)] = (res.values, items)
    return out


def expected(unit=CIVIL, system="低保管理信息系统", titles=("低保对象信息", "救助资金发放信息")) -> dict:
    return {(unit, system, t): EXPECTED[t] for t in titles}


@pytest.mark.parametrize("shape", ["blank", "repeated", "merged"])
def test_resource_cells_merged_repeated_or_left_blank_read_the_same(tmp_path, shape):
    rows, merges = form_rows(shape=shape, lead=[TITLE_LINE, ["系统名称：低保管理信息系统"]])
    result = read_catalog(write_xlsx(tmp_path / f"{shape}.xlsx", {"Sheet1": (rows, merges)}))
    assert result.problems == []
    assert parsed(result) == expected()


def test_header_after_blank_rows_with_extra_blank_columns_and_notes_block(tmp_path):
    rows, merges = form_rows(lead=[[], [], TITLE_LINE, []], pad_left=2, shape="merged")
    assert rows[4][2] == "部门名称"   # the header sits on row 5, after blank and title rows, from column C
    rows += [[], [NOTES[0]], [NOTES[1]], ["填表人：张三", None, "联系电话：023-55000000"]]
    path = write_xlsx(tmp_path / "messy.xlsx", {"Sheet1": (rows, merges)})
    result = read_catalog(path, system="低保管理信息系统")
    assert result.problems == []
    assert parsed(result) == expected()
    res = next(r for _, _, r in result.resources() if r.title == "救助资金发放信息")
    assert str(res.cell("title")) == f"Sheet1!D{res.row}"   # two blank columns: 信息资源名称 is column D


def test_blank_continuation_rows_inside_a_resource_are_skipped(tmp_path):
    rows, _ = form_rows(lead=[["系统名称：低保管理信息系统"]])
    rows.insert(5, [None] * 12)
    rows.insert(7, [None] * 12)
    result = read_catalog(write_xlsx(tmp_path / "gaps.xlsx", {"Sheet1": (rows, [])}))
    assert result.problems == [] and parsed(result) == expected()


def test_two_sheets_named_as_systems_are_two_systems(tmp_path):
    sheets = {"低保管理信息系统": form_rows(resources=(DIBAO,)), "救助资金管理平台": form_rows(resources=(JIUZHU,))}
    result = read_catalog(write_xlsx(tmp_path / "two.xlsx", sheets))
    assert result.problems == []
    assert set(parsed(result)) == {(CIVIL, "低保管理信息系统", "低保对象信息"),
                                   (CIVIL, "救助资金管理平台", "救助资金发放信息")}


def test_one_file_for_two_departments_splits_by_the_unit_column(tmp_path):
    civil, _ = form_rows(resources=(DIBAO,), system_column="低保管理信息系统")
    police, _ = form_rows(resources=(HUJI,), unit=POLICE, system_column="户政管理信息系统")
    result = read_catalog(write_xlsx(tmp_path / "county.xlsx", {"Sheet1": (civil + police[2:], [])}))
    assert result.problems == []
    assert set(result.units) == {CIVIL, POLICE}
    assert list(result.units[POLICE].systems) == ["户政管理信息系统"]
    assert parsed(result)[(POLICE, "户政管理信息系统", "户籍人口信息")][0]["format_type"] == "dm"


@pytest.mark.parametrize("where, sheet, option, source", [
    ("column", "Sheet1", "选择的系统", "column"),
    ("title", "Sheet1", "选择的系统", "title"),
    ("none", "低保管理信息系统", "选择的系统", "sheet"),
    ("none", "Sheet1", "选择的系统", "explicit"),
])
def test_system_comes_from_column_then_title_line_then_sheet_name_then_the_explicit_choice(
        tmp_path, where, sheet, option, source):
    lead = [TITLE_LINE, ["系统名称：", "低保管理信息系统"]] if where == "title" else [TITLE_LINE]
    rows, _ = form_rows(resources=(DIBAO,), lead=lead,
                        system_column="低保管理信息系统" if where == "column" else None)
    result = read_catalog(write_xlsx(tmp_path / "s.xlsx", {sheet: (rows, [])}), system=option)
    (unit,) = result.units.values()
    (system,) = unit.systems.values()
    assert result.problems == [] and system.source == source
    assert system.name == ("选择的系统" if source == "explicit" else "低保管理信息系统")


def test_no_system_anywhere_is_a_problem_never_a_guess(tmp_path):
    rows, _ = form_rows(resources=(DIBAO,), lead=[TITLE_LINE])
    result = read_catalog(write_xlsx(tmp_path / "nosys.xlsx", {"附件2": (rows, [])}))
    assert [p.reason for p in result.problems] == [NO_SYSTEM]
    assert result.problems[0].sheet == "附件2"


def test_type_with_length_full_width_and_stray_spaces_and_variants_are_normalised(tmp_path):
    res = ("  低保对象信息 ", "数据库", "ORACLE", "有条件", "共享平台", "否", None, "每季",
           (("姓　名", "varchar(20)", None, None), ("身份证号", "字符型C（18）", "１８", None),
            ("金额", "decimal(16,2)", "16,2", None)))
    rows, _ = form_rows(resources=(res,), lead=[["系统名称：低保管理信息系统"]])
    result = read_catalog(write_xlsx(tmp_path / "v.xlsx", {"Sheet1": (rows, [])}))
    assert result.problems == []
    values, items = parsed(result)[(CIVIL, "低保管理信息系统", "低保对象信息")]
    assert (values["format_class"], values["format_type"], values["sharing_method"], values["update_cycle"]) == \
        ("database", "oracle", "platform", "quarterly")
    # names are kept as written (the full-width space too); types and lengths are read in any width
    assert items == [("姓\u3000名", "C", 20, None), ("身份证号", "C", 18, None), ("金额", "N", 16, None)]


def test_item_cells_merged_over_several_items_apply_to_each(tmp_path):
    rows, _ = form_rows(resources=(JIUZHU,), lead=[["系统名称：救助系统"]])
    rows[3][5] = "日期型D"     # 数据类型 of both items, merged F4:F5
    rows[4][5] = None
    result = read_catalog(write_xlsx(tmp_path / "m.xlsx", {"Sheet1": (rows, ["F4:F5"])}))
    (_, items), = parsed(result).values()
    assert [i[1] for i in items] == ["D", "D"]


def test_xls_written_by_xlwt_with_merged_cells(tmp_path):
    rows, merges = form_rows(shape="merged", lead=[TITLE_LINE, ["系统名称：低保管理信息系统"]])
    result = read_catalog(write_xls(tmp_path / "old.xls", {"Sheet1": (rows, merges)}))
    assert result.problems == [] and parsed(result) == expected()


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig", "utf-8"])
def test_csv_in_gb18030_or_utf8_with_or_without_bom(tmp_path, encoding):
    rows, _ = form_rows(lead=[["系统名称：低保管理信息系统"]])
    result = read_catalog(write_csv(tmp_path / "目录.csv", rows, encoding))
    assert result.problems == [] and parsed(result) == expected()


def test_a_sheet_marked_ignore_is_skipped_with_a_notice(tmp_path):
    rows, _ = form_rows(resources=(DIBAO,), lead=[["系统名称：低保管理信息系统"]])
    detail = [["明细（导入时忽略此表）"]] + rows[1:]
    result = read_catalog(write_xlsx(tmp_path / "x.xlsx", {"目录": (rows, []), "明细": (detail, [])}))
    assert result.problems == [] and len(parsed(result)) == 1
    assert any("明细" in n for n in result.notices)


def test_contradicting_values_inside_one_resource_are_problems(tmp_path):
    rows, _ = form_rows(resources=(DIBAO,), shape="repeated", lead=[["系统名称：低保管理信息系统"]])
    rows[4][8] = "接口"   # second item row says another 共享方式
    result = read_catalog(write_xlsx(tmp_path / "c.xlsx", {"Sheet1": (rows, [])}))
    (problem,) = result.problems
    assert (problem.row, problem.column, problem.value) == (5, "I", "接口")
    assert "共享方式前后不一致" in problem.reason


def test_problems_name_sheet_row_column_value_and_reason(tmp_path):
    res = ("低保对象信息", "数据库类", "oracle", "随便共享", "共享交换平台", "否", None, "每月",
           (("姓名", "字符型C", "十八", None), (None, "字符型C", 18, None), ("姓名", "C", 1, None)))
    rows, _ = form_rows(resources=(res,), lead=[["系统名称：低保管理信息系统"]])
    result = read_catalog(write_xlsx(tmp_path / "bad.xlsx", {"目录": (rows, [])}))
    got = [(p.sheet, p.row, p.column, p.value, p.reason) for p in result.problems]
    assert got == [
        ("目录", 4, "G", "十八", "数据长度必须是整数"),
        ("目录", 4, "H", "随便共享", "“随便共享”不是有效的共享类型，可选值：无条件共享、有条件共享、不予共享"),
        ("目录", 5, "E", "", "信息项名称不能为空"),
        ("目录", 6, "E", "姓名", "信息项名称重复：姓名（与第4行相同）"),
    ]


@pytest.mark.parametrize("chunk", [61, 997, 1 << 20])
def test_the_pre_scan_finds_the_last_filled_row_and_merges_across_any_chunk_boundary(tmp_path, monkeypatch, chunk):
    from openpyxl import Workbook
    from importers import sources
    monkeypatch.setattr(sources, "_CHUNK", chunk)
    book = Workbook()
    ws = book.active
    ws["B3"], ws["C120"] = "x", 5
    for row in range(121, 400):
        ws.cell(row, 1).style = "Note"     # formatted, empty
    ws.merge_cells("A5:A9")
    ws.merge_cells("D10:E12")
    book.save(tmp_path / "scan.xlsx")
    book = sources._open_xlsx(tmp_path / "scan.xlsx")
    scan = sources._scan_sheet(book, book.worksheets[0])
    assert scan.last_value_row == 120
    assert scan.merges == [(5, 1, 9, 1), (10, 4, 12, 5)]
