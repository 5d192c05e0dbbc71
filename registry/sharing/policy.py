"""Start-up checks of the sharing policy numbers and the calendar override list."""
from __future__ import annotations


def policy_problems(policy) -> list[str]:
    problems = []
    if policy.sharing_unconditional_review not in ("bureau", "auto"):
        problems.append("sharing_unconditional_review must be bureau or auto")
    for name in ("sharing_unconditional_days", "sharing_conditional_days", "sharing_objection_days",
                 "sharing_feedback_months"):
        if getattr(policy, name) <= 0:
            problems.append(f"{name} must be positive")
    if policy.sharing_evidence_years < 0:
        problems.append("sharing_evidence_years must not be negative")
    from registry.sharing.workdays import WorkCalendar
    try:
        WorkCalendar.from_policy(policy)
    except (ValueError, OSError) as exc:
        problems.append(f"sharing calendar override: {exc}")
    return problems
