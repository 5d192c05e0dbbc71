"""What changed since the version a client read: the details of an optimistic-locking 409.

Every versioned write records its before/after diff in the audit log from the code that applies
it, and the version moves exactly when a column changes, which is exactly when that diff is not
empty. So of an entity's update rows with a diff, the last (current − read) are the writes the
client has not seen.
"""
from __future__ import annotations

from sqlalchemy import inspect, select
from sqlalchemy.orm import object_session

from registry.core.audit import snapshot
from registry.core.errors import Conflict
from registry.core.audit_log import AuditLog

# audit entity_type per table where the two differ
ENTITY_TYPES = {"information_system": "system", "information_resource": "resource", "information_item": "item"}
MAX_ROWS = 500


def entity_type(obj) -> str:
    table = inspect(obj).mapper.local_table.name
    return ENTITY_TYPES.get(table, table)


def check_version(obj, data: dict, label: str, snapshot_of=snapshot) -> None:
    """Optimistic locking: a client that read version N may only write over version N.

    `snapshot_of`: the record's audit shape (a resource's includes its items)."""
    expected = data.get("version")
    if expected is not None and expected != obj.version:
        details = changes_since(obj, expected, snapshot_of)
        changed = "、".join(details["fields"]) or "（无字段差异）"
        who = "、".join(dict.fromkeys(e["username"] for e in details["edits"])) or "未知"
        raise Conflict(f"{label}已被他人修改（您读取的是第 {expected} 版，当前为第 {obj.version} 版；"
                       f"修改人：{who}；变化的字段：{changed}），请刷新后重试", details)


def changes_since(obj, read_version: int, snapshot_of=snapshot) -> dict:
    """{read_version, current_version, fields: {name: {read, current}}, edits: [{at, username, action}]}."""
    rows = object_session(obj).scalars(select(AuditLog)
                           .where(AuditLog.entity_type == entity_type(obj), AuditLog.entity_id == obj.id)
                           .order_by(AuditLog.id.desc()).limit(MAX_ROWS)).all()
    updates = [r for r in reversed(rows) if r.before and r.after]
    unseen = obj.version - read_version
    newer = updates[-unseen:] if unseen > 0 else []
    current = snapshot_of(obj)
    fields: dict[str, dict] = {}
    for row in newer:
        for name, old in (row.before or {}).items():
            if name != "version" and name not in fields:
                fields[name] = {"read": old}
    for name, entry in list(fields.items()):
        entry["current"] = current.get(name)
        if entry["read"] == entry["current"]:  # changed and changed back
            del fields[name]
    return {"read_version": read_version, "current_version": obj.version, "fields": fields,
            "edits": [{"at": r.at.isoformat(timespec="seconds"), "username": r.username, "action": r.action}
                      for r in newer]}

