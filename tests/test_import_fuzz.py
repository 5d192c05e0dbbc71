"""Fuzzing the catalog and budget importers with hostile workbooks and CSVs (hypothesis).

Each file either imports or is refused with a Chinese message; nothing crashes (no error outside
our hierarchy); a refusal leaves every row count as it was; each example stays within time and
memory bounds. Example counts are bounded so the suite stays fast.
"""
from __future__ import annotations

import re
import resource
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from importers.actions import LocalFile
from registry.cli import CliActor
from registry.core.db import Base
from registry.core.errors import RegistryError
from registry.funding.storage import LocalUpload
from tests.hostile_files import ATTACKS, csv_rows, workbook_specs, write_csv, write_workbook

CHINESE = re.compile(r"[\u4e00-\u9fff]")
SECONDS_PER_FILE = 60   # a hang detector, not a speed target (bench/import_bench.py measures speed): a loaded CI machine once took 22 s
PEAK_GROWTH_MB = 400
FUZZ = settings(max_examples=12, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])


def row_counts(reg) -> dict[str, int]:
    with reg.db.unit_of_work() as session:
        return {t.name: session.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables}


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def attempt(reg, action: str, data: dict, actor) -> dict:
    """Run one import; return what happened. Fails the test on a crash, a foreign exception, a refusal
    without Chinese, a partial write, or a time/memory overrun."""
    before, peak_before, started = row_counts(reg), peak_mb(), time.perf_counter()
    try:
        result = reg.run_action(action, actor, data)
        outcome = {"imported": result}
    except RegistryError as exc:
        assert CHINESE.search(exc.message), f"refusal without a Chinese message: {exc.message!r}"
        assert row_counts(reg) == before, "a refused import changed the database"
        outcome = {"refused": exc.message}
    elapsed = time.perf_counter() - started
    assert elapsed < SECONDS_PER_FILE, f"{action} took {elapsed:.1f} s"
    assert peak_mb() - peak_before < PEAK_GROWTH_MB, f"{action} raised peak memory by {peak_mb() - peak_before:.0f} MB"
    return outcome


@pytest.fixture
def target(make):
    unit = make.unit(code="fuzz-unit", name="云阳县民政局")
    make.system(unit, name="公安人口系统")
    return unit


def catalog(reg, path: Path, unit: dict, **extra) -> dict:
    return attempt(reg, "catalog_import", {"upload": LocalFile(path, path.name), "unit": unit["code"], **extra},
                   CliActor())


def budget(reg, path: Path) -> dict:
    return attempt(reg, "budget_upload", {"upload": LocalUpload(path, path.name), "year": 2026}, CliActor())


@FUZZ
@given(spec=workbook_specs(), dry_run=st.booleans())
def test_hostile_workbooks_are_imported_or_refused_in_chinese_without_partial_writes(reg, target, tmp_path, spec, dry_run):
    path = write_workbook(spec, tmp_path / "catalog.xlsx")
    catalog(reg, path, target, dry_run=dry_run)


@FUZZ
@given(rows=csv_rows, encoding=st.sampled_from(["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"]), header=st.booleans())
def test_hostile_csv_files_are_imported_or_refused_in_chinese_without_partial_writes(reg, target, tmp_path, rows,
                                                                                      encoding, header):
    path = write_csv(rows, encoding, tmp_path / "catalog.csv", header)
    catalog(reg, path, target)


@FUZZ
@given(spec=workbook_specs())
def test_hostile_budget_workbooks_are_imported_or_refused_in_chinese_without_partial_writes(reg, target, tmp_path, spec):
    path = write_workbook(spec, tmp_path / "budget.xlsx")
    budget(reg, path)


@pytest.mark.parametrize("attack", sorted(ATTACKS))
@pytest.mark.parametrize("importer", ["catalog", "budget"])
def test_container_attacks_are_refused_in_chinese_within_bounds(reg, target, tmp_path, attack, importer):
    path = ATTACKS[attack](tmp_path / f"{attack}.xlsx")
    outcome = catalog(reg, path, target) if importer == "catalog" else budget(reg, path)
    assert "refused" in outcome, f"{attack} was imported: {outcome}"
