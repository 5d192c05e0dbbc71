"""Working days on the Chinese official calendar (法定节假日 and 调休 working weekends).

The calendar comes from the maintained `chinese-calendar` package. A county adds or corrects days
through an override list (Policy `sharing_holidays` / `sharing_workdays`, or the file named by
`sharing_calendar_file`), e.g. for a year the package does not know yet. A year that neither the
package nor the override list covers is an error: a deadline is never computed on a guess.

A year counts as covered by the override list when the list declares at least one holiday in it
(every year has New Year's Day), i.e. when the county has entered that year's State Council notice.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import chinese_calendar

from registry.errors import Conflict

HOLIDAY_WORDS = {"holiday", "rest", "休", "假", "节假日"}
WORKDAY_WORDS = {"workday", "work", "班", "上班", "工作日"}


class CalendarYearUnknown(Conflict):
    """The official calendar of a year is not known: nobody may compute a deadline in it."""

    def __init__(self, year: int):
        super().__init__(
            f"{year} 年的法定节假日安排未知：chinese-calendar 库不含该年，覆盖清单也未声明该年的节假日。"
            f"请在配置 REGISTRY_POLICY_SHARING_HOLIDAYS / REGISTRY_POLICY_SHARING_WORKDAYS 或日历文件中补充后重试",
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
        return year in library_years() or any(d.year == year for d in self.holidays)

    def is_workday(self, day: date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        if day.year in library_years():
            return chinese_calendar.is_workday(day)
        if not self.covers(day.year):
            raise CalendarYearUnknown(day.year)
        return day.weekday() < 5

    def add_working_days(self, start: date, count: int) -> date:
        """The `count`-th working day after `start` (the start day itself is not counted)."""
        day, left = start, count
        while left > 0:
            day += timedelta(days=1)
            if self.is_workday(day):
                left -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]: 0 when answered the same day or earlier."""
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            if self.is_workday(day):
                count += 1
        return count
