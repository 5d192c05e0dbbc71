"""Writing the Attachment 2 title and two-level header, the same in the template and the export.

Both write with openpyxl's write-only worksheets (the export may hold 200,000 rows), so cells
are appended row by row and merged ranges are registered on the sheet.
"""
from __future__ import annotations

from copy import copy

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange

from importers import layout
from importers.xlsx_text import text_cell

THIN = Side(style="thin", color="FF808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
TITLE_FONT = Font(name="宋体", size=16, bold=True)
HEADER_FONT = Font(name="宋体", size=11, bold=True)
BODY_FONT = Font(name="宋体", size=11)
HEADER_FILL = PatternFill("solid", fgColor="FFDDEBF7")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
WRAP = Alignment(vertical="center", wrap_text=True)


def cell(ws, value=None, *, font=BODY_FONT, border=BORDER, align=WRAP, fill=None) -> WriteOnlyCell:
    c = text_cell(ws, value)
    c.font, c.alignment = font, align
    if border is not None:
        c.border = border
    if fill is not None:
        c.fill = fill
    return c


class BodyCells:
    """Bordered body cells, fast: the style of one prototype cell is copied (setting font, border
    and alignment on each cell costs a style-table lookup each, too slow for 200,000 rows)."""

    def __init__(self, ws):
        self.ws = ws
        self.proto = cell(ws, None, border=BORDER)

    def __call__(self, value) -> WriteOnlyCell:
        c = text_cell(self.ws, value)
        c._style = copy(self.proto._style)
        return c


def merge(ws, min_col: int, min_row: int, max_col: int, max_row: int) -> None:
    """Register a merged range (set-add: MultiCellRange.add is quadratic on large exports)."""
    ws.merged_cells.ranges.add(CellRange(min_col=min_col, min_row=min_row, max_col=max_col, max_row=max_row))


def set_widths(ws, columns: tuple[layout.Column, ...]) -> None:
    for index, column in enumerate(columns, 1):
        ws.column_dimensions[get_column_letter(index)].width = column.width


def append_title(ws, text: str, width: int, row: int) -> int:
    ws.append([cell(ws, text, font=TITLE_FONT, border=None, align=CENTER)])
    ws.row_dimensions[row].height = 30
    merge(ws, 1, row, width, row)
    return row + 1


def append_header(ws, columns: tuple[layout.Column, ...], row: int) -> int:
    """Two header rows: 信息资源格式 over 分类/类型, every other header merged over both rows."""
    top, bottom = [], []
    keys = [c.key for c in columns]
    for index, column in enumerate(columns, 1):
        if column.key == "format_class":
            top.append(cell(ws, layout.FORMAT_PARENT, font=HEADER_FONT, align=CENTER, fill=HEADER_FILL))
            bottom.append(cell(ws, column.label, font=HEADER_FONT, align=CENTER, fill=HEADER_FILL))
            merge(ws, index, row, index + 1, row)
        elif column.key == "format_type" and "format_class" in keys:
            top.append(cell(ws, None, font=HEADER_FONT, align=CENTER, fill=HEADER_FILL))
            bottom.append(cell(ws, column.label, font=HEADER_FONT, align=CENTER, fill=HEADER_FILL))
        else:
            top.append(cell(ws, column.label, font=HEADER_FONT, align=CENTER, fill=HEADER_FILL))
            bottom.append(cell(ws, None, font=HEADER_FONT, align=CENTER, fill=HEADER_FILL))
            merge(ws, index, row, index, row + 1)
    ws.append(top)
    ws.append(bottom)
    ws.row_dimensions[row].height = 24
    ws.row_dimensions[row + 1].height = 20
    return row + 2


def append_notes(ws, width: int, row: int) -> int:
    """The 填表说明 of Attachment 2 under the table, one merged line each."""
    for text in layout.NOTES:
        ws.append([cell(ws, text, border=None, align=Alignment(vertical="top", wrap_text=True))])
        ws.row_dimensions[row].height = 30 if len(text) > 60 else 18
        merge(ws, 1, row, width, row)
        row += 1
    return row
