"""The one clock: what day it is in the county. Every rule with a date asks here.

A container runs in UTC while the county lives in Beijing time; "today" is the county's day
(``REGISTRY_TIMEZONE``, default Asia/Shanghai). Tests and demos fix the day with
``REGISTRY_TODAY=YYYY-MM-DD`` (inherited by subprocesses) or :func:`frozen`.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_ZONE = "Asia/Shanghai"

_zone = ZoneInfo(DEFAULT_ZONE)
_fixed: date | None = None


def configure(zone_name: str | None = None) -> None:
    """Set the county's time zone (the app factory calls this with the setting)."""
    global _zone
    try:
        _zone = ZoneInfo(zone_name or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {zone_name!r}") from exc


def zone() -> ZoneInfo:
    return _zone


def local(moment: datetime) -> datetime:
    """A stored moment in the county's time: the database keeps naive UTC (`db.utcnow`), people
    read Beijing time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(_zone)


def today() -> date:
    """The county's date: a day fixed by a test or REGISTRY_TODAY, else now in the county's zone."""
    if _fixed is not None:
        return _fixed
    env = os.environ.get("REGISTRY_TODAY", "").strip()
    if env:
        return date.fromisoformat(env)
    return datetime.now(_zone).date()


def next_year() -> int:
    """The budget year that O&M decisions and project lists are usually about."""
    return today().year + 1


@contextmanager
def frozen(day: date):
    """Within the block, today() is ``day`` (for tests and for replaying a decision as of a date)."""
    global _fixed
    before, _fixed = _fixed, day
    try:
        yield day
    finally:
        _fixed = before
