"""Funding rules over compliance evidence: acceptance (Art. 25, 26), crypto and cybersecurity and
major risks (Art. 29), systems that should be integrated and are not (Art. 30).

Decisions taken here (each has a test):
- The latest record of a kind that counts for the budget year decides (a later failed
  acceptance overrides an earlier pass; a later pass cures an earlier failure).
- An evaluation (等级保护测评, 密码应用安全性评估) must be valid on 1 January of the budget year;
  one expiring mid-year still qualifies for that year (the next year's decision catches it).
  A county wanting cover for the whole year sets Policy.evaluation_must_cover_year.
- A risk or integration flag blocks while open on the decision day.
- Art. 30 blocks every system of the unit (and the unit's new projects), not only the flagged one.
"""
from __future__ import annotations

from registry.funding.records import cn, evidence, evidence_ref, latest, missing_ref, required_valid_on, still_open
from registry.measures.base import NEW_PROJECT, OM_FUNDING, Batch, Reason, funding_rule
from registry.measures import cite
from registry.funding.vocab import KINDS

BOTH = (OM_FUNDING, NEW_PROJECT)


def _prepare_evidence(batch: Batch):
    return evidence(batch)


def _acceptance(batch: Batch, system_id: int, kind: str, rule_id: str, article: int, consequence: str) -> list[Reason]:
    label = KINDS[kind].label
    record = latest(evidence(batch).of_system(kind, system_id))
    if record is None:
        return [Reason(rule_id, (article,), f"{cite(article)}，该系统缺少{label}合格记录，{consequence}",
                       (missing_ref(kind, label),))]
    if record.result != "passed":
        ref = f"（{record.reference}）" if record.reference else ""
        return [Reason(rule_id, (article,), f"{cite(article)}，该系统{label}未通过（{cn(record.issued_on)}{ref}），{consequence}",
                       (evidence_ref(record, label),))]
    return []


@funding_rule("completion_not_accepted", (25,), "竣工验收未通过或未验收", prepare=_prepare_evidence)
def completion_not_accepted(batch: Batch, system_id: int) -> list[Reason]:
    return _acceptance(batch, system_id, "completion_acceptance", "completion_not_accepted", 25,
                       "未通过验收的项目不安排运行维护经费")


@funding_rule("archive_not_accepted", (26,), "档案验收未通过或缺失", prepare=_prepare_evidence)
def archive_not_accepted(batch: Batch, system_id: int) -> list[Reason]:
    return _acceptance(batch, system_id, "archive_acceptance", "archive_not_accepted", 26,
                       "档案验收是竣工验收的前置条件，不安排运行维护经费")


def _evaluation(batch: Batch, system_id: int, kind: str, rule_id: str) -> Reason | None:
    label = KINDS[kind].label
    record = latest(evidence(batch).of_system(kind, system_id))
    tail = "不符合密码应用和网络安全要求，不安排运行维护经费，其单位不得新建、扩建信息系统"
    if record is None:
        return Reason(rule_id, (29,), f"{cite(29)}，该系统缺少{label}合格记录，{tail}", (missing_ref(kind, label),))
    if record.result != "passed":
        return Reason(rule_id, (29,), f"{cite(29)}，该系统{label}未通过（{cn(record.issued_on)}），{tail}",
                      (evidence_ref(record, label),))
    if KINDS[kind].has_validity:
        needed = required_valid_on(batch)
        if record.valid_until is None or record.valid_until < needed:
            return Reason(rule_id, (29,),
                          f"{cite(29)}，该系统{label}有效期至{cn(record.valid_until)}，{batch.year}年度须有效至{cn(needed)}"
                          f"（已过期或将于预算年度内到期），{tail}", (evidence_ref(record, label),))
    return None


@funding_rule("crypto_noncompliant", (29,), "密码应用安全性评估未通过、缺失或过期", prepare=_prepare_evidence,
              questions=BOTH)
def crypto_noncompliant(batch: Batch, system_id: int) -> list[Reason]:
    reason = _evaluation(batch, system_id, "crypto_assessment", "crypto_noncompliant")
    return [reason] if reason else []


@funding_rule("cybersecurity_noncompliant", (29,), "等级保护测评或备案未通过、缺失或过期",
              prepare=_prepare_evidence, questions=BOTH)
def cybersecurity_noncompliant(batch: Batch, system_id: int) -> list[Reason]:
    reasons = [_evaluation(batch, system_id, kind, "cybersecurity_noncompliant")
               for kind in ("security_test", "security_filing")]
    return [r for r in reasons if r is not None]


@funding_rule("major_risk_open", (29,), "存在未整改的重大安全风险", prepare=_prepare_evidence, questions=BOTH)
def major_risk_open(batch: Batch, system_id: int) -> list[Reason]:
    risks = [r for r in evidence(batch).of_system("major_risk", system_id) if still_open(r, batch)]
    if not risks:
        return []
    notes = "；".join(f"{cn(r.issued_on)}登记：{r.note or r.reference or '重大安全风险'}" for r in risks[:3])
    return [Reason("major_risk_open", (29,),
                   f"{cite(29)}，该系统存在未整改的重大安全风险（{notes}），不安排运行维护经费，其单位不得新建、扩建信息系统",
                   tuple(evidence_ref(r, "重大安全风险") for r in risks))]


def _prepare_integration(batch: Batch) -> dict:
    """Names of the flagged systems (they need not be in the batch)."""
    from sqlalchemy import select

    from registry.funding.records import rows_for
    from registry.catalog.models import InformationSystem
    index = evidence(batch)
    flagged = {r.system_id for (kind, _), rows in index.by_unit.items() if kind == "integration_pending"
               for r in rows if r.system_id is not None}
    return dict(rows_for(batch.session, lambda c: select(InformationSystem.id, InformationSystem.name)
                         .where(InformationSystem.id.in_(c)), flagged))


@funding_rule("integration_pending", (30,), "本单位有应整合而未整合的系统", prepare=_prepare_integration,
              questions=BOTH)
def integration_pending(batch: Batch, system_id: int) -> list[Reason]:
    system = batch.systems[system_id]
    flags = [f for f in evidence(batch).of_unit("integration_pending", system.unit_id) if still_open(f, batch)]
    if not flags:
        return []
    names = batch.data["integration_pending"]
    described = "、".join(f"“{names.get(f.system_id) or f.note or '未登记系统'}”" for f in flags[:5])
    return [Reason("integration_pending", (30,),
                   f"{cite(30)}，本单位有应整合而未整合的信息系统：{described}，本单位系统不安排运行维护经费，不得新上项目",
                   tuple({**evidence_ref(f, "应整合未整合"), "system_id": f.system_id,
                          "system_name": names.get(f.system_id)} for f in flags))]
