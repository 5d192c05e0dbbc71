"""Import benchmark (issue 3): Excel catalog import vs raw openpyxl reading, SQLite and PostgreSQL.

    python3 bench/import_bench.py                 # county scale: 100 units, 1,000 systems,
                                                  # 10,000 resources, 200,000 items
    python3 bench/import_bench.py --items 20000   # a quick run
    python3 bench/import_bench.py --no-pg         # SQLite only

1. Generates one Attachment 2 workbook per unit (`registry.synthetic.synthetic_county`), one sheet
   per system (title line "系统名称：…", the two-level header, resource cells merged over their
   items, borders, the 填表说明 under the table), written by openpyxl's normal mode so that the
   files are like Excel's own (shared strings, a <dimension> element).
2. Raw read: openpyxl read-only iteration over every cell of every file (`iter_rows(values_only=True)`).
3. Import: the `catalog_import` action for every file (auth, validation, bulk writes, audit, one
   commit per file) into a fresh SQLite file and a scratch PostgreSQL database
   (`registry_import_bench`, created and dropped here). Each import runs in a child process, which reports its own peak RSS.
   The search layer's indexing (run by `Registry.run_action` after an action) belongs to another
   module and is measured separately with --with-search.

Reports items/s, the ratio import ÷ raw read (wall clock, and CPU time where the database runs in
the process, i.e. SQLite), and peak RSS. Targets: ratio ≥ 0.5 on SQLite, RSS < 500 MB.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_ADMIN = "postgresql+psycopg://registry:registry@127.0.0.1:5432/postgres"
PG_DB = "registry_import_bench"   # its own name: other benchmarks use registry_bench


# ---- the data set -----------------------------------------------------------------------------

def shape(items: int) -> tuple[int, int, int, int]:
    """(units, systems per unit, resources per system, items per resource) for about `items`."""
    if items >= 2000:
        return max(1, items // 2000), 10, 10, 20
    return 1, 1, max(1, items // 20), 20


def unique(name: str, seen: set) -> str:
    candidate, n = name, 1
    while candidate in seen:
        n += 1
        candidate = f"{name}{n}"
    seen.add(candidate)
    return candidate


def generate(folder: Path, items: int) -> tuple[list[dict], int]:
    """Write the workbooks; returns the units (code, name) and the item count."""
    from registry.synthetic import synthetic_county
    units, total = [], 0
    for unit in synthetic_county(*shape(items), seed=2022):
        systems: set = set()
        for system in unit["systems"]:
            system["name"] = unique(system["name"], systems)
            titles: set = set()
            for res in system["resources"]:
                res["name"] = unique(res["name"], titles)
                total += len(res["items"])
        write_unit(unit, folder / f"{unit['code']}-{unit['name']}.xlsx")
        units.append({"code": unit["code"], "name": unit["name"], "kind": unit["kind"]})
    return units, total


def write_unit(unit: dict, path: Path) -> None:
    """One workbook as Excel writes it (shared strings, <dimension>): openpyxl's normal mode."""
    from openpyxl import Workbook
    from openpyxl.styles import Border, Side

    from catalog_schema import vocabularies as vocab
    from importers import layout
    from importers.catalog_template import TEMPLATE_COLUMNS
    book = Workbook()
    book.remove(book.active)
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    labels = [c.label for c in TEMPLATE_COLUMNS]
    merged = [i for i, c in enumerate(TEMPLATE_COLUMNS, 1) if c.level == "resource"]
    for number, system in enumerate(unit["systems"], 1):
        ws = book.create_sheet(f"系统{number}")
        ws.append([layout.TITLE])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(labels))
        ws.append(["系统名称：", system["name"]])
        ws.append([layout.FORMAT_PARENT if k == "format_class" else None if k == "format_type" else label
                   for k, label in zip((c.key for c in TEMPLATE_COLUMNS), labels)])
        ws.append([label if c.key in ("format_class", "format_type") else None
                   for c, label in zip(TEMPLATE_COLUMNS, labels)])
        first_unit_row = True
        for res in system["resources"]:
            start = ws.max_row + 1
            for n, item in enumerate(res["items"]):
                own = item["sharing_type"] if n else res["sharing_type"]
                ws.append([unit["name"] if first_unit_row else None] + ([
                    res["name"], vocab.FORMAT_CLASS.label_of(res["format_class"]),
                    vocab.FORMAT_TYPE.label_of(res["format_type"])] if n == 0 else [None] * 3) + [
                    item["name"], layout.data_type_label(item["data_type"]), item["data_length"],
                    vocab.SHARING_TYPE.label_of(own) or None] + ([
                        vocab.SHARING_METHOD.label_of(res["sharing_method"]),
                        vocab.OPEN_TO_PUBLIC.label_of(res["open_to_public"]), res["open_conditions"] or None,
                        vocab.UPDATE_CYCLE.label_of(res["update_cycle"])] if n == 0 else [None] * 4))
                first_unit_row = False
            for column in merged:
                ws.merge_cells(start_row=start, start_column=column, end_row=ws.max_row, end_column=column)
        for row in ws.iter_rows(min_row=3, max_row=ws.max_row):
            for cell in row:
                cell.border = border
        ws.append([])
        for text in layout.NOTES:
            ws.append([text])
    book.save(path)


# ---- the measurements -------------------------------------------------------------------------

def raw_read(files: list[Path]) -> dict:
    from openpyxl import load_workbook
    wall, cpu = time.perf_counter(), time.process_time()
    cells = 0
    for path in files:
        book = load_workbook(path, read_only=True)
        for ws in book.worksheets:
            for row in ws.iter_rows(values_only=True):
                for _value in row:
                    cells += 1
        book.close()
    return {"seconds": time.perf_counter() - wall, "cpu": time.process_time() - cpu, "cells": cells}


def child_import(url: str, folder: str, with_search: bool) -> dict:
    """In the child process: import every file, one action (one commit) per file."""
    from importers.actions import LocalFile
    from registry.core.actions import call_action
    from registry.cli import CliActor
    from registry.core.config import Settings
    from registry.core.runtime import Registry
    settings = Settings.from_env({}, database_url=url, instance_path=folder, max_upload_mb=200)
    reg = Registry.from_settings(settings)
    files = sorted(Path(folder).glob("*.xlsx"))
    from importers.sources import _reader_class
    from registry.core.actions import load_all
    load_all()          # process start-up, not import work: every module imported before the clock
    _reader_class()
    from search.engines.documents import matcher
    matcher()           # the element dictionary (loaded once per process; the warn-before-collecting lookups use it)
    wall, cpu = time.perf_counter(), time.process_time()
    totals = {"resources_created": 0, "items_created": 0}
    for path in files:
        data = {"upload": LocalFile(path)}
        if with_search:
            report = reg.run_action("catalog_import", CliActor(), data)
        else:
            with reg.db.unit_of_work() as session:
                report = call_action("catalog_import", reg.context(session, CliActor()), data)
        for key in totals:
            totals[key] += report[key]
    seconds, cpu = time.perf_counter() - wall, time.process_time() - cpu
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "cpu": cpu, "peak_rss_mb": rss, **totals}


def prepare_database(url: str, units: list[dict]) -> None:
    from registry.cli import CliActor
    from registry.core.config import Settings
    from registry.migrate import upgrade
    from registry.core.runtime import Registry
    upgrade(url)
    reg = Registry.from_settings(Settings.from_env({}, database_url=url, instance_path=tempfile.gettempdir()))
    for unit in units:
        reg.run_action("unit_create", CliActor(), unit)
    reg.db.dispose()


def run_child(url: str, folder: Path, with_search: bool) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", url, str(folder)] + (["--with-search"] if with_search
                                                                                   else []),
                         capture_output=True, text=True, cwd=ROOT)
    if out.returncode:
        raise SystemExit(f"the import child failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def import_into(name: str, url: str, work: Path, units: list[dict], files_dir: Path, with_search: bool) -> dict:
    """A fresh database with the units, then the import in a child process."""
    if name == "SQLite":
        for suffix in ("", "-wal", "-shm"):
            Path(str(work / "bench.sqlite3") + suffix).unlink(missing_ok=True)
    else:
        pg(f"DROP DATABASE IF EXISTS {PG_DB}")
        pg(f"CREATE DATABASE {PG_DB}")
    try:
        prepare_database(url, units)
        return run_child(url, files_dir, with_search)
    finally:
        if name == "PostgreSQL":
            pg(f"DROP DATABASE IF EXISTS {PG_DB}")


def pg(statement: str) -> None:
    from sqlalchemy import create_engine, text
    engine = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(statement))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=200_000, help="about how many items (default 200,000)")
    parser.add_argument("--no-pg", action="store_true", help="skip PostgreSQL")
    parser.add_argument("--with-search", action="store_true",
                        help="import through Registry.run_action, including the search layer's indexing")
    parser.add_argument("--workdir", help="keep the generated files here (default: a temporary folder)")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each measurement; the best counts (default 2)")
    parser.add_argument("--child", nargs=2, metavar=("URL", "FOLDER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child_import(*args.child, args.with_search)))
        return
    if (Path(args.workdir or "-") / "files").is_dir() and any((Path(args.workdir) / "files").glob("*.xlsx")):
        raise SystemExit(f"{args.workdir}/files already holds workbooks: use an empty --workdir")
    work = Path(args.workdir or tempfile.mkdtemp(prefix="import-bench-"))
    files_dir = work / "files"
    files_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    units, items = generate(files_dir, args.items)
    files = sorted(files_dir.glob("*.xlsx"))
    size = sum(p.stat().st_size for p in files) / 1024 / 1024
    print(f"generated {len(files)} workbooks, {items:,} items, {size:.1f} MB in {time.perf_counter() - started:.0f} s")
    targets = [("SQLite", "sqlite:///" + str(work / "bench.sqlite3"))]
    if not args.no_pg:
        targets.append(("PostgreSQL", PG_ADMIN.rsplit("/", 1)[0] + "/" + PG_DB))
    runs: dict[str, list[dict]] = {"raw": []}
    for attempt in range(1, args.repeat + 1):   # interleaved, so both sides see the same machine
        raw = raw_read(files)
        runs["raw"].append(raw)
        print(f"[{attempt}] raw openpyxl read-only: {raw['cells']:,} cells in {raw['seconds']:.1f} s "
              f"(CPU {raw['cpu']:.1f} s)")
        for name, url in targets:
            result = import_into(name, url, work, units, files_dir, args.with_search)
            runs.setdefault(name, []).append(result)
            print(f"[{attempt}] import into {name}: {result['items_created']:,} items in {result['seconds']:.1f} s "
                  f"(CPU {result['cpu']:.1f} s), peak RSS {result['peak_rss_mb']:.0f} MB")
    raw = {key: min(r[key] for r in runs["raw"]) for key in ("seconds", "cpu")}
    results = {"items": items, "files": len(files), "repeat": args.repeat, "raw_best": raw, "runs": runs}
    print(f"\nbest of {args.repeat}: raw openpyxl read-only {items / raw['seconds']:,.0f} items/s "
          f"({raw['seconds']:.1f} s, CPU {raw['cpu']:.1f} s)")
    for name, _ in targets:
        best = {key: min(r[key] for r in runs[name]) for key in ("seconds", "cpu")}
        best["ratio"] = raw["seconds"] / best["seconds"]
        best["ratio_cpu"] = raw["cpu"] / best["cpu"] if name == "SQLite" else None
        best["peak_rss_mb"] = max(r["peak_rss_mb"] for r in runs[name])
        results[name] = best
        cpu_ratio = f", by CPU time {best['ratio_cpu']:.2f}" if best["ratio_cpu"] else ""
        print(f"import into {name}: {items / best['seconds']:,.0f} items/s ({best['seconds']:.1f} s, "
              f"CPU in the importing process {best['cpu']:.1f} s); ratio import/raw {best['ratio']:.2f}{cpu_ratio}; "
              f"peak RSS {best['peak_rss_mb']:.0f} MB")
    print(json.dumps(results, indent=1))
    if not args.workdir:
        import shutil
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
