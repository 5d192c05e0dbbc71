"""Tables of the funding capability: the master directory's history, evidence records, and
finance's budget reconciliation runs.

The current directory state stays on `InformationSystem` (in_directory, directory_date, status);
`DirectoryEvent` is its history, written by the same operation that changes that state.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (JSON, CheckConstraint, Date, DateTime, Float, ForeignKey, Index, Integer, Numeric,
                        String, Text)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.core.db import Base, created_at, intpk
from registry.catalog.models import InformationSystem

DIRECTORY_EVENT_KINDS = ("admit", "retire", "merge")
EVIDENCE_RESULTS = ("passed", "failed", "approved", "refused", "open", "closed", "connected", "not_connected")
MATCH_STATES = ("matched", "suggested", "unmatched", "confirmed", "rejected")


class DirectoryEvent(Base):
    """One decision of the Bureau on a system's place in the master directory (总目录, Art. 28)."""

    __tablename__ = "directory_event"
    __table_args__ = (
        CheckConstraint("kind IN ('admit','retire','merge')", name="kind"),
        CheckConstraint("kind <> 'merge' OR merged_into_id IS NOT NULL", name="merge_has_target"),
        CheckConstraint("merged_into_id IS NULL OR merged_into_id <> system_id", name="not_merged_into_itself"),
        Index("ix_directory_event_system_effective", "system_id", "effective_on"),
    )

    id: Mapped[intpk]
    system_id: Mapped[int] = mapped_column(ForeignKey("information_system.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    effective_on: Mapped[date] = mapped_column(Date)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("information_system.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[str] = mapped_column(String(100), default="")
    created: Mapped[created_at]

    system: Mapped[InformationSystem] = relationship(foreign_keys=[system_id])
    merged_into: Mapped[InformationSystem | None] = relationship(foreign_keys=[merged_into_id])


class Evidence(Base):
    """A document behind a funding decision: an acceptance, an evaluation, an approval, a risk, a flag.

    Attached to a system, or to a unit only (unit_id is always set: the system's unit). A sharing
    status may name one resource; without one it covers every shareable resource of the system.
    """

    __tablename__ = "funding_evidence"
    __table_args__ = (
        CheckConstraint("result IN ('passed','failed','approved','refused','open','closed','connected',"
                        "'not_connected')", name="result"),
        CheckConstraint("valid_until IS NULL OR valid_from IS NULL OR valid_until >= valid_from",
                        name="validity_ordered"),
        CheckConstraint("file_size IS NULL OR file_size >= 0", name="file_size_positive"),
        Index("ix_funding_evidence_kind_system", "kind", "system_id"),
    )

    id: Mapped[intpk]
    kind: Mapped[str] = mapped_column(String(40))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"), index=True)
    system_id: Mapped[int | None] = mapped_column(ForeignKey("information_system.id", ondelete="CASCADE"),
                                                  index=True)
    resource_id: Mapped[int | None] = mapped_column(ForeignKey("information_resource.id", ondelete="CASCADE"))
    result: Mapped[str] = mapped_column(String(20))
    issued_on: Mapped[date | None] = mapped_column(Date)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    reference: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(100), default="")
    file_name: Mapped[str | None] = mapped_column(String(200))
    stored_name: Mapped[str | None] = mapped_column(String(80))
    file_size: Mapped[int | None] = mapped_column(Integer)
    closed_on: Mapped[date | None] = mapped_column(Date)
    closed_by: Mapped[str | None] = mapped_column(String(100))
    close_note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created: Mapped[created_at]


class BudgetRun(Base):
    """One upload of finance's O&M budget request list (运行维护经费预算申报清单) for a budget year."""

    __tablename__ = "budget_run"
    __table_args__ = (CheckConstraint("year BETWEEN 2000 AND 2100", name="year_range"),)

    id: Mapped[intpk]
    year: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(200), default="")
    uploaded_by: Mapped[str] = mapped_column(String(100), default="")
    created: Mapped[created_at]

    lines: Mapped[list["BudgetLine"]] = relationship(back_populates="run", order_by="BudgetLine.row",
                                                     cascade="all, delete-orphan", passive_deletes=True)


class BudgetLine(Base):
    """One request line, the system it was matched to, and a person's confirmation."""

    __tablename__ = "budget_line"
    __table_args__ = (
        CheckConstraint("state IN ('matched','suggested','unmatched','confirmed','rejected')", name="state"),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
    )

    id: Mapped[intpk]
    run_id: Mapped[int] = mapped_column(ForeignKey("budget_run.id", ondelete="CASCADE"), index=True)
    row: Mapped[int] = mapped_column(Integer)
    unit_text: Mapped[str] = mapped_column(String(200), default="")
    system_text: Mapped[str] = mapped_column(String(300), default="")
    amount: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="SET NULL"))
    system_id: Mapped[int | None] = mapped_column(ForeignKey("information_system.id", ondelete="SET NULL"))
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    state: Mapped[str] = mapped_column(String(12), default="unmatched")
    candidates: Mapped[list] = mapped_column(JSON, default=list)
    explanation: Mapped[dict | None] = mapped_column(JSON)
    confirmed_by: Mapped[str | None] = mapped_column(String(100))
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)

    run: Mapped[BudgetRun] = relationship(back_populates="lines")
