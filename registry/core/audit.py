"""Writing the audit log from the same code that applies a change."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import inspect

from registry.core.audit_log import AuditLog


def snapshot(obj, exclude: tuple[str, ...] = ("created", "modified")) -> dict[str, Any]:
    """The column values of a mapped object, JSON-ready."""
    state = inspect(obj)
    values = {}
    for attr in state.mapper.column_attrs:
        if attr.key in exclude:
            continue
        values[attr.key] = _jsonable(getattr(obj, attr.key))
    return values


def _jsonable(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def diff(before: dict | None, after: dict | None) -> tuple[dict | None, dict | None]:
    """Only the keys that changed (both sides), so the log says what happened."""
    if before is None or after is None:
        return before, after
    keys = [k for k in after if before.get(k) != after.get(k) and k != "version"]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def record(ctx, action: str, entity_type: str, entity_id: int | None, before: dict | None,
           after: dict | None, summary: str = "") -> AuditLog:
    before, after = diff(before, after)
    row = AuditLog(user_id=ctx.user.id if ctx.user else None, username=ctx.username, action=action,
                   entity_type=entity_type, entity_id=entity_id, summary=summary,
                   before=before, after=after)
    ctx.session.add(row)
    return row
