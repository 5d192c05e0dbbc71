"""Broken and hostile files are refused with a clear Chinese message, and nothing is written."""
import io
import time
import zipfile

import pytest
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Border, PatternFill, Side

from importers.actions import LocalFile
from importers.problems import ImportFailed, ImportRefused
from tests.import_workbooks import CIVIL, DIBAO, HEADER, SUB_HEADER, counts, form_rows, write_xlsx


@pytest.fixture
def civil(make):
    return make.unit(code="yymzj", name=CIVIL)


@pytest.fixture(scope="session")
def empty_formatted_rows(tmp_path_factory):
    """The header, then 100,000 rows that are formatted (border, fill) but hold nothing."""
    path = tmp_path_factory.mktemp("big") / "empty-rows.xlsx"
    book = Workbook(write_only=True)
    ws = book.create_sheet("低保管理信息系统")
    ws.append(HEADER)
    ws.append(SUB_HEADER)
    styled = WriteOnlyCell(ws, value=None)
    styled.border = Border(bottom=Side(style="thin"))
    styled.fill = PatternFill("solid", fgColor="FFFFFFCC")
    for _ in range(100_000):
        ws.append([styled])
    book.save(path)
    return path


def refused(make, reg, path, name=None, **options) -> str:
    before = counts(reg)
    with pytest.raises(ImportRefused) as caught:
        make.act("catalog_import", {"upload": LocalFile(path, name or path.name), **options})
    assert counts(reg) == before
    assert caught.value.error_dict()["__type"] == "Validation Error"
    return caught.value.message


def failed(make, reg, path, **options) -> list:
    before = counts(reg)
    with pytest.raises(ImportFailed) as caught:
        make.act("catalog_import", {"upload": LocalFile(path), **options})
    assert counts(reg) == before
    return caught.value.problems


def good_bytes(tmp_path) -> bytes:
    rows, _ = form_rows(resources=(DIBAO,), lead=[["系统名称：低保管理信息系统"]])
    return write_xlsx(tmp_path / "good.xlsx", {"Sheet1": (rows, [])}).read_bytes()


def test_truncated_xlsx_is_refused_as_damaged(make, reg, civil, tmp_path):
    path = tmp_path / "cut.xlsx"
    data = good_bytes(tmp_path)
    path.write_bytes(data[: len(data) // 2])
    assert "文件已损坏或不完整" in refused(make, reg, path)


def test_zip_that_is_not_a_workbook_is_refused(make, reg, civil, tmp_path):
    path = tmp_path / "notes.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "这不是工作簿")
    assert "不是 Excel 工作簿" in refused(make, reg, path)


def test_damaged_part_inside_a_valid_zip_is_refused_not_crashed(make, reg, civil, tmp_path):
    source = zipfile.ZipFile(io.BytesIO(good_bytes(tmp_path)))
    path = tmp_path / "garbled.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        for info in source.infolist():
            data = source.read(info)
            archive.writestr(info, data[:40] if info.filename.startswith("xl/worksheets/") else data)
    assert "文件已损坏" in refused(make, reg, path)


def test_zip_bomb_is_refused_before_openpyxl_opens_it(make, reg, civil, tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (40 * 1024 * 1024))
    assert path.stat().st_size < 200_000
    assert "压缩炸弹" in refused(make, reg, path)


@pytest.mark.parametrize("name, content, fragment", [
    ("目录.docx", b"PK\x03\x04whatever", "不支持的文件类型“.docx”"),
    ("目录.txt", "信息资源名称".encode(), "不支持的文件类型“.txt”"),
    ("目录", b"data", "不支持的文件类型“（无扩展名）”"),
    ("目录.xls", b"<html><table></table></html>", "不是有效的 .xls 工作簿"),
    ("目录.xlsx", b"", "文件是空的"),
])
def test_other_file_types_are_refused_with_the_accepted_ones_named(make, reg, civil, tmp_path, name, content,
                                                                     fragment):
    path = tmp_path / "upload.bin"
    path.write_bytes(content)
    assert fragment in refused(make, reg, path, name)


def test_100000_empty_formatted_rows_finish_quickly_and_report_no_data(make, reg, civil, empty_formatted_rows):
    started = time.monotonic()
    problems = failed(make, reg, empty_formatted_rows)
    assert time.monotonic() - started < 5
    assert [p.reason for p in problems] == ["表格中没有信息资源数据（只有表头，或数据行全部为空）"]


def test_unknown_sharing_type_is_a_problem_at_its_cell(make, reg, civil, tmp_path):
    res = DIBAO[:3] + ("部分共享",) + DIBAO[4:]
    rows, _ = form_rows(resources=(res,), lead=[["系统名称：低保管理信息系统"]])
    (problem,) = failed(make, reg, write_xlsx(tmp_path / "s.xlsx", {"Sheet1": (rows, [])}))
    assert (problem.sheet, problem.row, problem.column, problem.value) == ("Sheet1", 4, "H", "部分共享")
    assert problem.reason == "“部分共享”不是有效的共享类型，可选值：无条件共享、有条件共享、不予共享"


def test_missing_item_name_and_non_numeric_length_are_problems(make, reg, civil, tmp_path):
    res = DIBAO[:8] + ((("姓名", "字符型C", "五十", None), (None, "字符型C", 18, None)),)
    rows, _ = form_rows(resources=(res,), lead=[["系统名称：低保管理信息系统"]])
    problems = failed(make, reg, write_xlsx(tmp_path / "i.xlsx", {"Sheet1": (rows, [])}))
    assert [(p.row, p.column, p.reason) for p in problems] == [
        (4, "G", "数据长度必须是整数"), (5, "E", "信息项名称不能为空")]


def test_a_file_over_the_size_limit_is_refused_before_reading(make, reg, civil, tmp_path, monkeypatch):
    path = tmp_path / "big.xlsx"
    path.write_bytes(good_bytes(tmp_path) + b"\0" * (6 * 1024 * 1024))   # the test app's limit is 5 MB

    def not_called(*args, **kwargs):
        raise AssertionError("the file was opened")
    monkeypatch.setattr("importers.sources.check_xlsx_zip", not_called)
    assert "超过上限 5 MB" in refused(make, reg, path)


def test_workbook_without_a_header_says_which_columns_it_needs(make, reg, civil, tmp_path):
    path = write_xlsx(tmp_path / "h.xlsx", {"Sheet1": ([["姓名", "年龄"], ["张三", 30]], [])})
    (problem,) = failed(make, reg, path)
    assert "没有找到信息资源目录的表头" in problem.reason and "信息项名称" in problem.reason
