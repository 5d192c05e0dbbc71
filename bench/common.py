"""Shared helpers for the benchmarks: a scratch database, a bulk loader for synthetic catalogs
(benchmarks measure the scan and the search, not the action layer's per-record validation), and
peak-memory reading."""
from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, text  # noqa: E402

from registry.core.config import Settings  # noqa: E402
from registry.migrate import upgrade  # noqa: E402
from registry.catalog.models import InformationItem, InformationResource, InformationSystem, Unit  # noqa: E402
from registry.core.runtime import Registry  # noqa: E402
from registry.synthetic import synthetic_county  # noqa: E402

PG_BENCH_URL = os.environ.get("REGISTRY_BENCH_PG_URL", "postgresql+psycopg://registry:registry@127.0.0.1:5432/registry_bench")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def scratch_registry(kind: str = "sqlite") -> Registry:
    """A fresh, migrated database: a temporary SQLite file, or a recreated PostgreSQL database."""
    if kind == "sqlite":
        folder = tempfile.mkdtemp(prefix="registry-bench-")
        settings = Settings.from_env({}, instance_path=folder)
    else:
        from sqlalchemy import create_engine
        admin = create_engine(PG_BENCH_URL.rsplit("/", 1)[0] + "/test", isolation_level="AUTOCOMMIT")
        name = PG_BENCH_URL.rsplit("/", 1)[1]
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        settings = Settings.from_env({}, database_url=PG_BENCH_URL, instance_path=tempfile.mkdtemp())
    upgrade(settings.resolved_database_url())
    return Registry.from_settings(settings)


def bulk_load(reg: Registry, units: int, systems: int, resources: int, items: int, seed: int = 0) -> int:
    """Insert a synthetic county with Core inserts, ids assigned here. Returns the item count."""
    unit_id = system_id = resource_id = item_id = 0
    total = 0
    with reg.db.engine.begin() as conn:
        for unit in synthetic_county(units, systems, resources, items, seed):
            unit_id += 1
            conn.execute(insert(Unit), [{"id": unit_id, "code": unit["code"], "name": unit["name"],
                                         "kind": unit["kind"], "description": "", "version": 1}])
            sys_rows, res_rows, item_rows = [], [], []
            for system in unit["systems"]:
                system_id += 1
                sys_rows.append({"id": system_id, "code": system["code"], "unit_id": unit_id, "name": system["name"],
                                 "aliases": [], "description": "", "status": system["status"],
                                 "network": system["network"], "in_directory": system["in_directory"], "version": 1})
                for res in system["resources"]:
                    resource_id += 1
                    res_rows.append({"id": resource_id, "name": f"r{resource_id}", "system_id": system_id,
                                     "unit_id": unit_id, "title": res["name"], "resource_code": res["code"],
                                     "format_class": res["format_class"], "format_type": res["format_type"],
                                     "sharing_type": res["sharing_type"], "sharing_method": res["sharing_method"],
                                     "open_to_public": res["open_to_public"] == "yes",
                                     "open_conditions": "", "update_cycle": res["update_cycle"],
                                     "description": "", "version": 1})
                    for position, item in enumerate(res["items"]):
                        item_id += 1
                        item_rows.append({"id": item_id, "resource_id": resource_id, "name": item["name"],
                                          "data_type": item["data_type"], "data_length": item["data_length"],
                                          "sharing_type": None, "position": position, "version": 1})
            conn.execute(insert(InformationSystem), sys_rows)
            conn.execute(insert(InformationResource), res_rows)
            conn.execute(insert(InformationItem), item_rows)
            total += len(item_rows)
    if reg.db.engine.dialect.name == "postgresql":
        with reg.db.engine.begin() as conn:
            for table in ("unit", "information_system", "information_resource", "information_item"):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"))
    return total


class Timer:
    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start
