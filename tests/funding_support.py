"""Shared setup for the funding tests: a fully compliant system, and evaluation with only the
funding package's own rules (other capabilities' rules are tested in their own suites)."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

from registry.funding import engine
from registry.measures.base import load_rules

YEAR = 2027
AS_OF = date(2026, 11, 1)
OWN_RULES = {"not_in_directory", "confirmed_duplicate", "not_sharing", "exemption_unapproved",
             "completion_not_accepted", "archive_not_accepted", "crypto_noncompliant",
             "cybersecurity_noncompliant", "major_risk_open", "integration_pending", "directory_admitted_late"}


def own_policy(reg, **changes):
    foreign = tuple(r for r in load_rules() if r not in OWN_RULES)
    return replace(reg.settings.policy, disabled_rules=foreign, **changes)


def evidence(make, system, kind, result="passed", issued_on="2026-03-01", valid_until=None, **kw):
    data = {"kind": kind, "system": system["id"], "result": result, "issued_on": issued_on, **kw}
    if valid_until:
        data["valid_until"] = valid_until
    return make.act("evidence_create", data)


def compliant_system(make, unit=None, admitted="2025-01-10", **kw) -> dict:
    system = make.system(unit, **kw)
    make.act("directory_admit", {"id": system["id"], "decided_on": admitted, "reason": "纳入"})
    evidence(make, system, "completion_acceptance", issued_on="2025-05-01")
    evidence(make, system, "archive_acceptance", issued_on="2025-04-01")
    evidence(make, system, "security_test", valid_until="2027-12-31")
    evidence(make, system, "security_filing")
    evidence(make, system, "crypto_assessment", valid_until="2028-06-30")
    return system


def decide(reg, system, year=YEAR, as_of=AS_OF, **policy_changes):
    with reg.db.sessions() as session:
        return engine.evaluate(session, [system["id"]], year, policy=own_policy(reg, **policy_changes),
                               as_of=as_of)[system["id"]]


def rules_of(decision) -> list[str]:
    return [r.rule for r in decision.reasons]
