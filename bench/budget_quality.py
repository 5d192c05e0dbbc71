"""Quality of budget-line matching against the master directory, on labelled generated sets.

Run:  python3 bench/budget_quality.py [--split dev|heldout|both] [--errors] [--lines 400]

For each split a scratch SQLite database (migrated like production) gets the split's directory
(bench/budget_county.py: ~60 units, a few hundred systems with phases and look-alikes); the
split's budget lines are written to an .xlsx the way finance sends it, read by the product's
reader and reconciled by the product's matcher (the path of `budget_upload`). Reports:
  accuracy            the line's answer (auto-matched or suggested system, or "not in the
                      directory" when unmatched) is the truth;
  wrong auto          auto-matched lines whose system is not the truth (goal 0);
  suggested wrong     suggested lines whose suggestion is not the truth;
  flags P / R         "not in the directory" flags (unmatched lines) against the lines whose
                      system the directory does not hold;
and, with --errors (dev only while tuning), every wrong line with its kind of writing.
Tune on dev; the held-out split (seed 2) is the honest figure.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import budget_county  # noqa: E402

SEEDS = {"dev": 1, "heldout": 2}
GOALS = {"accuracy": 0.95, "wrong_auto": 0, "flag_precision": 0.95, "flag_recall": 0.95}


def build(url: str, systems: list[budget_county.System]) -> dict[tuple[str, str], int]:
    from sqlalchemy import insert

    from registry.core.db import make_engine
    from registry.migrate import upgrade
    from registry.catalog.models import InformationSystem, Unit
    upgrade(url)
    units = {u: i for i, u in enumerate(sorted({s.unit for s in systems}), start=1)}
    ids = {}
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(insert(Unit), [{"id": i, "code": f"u{i}", "name": u, "kind": "department", "description": "",
                                     "version": 1} for u, i in units.items()])
        rows = []
        for n, s in enumerate(systems, start=1):
            ids[(s.unit, s.name)] = n
            rows.append({"id": n, "code": f"s{n}", "unit_id": units[s.unit], "name": s.name, "aliases": list(s.aliases),
                         "description": "", "status": "running", "network": "egov", "in_directory": True,
                         "directory_date": date(2025, 1, 1), "version": 1})
        conn.execute(insert(InformationSystem), rows)
    engine.dispose()
    return ids


def workbook(path: Path, lines: list[budget_county.Line]) -> Path:
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.append(["云阳县2027年度政务信息系统运行维护经费预算申报表"])
    ws.append(["序号", "申报单位", "系统名称", "申请金额（万元）"])
    for n, line in enumerate(lines, start=1):
        ws.append([n, line.unit, line.system, 10 + n % 40])
    wb.save(path)
    return path


def measure(split: str, n_lines: int, show_errors: bool) -> dict:
    from registry.core.db import Database
    from registry.funding import budget
    from registry.funding.budget_file import read_budget_file
    systems = budget_county.county(SEEDS[split])
    lines = budget_county.lines(systems, SEEDS[split], n_lines)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/quality.sqlite3"
        ids = build(url, systems)
        read = read_budget_file(workbook(Path(folder) / "budget.xlsx", lines))
        db = Database(url)

        class Ctx:
            username = "bench"

        with db.unit_of_work() as session:
            ctx = Ctx()
            ctx.session = session
            run = budget.reconcile(ctx, read, 2027, "budget.xlsx")
            results = [(bl.state, bl.system_id, bl.confidence, bl.candidates, bl.explanation) for bl in run.lines]
        db.engine.dispose()
    counts = Counter()
    errors = []
    for line, (state, system_id, confidence, candidates, explanation) in zip(lines, results):
        truth = ids[line.truth] if line.truth else None
        answer = system_id if state in ("matched", "suggested") else None
        right = answer == truth
        counts[state] += 1
        counts["right"] += right
        counts["absent"] += truth is None
        if state == "matched" and not right:
            counts["wrong_auto"] += 1
        if state == "suggested" and not right:
            counts["wrong_suggested"] += 1
        if state == "unmatched":
            counts["flagged"] += 1
            counts["flag_right"] += truth is None
        if not right:
            errors.append((line, state, confidence, candidates, explanation))
    figures = {
        "lines": len(lines), "systems": len(systems), "units": len({s.unit for s in systems}),
        "auto": counts["matched"], "suggested": counts["suggested"], "unmatched": counts["unmatched"],
        "absent": counts["absent"], "accuracy": counts["right"] / len(lines), "wrong_auto": counts["wrong_auto"],
        "wrong_suggested": counts["wrong_suggested"],
        "flag_precision": counts["flag_right"] / counts["flagged"] if counts["flagged"] else 1.0,
        "flag_recall": counts["flag_right"] / counts["absent"] if counts["absent"] else 1.0,
        "error_kinds": Counter(e[0].kind for e in errors)}
    if show_errors:
        for line, state, confidence, candidates, explanation in errors:
            top = "; ".join(f"{c['name']}（{c['unit_name']}）{c['score']}" for c in candidates[:3])
            print(f"  [{line.kind}] {line.unit} | {line.system} → {state} {confidence}; truth "
                  f"{line.truth[1] if line.truth else '不在目录'}; top: {top}")
            if explanation:
                print(f"      core: {explanation.get('core')}  phase: {explanation.get('phase')}  "
                      f"{explanation.get('summary', '')}")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("dev", "heldout", "both"), default="both")
    parser.add_argument("--lines", type=int, default=400)
    parser.add_argument("--errors", action="store_true", help="list every wrong line (tune on dev only)")
    args = parser.parse_args()
    from registry.core.plugins_models import import_all_models
    import_all_models()
    for split in (("dev", "heldout") if args.split == "both" else (args.split,)):
        f = measure(split, args.lines, args.errors)
        print(f"{split}: {f['lines']} lines, {f['systems']} systems of {f['units']} units, {f['absent']} lines "
              f"for systems not in the directory")
        print(f"  auto-matched {f['auto']} (wrong {f['wrong_auto']}), suggested {f['suggested']} "
              f"(wrong {f['wrong_suggested']}), unmatched {f['unmatched']}")
        print(f"  accuracy {f['accuracy']:.3f}; not-in-directory flags precision {f['flag_precision']:.3f} "
              f"recall {f['flag_recall']:.3f}  (goals: accuracy ≥ 0.95, 0 wrong auto, P and R ≥ 0.95)")
        if f["error_kinds"]:
            print("  wrong lines by kind of writing: " + ", ".join(f"{k} {v}" for k, v in f["error_kinds"].most_common()))


if __name__ == "__main__":
    main()
