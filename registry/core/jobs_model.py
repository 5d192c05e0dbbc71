"""Background jobs: a long action started from a page, run in a thread, its progress on this row
(registry.core.jobs)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from registry.core.db import Base, created_at, intpk

JOB_STATES = ("running", "done", "failed", "interrupted")


class Job(Base):
    __tablename__ = "job"
    __table_args__ = (
        CheckConstraint("state IN ('running','done','failed','interrupted')", name="state"),
    )

    id: Mapped[intpk]
    token: Mapped[str] = mapped_column(String(32), unique=True)   # the status page's address
    action: Mapped[str] = mapped_column(String(60))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    username: Mapped[str] = mapped_column(String(60))
    state: Mapped[str] = mapped_column(String(20), default="running")
    # The action's name while the job runs, NULL after: one running job per action, across processes.
    running_key: Mapped[str | None] = mapped_column(String(60), unique=True)
    # The process running it (registry.core.jobs.PROCESS): a job whose process is gone was interrupted.
    process: Mapped[str] = mapped_column(String(200))
    label: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(String(500), default="")
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    result: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    started: Mapped[created_at]
    heartbeat: Mapped[datetime | None] = mapped_column(DateTime)
    finished: Mapped[datetime | None] = mapped_column(DateTime)
