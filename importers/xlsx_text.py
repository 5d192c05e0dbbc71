"""User text goes into a workbook as text, never as a formula.

openpyxl stores any string starting with "=" as a formula, so a resource titled
`=HYPERLINK("http://evil.example","点击")` would be a live link (or a DDE call) in the catalog export
of whoever opens it. Every workbook writer uses these helpers: `text_cell` for each cell it creates,
`text_row` / `append_text` for a row it appends, `write_text` for a cell it fills in place, and `save_as_text` (a
last sweep, for workbooks held in memory) instead of `Workbook.save`. The writers put no formulas of
their own in cells (drop-downs are data validations, not cells).
"""
from __future__ import annotations

from typing import Iterable

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell


def is_formula(value) -> bool:
    return isinstance(value, str) and value.startswith("=")


def as_text(cell: Cell) -> Cell:
    """The cell's string value stays a string (an "=" at its start included)."""
    if cell.data_type == "f" and isinstance(cell.value, str):
        cell.data_type = "s"
    return cell


def text_cell(ws, value) -> Cell:
    """A new cell of `ws` (write-only or not) holding `value`, strings as text (control characters,
    which a workbook cannot hold, shown as �)."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    return as_text(Cell(worksheet=ws, column=1, row=1, value=value))


def text_row(ws, values: Iterable) -> list:
    """`values` for `ws.append`: every string that would be read as a formula (or holds a control
    character) made a text cell."""
    return [text_cell(ws, v) if is_formula(v) or (isinstance(v, str) and ILLEGAL_CHARACTERS_RE.search(v)) else v
            for v in values]


def append_text(ws, values: Iterable) -> None:
    """`ws.append(values)`, strings as text."""
    ws.append(text_row(ws, values))


def write_text(ws, row: int, column: int, value) -> Cell:
    """`ws.cell(row, column, value)`, strings as text."""
    return as_text(ws.cell(row, column, value))


def save_as_text(book, target) -> None:
    """Save a workbook built in memory after making sure no cell holds a formula."""
    if not getattr(book, "write_only", False):
        for ws in book.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    as_text(cell)
    book.save(target)
