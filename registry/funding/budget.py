"""Budget reconciliation: finance's request lines → directory systems → funding decisions.

A run stores every line with its best match, confidence and up to three candidates, so a
person's confirmation (budget_confirm) persists and the report can be re-run. A line that
matches no registered system is blocked: not in the master directory, no O&M funding (Art. 28).
A line matched to a system that is registered but not in the directory (or merged, retired) is
blocked by the engine's directory rule with the same article and the system's own history.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date

from rapidfuzz import fuzz
from sqlalchemy import select

from registry.funding import matching
from registry.funding.budget_file import RequestLine
from registry.funding.engine import decision_label, evaluate
from registry.funding.models import BudgetLine, BudgetRun
from registry.funding.rules_base import ARTICLE_NAMES, Reason, cite
from registry.funding.vocab import STATE_LABELS
from registry.models import InformationSystem, Unit

OTHER_UNIT_PENALTY = 12.0  # a line naming a system of another unit than the one it was filed under


class Directory:
    """Every registered system as a match candidate, grouped by unit; units by every spelling."""

    def __init__(self, session):
        self.units = {u.id: u for u in session.execute(select(Unit.id, Unit.name, Unit.code)).all()}
        rows = session.execute(select(InformationSystem.id, InformationSystem.unit_id, InformationSystem.name,
                                      InformationSystem.aliases, InformationSystem.in_directory,
                                      InformationSystem.status)).all()
        self.systems = {r.id: r for r in rows}
        self.by_unit: dict[int, list[matching.Candidate]] = defaultdict(list)
        self.all: list[matching.Candidate] = []
        for r in rows:
            cand = matching.candidate(r.id, r.unit_id, r.name, r.aliases, self.units[r.unit_id].name)
            self.by_unit[r.unit_id].append(cand)
            self.all.append(cand)
        self.flat = {unit_id: matching.flatten(cands) for unit_id, cands in self.by_unit.items()}
        self.unit_names = {u.id: u.name for u in self.units.values()}
        self._unit_keys = {}
        for u in self.units.values():
            for key in (u.name, u.code, matching.unit_core(u.name)):
                self._unit_keys.setdefault(matching.clean(key)[0], u.id)
        self._unit_cache: dict[str, int | None] = {}

    def unit_of(self, text: str) -> int | None:
        if not text:
            return None
        if text not in self._unit_cache:
            self._unit_cache[text] = self._resolve_unit(text)
        return self._unit_cache[text]

    def _resolve_unit(self, text: str) -> int | None:
        key = matching.clean(text)[0]
        if key in self._unit_keys:
            return self._unit_keys[key]
        wanted = matching.unit_core(text)
        best, best_score = None, 0.0
        for u in self.units.values():
            full = matching.unit_core(u.name)
            value = max(fuzz.ratio(wanted, full), matching.abbreviation_score(wanted, full) + 5)
            if value > best_score:
                best, best_score = u.id, value
        return best if best_score >= 80 else None

    def tie_break(self, cand: matching.Candidate) -> tuple:
        system = self.systems[cand.system_id]
        return (system.in_directory, system.status not in ("merged", "stopped"))


def match_lines(directory: Directory, lines: list[RequestLine]) -> list[dict]:
    """For each line: unit id, system id (or None), confidence, state, candidates."""
    results, pending = [], []
    for index, line in enumerate(lines):
        unit_id = directory.unit_of(line.unit)
        unit_name = directory.units[unit_id].name if unit_id else ""
        text_core = matching.core(line.system, unit_name)
        ranked = matching.rank(text_core, directory.by_unit.get(unit_id, []), flat=directory.flat.get(unit_id)) \
            if unit_id else []
        ranked.sort(key=lambda p: (p[1], directory.tie_break(p[0])), reverse=True)
        results.append({"unit_id": unit_id, "core": text_core, "ranked": ranked})
        if not ranked or ranked[0][1] < matching.SUGGEST:
            pending.append(index)
    for index, ranked in zip(pending, matching.rank_global([results[i]["core"] for i in pending], directory.all)):
        own = results[index]["unit_id"]
        adjusted = [(c, s - OTHER_UNIT_PENALTY if own and c.unit_id != own else s) for c, s in ranked]
        merged = {c.system_id: (c, s) for c, s in results[index]["ranked"] + adjusted}
        results[index]["ranked"] = sorted(merged.values(), key=lambda p: (p[1], directory.tie_break(p[0])),
                                          reverse=True)[:3]
    out = []
    for item in results:
        ranked = item["ranked"]
        best, score = (ranked[0] if ranked else (None, 0.0))
        state = "matched" if score >= matching.AUTO else "suggested" if score >= matching.SUGGEST else "unmatched"
        out.append({"unit_id": item["unit_id"], "system_id": best.system_id if best and state != "unmatched" else None,
                    "confidence": round(float(score), 1), "state": state,
                    "candidates": [{"system_id": c.system_id, "name": c.name,
                                    "unit_name": directory.unit_names[c.unit_id], "score": round(float(s), 1)}
                                   for c, s in ranked]})
    return out


def reconcile(ctx, lines: list[RequestLine], year: int, filename: str) -> BudgetRun:
    """Store a run with every line matched (flushes; the boundary commits)."""
    run = BudgetRun(year=year, filename=filename, uploaded_by=ctx.username)
    ctx.session.add(run)
    for line, match in zip(lines, match_lines(Directory(ctx.session), lines)):
        run.lines.append(BudgetLine(row=line.row, unit_text=line.unit, system_text=line.system, amount=line.amount,
                                    unit_id=match["unit_id"], system_id=match["system_id"],
                                    confidence=match["confidence"], state=match["state"],
                                    candidates=match["candidates"]))
    ctx.session.flush()
    return run


def effective_system(line: BudgetLine) -> int | None:
    return None if line.state in ("unmatched", "rejected") else line.system_id


def not_in_directory_reason(line: BudgetLine) -> Reason:
    return Reason("not_in_directory", (28,),
                  f"{cite(28)}，申报的系统“{line.system_text}”未纳入政务信息系统总目录（未匹配到任何已登记系统），"
                  "不安排运行维护经费", ({"type": "missing", "kind": "directory", "label": "总目录中的系统"},))


def line_results(session, run: BudgetRun, *, policy, as_of: date | None = None) -> list[dict]:
    """One dict per line: match, decision, reasons with articles, amount blocked."""
    ids = {i for i in (effective_system(l) for l in run.lines) if i is not None}
    decisions = evaluate(session, sorted(ids), run.year, policy=policy, as_of=as_of)
    systems = {s.id: s for s in session.scalars(select(InformationSystem).where(InformationSystem.id.in_(ids)))} \
        if ids else {}
    units = dict(session.execute(select(Unit.id, Unit.name)).all())
    rows = []
    for line in run.lines:
        system_id = effective_system(line)
        reasons = decisions[system_id].reasons if system_id is not None else [not_in_directory_reason(line)]
        eligible = not reasons
        articles = sorted({a for r in reasons for a in r.articles})
        amount = float(line.amount)
        system = systems.get(system_id)
        rows.append({
            "id": line.id, "row": line.row, "unit_text": line.unit_text, "system_text": line.system_text,
            "amount": amount, "state": line.state, "state_label": STATE_LABELS[line.state],
            "confidence": line.confidence, "candidates": line.candidates, "system_id": system_id,
            "system_name": system.name if system else None,
            "unit_name": units.get(system.unit_id) if system else (units.get(line.unit_id) or line.unit_text),
            "needs_confirmation": line.state == "suggested", "confirmed_by": line.confirmed_by,
            "eligible": eligible, "decision": decision_label(eligible), "articles": articles,
            "article_text": "、".join(ARTICLE_NAMES[a] for a in articles),
            "citation": cite(*articles) if articles else "", "reasons": [r.as_dict() for r in reasons],
            "amount_blocked": 0.0 if eligible else amount, "amount_eligible": amount if eligible else 0.0})
    return rows
