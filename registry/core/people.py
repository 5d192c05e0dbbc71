"""The name a person reads for a stored login name, computed where the answer is made (so API consumers
get it too): an action whose answer names a signer puts `<x>_by_name` beside its `<x>_by` field
(`with_names`), and pages show that field.

Accounts show their display name, with the unit when it is a person's (张三（云阳县公安局）); a unit's
own account shows the unit; the command line shows 命令行（<os user>）; the demo loader 演示数据.
"""
from __future__ import annotations

from typing import Iterable

from sqlalchemy import select

SYSTEM_ACTORS = {"demo-loader": "演示数据", "anonymous": "未登录用户", "auto-check": "系统自动审查"}


def display_names(session, usernames: Iterable) -> dict[str, str]:
    """Login name → the name a person reads (an unknown login name stays as it is)."""
    from registry.core.authz import ROLE_LABELS
    from registry.catalog.models import Unit
    from registry.accounts.models import User
    names: dict[str, str] = {}
    wanted = set()
    for username in usernames:
        if not username:
            continue
        username = str(username)
        if username in SYSTEM_ACTORS:
            names[username] = SYSTEM_ACTORS[username]
        elif username.startswith("cli:"):
            names[username] = f"命令行（{username[4:]}）"
        else:
            wanted.add(username)
    if wanted:
        for username, display, role, unit in session.execute(
                select(User.username, User.display_name, User.role, Unit.name)
                .outerjoin(Unit, Unit.id == User.unit_id).where(User.username.in_(wanted))):
            if display and unit and display != unit:
                names[username] = f"{display}（{unit}）"
            else:
                names[username] = display or unit or ROLE_LABELS.get(role, username)
    for username in wanted - names.keys():
        names[username] = username
    return names


def with_names(session, rows: list[dict], *keys: str) -> list[dict]:
    """Add `<key>_name` beside each login-name field `key` of every row (one query for them all);
    an empty field gets an empty name."""
    names = display_names(session, (row.get(key) for row in rows for key in keys))
    for row in rows:
        for key in keys:
            row[f"{key}_name"] = names.get(str(row[key]), "") if row.get(key) else ""
    return rows
