"""The eligibility engine: for systems and a budget year, eligible or blocked, with every reason.

Runs every registered rule (registry.modules.FUNDING_RULE_MODULES) that answers the question
asked and is not switched off by `Policy.disabled_rules`. Each rule's `prepare` runs once per
batch, so a report over all systems costs a few queries per rule, not per system.

Two questions: O&M funding for a system (OM_FUNDING), and whether a unit may start a new project
or build/extend a system (NEW_PROJECT, Art. 28, 29, 30) — the unit is blocked when any of its
systems is blocked by a rule answering that question.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import load_only

from registry.funding.records import rows_for
from registry.measures.base import ARTICLE_NAMES, NEW_PROJECT, OM_FUNDING, Batch, Reason, Rule, cite, load_rules
from registry.catalog.models import InformationSystem, Unit
from registry.core import clock
from registry.core.names import pinyin_key, sort_by_name

S = InformationSystem
# What rules read of a system (timestamps and the description are left out: a report over
# thousands of systems spends most of its time converting columns nobody reads).
SYSTEM_COLUMNS = (S.id, S.code, S.unit_id, S.name, S.aliases, S.status, S.network, S.in_directory,
                  S.directory_date, S.directory_decided_by, S.version)
QUESTION_LABELS = {OM_FUNDING: "运行维护经费", NEW_PROJECT: "新建、扩建信息系统或新上项目"}


@dataclass
class Decision:
    system_id: int
    eligible: bool
    reasons: list[Reason] = field(default_factory=list)

    @property
    def articles(self) -> list[int]:
        return sorted({a for r in self.reasons for a in r.articles})


def active_rules(policy, question: str = OM_FUNDING) -> list[Rule]:
    disabled = set(policy.disabled_rules or ())
    return [r for r in load_rules().values() if question in r.questions and r.id not in disabled
            and (r.enabled_by is None or getattr(policy, r.enabled_by, False))]


def evaluate(session, system_ids: list[int] | None, year: int, *, policy, as_of: date | None = None,
             question: str = OM_FUNDING) -> dict[int, Decision]:
    """Decisions for the given systems (None: every registered system), keyed by system id."""
    return run_batch(session, system_ids, year, policy=policy, as_of=as_of, question=question)[1]


def run_batch(session, system_ids, year: int, *, policy, as_of: date | None = None,
              question: str = OM_FUNDING) -> tuple[Batch, dict[int, Decision]]:
    as_of = as_of or clock.today()
    stmt = select(InformationSystem).options(load_only(*SYSTEM_COLUMNS))
    if system_ids is None:
        systems = session.scalars(stmt).all()
    else:
        systems = [s for (s,) in rows_for(session, lambda c: stmt.where(InformationSystem.id.in_(c)), system_ids)]
    batch = Batch(session=session, year=year, as_of=as_of, policy=policy, system_ids=[s.id for s in systems],
                  systems={s.id: s for s in systems})
    rules = active_rules(policy, question)
    for rule in rules:
        if rule.prepare is not None:
            batch.data[rule.id] = rule.prepare(batch)
    decisions = {}
    for system_id in batch.system_ids:
        reasons = [reason for rule in rules for reason in rule.check(batch, system_id)]
        decisions[system_id] = Decision(system_id, not reasons, reasons)
    return batch, decisions


def unit_names(session, unit_ids) -> dict[int, str]:
    return dict(rows_for(session, lambda c: select(Unit.id, Unit.name).where(Unit.id.in_(c)), unit_ids))


def decision_label(eligible: bool, question: str = OM_FUNDING) -> str:
    if question == NEW_PROJECT:
        return "可以新建、扩建信息系统" if eligible else "不得新建、扩建信息系统"
    return "可以安排运行维护经费" if eligible else "不予安排运行维护经费"


def citation(articles) -> str:
    return cite(*sorted(articles)) if articles else ""


def decision_dict(decision: Decision, system, unit_name: str, year: int, question: str = OM_FUNDING) -> dict:
    articles = decision.articles
    return {"system_id": system.id, "system_code": system.code, "system_name": system.name,
            "unit_id": system.unit_id, "unit_name": unit_name, "year": year, "question": question,
            "in_directory": system.in_directory, "status": system.status,
            "eligible": decision.eligible, "decision": decision_label(decision.eligible, question),
            "articles": articles, "article_text": "、".join(ARTICLE_NAMES[a] for a in articles),
            "citation": citation(articles), "reasons": [r.as_dict() for r in decision.reasons]}


def report(session, system_ids, year: int, *, policy, as_of: date | None = None,
           question: str = OM_FUNDING) -> list[dict]:
    """Decision dicts (with system and unit names) for many systems, sorted by unit and system."""
    batch, decisions = run_batch(session, system_ids, year, policy=policy, as_of=as_of, question=question)
    systems = batch.systems
    names = unit_names(session, {s.unit_id for s in systems.values()})
    rows = [decision_dict(d, systems[i], names.get(systems[i].unit_id, ""), year, question)
            for i, d in decisions.items()]
    return sorted(rows, key=lambda r: (pinyin_key(r["unit_name"]), pinyin_key(r["system_name"])))


def unit_decision(session, unit_id: int, year: int, *, policy, as_of: date | None = None) -> dict:
    """May this unit start a new project or build/extend a system? (Art. 28, 29, 30)."""
    system_ids = list(session.scalars(select(InformationSystem.id).where(InformationSystem.unit_id == unit_id)))
    decisions = evaluate(session, system_ids, year, policy=policy, as_of=as_of, question=NEW_PROJECT)
    names = dict(session.execute(select(InformationSystem.id, InformationSystem.name)
                                 .where(InformationSystem.id.in_(system_ids))).all()) if system_ids else {}
    reasons, seen = [], set()
    for system_id, decision in sorted(decisions.items()):
        for reason in decision.reasons:
            key = (reason.rule, reason.message)
            if key in seen:
                continue
            seen.add(key)
            reasons.append({**reason.as_dict(), "system_id": system_id, "system_name": names.get(system_id)})
    articles = sorted({a for r in reasons for a in r["articles"]})
    return {"unit_id": unit_id, "unit_name": unit_names(session, [unit_id]).get(unit_id, ""), "year": year,
            "question": NEW_PROJECT, "eligible": not reasons, "decision": decision_label(not reasons, NEW_PROJECT),
            "articles": articles, "citation": citation(articles), "reasons": reasons}


def summarize(rows: list[dict], amount_key: str | None = None) -> dict:
    """Counts (and amounts) eligible/blocked in total, per reason (rule) and per unit."""
    def bucket():
        return {"count": 0, "amount": 0.0}
    total = {"eligible": bucket(), "blocked": bucket()}
    by_rule: dict[str, dict] = {}
    by_unit: dict[str, dict] = {}
    for row in rows:
        amount = float(row.get(amount_key) or 0) if amount_key else 0.0
        side = "eligible" if row["eligible"] else "blocked"
        total[side]["count"] += 1
        total[side]["amount"] += amount
        unit = by_unit.setdefault(row.get("unit_name") or "（未识别单位）",
                                  {"eligible": bucket(), "blocked": bucket()})
        unit[side]["count"] += 1
        unit[side]["amount"] += amount
        for rule_id in dict.fromkeys(r["rule"] for r in row["reasons"]):
            reason = next(r for r in row["reasons"] if r["rule"] == rule_id)
            entry = by_rule.setdefault(rule_id, {"rule": rule_id, "title": _rule_title(rule_id),
                                                 "article_text": reason["article_text"], **bucket()})
            entry["count"] += 1
            entry["amount"] += amount
    return {"total": total, "by_rule": sorted(by_rule.values(), key=lambda e: -e["count"]),
            "by_unit": [{"unit_name": k, **v} for k, v in sort_by_name(by_unit.items(), key=lambda kv: kv[0])]}


def _rule_title(rule_id: str) -> str:
    rule = load_rules().get(rule_id)
    return rule.title if rule is not None else rule_id
