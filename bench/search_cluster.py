"""Scale-out, shown: a three-node OpenSearch 2.19 cluster on loopback (three JVMs), the synthetic
county indexed with one replica, then one node killed while searches and writes go on.

    python3 bench/search_cluster.py [--items-shape 100,10,10,20] [--heap 384m] [--seconds 20]

1. Starts three nodes (tools/search-node; HTTP 9210-9212, transport 9310-9312) forming one cluster.
2. Loads the synthetic county into a scratch SQLite database (units,systems,resources,items).
3. Full `reindex` into the cluster (REGISTRY_ES_URL names all three nodes): documents per second,
   beside the engine's bare bulk rate of the same documents built beforehand (same chunking, same
   index settings, refresh off), measured in the same run. The item mapping (`registry scan`'s
   work) is written to the database before and timed apart: a reindex reads it, matching nothing.
4. Searches (4 threads, through package_search) and writes (1 thread, package_patch; each
   acknowledged title recorded) run; after a few seconds the node holding the primary shard is
   killed (SIGKILL); /readyz is read while it is away; the node is started again on the same data;
   /readyz is read until it says ok.
5. Checks: every acknowledged write is in the engine (after the outbox replays), search errors.
Prints a summary (and JSON with --json). Stops every node it started.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import tempfile
import threading
import time
from pathlib import Path

from common import bulk_load, scratch_registry

from registry.app import create_app
from registry.cli import CliActor
from search.engines import es_mappings as em
from search.engines.elastic import _documents
from search.node import SearchNode

PORTS = (9210, 9211, 9212)
QUERIES = ["身份证", "姓名", "低保", "统一社会信用代码", "联系电话", "不动产", "学生", "参保", "地址", "医保"]


def start_cluster(heap: str, workdir: Path) -> list[SearchNode]:
    names = [f"n{i + 1}" for i in range(len(PORTS))]
    seeds = ",".join(f"127.0.0.1:{p + 100}" for p in PORTS)
    nodes = []
    for name, port in zip(names, PORTS):
        home = workdir / name
        home.mkdir(parents=True, exist_ok=True)
        nodes.append(SearchNode(port, home=home, heap=heap, log_path=workdir / f"{name}.log", settings={
            "discovery.type": "", "cluster.name": "registry-bench", "node.name": name,
            "discovery.seed_hosts": seeds, "cluster.initial_cluster_manager_nodes": ",".join(names)}))
    for node in nodes:
        node.start(wait=False)
    for node in nodes:
        node.wait_ready(timeout=240)
    wait_nodes(nodes[0].url, 3)
    return nodes


def get(url: str) -> dict:
    from search.node import get_json
    return get_json(url, timeout=30)


def wait_nodes(url: str, count: int, status: str = "green", timeout: float = 240) -> dict:
    deadline = time.time() + timeout
    while True:
        try:
            health = get(f"{url}/_cluster/health?wait_for_nodes={count}&wait_for_status={status}&timeout=5s")
            if not health.get("timed_out"):
                return health
        except OSError:
            pass
        if time.time() > deadline:
            raise RuntimeError(f"cluster not {status} with {count} nodes after {timeout} s")
        time.sleep(1)


def bare_bulk_rate(reg, sources: list[dict]) -> float:
    """The engine alone: the same documents, built beforehand, bulk-loaded into a fresh index with
    the reindex's settings (refresh off) and chunking."""
    search = reg.search
    index = f"{search.prefix}-bare-{int(time.time())}"
    body = em.index_body(search.word_analyzer, building=True)
    search.es.create_index(index, body["settings"], body["mappings"], {})
    try:
        actions = [{"_op_type": "index", "_index": index, "_id": str(s["id"]), "_source": s} for s in sources]
        began = time.perf_counter()
        # require_alias is the adapter's rule for our aliases; the bare index is addressed by name
        from opensearchpy import helpers
        done = 0
        client = search.es.resolve().client if hasattr(search.es, "resolve") else search.es.client
        for ok, _ in helpers.streaming_bulk(client, actions, chunk_size=em.BULK_CHUNK,
                                            raise_on_error=True, request_timeout=300):
            done += ok
        search.es.refresh(index)
        seconds = time.perf_counter() - began
    finally:
        search.es.delete_index([index])
    return done / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items-shape", default="100,10,10,20", help="units,systems,resources,items")
    parser.add_argument("--heap", default="384m")
    parser.add_argument("--seconds", type=float, default=20, help="load before, during and after the kill")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="search-cluster-"))
    nodes: list[SearchNode] = []
    out: dict = {"shape": args.items_shape, "heap": args.heap}
    try:
        began = time.perf_counter()
        nodes = start_cluster(args.heap, workdir)
        out["cluster_start_s"] = round(time.perf_counter() - began, 1)
        print(f"cluster of {len(nodes)} nodes green in {out['cluster_start_s']} s", flush=True)

        scratch = scratch_registry("sqlite")
        items = bulk_load(scratch, *map(int, args.items_shape.split(",")))
        database = scratch.settings.resolved_database_url()
        scratch.db.dispose()
        url = ",".join(n.url for n in nodes)
        app = create_app({"database_url": database, "instance_path": str(workdir), "secret_key": "bench",
                          "search_backend": "auto", "es_url": url, "es_index_prefix": "bench",
                          "es_timeout_seconds": 10})
        reg = app.extensions["registry"]
        out["items"] = items

        with reg.db.unit_of_work() as session:              # the item mapping, as `registry scan` writes it
            t0 = time.perf_counter()
            from search.engines.embedded import EmbeddedSearch
            EmbeddedSearch().reindex(session)
            out["database_side_s"] = round(time.perf_counter() - t0, 1)
        with reg.db.unit_of_work() as session:
            t0 = time.perf_counter()
            sources = [em.document_source(doc, created) for doc, created in _documents(session, None)]
            out["build_documents_s"] = round(time.perf_counter() - t0, 1)
        out["resources"] = len(sources)
        bare_before = bare_bulk_rate(reg, sources)          # cold JVMs
        with reg.db.unit_of_work() as session:              # reads the stored mapping, matches nothing
            t0 = time.perf_counter()
            count = reg.search.reindex(session)
            seconds = time.perf_counter() - t0
        bare_after = bare_bulk_rate(reg, sources)           # warm JVMs: the engine's best in this run
        del sources
        out["bare_bulk_docs_per_s"] = [round(bare_before, 1), round(bare_after, 1)]
        out["reindex_s"] = round(seconds, 1)
        out["reindex_docs_per_s"] = round(count / seconds, 1)
        out["reindex_vs_bare"] = round(out["reindex_docs_per_s"] / max(bare_before, bare_after), 2)
        print(json.dumps(out, ensure_ascii=False), flush=True)

        health = get(f"{nodes[0].url}/_cluster/health")
        shards = get(f"{nodes[0].url}/_cat/shards/bench-resources?format=json")
        out["shards"] = [(s["prirep"], s["node"], s["state"]) for s in shards]
        out["health_before"] = health["status"]

        stop_at = threading.Event()
        acked: dict[int, str] = {}
        search_ok, search_errors, write_errors = [0], [], []
        lock = threading.Lock()
        with reg.db.unit_of_work() as session:
            from sqlalchemy import select

            from registry.catalog.models import InformationResource
            targets = list(session.scalars(select(InformationResource.id).order_by(InformationResource.id).limit(200)))

        def searcher(k: int) -> None:
            n = 0
            while not stop_at.is_set():
                q = QUERIES[(k + n) % len(QUERIES)]
                n += 1
                try:
                    reg.run_action("package_search", None, {"q": q, "rows": 10})
                    with lock:
                        search_ok[0] += 1
                except Exception as exc:  # noqa: BLE001 - counted and shown
                    with lock:
                        search_errors.append(f"{time.strftime('%X')} {exc}"[:200])

        def writer() -> None:
            n = 0
            while not stop_at.is_set():
                rid = targets[n % len(targets)]
                title = f"故障演练写入{n:05d}"
                n += 1
                try:
                    reg.run_action("package_patch", CliActor(), {"id": rid, "title": title})
                    acked[rid] = title                       # acknowledged: the action returned
                except Exception as exc:  # noqa: BLE001
                    write_errors.append(str(exc)[:200])
                time.sleep(0.05)

        threads = [threading.Thread(target=searcher, args=(k,)) for k in range(4)] + [threading.Thread(target=writer)]
        for t in threads:
            t.start()
        client = app.test_client()
        timeline = []
        time.sleep(args.seconds / 4)
        primary_node = next(s["node"] for s in shards if s["prirep"] == "p")
        victim = nodes[[f"n{i + 1}" for i in range(len(nodes))].index(primary_node)]
        os.kill(victim.process.pid, signal.SIGKILL)
        killed = time.time()
        timeline.append(("killed", primary_node, "primary"))
        victim.process.wait(10)
        survivor = next(n for n in nodes if n is not victim)
        deadline = time.time() + args.seconds / 2
        while time.time() < deadline:
            ready = client.get("/readyz").get_json()
            try:
                health = get(f"{survivor.url}/_cluster/health")["status"]
            except OSError:
                health = "?"
            timeline.append((round(time.time() - killed, 1), ready["checks"]["search"], health))
            time.sleep(1)
        victim.start(timeout=240)
        timeline.append((round(time.time() - killed, 1), "restarted", victim.url))
        wait_nodes(survivor.url, 3, "green")
        ready = client.get("/readyz").get_json()
        timeline.append((round(time.time() - killed, 1), ready["checks"]["search"], "green"))
        time.sleep(args.seconds / 4)
        stop_at.set()
        for t in threads:
            t.join(60)
        replayed = reg.search.replay_outbox()
        lost = []
        for rid, title in acked.items():
            hits = reg.search.es.search(reg.search.alias, {"query": {"ids": {"values": [str(rid)]}},
                                                           "_source": ["title"]})["hits"]["hits"]
            if not hits or hits[0]["_source"]["title"] != title:
                lost.append(rid)
        out.update(searches_ok=search_ok[0], search_errors=len(search_errors), search_error_samples=search_errors[:3],
                   writes_acknowledged=len(acked), write_errors=len(write_errors), outbox_replayed_at_end=replayed,
                   acknowledged_writes_missing_from_engine=len(lost), timeline=timeline,
                   readyz_final=client.get("/readyz").get_json())
        reg.db.dispose()
    finally:
        for node in nodes:
            node.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    print(json.dumps(out, ensure_ascii=False, indent=None if not args.json else 1))


if __name__ == "__main__":
    main()
