"""The measures' project rules as small pure functions over dates, amounts and the Policy.

Each returns what it decided and why, in Chinese, citing its article; nothing here touches the
database, so the boundaries (exactly 500,000 yuan, exactly 15 %, 30 September, six months to the
day, 12 and 24 months, the blacklist's expiry day) are tested directly.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

from registry.projects.vocab import ADJUSTMENT_REASON, FILING_REASONS
from registry.measures import cite


def add_months(day: date, months: int) -> date:
    """The same day `months` later; clamped to the month's last day (31 Aug + 6 → 28/29 Feb)."""
    total = day.month - 1 + months
    year, month = day.year + total // 12, total % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: date, years: int) -> date:
    return add_months(day, 12 * years)


def cn(day: date | None) -> str:
    return "" if day is None else day.isoformat()  # one date format everywhere (issue 19): 2026-09-30


def wan(yuan: int | None) -> str:
    return "" if yuan is None else f"{yuan / 10_000:,.2f}万元"


# ---- Art. 7: the project list ----------------------------------------------------------------

def must_be_listed(estimate_yuan: int, policy) -> bool:
    """≥ threshold (500,000 yuan inclusive): reported on the list; below: filed for the record."""
    return estimate_yuan >= policy.project_list_threshold_yuan


def list_origin_for(estimate_yuan: int, policy) -> str:
    return "declared" if must_be_listed(estimate_yuan, policy) else "filed"


def list_deadline(budget_year: int, policy) -> date:
    """Next year's list is due by 30 September of the year before the budget year."""
    return policy.deadline_for(budget_year - 1)


def list_submission_late(budget_year: int, submitted_on: date, policy) -> bool:
    return submitted_on > list_deadline(budget_year, policy)


def late_list_message(budget_year: int, policy) -> str:
    deadline = list_deadline(budget_year, policy)
    return (f"{cite(7)}，{budget_year}年度项目清单应于{deadline.isoformat()}前报送，"
            f"已过截止日期；确需纳入的，由县大数据发展局按第九条纳入")


@dataclass
class BudgetDecision:
    allowed: bool
    reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"allowed": self.allowed, "reasons": self.reasons}


def budget_decision(project_name: str, year: int, entry_origin: str | None) -> BudgetDecision:
    """Art. 7: a project not on the year's project list receives no budget."""
    if entry_origin is None:
        return BudgetDecision(False, [f"{cite(7)}，项目“{project_name}”未纳入{year}年度政务信息化项目清单，"
                                      f"县财政局不安排年度预算，不划拨上级转移支付资金、非财政拨款资金"])
    how = {"filed": "已报备", "declared": "已由单位报送纳入"}.get(entry_origin, "已由县大数据发展局纳入")
    return BudgetDecision(True, [f"{cite(7) if entry_origin in ('declared', 'filed') else cite(7, 9)}，"
                                 f"项目“{project_name}”{how}{year}年度项目清单，可以安排预算"])


# ---- Art. 24: adjustments --------------------------------------------------------------------

@dataclass
class AdjustmentDecision:
    outcome: str              # filed | full_procedure
    reasons: list[str]


def adjustment_decision(approved_total: int, amount: int, new_total: int, reason: str,
                        targets_unchanged: bool, policy) -> AdjustmentDecision:
    """Filed (备案) when the total does not rise, the amount is ≤ 15 % of the approved total
    (inclusive), the targets are unchanged and the reason is one of the three; else the full
    procedure. Exact arithmetic: 15 % of 1,000,000 is 150,000, not 150,000.00000000003."""
    ratio = Fraction(str(policy.adjustment_max_ratio))
    problems = []
    if new_total > approved_total:
        problems.append(f"调整后总投资{wan(new_total)}超过概算批复总投资{wan(approved_total)}")
    if Fraction(amount) > ratio * approved_total:
        problems.append(f"调整金额{wan(amount)}超过概算总投资的{float(ratio) * 100:g}%"
                        f"（{wan(int(ratio * approved_total))}）")
    if not targets_unchanged:
        problems.append("建设目标发生变化")
    if reason not in FILING_REASONS:
        problems.append("不属于第二十四条所列三种情形之一")
    if problems:
        return AdjustmentDecision("full_procedure", [
            f"{cite(24)}，{'；'.join(problems)}，须按规定履行相应审批手续（涉及年度投资计划变更及预算增加的参照第九条办理）"])
    return AdjustmentDecision("filed", [
        f"{cite(24)}，调整金额{wan(amount)}未超过概算总投资的{float(ratio) * 100:g}%，不增加总投资，"
        f"属于“{ADJUSTMENT_REASON.label_of(reason)}”情形，由项目建设单位调整并向县发展改革委、县财政局、县大数据发展局备案"])


# ---- Art. 21: annual performance reports -----------------------------------------------------

def performance_report_due(year: int, policy) -> date:
    month, day = (int(p) for p in policy.performance_report_month_day.split("-"))
    return date(year, month, day)


# ---- Art. 25, 26: acceptance ----------------------------------------------------------------

def acceptance_due(completed_on: date, policy) -> date:
    """Six months to the day after completion (the last day acceptance is on time)."""
    return add_months(completed_on, policy.acceptance_due_months)


def acceptance_late(completed_on: date, accepted_on: date, policy, extended_until: date | None = None) -> bool:
    due = max(acceptance_due(completed_on, policy), extended_until or completed_on)
    return accepted_on > due


def bureau_organises(approved_total: int, policy) -> bool:
    """≥ 5,000,000 yuan (inclusive): the unit applies to the Bureau; below: self-organised, filed."""
    return approved_total >= policy.bureau_acceptance_threshold_yuan


def acceptance_organiser_text(approved_total: int, policy) -> str:
    if bureau_organises(approved_total, policy):
        return (f"{cite(25)}，总投资{wan(approved_total)}在{wan(policy.bureau_acceptance_threshold_yuan)}（含）以上，"
                f"由项目建设单位向县大数据发展局申请竣工验收")
    return (f"{cite(25)}，总投资{wan(approved_total)}在{wan(policy.bureau_acceptance_threshold_yuan)}以下，"
            f"由项目建设单位自行组织竣工验收，验收结果报县大数据发展局备案")


# ---- Art. 27: self-evaluation ---------------------------------------------------------------

def self_evaluation_window(accepted_on: date, policy) -> tuple[date, date]:
    return (add_months(accepted_on, policy.self_evaluation_from_months),
            add_months(accepted_on, policy.self_evaluation_to_months))


def self_evaluation_timing(accepted_on: date, report_date: date, policy) -> str:
    """early | on_time | late (both window ends inclusive)."""
    start, end = self_evaluation_window(accepted_on, policy)
    if report_date < start:
        return "early"
    return "late" if report_date > end else "on_time"


# ---- Art. 35: contractor blacklist ----------------------------------------------------------

def blacklist_expiry(listed_on: date, policy) -> date:
    """The first day the contractor may work again: five years after listing."""
    return add_years(listed_on, policy.blacklist_years)


def blacklist_active(listed_on: date, expires_on: date, as_of: date) -> bool:
    return listed_on <= as_of < expires_on
