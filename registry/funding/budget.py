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
from registry.measures.base import ARTICLE_NAMES, Reason, cite
from registry.funding.vocab import STATE_LABELS
from registry.catalog.models import InformationSystem, Unit

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
        self.by_core: dict[tuple[int, str], list[tuple[int, matching.Parsed]]] = defaultdict(list)
        for r in rows:
            cand = matching.candidate(r.id, r.unit_id, r.name, r.aliases, self.units[r.unit_id].name)
            self.by_unit[r.unit_id].append(cand)
            self.all.append(cand)
            for parsed in cand.parsed:
                self.by_core[(r.unit_id, parsed.core)].append((r.id, parsed))
        self.flat = {unit_id: matching.flatten(cands) for unit_id, cands in self.by_unit.items()}
        self.flat_all = matching.flatten(self.all)
        self.unit_names = {u.id: u.name for u in self.units.values()}
        self._unit_keys = {}
        for u in self.units.values():
            for key in (u.name, u.code, matching.unit_core(u.name)):
                self._unit_keys.setdefault(matching.clean(key)[0], u.id)
        self._unit_cache: dict[str, tuple[int | None, str]] = {}

    def unit_of(self, text: str) -> int | None:
        return self.resolve_unit(text)[0]

    def resolve_unit(self, text: str) -> tuple[int | None, str]:
        """(unit id, how it was recognised) for the unit as finance wrote it."""
        if not text:
            return None, "申报行未写单位"
        if text not in self._unit_cache:
            self._unit_cache[text] = self._resolve_unit(text)
        return self._unit_cache[text]

    def _resolve_unit(self, text: str) -> tuple[int | None, str]:
        key = matching.clean(text)[0]
        if key in self._unit_keys:
            return self._unit_keys[key], "单位名称一致"
        wanted = matching.unit_core(text)
        best, best_score = None, 0.0
        for u in self.units.values():
            full = matching.unit_core(u.name)
            value = max(fuzz.ratio(wanted, full), matching.abbreviation_score(wanted, full) + 5,
                        90.0 if len(wanted) >= 3 and full.endswith(wanted) else 0.0,
                        80.0 + fuzz.ratio(wanted, full) / 100 if matching.in_order(wanted, full) else 0.0)
            if value > best_score:
                best, best_score = u.id, value
        if best_score >= 80:
            return best, f"单位简称“{text}”对应“{self.units[best].name}”（{best_score:.0f}分）"
        return None, f"未能识别单位“{text}”"

    def siblings(self, cand: matching.Candidate, parsed: matching.Parsed) -> list[matching.Parsed]:
        """The unit's other systems of the same core (phases held as different systems)."""
        return [p for sid, p in self.by_core[(cand.unit_id, parsed.core)] if sid != cand.system_id]

    def tie_break(self, system_id: int) -> tuple:
        system = self.systems[system_id]
        return (system.in_directory, system.status not in ("merged", "stopped"))


def _judge(directory: Directory, line: matching.Parsed, cand: matching.Candidate, own_unit: int | None) -> dict:
    """One candidate against the line: score, steps, conflicts (each parsed name; the best counts)."""
    best = None
    for parsed in cand.parsed:
        comparison = matching.compare(line, parsed)
        conflict, note, doubt = matching.phase_check(line, parsed, directory.siblings(cand, parsed))
        if conflict:
            comparison.conflicts.append(conflict)
        if note:
            comparison.steps.append({"rule": "phase", "text": note, "points": 0.0})
        comparison.doubts = [note] if doubt else []
        if parsed.written != cand.name:
            comparison.steps.insert(0, {"rule": "alias", "text": f"按登记的简称“{parsed.written}”", "points": 0.0})
        key = (not comparison.conflicts, comparison.score)
        if best is None or key > best[0]:
            best = (key, comparison)
    comparison = best[1]
    score = comparison.score
    other_unit = own_unit is not None and cand.unit_id != own_unit
    if other_unit:
        score -= matching.OTHER_UNIT_PENALTY
        comparison.steps.append({"rule": "other_unit", "text": f"该系统属于{directory.unit_names[cand.unit_id]}，"
                                 "不是申报单位的系统", "points": -matching.OTHER_UNIT_PENALTY})
    return {"system_id": cand.system_id, "name": cand.name, "unit_id": cand.unit_id,
            "unit_name": directory.unit_names[cand.unit_id], "score": round(max(score, 0.0), 1),
            "similarity": round(comparison.score, 1), "core": cand.parsed[0].core if cand.parsed else "",
            "phase": cand.parsed[0].phase if cand.parsed else None, "steps": comparison.steps,
            "conflicts": comparison.conflicts, "extra_line": comparison.extra_line,
            "extra_system": comparison.extra_system, "other_unit": other_unit, "doubts": comparison.doubts}


def _difference(c: dict) -> str:
    words = [f"多出“{matching.shown(c['extra_system'])}”" if c["extra_system"] else "",
             f"缺少申报的“{matching.shown(c['extra_line'])}”" if c["extra_line"] else ""]
    texts = [s["text"] for s in c["steps"] if s["rule"] in ("missing_words", "extra_words")]
    return "该系统名称" + ("、".join(w for w in words if w) or "与申报只差通用词：" + "；".join(texts or ["写法不同"]))


def _decide(line: matching.Parsed, judged: list[dict], own_unit: int | None, unit_note: str,
            tie_break, unit_written: bool = True) -> dict:
    """State, chosen system and the explanation: why it matched and what it beat, or why not."""
    judged.sort(key=lambda c: (not c["conflicts"], c["score"], tie_break(c["system_id"])), reverse=True)
    fitting = [c for c in judged if not c["conflicts"]]
    best = fitting[0] if fitting else None
    why_not_auto, state = [], "unmatched"
    if best is not None and best["other_unit"]:
        # the line's unit was recognised: another unit's system is shown as a candidate (a person
        # may pick it), never suggested or matched
        why_not_auto.append(f"{best['unit_name']}的“{best['name']}”属于其他单位，不作匹配；如确系该系统请人工确认")
        fitting = [c for c in fitting if not c["other_unit"]]
        best = fitting[0] if fitting else None
    if best is not None and best["score"] >= matching.SUGGEST:
        state = "suggested"
        if best["score"] < matching.AUTO:
            why_not_auto.append(f"得分{best['score']}低于自动匹配线{matching.AUTO}")
        if own_unit is None and unit_written:   # a unit written but not recognised: a person checks
            why_not_auto.append(unit_note)
        why_not_auto.extend(best["doubts"])
        if best["extra_line"]:
            why_not_auto.append(f"申报名称多出“{matching.shown(best['extra_line'])}”")
        if best["extra_system"]:
            why_not_auto.append(f"申报名称缺少“{matching.shown(best['extra_system'])}”")
        exact = best["similarity"] == 100.0 and best["core"] and not best["extra_system"]
        close = [c for c in fitting[1:] if best["score"] - c["score"] < matching.MARGIN and not c["other_unit"]
                 and not (exact and c["similarity"] < 100.0)]   # the same core beats a name that differs
        if exact:
            for c in fitting[1:]:
                if best["score"] - c["score"] < matching.MARGIN and c["similarity"] < 100.0:
                    c["differs"] = _difference(c)
        for c in close:
            why_not_auto.append(f"与“{c['name']}”（{c['unit_name']}，{c['score']}分）只差"
                                f"{best['score'] - c['score']:.1f}分")
        if not why_not_auto:
            state = "matched"
    elif best is not None:
        why_not_auto.append(f"最相近的“{best['name']}”只有{best['score']}分，低于建议线{matching.SUGGEST}")
    chosen = best if state != "unmatched" else None
    for c in judged:
        if c is chosen:
            c["verdict"] = "chosen"
        elif c["conflicts"]:
            c["verdict"] = "excluded"
            c["why"] = "；".join(c["conflicts"])
        else:
            c["verdict"] = "lower"
            if chosen is not None:
                c["margin"] = round(chosen["score"] - c["score"], 1)
                c["why"] = f"比所选系统低{c['margin']}分" + ("（属于其他单位）" if c["other_unit"] else "") + \
                    (f"；{c['differs']}，所选系统的名称核心与申报一致" if c.get("differs") else "")
            else:
                c["why"] = f"{c['score']}分，低于建议线{matching.SUGGEST}" if c["score"] < matching.SUGGEST \
                    else "；".join(why_not_auto)
    if state == "matched":
        beaten = "；".join(f"“{c['name']}”{c['why']}" for c in judged if c is not chosen)
        summary = (f"自动匹配“{chosen['name']}”（{chosen['score']}分）：" +
                   "；".join(s["text"] for s in chosen["steps"]) +
                   ("。其他系统均不相符：" + beaten if beaten else "。本单位没有其他可比的系统"))
    elif state == "suggested":
        summary = f"建议匹配“{chosen['name']}”（{chosen['score']}分），需人工确认：" + "；".join(why_not_auto)
    else:
        refused = "；".join(f"“{c['name']}”（{c['unit_name']}）{c['why']}" for c in judged[:3])
        summary = "总目录中没有相符的系统" + ("：" + refused if refused else "") + \
            ("；" + "；".join(why_not_auto) if why_not_auto else "")
    return {"state": state, "chosen": chosen, "summary": summary, "why_not_auto": why_not_auto}


def match_lines(directory: Directory, lines: list[RequestLine]) -> list[dict]:
    """For each line: unit id, system id (or None), confidence, state, candidates and explanation."""
    out = []
    for line in lines:
        unit_id, unit_note = directory.resolve_unit(line.unit)
        unit_name = directory.units[unit_id].name if unit_id else ""
        parsed = matching.parse(line.system, unit_name)
        pool = {}
        if unit_id:
            own = directory.by_unit.get(unit_id, [])
            for cand in (own if len(own) <= 40 else matching.preselect(parsed.core, own, directory.flat.get(unit_id))):
                pool[cand.system_id] = cand
        judged = [_judge(directory, parsed, c, unit_id) for c in pool.values()]
        top = max((c["score"] for c in judged if not c["conflicts"]), default=0.0)
        if top < matching.AUTO or not unit_id:
            for cand in matching.preselect(parsed.core, directory.all, directory.flat_all):
                if cand.system_id not in pool:
                    pool[cand.system_id] = cand
                    judged.append(_judge(directory, parsed, cand, unit_id))
        decision = _decide(parsed, judged, unit_id, unit_note, directory.tie_break, bool(line.unit))
        shown = [c for c in judged if c["score"] >= 25 or c["verdict"] == "chosen" or c["conflicts"]][:5] \
            or judged[:3]
        chosen = decision["chosen"]
        out.append({
            "unit_id": unit_id, "system_id": chosen["system_id"] if chosen else None,
            # unmatched: the best score of a system that could have fitted (excluded ones do not count)
            "confidence": chosen["score"] if chosen else max(
                (c["score"] for c in judged if not c["conflicts"] and not c["other_unit"]), default=0.0),
            "state": decision["state"],
            "candidates": [{k: c[k] for k in ("system_id", "name", "unit_name", "score", "verdict", "steps",
                                              "conflicts", "core", "phase") if k in c}
                           | {k: c[k] for k in ("margin", "why") if k in c} for c in shown],
            "explanation": {"line": parsed.as_dict(), "core": parsed.core, "core_shown": matching.shown(parsed.core),
                            "phase": parsed.phase,
                            "unit": {"written": line.unit, "unit_id": unit_id, "how": unit_note},
                            "summary": decision["summary"], "why_not_auto": decision["why_not_auto"],
                            "thresholds": {"auto": matching.AUTO, "suggest": matching.SUGGEST,
                                           "margin": matching.MARGIN}}})
    return out


def reconcile(ctx, lines: list[RequestLine], year: int, filename: str) -> BudgetRun:
    """Store a run with every line matched (flushes; the boundary commits)."""
    run = BudgetRun(year=year, filename=filename, uploaded_by=ctx.username)
    ctx.session.add(run)
    for line, match in zip(lines, match_lines(Directory(ctx.session), lines)):
        run.lines.append(BudgetLine(row=line.row, unit_text=line.unit, system_text=line.system, amount=line.amount,
                                    unit_id=match["unit_id"], system_id=match["system_id"],
                                    confidence=match["confidence"], state=match["state"],
                                    candidates=match["candidates"], explanation=match["explanation"]))
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
            "confidence": line.confidence, "candidates": line.candidates, "explanation": line.explanation or {},
            "system_id": system_id,
            "system_name": system.name if system else None,
            "unit_name": units.get(system.unit_id) if system else (units.get(line.unit_id) or line.unit_text),
            "needs_confirmation": line.state == "suggested", "confirmed_by": line.confirmed_by,
            "eligible": eligible, "decision": decision_label(eligible), "articles": articles,
            "article_text": "、".join(ARTICLE_NAMES[a] for a in articles),
            "citation": cite(*articles) if articles else "", "reasons": [r.as_dict() for r in reasons],
            "amount_blocked": 0.0 if eligible else amount, "amount_eligible": amount if eligible else 0.0})
    return rows
