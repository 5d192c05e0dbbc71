"""Working days on the Chinese official calendar (法定节假日 and 调休 working weekends).

The calendar comes from the maintained `chinese-calendar` package (1.11, the newest on PyPI, knows
2004–2026). The Bureau enters or corrects a year's official schedule in the product itself
(`sharing_calendar_set`, the page /sharing/calendar, `registry sharing calendar set`; table
sharing_calendar_year): an entered year replaces the library for that year. A server-side override
list (Policy `sharing_holidays` / `sharing_workdays`, or the file named by `sharing_calendar_file`)
still adds or corrects single days.

A year nobody covers is an error for the strict methods; the sharing deadlines use `estimate=True`
instead (Monday–Friday in that year) and say so (`unknown_years`, `estimate_note`), and are computed
again when the year's schedule is entered.

A year counts as covered by the override list when the list declares at least one holiday in it
(every year has New Year's Day), i.e. when the county has entered that year's State Council notice.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import chinese_calendar

from registry.core.errors import Conflict

HOLIDAY_WORDS = {"holiday", "rest", "休", "假", "节假日"}
WORKDAY_WORDS = {"workday", "work", "班", "上班", "工作日"}


class CalendarYearUnknown(Conflict):
    """The official calendar of a year is not known: nobody may compute a deadline in it."""

    def __init__(self, year: int):
        super().__init__(
            f"{year} 年的法定节假日安排未知：内置日历不含该年，也尚未录入。"
            f"请大数据局在“数据共享 › 工作日历”（或 registry sharing calendar set {year}）录入该年的放假和调休安排后重试",
            {"year": year})
        self.year = year


@lru_cache(maxsize=1)
def library_years() -> frozenset[int]:
    return frozenset(d.year for d in chinese_calendar.holidays)


def _parse_day(text: str, source: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"invalid date {text!r} in {source}") from None


def read_override_file(path: str) -> tuple[list[date], list[date]]:
    """Lines `2027-02-06 holiday` / `2027-02-20 workday` (或 休 / 班); `#` starts a comment."""
    holidays, workdays = [], []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        if len(parts) != 2 or parts[1].lower() not in HOLIDAY_WORDS | WORKDAY_WORDS:
            raise ValueError(f"{path}:{number}: expected 'YYYY-MM-DD holiday|workday', got {line!r}")
        day = _parse_day(parts[0], f"{path}:{number}")
        (holidays if parts[1].lower() in HOLIDAY_WORDS else workdays).append(day)
    return holidays, workdays


@dataclass(frozen=True)
class WorkCalendar:
    holidays: frozenset[date] = frozenset()   # declared days off (override the library)
    workdays: frozenset[date] = frozenset()   # declared working days, e.g. 调休 weekends
    # years entered in the product: year → (days off, 调休 working days); replaces the library there
    years: dict = field(default_factory=dict, compare=False, hash=False)
    entered_off: frozenset[date] = frozenset()    # every entered year's days off (a notice may reach
    entered_work: frozenset[date] = frozenset()   # into the neighbouring year) and 调休 working days

    def with_years(self, years: dict[int, tuple[frozenset[date], frozenset[date]]]) -> "WorkCalendar":
        off = frozenset(d for days_off, _ in years.values() for d in days_off)
        work = frozenset(d for _, working in years.values() for d in working)
        return WorkCalendar(self.holidays, self.workdays, dict(years), off, work)

    @classmethod
    def from_policy(cls, policy) -> "WorkCalendar":
        holidays = [_parse_day(d, "sharing_holidays") for d in policy.sharing_holidays]
        workdays = [_parse_day(d, "sharing_workdays") for d in policy.sharing_workdays]
        if policy.sharing_calendar_file:
            more_holidays, more_workdays = read_override_file(policy.sharing_calendar_file)
            holidays += more_holidays
            workdays += more_workdays
        clash = set(holidays) & set(workdays)
        if clash:
            raise ValueError(f"days declared both holiday and workday: {sorted(clash)}")
        return cls(frozenset(holidays), frozenset(workdays))

    def covers(self, year: int) -> bool:
        return year in self.years or year in library_years() or any(d.year == year for d in self.holidays)

    def last_known_year(self) -> int:
        return max([*library_years(), *self.years, *(d.year for d in self.holidays)])

    def unknown_years(self, start: date, end: date) -> list[int]:
        """The years from `start` to `end` whose official schedule nobody has entered."""
        return [y for y in range(start.year, max(start, end).year + 1) if not self.covers(y)]

    def is_workday(self, day: date, estimate: bool = False) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        if day in self.entered_work:
            return True
        if day in self.entered_off:
            return False
        if day.year in self.years:
            return day.weekday() < 5
        if day.year in library_years():
            return chinese_calendar.is_workday(day)
        if not estimate and not self.covers(day.year):
            raise CalendarYearUnknown(day.year)
        return day.weekday() < 5

    def add_working_days(self, start: date, count: int, estimate: bool = False) -> date:
        """The `count`-th working day after `start` (the start day itself is not counted).
        `estimate`: count Monday–Friday in a year nobody covers instead of refusing."""
        day, left = start, count
        while left > 0:
            day += timedelta(days=1)
            if self.is_workday(day, estimate):
                left -= 1
        return day

    def working_days_between(self, start: date, end: date, estimate: bool = False) -> int:
        """Working days in (start, end]: 0 when answered the same day or earlier."""
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            if self.is_workday(day, estimate):
                count += 1
        return count


def estimate_note(cal: WorkCalendar, start: date, end: date | None) -> str:
    """The note shown with a deadline counted past the last known year ("" when every year is known)."""
    if end is None:
        return ""
    years = cal.unknown_years(start, end)
    if not years:
        return ""
    shown = "、".join(f"{y}年" for y in years)
    return (f"期限为推算：{shown}的放假和调休安排尚未录入，暂按周一至周五为工作日计算；"
            f"大数据局录入该年安排后自动重算")
