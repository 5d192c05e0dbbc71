"""Attachment 1, the project declaration form (云阳县政务信息化项目建设申报表): dict ↔ .xlsx.

Pure conversion: the project module validates and stores the dict. `read_declaration` finds each
field by its label anywhere on the sheet (a clerk may insert rows or write "填表人：张三" in one
cell), and always returns every key below:

| key | label on the form | value |
| --- | --- | --- |
| applicant_unit | 项目申报单位（盖章） | text |
| declared_on | 日期 | "YYYY-MM-DD" or None |
| project_name | 项目名称 | text |
| project_type | 项目类型（类别） | "new" 新建 / "continued" 续建 / "expansion" 改扩建, or None |
| owner | 项目业主 | text |
| competent_department | 行政主管部门 | text |
| leader_name, leader_phone | 分管领导, its 联系电话 | text |
| contact_name, contact_phone | 项目联系人, its 联系电话 | text |
| background | 建设背景和依据 (document name and number, or the need) | text |
| cost_estimate | 经费估算 | text |
| preparation | 前期准备情况 | text |
| schedule | 进度计划和年度资金估算 | text |
| has_feasibility_report | 附件材料 1：项目基本情况报告（可行性研究报告/技术方案） | True / False / None |
| has_budget_detail | 附件材料 2：投资预算明细 | True / False / None |
| other_attachments | 其他附件材料 | text |
| remarks | 备注 | text |
| filled_by, filled_by_phone | 填表人, its 联系电话 | text |

Text values are "" when blank.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.datavalidation import DataValidation

from catalog_schema import vocabularies as vocab
from registry.core.errors import ValidationFailed
from importers.problems import ImportRefused
from importers.sources import DAMAGED, READ_ERRORS, check_file, plain
from importers.workbook_style import BODY_FONT, BORDER, CENTER, HEADER_FONT, TITLE_FONT, WRAP
from importers.xlsx_text import save_as_text, write_text

TITLE = "云阳县政务信息化项目建设申报表"
NOTE = "填报说明：“项目类别”一栏填：新建、续建、改扩建。"
FEASIBILITY = "1. 项目基本情况报告（项目可行性研究报告/技术方案）"
BUDGET = "2. 投资预算明细"
BACKGROUND_HINT = ("上级文件要求或领导批示、上级部门明确要求、业务工作需要；文件依据请填写文件名和文号，"
                   "工作需要的请简要说明。")
TEXT_KEYS = ("applicant_unit", "project_name", "owner", "competent_department", "leader_name", "leader_phone",
             "contact_name", "contact_phone", "background", "cost_estimate", "preparation", "schedule",
             "other_attachments", "remarks", "filled_by", "filled_by_phone")
KEYS = ("applicant_unit", "declared_on", "project_name", "project_type", "owner", "competent_department",
        "leader_name", "leader_phone", "contact_name", "contact_phone", "background", "cost_estimate",
        "preparation", "schedule", "has_feasibility_report", "has_budget_detail", "other_attachments",
        "remarks", "filled_by", "filled_by_phone")

# label → key; "联系电话" is resolved by the label before it on the same row.
LABELS = {
    "项目申报单位": "applicant_unit", "申报单位": "applicant_unit", "日期": "declared_on",
    "申报日期": "declared_on", "项目名称": "project_name", "项目类型": "project_type",
    "项目类别": "project_type", "项目类型类别": "project_type", "项目业主": "owner",
    "行政主管部门": "competent_department", "分管领导": "leader_name", "项目联系人": "contact_name",
    "建设背景和依据": "background", "经费估算": "cost_estimate", "前期准备情况": "preparation",
    "进度计划和年度资金估算": "schedule", "其他附件材料": "other_attachments", "备注": "remarks",
    "填表人": "filled_by", "联系电话": "phone", "申报时应附材料": "attachments",
}
PHONE_OF = {"leader_name": "leader_phone", "contact_name": "contact_phone", "filled_by": "filled_by_phone"}
_LABEL_TEXT = re.compile(r"[\s:：()（）/、*＊]|盖章|[0-9]+\.")
_INLINE = re.compile(r"(项目申报单位|申报单位|填表人|联系电话|日期|项目名称|项目类型|项目业主)\s*(?:[(（]盖章[)）])?"
                     r"\s*[:：]\s*(\S[^:：]*?)?\s*(?=$|\s(?:填表人|联系电话|日期)\s*[:：])")
_DATE = re.compile(r"^(\d{4})\s*[年./-]\s*(\d{1,2})\s*[月./-]\s*(\d{1,2})\s*日?$")


def _label_key(text: str) -> str | None:
    folded = _LABEL_TEXT.sub("", vocab.clean(text))
    if "项目基本情况报告" in folded:
        return "has_feasibility_report"
    if "投资预算明细" in folded:
        return "has_budget_detail"
    return LABELS.get(folded)


# ---- reading ------------------------------------------------------------------------------

def read_declaration(path: Path | str, filename: str | None = None, max_bytes: int = 20 * 1024 * 1024) -> dict:
    """The form's values as a dict with every key of KEYS; ValidationFailed on a bad value."""
    path = Path(path)
    filename = filename or path.name
    if check_file(path, filename, max_bytes) != "xlsx":
        raise ImportRefused("项目建设申报表请使用 Excel 工作簿（.xlsx）格式", filename)
    try:
        book = load_workbook(path, data_only=True)
    except READ_ERRORS:
        raise ImportRefused(DAMAGED, filename) from None
    sheet = next((ws for ws in book.worksheets if _has_label(ws, "项目名称")), None)
    if sheet is None:
        raise ImportRefused("没有找到项目建设申报表（表中须有“项目名称”一栏）", filename)
    raw: dict[str, object] = {}
    for row in sheet.iter_rows(values_only=True):
        _read_row([plain(v) if not isinstance(v, datetime) else v for v in row], raw)
    return _convert(raw)


def _has_label(ws, label: str) -> bool:
    return any(isinstance(v, str) and _label_key(v) == LABELS[label]
               for row in ws.iter_rows(max_row=60, values_only=True) for v in row)


def _read_row(cells: list, raw: dict) -> None:
    last_label = None
    index = 0
    while index < len(cells):
        text = cells[index]
        index += 1
        if _is_date(text):   # the form's "项目申报单位（盖章）：    年 月 日" has no label for the date
            raw.setdefault("declared_on", text)
            continue
        if not isinstance(text, str):
            continue
        key = _label_key(text)
        inline = [(k, v) for k, v in _INLINE.findall(vocab.clean(text))] if key is None else []
        if inline:
            for label, value in inline:
                key = _resolve(LABELS.get(label), last_label)
                last_label = key if key != "phone" else last_label
                raw.setdefault(key, value or None)
            continue
        if key is None or key == "attachments":
            continue
        key = _resolve(key, last_label)
        if key in PHONE_OF:
            last_label = key
        value = None
        while index < len(cells):   # the next filled cell that is not itself a label
            candidate = cells[index]
            if isinstance(candidate, str) and _label_key(candidate) is not None:
                break
            index += 1
            if candidate is not None:
                value = candidate
                break
        raw.setdefault(key, value)


def _is_date(value) -> bool:
    return isinstance(value, (datetime, date)) or isinstance(value, str) and bool(_DATE.match(vocab.clean(value)))


def _resolve(key: str | None, last_label: str | None) -> str:
    if key == "phone":
        return PHONE_OF.get(last_label, "leader_phone")
    return key


def _convert(raw: dict) -> dict:
    errors: dict[str, list[str]] = {}
    result: dict[str, object] = {key: "" for key in TEXT_KEYS}
    for key in TEXT_KEYS:
        value = raw.get(key)
        result[key] = "" if value is None else (value.strip() if isinstance(value, str) else str(value))
    result["declared_on"] = None
    value = raw.get("declared_on")
    if isinstance(value, (datetime, date)):
        result["declared_on"] = (value.date() if isinstance(value, datetime) else value).isoformat()
    elif isinstance(value, str) and value.replace("年", "").replace("月", "").replace("日", "").strip():
        found = _DATE.match(vocab.clean(value))
        try:
            result["declared_on"] = date(*map(int, found.groups())).isoformat() if found else None
        except ValueError:
            found = None
        if found is None:
            errors["declared_on"] = [f"日期“{value}”格式不正确，请填写如 2026年3月28日 或 2026-03-28"]
    result["project_type"] = None
    if raw.get("project_type"):
        try:
            result["project_type"] = vocab.PROJECT_TYPE.resolve(str(raw["project_type"]))
        except ValueError as exc:
            errors["project_type"] = [str(exc)]
    for key in ("has_feasibility_report", "has_budget_detail"):
        value = raw.get(key)
        code = vocab.OPEN_TO_PUBLIC.normalize(str(value)) if value not in (None, "") else None
        if value not in (None, "") and code is None:
            errors[key] = [f"附件材料一栏只能填“是”或“否”，不能填“{value}”"]
        result[key] = None if code is None else code == "yes"
    if errors:
        raise ValidationFailed(errors, "项目建设申报表填写有误")
    return {key: result[key] for key in KEYS}


# ---- writing ------------------------------------------------------------------------------

def write_declaration(data: dict, path):
    """The form, filled with `data` (keys as in KEYS; missing keys stay blank). `{}`: the blank form."""
    unknown = set(data) - set(KEYS)
    if unknown:
        raise ValueError(f"unknown declaration keys: {sorted(unknown)}")
    book = Workbook()
    ws = book.active
    ws.title = "项目建设申报表"
    for letter, width in zip("ABCD", (22, 34, 16, 30)):
        ws.column_dimensions[letter].width = width
    get = lambda key: data.get(key)  # noqa: E731
    ws.append([TITLE])
    ws.merge_cells("A1:D1")
    ws["A1"].font, ws["A1"].alignment = TITLE_FONT, CENTER
    ws.row_dimensions[1].height = 34
    rows = [
        ("项目申报单位（盖章）", get("applicant_unit"), "日期", get("declared_on")),
        ("项目名称", get("project_name")), ("项目类型", _type_label(get("project_type"))),
        ("项目业主", get("owner")), ("行政主管部门", get("competent_department")),
        ("分管领导", get("leader_name"), "联系电话", get("leader_phone")),
        ("项目联系人", get("contact_name"), "联系电话", get("contact_phone")),
        ("建设背景和依据", get("background")), ("经费估算", get("cost_estimate")),
        ("前期准备情况", get("preparation")), ("进度计划和年度资金估算", get("schedule")),
        ("申报时应附材料", FEASIBILITY, None, _yes_no(get("has_feasibility_report"))),
        (None, BUDGET, None, _yes_no(get("has_budget_detail"))),
        ("其他附件材料", get("other_attachments")), ("备注", get("remarks")),
        ("填表人", get("filled_by"), "联系电话", get("filled_by_phone")),
    ]
    for number, values in enumerate(rows, 2):
        _write_row(ws, number, values)
    ws.merge_cells("A13:A14")
    note_row = len(rows) + 2
    ws.cell(note_row, 1, NOTE).alignment = WRAP
    ws.merge_cells(f"A{note_row}:D{note_row}")
    _validations(ws)
    save_as_text(book, path)
    return path


def _write_row(ws, number: int, values: tuple) -> None:
    label, value = values[0], values[1]
    tall = label in ("建设背景和依据", "经费估算", "前期准备情况", "进度计划和年度资金估算", "备注")
    ws.row_dimensions[number].height = 60 if tall else 22
    cells = [(1, label, True), (2, value, value in (FEASIBILITY, BUDGET))]
    if len(values) == 4:
        cells += [(3, values[2], True), (4, values[3], False)]
    for column, text, is_label in cells:
        c = write_text(ws, number, column, text if text not in ("", None) else None)
        c.border, c.alignment = BORDER, CENTER if is_label else WRAP
        c.font = HEADER_FONT if is_label else BODY_FONT
        if not is_label:
            c.number_format = "@"
    for column in range(1, 5):
        ws.cell(number, column).border = BORDER
    if len(values) == 2:
        ws.merge_cells(start_row=number, start_column=2, end_row=number, end_column=4)
    elif values[1] in (FEASIBILITY, BUDGET):
        ws.merge_cells(start_row=number, start_column=2, end_row=number, end_column=3)


def _validations(ws) -> None:
    kind = DataValidation(type="list", formula1='"' + ",".join(vocab.PROJECT_TYPE.labels) + '"', allow_blank=True,
                          showErrorMessage=True, errorTitle="项目类型填写有误", error="只能选择：新建、续建、改扩建",
                          showInputMessage=True, promptTitle="项目类型", prompt="请选择：新建、续建、改扩建")
    kind.add("B4")
    attached = DataValidation(type="list", formula1='"是,否"', allow_blank=True, showErrorMessage=True,
                              errorTitle="填写有误", error="只能选择“是”或“否”", showInputMessage=True,
                              promptTitle="是否已附", prompt="该材料是否随申报表附上")
    attached.add("D13:D14")
    background = DataValidation(allow_blank=True, showInputMessage=True, promptTitle="建设背景和依据",
                                prompt=BACKGROUND_HINT)
    background.add("B9")
    when = DataValidation(allow_blank=True, showInputMessage=True, promptTitle="日期", prompt="如 2026-03-28")
    when.add("D2")
    for dv in (kind, attached, background, when):
        ws.add_data_validation(dv)


def _type_label(code) -> str | None:
    return vocab.PROJECT_TYPE.label_of(code) if code else None


def _yes_no(value) -> str | None:
    return None if value is None else ("是" if value else "否")
