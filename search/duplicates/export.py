"""Duplicate findings as rows and as an Excel workbook for the Bureau."""
from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from importers.xlsx_text import append_text, save_as_text

HEADER = ("线索编号", "类型", "审核状态", "数据元", "角色", "单位", "信息系统", "信息资源", "信息项", "数据类型",
          "数据长度", "是否共享", "相似度", "应复用的提供方系统", "审核理由", "判断依据")


def duplicate_rows(finding: dict) -> list[dict]:
    """One row per item of the finding: the flagged system's items first, then the other holders."""
    evidence = finding["evidence"]
    if finding["kind"] == "resource":
        return [{"unit": finding["unit_name"], "system": finding["system_name"], "resource": evidence["resource"],
                 "item": "、".join(evidence.get("shared_keys", [])[:10]), "side": "本方"},
                {"unit": evidence["other_unit"], "system": evidence["other_system"],
                 "resource": evidence["other_resource"], "item": "", "side": "对方"}]
    if "holders" in finding:  # every item holding the data element now (duplicate_list holders=True)
        return [{**h, "side": "本方" if h["side"] == "本系统" else h["side"]} for h in finding["holders"]]
    rows = [{**e, "side": "本方"} for e in evidence.get("items", [])]
    rows += [{**e, "side": "提供方" if e.get("shares") else "其他采集方"} for e in evidence.get("others", [])]
    return rows


def write_duplicates_xlsx(findings: list[dict], path: str) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "重复采集线索"
    append_text(ws, HEADER)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for f in findings:
        for row in duplicate_rows(f):
            append_text(ws, (f["id"], f["kind_label"], f["state_label"], f["element_name"],
                       row["side"] if row["side"] != "本方" else f["role_label"], row.get("unit"), row.get("system"),
                       row.get("resource"), row.get("item"), row.get("data_type"), row.get("data_length"),
                       "是" if row.get("shares") else "", f["score"], f["must_reuse_from_system_name"], f["reason"],
                       "；".join(f"{w['step']}：{w['detail']}（{w['score']:.2f}）" for w in row.get("why", []))))
    widths = (9, 8, 14, 16, 12, 24, 28, 24, 20, 9, 9, 8, 8, 26, 30, 60)
    for index, width in enumerate(widths):
        ws.column_dimensions[chr(ord("A") + index)].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(vertical="top", wrap_text=True)
    save_as_text(wb, path)
