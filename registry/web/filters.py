"""Jinja filters for Chinese display: dates (one format everywhere, the one forms take: 2026-11-24), amounts (万元), vocabulary labels."""
from __future__ import annotations

from datetime import date, datetime

from catalog_schema import vocabularies as vocab


def cn_date(value) -> str:
    if value in (None, ""):
        return ""
    if isinstance(value, str):  # an ISO date stays a date (no 00:00), a timestamp keeps its time
        value = date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def wan_yuan(value) -> str:
    """Yuan → 万元 with thousands separators (1,234.56万元)."""
    if value in (None, ""):
        return ""
    return f"{float(value) / 10_000:,.2f}万元"


def vocab_label(value, name: str) -> str:
    return vocab.ALL[name].label_of(value)


SYSTEM_ACTORS = {"demo-loader": "演示数据", "anonymous": "未登录用户", "auto-check": "系统自动审查"}


def who(username) -> str:
    """The name a person reads for a stored login name: the account's display name (a person or a
    unit), 命令行（<os user>） for the command line, 演示数据 for the demo loader."""
    if not username:
        return "—"
    username = str(username)
    if username in SYSTEM_ACTORS:
        return SYSTEM_ACTORS[username]
    if username.startswith("cli:"):
        return f"命令行（{username[4:]}）"
    from flask import current_app, g
    names = g.setdefault("_display_names", {})
    if username not in names:
        from sqlalchemy import select

        from registry.models import User
        with current_app.extensions["registry"].db.unit_of_work() as session:
            names[username] = session.scalar(select(User.display_name).where(User.username == username)) or username
    return names[username]


def register(app) -> None:
    app.jinja_env.filters.update(cn_date=cn_date, wan_yuan=wan_yuan, vocab_label=vocab_label, who=who)
    app.jinja_env.globals["vocab"] = vocab.ALL
