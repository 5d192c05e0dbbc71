"""Per-unit serialisation of imports and scans, held until the transaction ends.

PostgreSQL: a transaction-scoped advisory lock keyed by (namespace, unit id), so two imports into
the same unit queue while imports into different units run side by side. SQLite has one writer at a
time and our write transactions begin IMMEDIATE (registry.core.db), so every write is already serialised
and there is nothing more to take.
"""
from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

NAMESPACES = {"import": 8101, "scan": 8102}


def lock_unit(session: Session, unit_id: int | None, purpose: str = "import") -> None:
    """Block until no other transaction holds (purpose, unit); released at commit or rollback."""
    if session.get_bind().dialect.name != "postgresql":
        return
    session.execute(text("SELECT pg_advisory_xact_lock(:ns, :unit)"),
                    {"ns": NAMESPACES[purpose], "unit": int(unit_id or 0)})


def unit_locked(session: Session, unit_id: int | None, purpose: str = "import") -> bool:
    """Whether another transaction holds the lock now (PostgreSQL; SQLite: never, see above)."""
    if session.get_bind().dialect.name != "postgresql":
        return False
    got = session.scalar(text("SELECT pg_try_advisory_xact_lock(:ns, :unit)"),
                         {"ns": NAMESPACES[purpose], "unit": int(unit_id or 0)})
    return not got
