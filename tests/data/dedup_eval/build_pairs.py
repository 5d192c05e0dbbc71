"""Build pairs.csv from the hand-labelled catalogs items_dev.csv and items_test.csv.

Run: python3 tests/data/dedup_eval/build_pairs.py   (deterministic: fixed seed)

Each catalog row carries a hand-written `gold` concept label (the data element it records,
plus "@role" when it belongs to a second party such as 法定代表人); an empty label marks an
item that duplicates nothing. A pair is labelled 1 when both items carry the same label.
This script deliberately does not import the matcher: labels and sampling must not depend on
what is being evaluated.
"""
from __future__ import annotations

import csv
import random
import re
import unicodedata
from collections import defaultdict
from itertools import combinations
from pathlib import Path

HERE = Path(__file__).parent
SEED = 20240601
POSITIVE_CAP = 24          # per concept, so 姓名 and 身份证号 do not dominate
HARD_CAP = {"role": 60, "same_name": 60, "similar": 170}   # per 250 items of a split
RANDOM_NEGATIVES = 110
FIELDS = ["unit_a", "resource_a", "name_a", "type_a", "length_a",
          "unit_b", "resource_b", "name_b", "type_b", "length_b", "label", "kind", "split",
          "gold_a", "gold_b"]


def trivial(name: str) -> str:
    """Width, spacing, brackets and punctuation only: what makes two spellings a `variant`."""
    text = unicodedata.normalize("NFKC", name).lower()
    text = re.sub(r"[(\[（【][^)\]）】]*[)\]）】]", "", text)
    return re.sub(r"[^0-9a-z\u3400-\u9fff]+", "", text)


def load(path: Path, split: str) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for i, row in enumerate(rows):
        row["split"] = split
        row["concept"] = row["gold"] or f"-{split}-{i}"   # unique: duplicates nothing
    return rows


def bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)} or {text}


def pair_key(a: dict, b: dict) -> tuple:
    ends = sorted(((a["name"], a["type"], a["length"]), (b["name"], b["type"], b["length"])))
    return tuple(ends)


def positive_kind(a: dict, b: dict) -> str:
    if a["name"] == b["name"]:
        return "exact"
    if trivial(a["name"]) == trivial(b["name"]):
        return "variant"
    return "qualifier" if "@" in a["gold"] else "synonym"


def negative_reason(a: dict, b: dict) -> str | None:
    base_a, base_b = a["gold"].split("@")[0], b["gold"].split("@")[0]
    if base_a and base_a == base_b:
        return "role"
    na, nb = trivial(a["name"]), trivial(b["name"])
    if na == nb:
        return "same_name"
    jaccard = len(bigrams(na) & bigrams(nb)) / len(bigrams(na) | bigrams(nb))
    if jaccard >= 0.3 or (len(na) > 2 and len(nb) > 2 and na[-2:] == nb[-2:] and jaccard >= 0.15):
        return "similar"
    return None


def build_split(rows: list[dict], split: str, rng: random.Random) -> list[dict]:
    positives: dict[str, dict[tuple, tuple]] = defaultdict(dict)
    hard: dict[str, dict[tuple, tuple]] = defaultdict(dict)
    others: dict[tuple, tuple] = {}
    for a, b in combinations(rows, 2):
        if a["unit"] == b["unit"]:
            continue
        key = pair_key(a, b)
        if a["concept"] == b["concept"]:
            positives[a["concept"]].setdefault(key, (a, b))
        elif (reason := negative_reason(a, b)) is not None:
            hard[reason].setdefault(key, (a, b))
        else:
            others.setdefault(key, (a, b))
    chosen: list[tuple[dict, dict, int, str]] = []
    for concept in sorted(positives):
        pairs = [positives[concept][k] for k in sorted(positives[concept])]
        varied = [p for p in pairs if p[0]["name"] != p[1]["name"]]
        exact = [p for p in pairs if p[0]["name"] == p[1]["name"]]
        rng.shuffle(varied)
        rng.shuffle(exact)
        picked = varied[:POSITIVE_CAP - min(3, len(exact))]
        picked += exact[:POSITIVE_CAP - len(picked)]
        chosen += [(a, b, 1, positive_kind(a, b)) for a, b in picked]
    seen = {pair_key(a, b) for a, b, _, _ in chosen}
    scale = max(1.0, len(rows) / 250)
    for reason, cap in HARD_CAP.items():
        keys = sorted(k for k in hard[reason] if k not in seen)
        for key in rng.sample(keys, min(int(cap * scale), len(keys))):
            a, b = hard[reason][key]
            chosen.append((a, b, 0, "hard_negative"))
    keys = sorted(others)
    for key in rng.sample(keys, min(int(RANDOM_NEGATIVES * scale), len(keys))):
        a, b = others[key]
        chosen.append((a, b, 0, "random_negative"))
    out = []
    for a, b, label, kind in chosen:
        if rng.random() < 0.5:
            a, b = b, a
        out.append({
            "unit_a": a["unit"], "resource_a": a["resource"], "name_a": a["name"],
            "type_a": a["type"], "length_a": a["length"],
            "unit_b": b["unit"], "resource_b": b["resource"], "name_b": b["name"],
            "type_b": b["type"], "length_b": b["length"],
            "label": label, "kind": kind, "split": split, "gold_a": a["gold"], "gold_b": b["gold"],
        })
    return out


def main() -> None:
    rng = random.Random(SEED)
    pairs = []
    for split in ("dev", "test"):
        pairs += build_split(load(HERE / f"items_{split}.csv", split), split, rng)
    with (HERE / "pairs.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(pairs)
    by = defaultdict(int)
    for p in pairs:
        by[(p["split"], p["kind"])] += 1
    print(len(pairs), "pairs;", dict(sorted(by.items())))


if __name__ == "__main__":
    main()
