"""The HTTP search API at 200,000 items, served by gunicorn on loopback, 8 concurrent clients.

    python3 bench/search_bench.py [--seconds 30] [--clients 8] [--items-shape 100,10,10,20]

Measures status_show first (the same server's cheapest action: the baseline), then package_search
and item_search with a mix of realistic queries. Prints p50/p95/p99 latency and throughput, and
search throughput as a ratio of status_show throughput.
"""
from __future__ import annotations

import argparse
import random

from common import bulk_load, scratch_registry
from http_load import drive, get, start_gunicorn, stop

QUERIES = ["身份证", "姓名", "低保", "统一社会信用代码", "出生日期", "联系电话", "营业执照", "不动产", "车辆",
           "学生", "参保", "处罚", "许可", "地址", "户籍", "公民身份号码", "企业名称", "医保", "救助", "税"]
FILTERS = ["", "sharing_type:conditional", "update_cycle:daily", "sharing_method:platform"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--items-shape", default="100,10,10,20", help="units,systems,resources,items")
    args = parser.parse_args()
    from search.scan import full_scan
    reg = scratch_registry("sqlite")
    items = bulk_load(reg, *map(int, args.items_shape.split(",")))
    with reg.db.unit_of_work() as session:
        full_scan(session)
    env = {"REGISTRY_DATABASE_URL": reg.settings.resolved_database_url(),
           "REGISTRY_INSTANCE_PATH": reg.settings.instance_path, "REGISTRY_SECRET_KEY": "bench"}
    reg.db.dispose()
    proc, port = start_gunicorn(env)
    try:
        drive(port, lambda c, n: get("/api/3/action/status_show"), args.clients, 3)  # warm-up
        baseline = drive(port, lambda c, n: get("/api/3/action/status_show"), args.clients, args.seconds / 3)
        rng = random.Random(1)

        def search(client: int, n: int):
            if n % 4 == 3:
                return get("/api/3/action/item_search", {"q": rng.choice(QUERIES), "rows": 20})
            params = {"q": rng.choice(QUERIES), "rows": 10, "start": rng.choice([0, 0, 10, 20])}
            fq = rng.choice(FILTERS)
            if fq:
                params["fq"] = fq
            return get("/api/3/action/package_search", params)

        drive(port, search, args.clients, 3)  # warm-up
        result = drive(port, search, args.clients, args.seconds)
    finally:
        stop(proc)
    print(f"catalog: {items:,} items; server: gunicorn 2 workers × 4 threads on 127.0.0.1; {args.clients} clients")
    for name, r in (("status_show (baseline)", baseline), ("search mix", result)):
        print(f"{name:24s} {r['requests']:>7,} requests, {r['throughput']:7.1f} req/s, p50 {r['p50']:6.1f} ms, "
              f"p95 {r['p95']:6.1f} ms, p99 {r['p99']:6.1f} ms, errors {r['errors']}")
        for sample in r["error_samples"]:
            print("   error:", sample)
    print(f"search throughput / status_show throughput = {result['throughput'] / baseline['throughput']:.2f}")


if __name__ == "__main__":
    main()
