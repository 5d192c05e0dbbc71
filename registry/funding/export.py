"""Excel workbooks for finance and the Bureau: the funding report, the budget reconciliation
report (with its summary sheet), and the master directory."""
from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from importers.xlsx_text import append_text, save_as_text

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
BLOCKED_FILL = PatternFill("solid", fgColor="FCE4D6")


def _sheet(wb, title: str, header: tuple, widths: tuple, first: bool = False):
    ws = wb.active if first else wb.create_sheet()
    ws.title = title
    append_text(ws, header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A2"
    return ws


def _finish(ws) -> None:
    ws.auto_filter.ref = ws.dimensions
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(vertical="top", wrap_text=True)


def _reasons_text(reasons: list[dict]) -> str:
    return "\n".join(r["message"] for r in reasons)


def _summary_sheet(wb, summary: dict, with_amount: bool) -> None:
    ws = _sheet(wb, "汇总", ("类别", "项目", "条数", "金额（元）") if with_amount else ("类别", "项目", "条数"),
                (14, 44, 10, 18))
    for side, label in (("eligible", "可以安排"), ("blocked", "不予安排")):
        t = summary["total"][side]
        append_text(ws, ("合计", label, t["count"], round(t["amount"], 2)) if with_amount else ("合计", label, t["count"]))
    for entry in summary["by_rule"]:
        label = f"{entry['title']}（{entry['article_text']}）"
        append_text(ws, ("按原因", label, entry["count"], round(entry["amount"], 2)) if with_amount
                  else ("按原因", label, entry["count"]))
    for unit in summary["by_unit"]:
        for side, label in (("eligible", "可以安排"), ("blocked", "不予安排")):
            b = unit[side]
            if b["count"]:
                name = f"{unit['unit_name']}·{label}"
                append_text(ws, ("按单位", name, b["count"], round(b["amount"], 2)) if with_amount else ("按单位", name, b["count"]))
    _finish(ws)


def write_funding_report(rows: list[dict], summary: dict, target, year: int) -> None:
    """One row per system: decision, articles, every reason."""
    wb = Workbook()
    ws = _sheet(wb, f"{year}年度运维经费审核", ("单位", "信息系统", "系统代码", "是否在总目录", "结论", "依据条款", "原因"),
                (26, 34, 18, 12, 20, 26, 90), first=True)
    for r in rows:
        append_text(ws, (r["unit_name"], r["system_name"], r["system_code"], "是" if r["in_directory"] else "否",
                   r["decision"], r["citation"], _reasons_text(r["reasons"])))
        if not r["eligible"]:
            ws.cell(ws.max_row, 5).fill = BLOCKED_FILL
    _finish(ws)
    _summary_sheet(wb, summary, with_amount=False)
    save_as_text(wb, target)


def write_budget_report(lines: list[dict], summary: dict, target, year: int) -> None:
    """One row per budget line: as written, matched system, decision, reasons, amount blocked."""
    wb = Workbook()
    ws = _sheet(wb, f"{year}年度运维经费预算审核",
                ("行号", "申报单位", "申报系统名称", "申请金额（元）", "匹配的总目录系统", "所属单位", "匹配状态", "匹配度",
                 "结论", "依据条款", "原因", "不予安排金额（元）", "匹配依据"),
                (7, 24, 34, 14, 34, 24, 12, 8, 20, 26, 80, 16, 80), first=True)
    for r in lines:
        append_text(ws, (r["row"], r["unit_text"], r["system_text"], r["amount"], r["system_name"] or "（未匹配）",
                   r["unit_name"] if r["system_name"] else "", r["state_label"], r["confidence"], r["decision"],
                   r["citation"], _reasons_text(r["reasons"]), r["amount_blocked"],
                   (r.get("explanation") or {}).get("summary", "")))
        if not r["eligible"]:
            ws.cell(ws.max_row, 9).fill = BLOCKED_FILL
    _finish(ws)
    _summary_sheet(wb, summary, with_amount=True)
    save_as_text(wb, target)


def write_directory(rows: list[dict], target) -> None:
    wb = Workbook()
    ws = _sheet(wb, "政务信息系统总目录", ("单位", "信息系统", "系统代码", "是否在总目录", "决定日期", "系统状态", "部署网络",
                                      "整合至", "决定人"), (26, 36, 18, 12, 14, 10, 10, 30, 14), first=True)
    for r in rows:
        append_text(ws, (r["unit_name"], r["title"], r["code"], "是" if r["in_directory"] else "否", r["directory_date"] or "",
                   r["status_label"], r["network_label"], (r.get("merged_into") or {}).get("name", ""),
                   r["directory_decided_by"] or ""))
    _finish(ws)
    save_as_text(wb, target)
