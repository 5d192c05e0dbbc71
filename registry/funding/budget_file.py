"""Reading finance's O&M budget request list (Excel): unit, system name as written, amount.

The header row is found by its text anywhere in the first rows of a sheet (单位/申报单位/预算单位,
系统名称/信息系统/项目名称, 金额/申请金额/运维经费 …; "（万元）" in the amount header scales the
amounts). Every bad cell is reported in Chinese with its sheet, row and column, the way the
catalog importer reports (importers.problems), and nothing is stored when any cell is bad.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from importers.problems import Cell, ImportFailed, ImportRefused, Problem
from importers.sources import DAMAGED, OLE_MAGIC, READ_ERRORS, ZIP_MAGIC, check_xlsx_zip

SUFFIXES = (".xlsx", ".xlsm", ".xls", ".et")

HEADER_SCAN_ROWS = 20
HEADERS = {
    "unit": ("单位名称", "申报单位", "预算单位", "部门名称", "单位", "部门"),
    "system": ("信息系统名称", "系统名称", "信息系统", "项目名称", "系统"),
    "amount": ("申请金额", "申报金额", "预算金额", "运维经费", "运行维护经费", "金额"),
}
LABELS = {"unit": "单位", "system": "系统名称", "amount": "金额"}
_SPACE = re.compile(r"\s+")
_TOTAL = re.compile(r"^(合计|总计|小计)")


@dataclass(frozen=True)
class RequestLine:
    row: int
    unit: str
    system: str
    amount: Decimal


def _text(value) -> str:
    return "" if value is None else _SPACE.sub(" ", str(value)).strip()


def _find_header(ws) -> tuple[int, dict[str, int], bool] | None:
    for r, row in enumerate(ws.iter_rows(min_row=1, max_row=HEADER_SCAN_ROWS, values_only=True), start=1):
        columns: dict[str, int] = {}
        wan = False
        for c, value in enumerate(row, start=1):
            text = _SPACE.sub("", _text(value))
            for key, names in HEADERS.items():
                if key not in columns and any(text.startswith(n) for n in names):
                    columns[key] = c
                    if key == "amount" and "万元" in text:
                        wan = True
                    break
        if "system" in columns and "amount" in columns:
            return r, columns, wan
    return None


def _amount(value, wan: bool) -> Decimal:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, (int, float)):
        number = Decimal(str(value))
    else:
        text = _text(value).replace(",", "").replace("，", "").replace("元", "")
        scale = Decimal(1)
        if text.endswith("万"):
            text, scale = text[:-1], Decimal(10_000)
        number = Decimal(text) * scale
    if wan:
        number *= 10_000
    if number < 0 or not number.is_finite():
        raise ValueError
    return number.quantize(Decimal("0.01"))


def read_budget_file(path: Path, filename: str = "") -> list[RequestLine]:
    name = filename or path.name
    if Path(name).suffix.lower() not in SUFFIXES:
        raise ImportRefused("预算申报清单须为 Excel 工作簿（.xlsx、.xls）或 WPS 表格（.et）", name)
    with path.open("rb") as handle:
        magic = handle.read(8)
    if magic.startswith(OLE_MAGIC):  # .xls, and WPS .et (an OLE2 file holding a BIFF workbook)
        return _read_sheets(_ole_sheets(path, name), name)
    if not magic.startswith(ZIP_MAGIC):
        raise ImportRefused("文件内容不是 Excel 工作簿（.xlsx、.xls）或 WPS 表格（.et），或文件已损坏", name)
    check_xlsx_zip(path, name)  # a damaged zip or a zip bomb is refused before openpyxl inflates it
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable file gets the same answer
        raise ImportRefused("无法打开该 Excel 文件，请确认文件未损坏", name) from None
    try:
        return _read_sheets(wb.worksheets, name)
    finally:
        wb.close()


def _read_sheets(sheets, name: str) -> list[RequestLine]:
    try:
        for ws in sheets:
            found = _find_header(ws)
            if found is not None:
                return _read_sheet(ws, *found)
    except READ_ERRORS:  # malformed sheet XML found while streaming the rows
        raise ImportRefused(DAMAGED, name) from None
    raise ImportRefused("未找到表头：须有“系统名称”和“金额”列（可另有“单位”列），请检查表头文字", name)


class _OleSheet:
    """An .xls/.et sheet read by xlrd, with the part of openpyxl's worksheet interface used here."""

    def __init__(self, sheet, rows: list[tuple]):
        self.title = sheet.name
        self._rows = rows

    def iter_rows(self, min_row: int = 1, max_row: int | None = None, values_only: bool = True):
        end = len(self._rows) if max_row is None else min(max_row, len(self._rows))
        return iter(self._rows[min_row - 1:end])


def _ole_sheets(path: Path, name: str) -> list[_OleSheet]:
    import xlrd

    from importers.sources import _xls_rows
    kind = "WPS 表格（.et）" if Path(name).suffix.lower() == ".et" else ".xls 工作簿"
    try:
        book = xlrd.open_workbook(str(path), on_demand=True)
    except Exception:  # noqa: BLE001 - damaged, encrypted or not a BIFF workbook: one answer
        raise ImportRefused(f"无法读取该{kind}：文件已损坏、设置了打开密码，或不是表格文件"
                            f"（可在 WPS 或 Excel 中另存为 .xlsx 后上传）", name) from None
    try:
        sheets = []
        for index in range(book.nsheets):
            sheet = book.get_sheet(index)
            sheets.append(_OleSheet(sheet, [values for _, values in _xls_rows(book, sheet)]))
            book.unload_sheet(index)
        return sheets
    except Exception:  # noqa: BLE001
        raise ImportRefused(DAMAGED, name) from None
    finally:
        book.release_resources()


def _read_sheet(ws, header_row: int, columns: dict[str, int], wan: bool) -> list[RequestLine]:
    lines, problems = [], []
    for r, row in enumerate(ws.iter_rows(min_row=header_row + 1, values_only=True), start=header_row + 1):
        cells = {k: (row[c - 1] if c - 1 < len(row) else None) for k, c in columns.items()}
        unit, system = _text(cells.get("unit")), _text(cells.get("system"))
        raw_amount = cells.get("amount")
        if not unit and not system and _text(raw_amount) == "":
            continue
        if any(_TOTAL.match(_text(v)) for v in row[:max(columns.values())]):
            continue  # a 合计/小计 row
        row_problems = []
        if not system:
            row_problems.append(Problem.at(Cell(ws.title, r, columns["system"]), system, "系统名称不能为空"))
        elif len(system) > 300:
            row_problems.append(Problem.at(Cell(ws.title, r, columns["system"]), system, "系统名称不能超过300个字符"))
        if "unit" in columns and len(unit) > 200:
            row_problems.append(Problem.at(Cell(ws.title, r, columns["unit"]), unit, "单位名称不能超过200个字符"))
        amount = None
        if _text(raw_amount) == "":
            row_problems.append(Problem.at(Cell(ws.title, r, columns["amount"]), raw_amount, "金额不能为空"))
        else:
            try:
                amount = _amount(raw_amount, wan)
            except (ValueError, InvalidOperation):
                row_problems.append(Problem.at(Cell(ws.title, r, columns["amount"]), raw_amount,
                                               "金额必须是不小于 0 的数字（元；表头注明“万元”时按万元）"))
        if row_problems:
            problems.extend(row_problems)
            continue
        lines.append(RequestLine(r, unit, system, amount))
    if problems:
        raise ImportFailed(problems)
    if not lines:
        raise ImportFailed([Problem(ws.title, header_row + 1, get_column_letter(columns["system"]), "",
                                    "表头下没有任何申报行")])
    return lines
