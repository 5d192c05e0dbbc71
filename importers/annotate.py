"""The user's own workbook back, with every bad cell filled red and a comment giving the reason.

An .xlsx keeps its formatting (openpyxl loads and saves it); an .xls or .csv becomes an .xlsx
copy of its values (and merged ranges). A first sheet "导入问题清单" lists every problem,
including those that have no cell (a missing header, an unknown unit named in a title line).
"""
from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill

from importers import layout
from importers.problems import Problem
from importers.sources import READ_ERRORS, check_file, iter_sheets
from importers.xlsx_text import text_row, write_text

RED = "FFFF0000"
RED_FILL = PatternFill("solid", fgColor=RED)
YELLOW_FILL = PatternFill("solid", fgColor="FFFFEB9C")
AUTHOR = "导入检查"
LIST_SHEET = "导入问题清单"
PROVIDED_SHEET = "已由其他单位提供"


def annotated_name(filename: str) -> str:
    return f"{Path(filename).stem}-问题标注.xlsx"


def annotate(source: Path | str, filename: str, problems: list[Problem], out: Path | str,
             provided: list[dict] = ()) -> Path:
    """Write the annotated copy of an imported file (it passed the import's checks) to `out` (.xlsx).
    `provided`: items another unit already provides (importers.provided), filled yellow with the
    provider in a comment and listed on a sheet of their own."""
    source = Path(source)
    kind = check_file(source, filename, sys.maxsize)
    book, titles = None, {}
    if kind == "xlsx":
        try:
            book = load_workbook(source)
        except READ_ERRORS:
            book = None
    if book is None:
        book, titles = _copy_values(source, kind, filename)
    by_cell: dict[tuple[str, str, int], list[str]] = defaultdict(list)
    for p in problems:
        sheet = titles.get(p.sheet, p.sheet)
        if sheet in book.sheetnames and p.row:
            by_cell[(sheet, p.column or "A", p.row)].append(p.reason)
    for (sheet, column, row), reasons in by_cell.items():
        _mark(book[sheet], f"{column}{row}", reasons)
    for w in provided:
        sheet = titles.get(w["sheet"], w["sheet"])
        if sheet in book.sheetnames and w["row"] and (sheet, w["column"] or "A", w["row"]) not in by_cell:
            _mark(book[sheet], f"{w['column'] or 'A'}{w['row']}", [w["message"]], YELLOW_FILL)
    if provided:
        _provided_list(book, provided)
    if problems or not provided:
        _problem_list(book, problems)
    book.save(out)
    return Path(out)


def _mark(ws, coordinate: str, reasons: list[str], fill=RED_FILL) -> None:
    target = ws[coordinate]
    if isinstance(target, MergedCell):
        for merged in ws.merged_cells.ranges:
            if coordinate in merged:
                target = ws.cell(merged.min_row, merged.min_col)
                break
    target.fill = fill
    text = "\n".join(dict.fromkeys(reasons))
    if target.comment is not None and target.comment.author == AUTHOR:
        text = target.comment.text + "\n" + text
    comment = Comment(text, AUTHOR)
    comment.width, comment.height = 300, 60 + 20 * text.count("\n")
    target.comment = comment


def _problem_list(book, problems: list[Problem]) -> None:
    ws = book.create_sheet(LIST_SHEET, 0)
    ws.append([f"导入问题清单（共 {len(problems)} 处；标红的单元格有批注说明原因；{layout.IGNORE_MARK}）"])
    ws.append(["工作表", "行", "列", "值", "原因"])
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for p in problems:
        ws.append(text_row(ws, [p.sheet, p.row, p.column, p.value, p.reason]))
    for letter, width in zip("ABCDE", (16, 8, 6, 30, 70)):
        ws.column_dimensions[letter].width = width
    book.active = 0


def _provided_list(book, provided: list[dict]) -> None:
    ws = book.create_sheet(PROVIDED_SHEET, 0)
    ws.append([f"已由其他单位提供的信息项（共 {len(provided)} 项；标黄的单元格有批注；请先申请共享，不要重复采集）"])
    ws.append(["工作表", "行", "信息资源", "信息项", "提供单位", "提供系统", "信息资源（提供方）", "共享类型", "共享方式"])
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for w in provided:
        for p in w["providers"]:
            ws.append([w["sheet"], w["row"], w["resource"], w["item"], p["unit"], p["system"], p["resource"],
                       p["sharing_type_label"], p["sharing_method_label"]])
    for letter, width in zip("ABCDEFGHI", (14, 6, 24, 20, 24, 28, 24, 12, 14)):
        ws.column_dimensions[letter].width = width
    book.active = 0


def _copy_values(source: Path, kind: str, filename: str) -> tuple[Workbook, dict[str, str]]:
    """An .xls/.csv (or an .xlsx openpyxl cannot load for editing) as a plain .xlsx workbook,
    and the sheet titles it had to shorten (a CSV file's name may be longer than Excel allows)."""
    book = Workbook()
    book.remove(book.active)
    titles = {}
    for sheet in iter_sheets(source, kind, filename):
        ws = book.create_sheet(sheet.name[:31])
        titles[sheet.name] = ws.title
        for number, values in sheet.rows:
            for column, value in enumerate(values, 1):
                if value is not None:
                    write_text(ws, number, column, value)
        for r1, c1, r2, c2 in sheet.merges:
            if (r1, c1) != (r2, c2):
                ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
    if not book.worksheets:
        book.create_sheet(Path(filename).stem[:31] or "Sheet1")
    return book, titles
