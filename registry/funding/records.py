"""Batch loading shared by the funding rules, and the date rules every evidence rule applies.

Evidence counts for budget year Y when it was issued on or before the earlier of the decision
day and 31 December of Y: a document dated after the budget year (an approval granted in Y+1)
cannot justify funding for Y, and a document dated after the decision day did not exist when
the decision was made.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Iterable

from sqlalchemy import select

from registry.core.db import in_chunks
from registry.funding.models import Evidence
from registry.measures.base import Batch

CHUNK = 5000  # below SQLite's bound-parameter limit; PostgreSQL takes any size


def rows_for(session, stmt_for_chunk, ids: Iterable[int]) -> list:
    """Run `stmt_for_chunk(chunk)` for each chunk of ids; all rows."""
    out: list = []
    for chunk in in_chunks(sorted(set(ids)), CHUNK):
        out.extend(session.execute(stmt_for_chunk(chunk)).all())
    return out


def last_counting_day(batch: Batch) -> date:
    return min(batch.as_of, date(batch.year, 12, 31))


def counts(row, batch: Batch) -> bool:
    return row.issued_on is not None and row.issued_on <= last_counting_day(batch)


def required_valid_on(batch: Batch) -> date:
    """An evaluation must be valid on this day of the budget year (Policy.evaluation_must_cover_year)."""
    if getattr(batch.policy, "evaluation_must_cover_year", False):
        return date(batch.year, 12, 31)
    return date(batch.year, 1, 1)


def still_open(row, batch: Batch) -> bool:
    """A risk or flag open on the decision day (closed later than that counts as open then)."""
    return row.result == "open" or (row.closed_on is not None and row.closed_on > batch.as_of)


def latest(rows: list):
    """The most recent record (by issue date, then entry order)."""
    return max(rows, key=lambda r: (r.issued_on, r.id)) if rows else None


EVIDENCE_COLUMNS = (Evidence.id, Evidence.kind, Evidence.unit_id, Evidence.system_id, Evidence.resource_id,
                    Evidence.result, Evidence.issued_on, Evidence.valid_until, Evidence.reference,
                    Evidence.closed_on, Evidence.note)


class EvidenceIndex:
    """The batch's evidence, counting for the budget year, by (kind, system) and (kind, unit)."""

    def __init__(self, rows: list, batch: Batch):
        self.by_system: dict[tuple[str, int], list] = defaultdict(list)
        self.by_unit: dict[tuple[str, int], list] = defaultdict(list)
        last_day = last_counting_day(batch)
        for row in rows:
            if row.issued_on is None or row.issued_on > last_day:
                continue
            if row.system_id is not None:
                self.by_system[(row.kind, row.system_id)].append(row)
            self.by_unit[(row.kind, row.unit_id)].append(row)

    def of_system(self, kind: str, system_id: int) -> list:
        return self.by_system.get((kind, system_id), [])

    def of_unit(self, kind: str, unit_id: int) -> list:
        return self.by_unit.get((kind, unit_id), [])


def evidence(batch: Batch) -> EvidenceIndex:
    """Load (once per batch) every evidence record of the batch's systems and their units."""
    cached = batch.data.get("funding.evidence")
    if cached is None:
        unit_ids = {s.unit_id for s in batch.systems.values()}
        last_day = last_counting_day(batch)
        rows = rows_for(batch.session, lambda c: select(*EVIDENCE_COLUMNS)
                        .where(Evidence.unit_id.in_(c), Evidence.issued_on <= last_day), unit_ids)
        cached = batch.data["funding.evidence"] = EvidenceIndex(rows, batch)
    return cached


def evidence_ref(row, label: str) -> dict:
    """How a reason names one evidence record."""
    return {"type": "evidence", "id": row.id, "kind": row.kind, "label": label, "result": row.result,
            "issued_on": row.issued_on.isoformat() if row.issued_on else None,
            "valid_until": row.valid_until.isoformat() if row.valid_until else None,
            "reference": row.reference}


def missing_ref(kind: str, label: str) -> dict:
    return {"type": "missing", "kind": kind, "label": label}


def cn(d: date | None) -> str:
    return d.isoformat() if d else "（未注明日期）"  # one date format everywhere: 2026-09-30
