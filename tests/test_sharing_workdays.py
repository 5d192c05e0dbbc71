"""Working days on the Chinese official calendar: Spring Festival with 调休, working weekends,
and years the chinese-calendar library does not know (override list, or a clear error)."""
from dataclasses import replace
from datetime import date

import pytest

from registry.core.config import Policy, Settings
from registry.sharing.workdays import CalendarYearUnknown, WorkCalendar, read_override_file

LIBRARY = WorkCalendar()


@pytest.mark.parametrize("start, count, due", [
    # 2026 春节: holiday 2/15 (Sun) – 2/23 (Mon); 2/14 (Sat) and 2/28 (Sat) are working days (调休).
    (date(2026, 2, 14), 10, date(2026, 3, 6)),   # last working day before the holiday (a Saturday)
    (date(2026, 2, 13), 1, date(2026, 2, 14)),   # Friday → the 调休 Saturday is the next working day
    (date(2026, 2, 13), 2, date(2026, 2, 24)),   # … then nothing until the Tuesday after the festival
    (date(2026, 2, 14), 5, date(2026, 2, 28)),   # the second 调休 Saturday counts
    (date(2026, 2, 16), 1, date(2026, 2, 24)),   # submitted during the holiday
    (date(2026, 11, 25), 10, date(2026, 12, 9)),  # an ordinary fortnight
])
def test_deadline_in_working_days_across_spring_festival(start, count, due):
    assert LIBRARY.add_working_days(start, count) == due


@pytest.mark.parametrize("day, working", [
    (date(2026, 2, 14), True),   # Saturday, 调休 working day
    (date(2026, 2, 28), True),   # Saturday, 调休 working day
    (date(2026, 2, 21), False),  # Saturday in the holiday
    (date(2026, 2, 17), False),  # 春节, a Tuesday
    (date(2026, 3, 7), False),   # ordinary Saturday
    (date(2026, 10, 10), True),  # Saturday after National Day, working
])
def test_weekend_working_days_and_weekday_holidays(day, working):
    assert LIBRARY.is_workday(day) is working


def test_working_days_between_skips_the_holiday():
    assert LIBRARY.working_days_between(date(2026, 2, 13), date(2026, 2, 24)) == 2
    assert LIBRARY.working_days_between(date(2026, 2, 13), date(2026, 2, 13)) == 0


def test_a_year_unknown_to_library_and_override_list_is_a_clear_error():
    with pytest.raises(CalendarYearUnknown) as caught:
        LIBRARY.add_working_days(date(2035, 1, 10), 10)
    assert "2035 年的法定节假日安排未知" in caught.value.message
    assert caught.value.year == 2035


def test_override_list_covers_a_year_the_library_does_not_know():
    policy = Policy(sharing_holidays=("2035-01-01", "2035-02-08", "2035-02-09", "2035-02-12"),
                    sharing_workdays=("2035-02-03",))  # a Saturday declared a working day
    cal = WorkCalendar.from_policy(policy)
    assert cal.is_workday(date(2035, 2, 3)) is True
    assert cal.is_workday(date(2035, 2, 8)) is False and cal.is_workday(date(2035, 2, 10)) is False
    # From Friday 2/2: Sat 2/3 (调休), Mon 2/5, Tue 2/6, Wed 2/7, (8, 9 holiday), Tue 2/13 (12 holiday)
    assert cal.add_working_days(date(2035, 2, 2), 5) == date(2035, 2, 13)
    with pytest.raises(CalendarYearUnknown):
        cal.is_workday(date(2036, 3, 3))


def test_override_list_corrects_a_year_the_library_knows():
    cal = WorkCalendar(holidays=frozenset({date(2026, 12, 1)}))
    assert cal.is_workday(date(2026, 12, 1)) is False
    assert cal.add_working_days(date(2026, 11, 30), 1) == date(2026, 12, 2)


def test_override_file_is_read_with_chinese_or_english_words(tmp_path):
    path = tmp_path / "cal.txt"
    path.write_text("# 2035 年安排\n2035-01-01 holiday\n2035-02-03 班  # 调休\n2035-02-08 休\n", encoding="utf-8")
    holidays, workdays = read_override_file(str(path))
    assert holidays == [date(2035, 1, 1), date(2035, 2, 8)] and workdays == [date(2035, 2, 3)]
    cal = WorkCalendar.from_policy(Policy(sharing_calendar_file=str(path)))
    assert cal.covers(2035) and cal.is_workday(date(2035, 2, 3))


@pytest.mark.parametrize("environ, problem", [
    ({"REGISTRY_POLICY_SHARING_HOLIDAYS": "2035-13-01"}, "sharing calendar override"),
    ({"REGISTRY_POLICY_SHARING_HOLIDAYS": "2035-02-03", "REGISTRY_POLICY_SHARING_WORKDAYS": "2035-02-03"},
     "both holiday and workday"),
    ({"REGISTRY_POLICY_SHARING_CONDITIONAL_DAYS": "0"}, "sharing_conditional_days must be positive"),
    ({"REGISTRY_POLICY_SHARING_UNCONDITIONAL_REVIEW": "never"}, "sharing_unconditional_review"),
    ({"REGISTRY_POLICY_SHARING_CALENDAR_FILE": "/nonexistent/calendar.txt"}, "sharing calendar override"),
])
def test_bad_calendar_or_sharing_policy_fails_at_start_up(environ, problem):
    with pytest.raises(ValueError) as caught:
        Settings.from_env(environ)
    assert problem in str(caught.value)


def test_override_list_comes_from_the_environment():
    settings = Settings.from_env({"REGISTRY_POLICY_SHARING_HOLIDAYS": "2035-01-01, 2035-02-08",
                                  "REGISTRY_POLICY_SHARING_WORKDAYS": "2035-02-03"})
    cal = WorkCalendar.from_policy(settings.policy)
    assert cal.covers(2035) and cal.is_workday(date(2035, 2, 3)) and not cal.is_workday(date(2035, 2, 8))
    assert replace(settings.policy, sharing_holidays=()).sharing_holidays == ()
