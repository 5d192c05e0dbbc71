"""Vocabularies of the funding capability: evidence kinds and results, directory events, match states.

Each evidence kind names its article, the results it may take (the first is the default), whether
a department may file it for its own unit, and whether it carries a validity period.
"""
from __future__ import annotations

from dataclasses import dataclass

from catalog_schema.vocabularies import Term, Vocabulary


@dataclass(frozen=True)
class EvidenceKind:
    code: str
    label: str
    article: int
    results: tuple[str, ...]            # allowed results; the first is the default
    department_may_file: bool = False   # a department user may file it for its own unit
    needs_system: bool = True           # False: may be filed for a unit only
    has_validity: bool = False          # 有效期 matters (等保, 密评)
    closable: bool = False              # an open risk / flag is closed later


KINDS: dict[str, EvidenceKind] = {k.code: k for k in (
    EvidenceKind("completion_acceptance", "竣工验收", 25, ("passed", "failed"), department_may_file=True),
    EvidenceKind("archive_acceptance", "档案验收", 26, ("passed", "failed"), department_may_file=True),
    EvidenceKind("security_test", "等级保护测评", 29, ("passed", "failed"), department_may_file=True,
                 has_validity=True),
    EvidenceKind("security_filing", "等级保护备案", 29, ("passed", "failed"), department_may_file=True),
    EvidenceKind("crypto_assessment", "密码应用安全性评估", 29, ("passed", "failed"), department_may_file=True,
                 has_validity=True),
    EvidenceKind("major_risk", "重大安全风险", 29, ("open", "closed"), closable=True),
    EvidenceKind("exemption_review", "不予共享/孤网 大数据局初审", 28, ("approved", "refused")),
    EvidenceKind("exemption_approval", "不予共享/孤网 县政府审定", 28, ("approved", "refused")),
    EvidenceKind("integration_pending", "应整合未整合", 30, ("open", "closed"), closable=True),
    EvidenceKind("sharing_status", "共享状态", 28, ("connected", "not_connected")),
)}

EVIDENCE_KIND = Vocabulary("evidence_kind", "证明材料类型", tuple(
    Term(k.code, k.label, ()) for k in KINDS.values()))

EVIDENCE_RESULT = Vocabulary("evidence_result", "结论", (
    Term("passed", "通过", ("合格", "已通过", "是")),
    Term("failed", "未通过", ("不合格", "否")),
    Term("approved", "同意", ("批准", "已批准")),
    Term("refused", "不同意", ("不批准",)),
    Term("open", "未整改", ("存在", "未关闭", "待整改")),
    Term("closed", "已整改", ("已关闭", "已消除", "已整合")),
    Term("connected", "已接入共享平台", ("已共享", "接口已上线", "已接入")),
    Term("not_connected", "未按要求共享", ("未接入", "未共享", "接口未上线")),
))

EVENT_LABELS = {"admit": "纳入总目录", "retire": "退出总目录", "merge": "整合并入其他系统"}
STATE_LABELS = {"matched": "自动匹配", "suggested": "待确认", "unmatched": "未匹配",
                "confirmed": "已确认", "rejected": "已确认不在总目录"}

# Files a user may attach to evidence (scans, signed documents, spreadsheets, archives).
ALLOWED_EXTENSIONS = (".pdf", ".ofd", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".wps", ".xls", ".xlsx",
                      ".et", ".zip")
