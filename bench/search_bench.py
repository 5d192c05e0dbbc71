"""The HTTP search API at 200,000 items, served by gunicorn on loopback, 8 concurrent clients.

    python3 bench/search_bench.py [--seconds 30] [--clients 8] [--items-shape 100,10,10,20]
    python3 bench/search_bench.py --engine [--engine-url URL] ...   # the same against a search engine

With --engine the server searches a real OpenSearch node (tools/search-node, started here on port
9220 with a 1 GB heap, or the engine at --engine-url), after a full `reindex` into it.

The clients search as Big Data Bureau staff (an API token: the whole catalog); `--anonymous` searches
as a visitor, who reads only the resources open to the public.

Measures status_show first (the same server's cheapest action: the baseline), then package_search
and item_search with a mix of realistic queries. Prints p50/p95/p99 latency and throughput, and
search throughput as a ratio of status_show throughput.

The server keeps an exact per-process cache of search results (search.engines.result_cache, both
backends): after the warm-up, repeated queries of the mix are answered from it. So that the figures
do not hide what a query costs when nothing is cached, the same mix is then run against a second
server whose workers have every search cache disabled (bench/nocache_gunicorn.py: "uncached mix"),
and every distinct query of the mix is also timed once in-process with the caches emptied first.
"""
from __future__ import annotations

import argparse
import random
import statistics
import time
from pathlib import Path

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
    parser.add_argument("--engine", action="store_true", help="search through a real OpenSearch node")
    parser.add_argument("--engine-url", default="", help="an engine already running (instead of starting a node)")
    parser.add_argument("--engine-heap", default="1g")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--anonymous", action="store_true", help="search as a visitor (the public catalog only)")
    args = parser.parse_args()
    from search.duplicates.scan import full_scan
    reg = scratch_registry("sqlite")
    started = time.perf_counter()
    items = bulk_load(reg, *map(int, args.items_shape.split(",")))
    print(f"loaded {items:,} items in {time.perf_counter() - started:.1f} s", flush=True)
    started = time.perf_counter()   # the item mapping and findings (an engine's reindex reads the mapping)
    with reg.db.unit_of_work() as session:
        full_scan(session)
    print(f"full scan: {time.perf_counter() - started:.1f} s", flush=True)
    env = {"REGISTRY_DATABASE_URL": reg.settings.resolved_database_url(),
           "REGISTRY_INSTANCE_PATH": reg.settings.instance_path, "REGISTRY_SECRET_KEY": "bench"}
    node = None
    if args.engine:
        from registry.core.config import Settings
        from registry.core.runtime import Registry
        from search.node import SearchNode
        url = args.engine_url
        if not url:
            node = SearchNode(9220, heap=args.engine_heap)
            node.start(timeout=240)
            url = node.url
        env.update(REGISTRY_SEARCH_BACKEND="auto", REGISTRY_ES_URL=url, REGISTRY_ES_INDEX_PREFIX="searchbench")
        reg.db.dispose()
        reg = Registry.from_settings(Settings.from_env({}, database_url=env["REGISTRY_DATABASE_URL"],
                                                       instance_path=env["REGISTRY_INSTANCE_PATH"],
                                                       search_backend="auto", es_url=url,
                                                       es_index_prefix="searchbench"))
        started = time.perf_counter()
        with reg.db.unit_of_work() as session:
            resources = reg.search.reindex(session)
        print(f"reindex into {reg.search.name} at {url}: {resources:,} resources in "
              f"{time.perf_counter() - started:.1f} s", flush=True)
    actor, headers = staff(reg) if not args.anonymous else (None, {})
    uncached = time_uncached(reg, actor)
    reg.db.dispose()
    rng = random.Random(1)

    def search(client: int, n: int):
        if n % 4 == 3:
            return with_headers(get("/api/3/action/item_search", {"q": rng.choice(QUERIES), "rows": 20}), headers)
        params = {"q": rng.choice(QUERIES), "rows": 10, "start": rng.choice([0, 0, 10, 20])}
        fq = rng.choice(FILTERS)
        if fq:
            params["fq"] = fq
        return with_headers(get("/api/3/action/package_search", params), headers)

    nocache = ("--config", str(Path(__file__).with_name("nocache_gunicorn.py")))
    try:
        proc, port = start_gunicorn(env, args.workers, args.threads)
        try:
            drive(port, lambda c, n: get("/api/3/action/status_show"), args.clients, 3)  # warm-up
            baseline = drive(port, lambda c, n: get("/api/3/action/status_show"), args.clients, args.seconds / 3)
            drive(port, search, args.clients, 3)  # warm-up
            result = drive(port, search, args.clients, args.seconds)
        finally:
            stop(proc)
        proc, port = start_gunicorn(env, args.workers, args.threads, nocache)
        try:
            drive(port, search, args.clients, 3)  # warm-up (connections, the element dictionary)
            uncached_mix = drive(port, search, args.clients, args.seconds)
        finally:
            stop(proc)
    finally:
        if node is not None:
            node.stop()
    backend = f"search engine {env['REGISTRY_ES_URL']}" if args.engine else "embedded (SQLite)"
    print(f"catalog: {items:,} items; searching as {'a visitor (public catalog)' if args.anonymous else 'Bureau staff'}; "
          f"backend: {backend}; server: gunicorn {args.workers} workers × "
          f"{args.threads} threads on 127.0.0.1; {args.clients} clients")
    for name, r in (("status_show (baseline)", baseline), ("search mix", result),
                    ("search mix, caches off", uncached_mix)):
        print(f"{name:24s} {r['requests']:>7,} requests, {r['throughput']:7.1f} req/s, p50 {r['p50']:6.1f} ms, "
              f"p95 {r['p95']:6.1f} ms, p99 {r['p99']:6.1f} ms, errors {r['errors']}")
        for sample in r["error_samples"]:
            print("   error:", sample)
    for kind, m in result["by_kind"].items():
        print(f"   {kind:40s} {m['requests']:>7,} requests, p50 {m['p50']:6.1f} ms, p95 {m['p95']:6.1f} ms, "
              f"p99 {m['p99']:6.1f} ms")
    for kind, m in uncached_mix["by_kind"].items():
        print(f"   caches off: {kind:28s} {m['requests']:>7,} requests, p50 {m['p50']:6.1f} ms, "
              f"p95 {m['p95']:6.1f} ms, p99 {m['p99']:6.1f} ms")
    print(f"search throughput / status_show throughput = {result['throughput'] / baseline['throughput']:.2f}; "
          f"caches off: {uncached_mix['throughput'] / baseline['throughput']:.2f}")
    for name, times in uncached.items():
        ordered = sorted(times)
        print(f"uncached {name:15s} (in-process, {len(times)} distinct queries, cache emptied before each): "
              f"median {statistics.median(ordered):5.1f} ms, p95 {ordered[int(0.95 * len(ordered))]:5.1f} ms, "
              f"max {ordered[-1]:5.1f} ms")


def staff(reg) -> tuple[int, dict]:
    """A Big Data Bureau user and its API token: who searches the whole catalog."""
    from registry.cli import CliActor
    user = reg.run_action("user_create", CliActor(), {"username": "bench-bureau", "password": "bench-pass-1",
                                                      "role": "bureau"})
    token = reg.run_action("api_token_create", CliActor(), {"user": "bench-bureau"})["token"]
    return user["id"], {"Authorization": token}


def with_headers(request: tuple, headers: dict) -> tuple:
    method, path, body, _ = request
    return method, path, body, headers


def time_uncached(reg, actor) -> dict[str, list[float]]:
    """Each distinct request of the mix once, in-process, with every search cache emptied first."""
    from search.engines.result_cache import ITEMS, PACKAGES, RESULTS
    reg.run_action("package_search", actor, {"q": QUERIES[0]})  # loads the element dictionary
    times: dict[str, list[float]] = {"package_search": [], "item_search": []}
    requests = [("item_search", {"q": q, "rows": 20}) for q in QUERIES]
    requests += [("package_search", {"q": q, "rows": 10, "start": start, **({"fq": fq} if fq else {})})
                 for q in QUERIES for fq in FILTERS for start in (0, 10, 20)]
    for name, params in requests:
        for cache in (RESULTS, PACKAGES, ITEMS):
            cache.clear()
        started = time.perf_counter()
        reg.run_action(name, actor, params)
        times[name].append((time.perf_counter() - started) * 1000)
    return times


if __name__ == "__main__":
    main()
