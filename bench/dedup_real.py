"""Duplicate detection measured the way the product reports it, on catalogs written like real ones.

`tests/data/dedup_real/items_{dev,test}.csv` hold column comments in the style of a city data
warehouse (Oracle types, licence tables with 持证主体代码, other organisations' names, truncated and
code/name-suffixed names); see that folder's README. Every pair of items of *different units* of
one split is judged: gold says duplicate when both gold labels are equal and not empty; the product
says duplicate when the scan would put both in one finding: equal keys, both mappings at or above
the scan's confidence floor, and an element that counts for duplication (search.duplicates.scan).
"""
from __future__ import annotations

import csv
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT / "tests" / "data" / "dedup_real"


def load_items(split: str, folder: Path = REAL) -> list[dict]:
    with (folder / f"items_{split}.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def scan_key(matcher, item: dict, floor: float) -> str | None:
    """The key under which the scan would group this item, or None when it would not."""
    from search.duplicates.scan import counts_for_duplication
    m = matcher.match(item["name"], item["type"] or None, item["length"] or None)
    if hasattr(matcher, "in_context"):
        m = matcher.in_context(m, item["resource"])
    if m.key is None or m.confidence < floor or not counts_for_duplication(m.element_id):
        return None
    return m.key


def pair_scores(items: list[dict], matcher, floor: float) -> dict:
    keys = [scan_key(matcher, i, floor) for i in items]
    tp = fp = fn = 0
    errors = []
    for (a, ka), (b, kb) in combinations(zip(items, keys), 2):
        if a["unit"] == b["unit"]:
            continue
        gold = bool(a["gold"]) and a["gold"] == b["gold"]
        said = ka is not None and ka == kb
        tp += gold and said
        fp += said and not gold
        fn += gold and not said
        if gold != said:
            errors.append(("FP" if said else "FN", a, b, ka, kb))
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return {"precision": precision, "recall": recall, "tp": tp, "fp": fp, "fn": fn, "errors": errors}


def baseline_scores(items: list[dict]) -> dict:
    """Exact item name (spaces removed) as the only evidence."""
    class Exact:
        @staticmethod
        def match(name, *_):
            from search.duplicates.elements import ElementMatch
            text = "".join(name.split())
            return ElementMatch(None, 1.0, "exact", None, text, text)
    return pair_scores(items, Exact(), 0.0)
