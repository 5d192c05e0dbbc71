"""Jinja filters for Chinese display: dates (one format everywhere, the one forms take: 2026-11-24;
moments in the county's time), amounts (万元), vocabulary labels."""
from __future__ import annotations

from datetime import date, datetime

from catalog_schema import vocabularies as vocab
from registry.core import clock


def cn_date(value) -> str:
    if value in (None, ""):
        return ""
    if isinstance(value, str):  # an ISO date stays a date (no 00:00), a timestamp keeps its time
        value = date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
    if isinstance(value, datetime):   # a stored moment (UTC), shown in the county's time
        return f"{clock.local(value):%Y-%m-%d %H:%M}"
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


def register(app) -> None:
    app.jinja_env.filters.update(cn_date=cn_date, wan_yuan=wan_yuan, vocab_label=vocab_label)
    app.jinja_env.globals["vocab"] = vocab.ALL
