"""What one catalog write costs as the catalog grows: a title-only `package_patch` (in-process,
SQLite), beside `package_show` of the same resource (the baseline), and where the write's time goes.

    python3 bench/write_bench.py [--items-shape 1000,10,10,20] [--writes 5]

A write maps its resource's items, refreshes the duplicate findings of the keys it holds across the
county, and answers with the "already provided" hint for each element of the resource
(`item_provider_lookup`), so its cost grows with how many units hold the same elements. Prints the
median write and show times, their ratio, and the median `item_provider_lookup` of the catalog's
most widely held element.
"""
from __future__ import annotations

import argparse
import statistics
import time

from common import bulk_load, scratch_registry
from sqlalchemy import func, select

from registry.catalog.models import InformationResource
from registry.cli import CliActor
from search.duplicates.scan import counts_for_duplication, full_scan
from search.models import ItemElement


def timed(call) -> float:
    began = time.perf_counter()
    call()
    return (time.perf_counter() - began) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items-shape", default="1000,10,10,20", help="units,systems,resources,items")
    parser.add_argument("--writes", type=int, default=5)
    args = parser.parse_args()
    reg = scratch_registry("sqlite")
    items = bulk_load(reg, *map(int, args.items_shape.split(",")))
    with reg.db.unit_of_work() as session:
        full_scan(session)
        resources = list(session.scalars(select(InformationResource.id).order_by(InformationResource.id)
                                         .limit(args.writes)))
        key, element, holders = next(row for row in session.execute(  # the most held element that counts
            select(ItemElement.key, ItemElement.element_id, func.count()).where(ItemElement.key.is_not(None))
            .group_by(ItemElement.key, ItemElement.element_id).order_by(func.count().desc()))
            if counts_for_duplication(row[1]))
        name = session.scalar(select(ItemElement.name).where(ItemElement.key == key).limit(1))
    actor = CliActor()
    reg.run_action("package_show", actor, {"id": resources[0]})                     # warm-up
    shows = [timed(lambda r=r: reg.run_action("package_show", actor, {"id": r})) for r in resources]
    writes = [timed(lambda n=n, r=r: reg.run_action("package_patch", actor, {"id": r, "title": f"改名后的资源{n}"}))
              for n, r in enumerate(resources)]
    lookups = [timed(lambda: reg.run_action("item_provider_lookup", actor, {"name": name})) for _ in range(5)]
    show, write = statistics.median(shows), statistics.median(writes)
    print(f"catalog: {items:,} items; {args.writes} writes")
    print(f"package_show (baseline)       median {show:8.1f} ms")
    print(f"package_patch (title only)    median {write:8.1f} ms  = {write / show:.0f} × package_show")
    print(f"item_provider_lookup '{name}' ({holders:,} items hold it): median {statistics.median(lookups):6.1f} ms")


if __name__ == "__main__":
    main()
