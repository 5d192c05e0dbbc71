"""The blank Attachment 2 workbook a department fills in (云阳县政务信息化项目信息资源目录).

Laid out like the form: the title, a "系统名称：" line (the form is filed per system, so the
reader takes the system from it), the two-level header with 信息资源格式 over 分类/类型, a block
of bordered rows to fill, and the 填表说明 under them. Closed vocabularies get drop-down lists
that refuse other values; open ones get a drop-down of the standard values that also accepts
others, and every column an input hint.
"""
from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from catalog_schema import vocabularies as vocab
from catalog_schema.schemas import MAX_DATA_LENGTH
from importers import layout
from importers.workbook_style import (HEADER_FONT, BodyCells, append_header, append_notes, append_title, cell,
                                      merge, set_widths)

TEMPLATE_COLUMNS = tuple(c for c in layout.COLUMNS if c.key != "system")
BLANK_ROWS = 200
FIRST_DATA_ROW = 5

# (prompt title, prompt) per column; closed lists add an error message below.
HINTS = {
    "unit": ("部门名称", "填写单位全称，须与系统中登记的单位名称一致。同一单位的多行可只填第一行（或合并单元格）。"),
    "title": ("信息资源名称", "描述信息资源内容的标题，如“XX处罚信息”。一个信息资源占多行（每个信息项一行），"
                         "资源名称只需填在第一行，也可合并单元格。"),
    "format_class": ("信息资源格式分类", "请从下拉列表选择。"),
    "format_type": ("信息资源格式类型", "可从下拉列表选择，也可填写列表以外的格式（如 mysql、json）。"),
    "item_name": ("信息项名称", "对信息资源的细化描述，每个信息项一行，如处罚依据、处罚类型、处罚金额。"),
    "data_type": ("数据类型", "可从下拉列表选择，也可填写其他类型；“字符型C(18)”“varchar(20)”中的长度会自动识别为数据长度。"),
    "data_length": ("数据长度", "结构化数据须填写，正整数（如 18）。"),
    "sharing_type": ("共享类型", "请从下拉列表选择。资源第一行为资源的共享类型；个别信息项不同的，在该信息项行另行选择。"),
    "sharing_method": ("共享方式", "请从下拉列表选择。无条件共享、有条件共享的资源必须填写。"),
    "open_to_public": ("是否向社会开放", "请选择“是”或“否”。"),
    "open_conditions": ("开放条件", "向社会开放的条件（可空）。"),
    "update_cycle": ("数据更新周期", "可从下拉列表选择，也可填写其他周期（如每半年、按需）。"),
}


def _list_validation(key: str, labels: list[str], closed: bool) -> DataValidation:
    title, prompt = HINTS[key]
    dv = DataValidation(type="list", formula1='"' + ",".join(labels) + '"', allow_blank=True,
                        showInputMessage=True, promptTitle=title, prompt=prompt,
                        showErrorMessage=closed, errorTitle=f"{title}填写有误",
                        error=f"只能选择：{'、'.join(labels)}")
    if not closed:
        dv.errorStyle = "information"
    return dv


def _validation(column: layout.Column) -> DataValidation:
    key = column.key
    if key == "data_type":
        labels = [layout.data_type_label(code) for code in vocab.DATA_TYPE.codes]
        return _list_validation(key, labels, closed=False)
    if column.vocabulary is not None:
        return _list_validation(key, column.vocabulary.labels, closed=not column.vocabulary.open)
    title, prompt = HINTS[key]
    if key == "data_length":
        return DataValidation(type="whole", operator="between", formula1="1", formula2=str(MAX_DATA_LENGTH),
                              allow_blank=True, showInputMessage=True, promptTitle=title, prompt=prompt,
                              showErrorMessage=True, errorTitle="数据长度填写有误",
                              error=f"数据长度须为 1 到 {MAX_DATA_LENGTH} 之间的整数")
    return DataValidation(allow_blank=True, showInputMessage=True, promptTitle=title, prompt=prompt)


def write_catalog_template(path: Path | str, *, unit_name: str = "", system_name: str = "",
                           rows: int = BLANK_ROWS):
    """Write the blank form; `unit_name` / `system_name` pre-fill it for one unit's system."""
    columns = TEMPLATE_COLUMNS
    width = len(columns)
    book = Workbook(write_only=True)
    ws = book.create_sheet(layout.SHEET_TITLE)
    set_widths(ws, columns)
    ws.freeze_panes = f"A{FIRST_DATA_ROW}"
    row = append_title(ws, layout.TITLE, width, 1)
    system_cell = cell(ws, system_name or None)
    ws.append([cell(ws, "系统名称：", font=HEADER_FONT, border=None), system_cell])
    merge(ws, 2, row, 5, row)
    system_hint = DataValidation(allow_blank=True, showInputMessage=True, promptTitle="系统名称",
                                 prompt="填写本表信息资源所属信息系统的名称（如“低保管理信息系统”）。"
                                        "系统不存在时导入会新建。")
    system_hint.add(f"B{row}")
    ws.data_validations.append(system_hint)
    row = append_header(ws, columns, row + 1)
    last = row + rows - 1
    body = BodyCells(ws)
    for index, column in enumerate(columns, 1):
        dv = _validation(column)
        letter = get_column_letter(index)
        dv.add(f"{letter}{row}:{letter}{last}")
        ws.data_validations.append(dv)
    for number in range(row, last + 1):
        values = [None] * width
        if number == row and unit_name:
            values[0] = unit_name
        ws.append([body(v) for v in values])
    ws.append([])
    append_notes(ws, width, last + 2)
    book.save(path)
    return path
