"""The demo county's funding picture: evidence for most systems, a merged system, a few blocked
ones (one per article), and a 2027 budget request list with name variants for finance to review.

Loaded through the actions by `registry.demo.load_demo`, after the catalog.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

from openpyxl import Workbook

from importers.xlsx_text import save_as_text

from registry.core.actions import call_action

DEMO_YEAR = 2027

# (system code, kind, result, issued, valid until, note)
BLOCKING = [
    ("yygaj-s03", "crypto_assessment", "failed", "2025-08-20", None, "密评结论：不符合"),
    ("yyswj-s02", "crypto_assessment", "passed", "2024-12-20", "2026-12-31", "有效期在预算年度前届满"),
    ("yyscjgj-s02", "completion_acceptance", "failed", "2025-05-12", None, "竣工验收未通过：功能未完成"),
    ("yywjw-s03", "major_risk", "open", "2026-07-01", None, "互联网暴露面存在高危漏洞，未整改"),
    ("yyczj-s03", "sharing_status", "not_connected", "2026-06-30", None, "未接入县政务数据共享交换平台"),
    ("yyjtw-s03", "integration_pending", "open", "2026-03-15", None, "应整合至交通运输综合执法系统"),
    ("yyrmyy-s01", "exemption_review", "approved", "2025-03-01", None, "孤网运行初审同意，待县政府审定"),
]


def _compliant(system_code: str) -> list[tuple]:
    return [(system_code, "completion_acceptance", "passed", "2023-05-20", None, "竣工验收合格"),
            (system_code, "archive_acceptance", "passed", "2023-04-28", None, "档案验收合格"),
            (system_code, "security_test", "passed", "2026-03-10", "2027-12-31", "等级保护第三级测评"),
            (system_code, "security_filing", "passed", "2026-04-01", None, "公安机关备案"),
            (system_code, "crypto_assessment", "passed", "2026-05-15", "2028-05-14", "密评结论：基本符合")]


def load_funding_demo(ctx, county: list[dict], progress=print) -> dict:
    progress("载入运维经费演示数据 …")
    blocked_kinds = {(code, kind) for code, kind, *_ in BLOCKING}
    counts = {"evidence": 0, "budget_lines": 0}
    for unit in county:
        for system in unit["systems"]:
            if not system.get("in_directory") or system.get("status") != "running":
                continue
            for code, kind, result, issued, until, note in _compliant(system["code"]):
                if (code, kind) not in blocked_kinds:
                    _evidence(ctx, code, kind, result, issued, until, note)
                    counts["evidence"] += 1
    for row in BLOCKING:
        _evidence(ctx, *row)
        counts["evidence"] += 1
    call_action("directory_merge", ctx, {"id": "yymzj-s05", "into": "yymzj-s01", "decided_on": "2025-12-31",
                                         "reason": "演示数据：旧版城乡低保系统整合至低保救助管理信息系统"})
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{DEMO_YEAR}年度运维经费预算申报清单.xlsx"
        write_demo_budget(path)
        from registry.funding.storage import LocalUpload
        run = call_action("budget_upload", ctx, {"year": DEMO_YEAR, "upload": LocalUpload(path, path.name)})
        counts["budget_lines"] = run["line_count"]
    return counts


# Document numbers the way the issuers write them (the number is the demo's running count).
REFERENCE_PREFIX = {"completion_acceptance": "云阳大数据验", "archive_acceptance": "云阳档验", "security_test": "等保测评",
                    "security_filing": "云公网安备", "crypto_assessment": "密评", "major_risk": "云阳网安通",
                    "exemption_review": "云阳大数据审", "exemption_approval": "云阳府办函", "integration_pending": "云阳大数据督",
                    "sharing_status": "云阳大数据共享"}
_serial = iter(range(11, 10_000))


def _evidence(ctx, code, kind, result, issued, until, note) -> None:
    reference = f"{REFERENCE_PREFIX.get(kind, '云阳大数据')}〔{issued[:4]}〕{next(_serial)}号"
    call_action("evidence_create", ctx, {"kind": kind, "system": code, "result": result, "issued_on": issued,
                                         "valid_until": until, "reference": reference,
                                         "note": note})


DEMO_BUDGET = [
    ("云阳县公安局", "智慧公安综合管理平台运维", 1_200_000),
    ("县公安局", "户政管理系统（二期）", 380_000),
    ("云阳县公安局", "公安交通管理综合应用平台V2.0", 450_000),
    ("云阳县民政局", "低保救助管理系统", 260_000),
    ("云阳县民政局", "城乡低保信息管理系统", 90_000),
    ("人社局", "社保经办系统运维费", 520_000),
    ("云阳县卫生健康委员会", "2027年全民健康信息平台", 800_000),
    ("云阳县卫生健康委员会", "卫生健康综合监督执法平台", 150_000),
    ("云阳县财政局", "政府采购管理交易平台", 210_000),
    ("云阳县交通运输委员会", "道路运输管理信息系统", 300_000),
    ("云阳县人民医院", "医院信息系统（HIS）", 600_000),
    ("云阳县市场监督管理局", "智慧停车管理平台", 180_000),
    ("云阳县文化和旅游发展委员会", "全域旅游大数据平台", 350_000),
]


def write_demo_budget(path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "运维经费"
    ws.append([f"云阳县{DEMO_YEAR}年度政务信息系统运行维护经费预算申报汇总表"])
    ws.append(["序号", "申报单位", "系统名称", "申请金额（元）"])
    for number, (unit, system, amount) in enumerate(DEMO_BUDGET, start=1):
        ws.append([number, unit, system, amount])
    save_as_text(wb, path)
