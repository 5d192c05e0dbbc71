"""Full duplicate scan on the embedded backend at 200,000 and 2,000,000 items.

    python3 bench/scan_bench.py                # 200k and 2M on SQLite
    python3 bench/scan_bench.py --small        # 20k and 200k (quick check)

Prints, per size: load time (context only), scan time (item → element mapping + findings), items/s,
peak RSS; the growth exponent between the two sizes (log(t2/t1) / log(n2/n1)); and, measured in the
same run on a 20k-item subset, the naive all-pairs rapidfuzz baseline extrapolated to each size, as
the ratio baseline ÷ scan.
"""
from __future__ import annotations

import argparse
import math
import time

from common import Timer, bulk_load, peak_rss_mb, scratch_registry

SIZES = {"full": ((100, 10, 10, 20), (1000, 10, 10, 20)),   # 200k, 2M items
         "small": ((10, 10, 10, 20), (100, 10, 10, 20))}    # 20k, 200k items


def naive_all_pairs_seconds(names: list[str]) -> float:
    """Every pair of item names compared with rapidfuzz (what a detector without blocking does)."""
    from rapidfuzz import fuzz, process
    start = time.perf_counter()
    process.cdist(names, names, scorer=fuzz.ratio, workers=1, score_cutoff=80)
    return time.perf_counter() - start


def run(shape: tuple[int, int, int, int]) -> dict:
    from search.duplicates.scan import full_scan
    reg = scratch_registry("sqlite")
    with Timer() as load:
        items = bulk_load(reg, *shape)
    with Timer() as scan:
        with reg.db.unit_of_work() as session:
            stats = full_scan(session)
    reg.db.dispose()
    return {"items": items, "load": load.seconds, "scan": scan.seconds, "stats": stats, "rss": peak_rss_mb()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", action="store_true", help="20k and 200k items instead of 200k and 2M")
    args = parser.parse_args()
    from registry.synthetic import synthetic_county
    subset = [i["name"] for u in synthetic_county(10, 10, 10, 20, seed=7) for s in u["systems"]
              for r in s["resources"] for i in r["items"]]
    naive = naive_all_pairs_seconds(subset)
    naive_per_pair = naive / (len(subset) ** 2)
    print(f"naive all-pairs rapidfuzz on {len(subset):,} names: {naive:.1f} s "
          f"({len(subset) ** 2 / naive / 1e6:.0f} M pairs/s)")
    results = [run(shape) for shape in SIZES["small" if args.small else "full"]]
    for r in results:
        extrapolated = naive_per_pair * r["items"] ** 2
        print(f"{r['items']:>9,} items: load {r['load']:.1f} s, scan {r['scan']:.1f} s "
              f"({r['items'] / r['scan']:,.0f} items/s), findings {r['stats']['detected']:,}, "
              f"peak RSS {r['rss']:,.0f} MB; naive all-pairs ≈ {extrapolated:,.0f} s "
              f"→ scan is {extrapolated / r['scan']:,.0f}× faster")
    small, large = results
    exponent = math.log(large["scan"] / small["scan"]) / math.log(large["items"] / small["items"])
    print(f"growth exponent {small['items']:,} → {large['items']:,} items: {exponent:.2f}")


if __name__ == "__main__":
    main()
