"""Mixed production load on gunicorn (loopback only), SQLite and PostgreSQL.

    python3 bench/load_bench.py [--db sqlite|postgresql|both] [--seconds 60] [--clients 32]
                                [--workers 4] [--threads 4] [--shape 20,5,10,10]

32 clients, each with keep-alive, for a fixed time and at most --max-requests requests:
80 % reads (package_search, package_show through the API with a department's token, as staff read the
whole catalog; the catalog pages anonymously, over the resources open to the public, which is what an
anonymous visitor may read), 15 % item edits (item_patch by the item's own unit's department token), 5 % imports (catalog_import of a small workbook: one
system's resources exported from the same catalog, re-imported by that unit). A baseline
(status_show, the cheapest action) is measured first on the same server. The PostgreSQL run uses a
scratch database (REGISTRY_BENCH_PG_URL), dropped at the end.
"""
from __future__ import annotations

import argparse
import random
import tempfile
import uuid
from pathlib import Path

from common import PG_BENCH_URL, bulk_load, scratch_registry
from http_load import drive, get, start_gunicorn, stop
from sqlalchemy import select, text

from registry.cli import CliActor
from registry.catalog.models import InformationItem, InformationResource, InformationSystem, Unit

QUERIES = ["身份证", "姓名", "低保", "统一社会信用代码", "出生日期", "联系电话", "营业执照", "不动产", "学生", "参保"]
EDIT_UNITS = 16          # units whose department accounts edit and import
CHEAP_HASH = {"REGISTRY_ARGON2_TIME_COST": "1", "REGISTRY_ARGON2_MEMORY_KIB": "1024"}


def prepare(kind: str, shape: str) -> tuple:
    reg = scratch_registry(kind)
    from registry.core.security import configure
    configure(1, 1024)  # bench accounts only: the server verifies with each hash's own parameters
    items = bulk_load(reg, *map(int, shape.split(",")))
    from search.duplicates.scan import full_scan
    with reg.db.unit_of_work(write=True) as session:
        full_scan(session)  # search documents, item → element mappings and findings, as in production
    from importers.catalog_export import export_catalog
    folder = Path(tempfile.mkdtemp(prefix="load-bench-"))
    editors = []
    with reg.db.unit_of_work() as session:
        units = list(session.execute(select(Unit.id, Unit.code).order_by(Unit.id).limit(EDIT_UNITS)))
        resources = list(session.scalars(select(InformationResource.name)))
        public = list(session.scalars(select(InformationResource.name).where(InformationResource.open_to_public.is_(True))))
    for unit_id, code in units:
        reg.run_action("user_create", CliActor(), {"username": f"dept-{code}", "password": "bench-pass-1",
                                                   "role": "department", "unit": unit_id})
        token = reg.run_action("api_token_create", CliActor(), {"user": f"dept-{code}"})["token"]
        with reg.db.unit_of_work() as session:
            item_ids = list(session.scalars(select(InformationItem.id).join(InformationResource)
                                            .where(InformationResource.unit_id == unit_id).limit(500)))
            system = session.scalar(select(InformationSystem.id).where(InformationSystem.unit_id == unit_id)
                                    .order_by(InformationSystem.id))
            workbook = folder / f"{code}.xlsx"
            export_catalog(session, workbook, system=system)
        editors.append({"token": token, "items": item_ids, "code": code, "workbook": workbook.read_bytes()})
    if reg.db.engine.dialect.name == "sqlite":
        with reg.db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return reg, items, editors, resources, public or resources


def multipart(fields: dict, filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="upload"; filename="{filename}"\r\n'
                 "Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n".encode()
                 + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def workload(editors: list[dict], resources: list[str], public: list[str], seed: int = 7):
    rngs: dict[int, random.Random] = {}
    bodies = {e["code"]: multipart({"unit": e["code"]}, f"{e['code']}.xlsx", e["workbook"]) for e in editors}

    def make_request(client: int, n: int):
        rng = rngs.setdefault(client, random.Random(seed * 1000 + client))
        roll = rng.random()
        editor = editors[client % len(editors)]
        auth = {"Authorization": editor["token"]}
        if roll < 0.80:
            kind = rng.random()
            if kind < 0.40:
                return (*get("/api/3/action/package_search", {"q": rng.choice(QUERIES), "rows": 10})[:3], auth)
            if kind < 0.70:
                return (*get("/api/3/action/package_show", {"id": rng.choice(resources)})[:3], auth)
            if kind < 0.85:
                return get("/search", {"q": rng.choice(QUERIES)})
            return get(f"/resources/{rng.choice(public)}")
        if roll < 0.95:
            body = {"id": rng.choice(editor["items"]), "data_length": rng.randint(1, 500)}
            return "POST", "/api/3/action/item_patch", body, auth
        payload, content_type = bodies[editor["code"]]
        return "POST", "/api/3/action/catalog_import", payload, {**auth, "Content-Type": content_type}

    return make_request


def run(kind: str, args) -> dict:
    reg, items, editors, resources, public = prepare(kind, args.shape)
    env = {"REGISTRY_DATABASE_URL": reg.settings.resolved_database_url(), "REGISTRY_INSTANCE_PATH": reg.settings.instance_path,
           "REGISTRY_SECRET_KEY": "bench", "REGISTRY_DB_POOL_SIZE": str(args.threads + 2), **CHEAP_HASH}
    reg.db.dispose()
    proc, port = start_gunicorn(env, workers=args.workers, threads=args.threads)
    try:
        drive(port, lambda c, n: get("/api/3/action/status_show"), args.clients, 3)  # warm-up
        baseline = drive(port, lambda c, n: get("/api/3/action/status_show"), args.clients, min(10, args.seconds / 4))
        # warm-up: each worker's first search loads the data-element dictionary (seconds); not measured
        drive(port, workload(editors, resources, public, seed=1), args.clients, 10)
        result = drive(port, workload(editors, resources, public), args.clients, args.seconds, args.max_requests)
    finally:
        stop(proc)
        if kind == "postgresql":
            from sqlalchemy import create_engine
            admin = create_engine(PG_BENCH_URL.rsplit("/", 1)[0] + "/test", isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_BENCH_URL.rsplit("/", 1)[1]}" WITH (FORCE)'))
            admin.dispose()
    return {"kind": kind, "items": items, "baseline": baseline, "mixed": result}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--max-requests", type=int, default=100_000)
    parser.add_argument("--shape", default="20,5,10,10", help="units,systems,resources,items (synthetic catalog)")
    args = parser.parse_args()
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    for kind in kinds:
        r = run(kind, args)
        print(f"\n{kind}: {r['items']:,} items; gunicorn {args.workers} workers × {args.threads} threads (gthread) "
              f"on 127.0.0.1; {args.clients} clients, {args.seconds:g} s")
        for name, m in (("status_show (baseline)", r["baseline"]), ("mixed 80/15/5", r["mixed"])):
            print(f"  {name:24s} {m['requests']:>7,} requests, {m['throughput']:7.1f} req/s, p50 {m['p50']:6.1f} ms, "
                  f"p95 {m['p95']:6.1f} ms, p99 {m['p99']:6.1f} ms, errors {m['errors']}")
            for sample in m["error_samples"]:
                print("     error:", sample)
        for kind_name, m in r["mixed"]["by_kind"].items():
            print(f"    {kind_name:40s} {m['requests']:>6,}  p50 {m['p50']:7.1f} ms  p95 {m['p95']:7.1f} ms  "
                  f"mean {m['mean']:7.1f} ms")
        print(f"  mixed throughput / baseline throughput = {r['mixed']['throughput'] / r['baseline']['throughput']:.2f}")


if __name__ == "__main__":
    main()
