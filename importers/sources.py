"""Opening an uploaded file safely and reading it as sheets of rows, whatever its format.

Every check that can refuse a file runs before any parser sees it: the file type (by content,
not only by name), the size limit, and for .xlsx the zip itself (damage, a missing workbook,
and zip bombs: the uncompressed size of every part is checked before openpyxl opens it).

Rows come out as (row number, tuple of values) with `None` for empty cells, so the catalog
reader does not care whether the file was .xlsx, .xls or .csv.
"""
from __future__ import annotations

import codecs
import csv
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Iterator
from xml.etree.ElementTree import ParseError

from importers.problems import ImportRefused

EXTENSIONS = (".xlsx", ".xls", ".csv")
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_UNCOMPRESSED = 512 * 1024 * 1024   # all parts of one .xlsx together, uncompressed
MAX_RATIO = 200                        # a larger part compressed more than this is a bomb
RATIO_CHECKED_FROM = 10 * 1024 * 1024  # small parts may compress as well as they like
# Counted while streaming each part, before any parser builds objects: a county's catalog of 200,000
# items stays far below; a workbook of millions of tiny strings or cells (seconds of CPU and hundreds
# of MB per request within the byte limits) is refused.
MAX_SHARED_STRINGS = 500_000
MAX_ROWS_PER_SHEET = 300_000
MAX_CELLS_PER_SHEET = 6_000_000
_SHARED_STRING = re.compile(rb"<(?:\w+:)?si[\s/>]")
_ROW = re.compile(rb"<(?:\w+:)?row[\s/>]")
_CELL = re.compile(rb"<(?:\w+:)?c[\s/>]")
DAMAGED = "文件已损坏或不完整，无法读取。请在 Excel 中打开确认后重新保存再上传"
# What a damaged or malformed workbook raises from inside the zip, xml and xlrd libraries.
READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, ParseError, KeyError, IndexError, ValueError,
               TypeError, AttributeError, OSError)


@dataclass
class SheetSource:
    name: str
    rows: Iterator[tuple[int, tuple]]
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # min_row, min_col, max_row, max_col


def check_file(path: Path, filename: str, max_bytes: int) -> str:
    """The file's kind ("xlsx", "xls" or "csv"), or ImportRefused with the reason in Chinese."""
    suffix = Path(filename).suffix.lower()
    if suffix not in EXTENSIONS:
        shown = suffix or "（无扩展名）"
        raise ImportRefused(f"不支持的文件类型“{shown}”：请上传 Excel 工作簿（.xlsx、.xls）或 CSV 文件", filename)
    size = path.stat().st_size
    if size > max_bytes:
        raise ImportRefused(f"文件大小 {size / 1024 / 1024:.1f} MB，超过上限 {max_bytes / 1024 / 1024:g} MB，未读取",
                            filename)
    if size == 0:
        raise ImportRefused("文件是空的（0 字节）", filename)
    with path.open("rb") as handle:
        magic = handle.read(8)
    if suffix == ".csv":
        if magic.startswith(ZIP_MAGIC) or magic.startswith(OLE_MAGIC):
            raise ImportRefused("文件扩展名是 .csv，但内容是 Excel 工作簿：请改为 .xlsx/.xls 扩展名后上传", filename)
        return "csv"
    if magic.startswith(ZIP_MAGIC):
        check_xlsx_zip(path, filename)
        return "xlsx"
    if magic.startswith(OLE_MAGIC):
        return "xls"
    if suffix == ".xls":
        raise ImportRefused("文件不是有效的 .xls 工作簿（可能是网页导出的表格）：请用 Excel 另存为 .xlsx 后上传",
                            filename)
    raise ImportRefused("文件不是有效的 .xlsx 工作簿（内容不是 Excel 格式，或文件已损坏）", filename)


def check_xlsx_zip(path: Path, filename: str) -> None:
    """Refuse a damaged zip, a zip that is not a workbook, and a zip bomb, without extracting."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        raise ImportRefused(DAMAGED, filename) from None
    names = {info.filename for info in infos}
    if "[Content_Types].xml" not in names or not any(n.endswith("workbook.xml") for n in names):
        raise ImportRefused("文件是压缩包，但不是 Excel 工作簿（缺少工作簿内容）", filename)
    total = sum(info.file_size for info in infos)
    if total > MAX_UNCOMPRESSED:
        raise ImportRefused(f"工作簿解压后有 {total / 1024 / 1024:.0f} MB，超过 {MAX_UNCOMPRESSED // 1024 // 1024} MB "
                            f"的安全上限（疑似压缩炸弹），已拒绝", filename)
    for info in infos:
        if info.file_size > RATIO_CHECKED_FROM and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise ImportRefused(f"工作簿中的“{info.filename}”压缩比异常（疑似压缩炸弹），已拒绝", filename)
    try:
        _check_part_counts(path, infos, filename)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError):
        raise ImportRefused(DAMAGED, filename) from None


def _check_part_counts(path: Path, infos, filename: str) -> None:
    """Count shared strings, and rows and cells per worksheet, while streaming the parts (no parse)."""
    with zipfile.ZipFile(path) as archive:
        for info in infos:
            name = info.filename.lower()
            if name.endswith("sharedstrings.xml"):
                limits = ((_SHARED_STRING, MAX_SHARED_STRINGS, "共享字符串"),)
            elif "worksheets/" in name and name.endswith(".xml"):
                limits = ((_ROW, MAX_ROWS_PER_SHEET, "行"), (_CELL, MAX_CELLS_PER_SHEET, "单元格"))
            else:
                continue
            counts = [0] * len(limits)
            tail = b""
            with archive.open(info) as part:
                while chunk := part.read(_CHUNK):
                    buffer = tail + chunk
                    cut = max(len(buffer) - 16, 0)  # a tag split across chunks is counted in the next one
                    for i, (pattern, limit, label) in enumerate(limits):
                        counts[i] += sum(1 for m in pattern.finditer(buffer, 0, len(buffer)) if m.start() < cut)
                        if counts[i] > limit:
                            where = "工作簿" if label == "共享字符串" else f"工作表“{info.filename.rsplit('/', 1)[-1]}”"
                            raise ImportRefused(f"{where}的{label}超过 {limit:,} 个的上限，未读取。"
                                                "请拆分成几个较小的文件分别上传", filename)
                    tail = buffer[cut:]
            for i, (pattern, limit, label) in enumerate(limits):
                counts[i] += len(pattern.findall(tail))
                if counts[i] > limit:
                    raise ImportRefused(f"工作簿的{label}超过 {limit:,} 个的上限，未读取。请拆分成几个较小的文件分别上传",
                                        filename)


def iter_sheets(path: Path, kind: str, filename: str) -> Iterator[SheetSource]:
    readers = {"xlsx": _xlsx_sheets, "xls": _xls_sheets, "csv": _csv_sheets}
    return readers[kind](path, filename)


# ---- .xlsx ----------------------------------------------------------------------------------

def _open_xlsx(path: Path):
    """openpyxl's read-only workbook, minus its dimension pre-parse (see `_reader_class`)."""
    reader = _reader_class()(path, read_only=True, data_only=True, keep_links=False)
    reader.read()
    return reader.wb


@lru_cache(maxsize=1)
def _reader_class():
    """Built on first use: openpyxl's reader module is slow to import, and the CLI starts often."""
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    class Sheet(ReadOnlyWorksheet):
        def _get_size(self) -> None:
            """Skip openpyxl's dimension lookup: where a writer left out <dimension> it parses the
            whole sheet once just for that. The rows are bounded by `_scan_sheet` instead."""

    class Reader(ExcelReader):
        """openpyxl's read-only reader, with `Sheet` worksheets and chart sheets left out."""

        def read_worksheets(self) -> None:
            for sheet, rel in self.parser.find_sheets():
                if rel.target in self.valid_files and "chartsheet" not in rel.Type:
                    ws = Sheet(self.wb, sheet.name, rel.target, self.shared_strings)
                    ws.sheet_state = sheet.state
                    self.wb._sheets.append(ws)

    return Reader


def _xlsx_sheets(path: Path, filename: str) -> Iterator[SheetSource]:
    try:
        book = _open_xlsx(path)
    except READ_ERRORS:
        raise ImportRefused(DAMAGED, filename) from None
    try:
        for sheet in book.worksheets:
            try:
                scan = _scan_sheet(book, sheet)
            except READ_ERRORS:
                raise ImportRefused(DAMAGED, filename) from None
            yield SheetSource(sheet.title, _xlsx_rows(sheet, scan, filename), scan.merges)
    finally:
        book.close()


def _xlsx_rows(sheet, scan: "SheetScan", filename: str) -> Iterator[tuple[int, tuple]]:
    if scan.last_value_row == 0:
        return
    # The dimension a writer records may be wrong; openpyxl would trust it and cut rows short.
    sheet.reset_dimensions()   # (`_Sheet` never reads it; this keeps rows their own width)
    try:
        for number, values in enumerate(sheet.iter_rows(max_row=scan.last_value_row, values_only=True), 1):
            yield number, values
    except READ_ERRORS:
        raise ImportRefused(DAMAGED, filename) from None


@dataclass
class SheetScan:
    last_value_row: int | None          # None: unknown, read every row; 0: no value at all
    merges: list[tuple[int, int, int, int]]


_ROW_NUMBER = re.compile(rb'\sr="(\d+)"')
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')
_ROOT = re.compile(rb"<(\w+:)?worksheet[\s>]")
_CHUNK = 1 << 20
_OVERLAP = 512


def _scan_sheet(book, sheet) -> SheetScan:
    """One fast pass over the sheet's XML: the last row holding a value, and the merged ranges.

    A sheet of 100,000 formatted but empty rows then costs a decompression, not a parse, and the
    merged ranges (which openpyxl's read-only mode does not expose) come for free.
    """
    member = getattr(sheet, "_worksheet_path", None)
    archive = getattr(book, "_archive", None)
    if member is None or archive is None:
        return SheetScan(None, [])
    last_value = row_before = 0
    known = True
    merges: set[bytes] = set()
    tags = None
    tail = b""
    with archive.open(member) as stream:
        while True:
            data = stream.read(_CHUNK)
            if not data:
                break
            buf = tail + data
            if tags is None:
                root = _ROOT.search(buf)
                prefix = (root.group(1) or b"") if root else b""
                tags = (b"<" + prefix + b"v>", b"<" + prefix + b"is>", b"<" + prefix + b"row ",
                        b"<" + prefix + b"row>")
            value_tag, inline_tag, row_tag, bare_row = tags
            if bare_row in buf:
                known = False
            at = max(buf.rfind(value_tag), buf.rfind(inline_tag))
            if at >= 0:
                start = buf.rfind(row_tag, 0, at)
                number = _row_number(buf, start) if start >= 0 else row_before
                if number is None:
                    known = False
                else:
                    last_value = max(last_value, number)
            # A tag in the last _OVERLAP bytes may be cut off; the next buffer starts with them.
            last_row = buf.rfind(row_tag, 0, max(len(buf) - _OVERLAP, 0))
            if last_row >= 0:
                number = _row_number(buf, last_row)
                if number is None:
                    known = False
                else:
                    row_before = number
            if b"mergeCell" in buf:
                merges.update(m.group(0) for m in _MERGE.finditer(buf))
            tail = buf[-_OVERLAP:]
    if not tail.rstrip().endswith(b"worksheet>"):   # a part cut short inside an intact zip
        raise zipfile.BadZipFile("worksheet part is truncated")
    return SheetScan(last_value if known else None, _merge_ranges(merges))


def _row_number(buf: bytes, start: int) -> int | None:
    end = buf.find(b">", start)
    found = _ROW_NUMBER.search(buf, start, end if end >= 0 else len(buf))
    return int(found.group(1)) if found else None


def _merge_ranges(raw: set[bytes]) -> list[tuple[int, int, int, int]]:
    from openpyxl.utils import column_index_from_string
    ranges = []
    for text in raw:
        found = _MERGE.match(text)
        c1, r1, c2, r2 = (g.decode() for g in found.groups())
        ranges.append((int(r1), column_index_from_string(c1), int(r2), column_index_from_string(c2)))
    return sorted(ranges)


# ---- .xls -----------------------------------------------------------------------------------

def _xls_sheets(path: Path, filename: str) -> Iterator[SheetSource]:
    import xlrd
    try:
        book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True)
    except (xlrd.XLRDError, xlrd.compdoc.CompDocError, AssertionError, NotImplementedError, *READ_ERRORS):
        raise ImportRefused("无法读取 .xls 工作簿：文件已损坏，或设置了打开密码（请去除密码后重新上传）",
                            filename) from None
    try:
        for index in range(book.nsheets):
            try:
                sheet = book.get_sheet(index)
            except (xlrd.XLRDError, AssertionError, *READ_ERRORS):
                raise ImportRefused(DAMAGED, filename) from None
            merges = [(rlo + 1, clo + 1, rhi, chi) for rlo, rhi, clo, chi in sheet.merged_cells]
            yield SheetSource(sheet.name, _xls_rows(book, sheet), merges)
            book.unload_sheet(index)
    finally:
        book.release_resources()


def _xls_rows(book, sheet) -> Iterator[tuple[int, tuple]]:
    import xlrd
    for r in range(sheet.nrows):
        values = []
        for kind, value in zip(sheet.row_types(r), sheet.row_values(r)):
            if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                value = None
            elif kind == xlrd.XL_CELL_NUMBER and float(value).is_integer():
                value = int(value)
            elif kind == xlrd.XL_CELL_DATE:
                value = xlrd.xldate_as_datetime(value, book.datemode)
            elif kind == xlrd.XL_CELL_BOOLEAN:
                value = bool(value)
            elif kind == xlrd.XL_CELL_ERROR:
                value = xlrd.error_text_from_code.get(value, "#错误")
            values.append(value)
        yield r + 1, tuple(values)


# ---- .csv -----------------------------------------------------------------------------------

def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 (Excel's Chinese CSV)."""
    with path.open("rb") as handle:
        head = handle.read(4)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        handle.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := handle.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "gb18030"
    return "utf-8"


def _csv_sheets(path: Path, filename: str) -> Iterator[SheetSource]:
    encoding = detect_encoding(path)
    try:
        with path.open(encoding=encoding, newline="") as handle:
            sample = handle.read(64 * 1024)
    except UnicodeDecodeError:
        raise ImportRefused("无法识别 CSV 文件的文字编码：请另存为 UTF-8 或 GB18030 编码后上传", filename) from None
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    yield SheetSource(Path(filename).stem, _csv_rows(path, encoding, dialect, filename))


def _csv_rows(path: Path, encoding: str, dialect, filename: str) -> Iterator[tuple[int, tuple]]:
    try:
        with path.open(encoding=encoding, errors="strict", newline="") as handle:
            for number, row in enumerate(csv.reader(handle, dialect), 1):
                yield number, tuple(cell if cell.strip() else None for cell in row)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ImportRefused(f"CSV 文件格式有误，无法继续读取（{type(exc).__name__}）", filename) from None


def plain(value) -> str | None:
    """A cell value as the text a clerk sees: 18.0 → "18", dates as 2024-01-31, blanks → None."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        return text or None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    return str(value)
