"""The one clock: the county's day, in its time zone, and the rules with dates moved across the days
where they turn (30 September, year ends)."""
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from registry.core import clock
from registry.core.errors import Conflict
from tests.projects_support import declaration


def test_today_is_the_day_in_the_county_time_zone_not_the_servers(monkeypatch):
    monkeypatch.delenv("REGISTRY_TODAY", raising=False)
    try:
        for zone in ("Asia/Shanghai", "Pacific/Kiritimati", "Pacific/Pago_Pago"):
            clock.configure(zone)
            assert clock.today() == datetime.now(ZoneInfo(zone)).date()
    finally:
        clock.configure("Asia/Shanghai")


def test_a_fixed_day_wins_over_the_environment_and_is_restored(monkeypatch):
    monkeypatch.setenv("REGISTRY_TODAY", "2027-01-01")
    assert clock.today() == date(2027, 1, 1) and clock.next_year() == 2028
    with clock.frozen(date(2026, 9, 30)):
        assert clock.today() == date(2026, 9, 30)
    assert clock.today() == date(2027, 1, 1)


def test_an_unknown_time_zone_is_refused():
    with pytest.raises(ValueError):
        clock.configure("Mars/Olympus")
    assert clock.zone() == ZoneInfo("Asia/Shanghai")


@pytest.fixture
def unit(make):
    return make.unit(name="县农业农村委", code="nyw")


# (day, the Art. 7 reminder for next year's list: None, "upcoming" or "overdue")
DAYS = [(date(2026, 9, 29), "upcoming"), (date(2026, 9, 30), "upcoming"), (date(2026, 10, 1), "overdue"),
        (date(2026, 12, 31), "overdue"), (date(2027, 1, 1), None)]


@pytest.mark.parametrize("day, reminder", DAYS, ids=[d.isoformat() for d, _ in DAYS])
def test_the_project_list_reminder_turns_on_30_september_and_at_the_year_end(make, unit, day, reminder):
    with clock.frozen(day):
        make.act("project_create", declaration(unit["id"], estimate_yuan=600_000))
        result = make.act("due_list", {"role": "bureau"})   # no as_of: the clock's day
        items = [(i["article"], "overdue" if i["overdue"] else "upcoming") for i in result["overdue"] + result["upcoming"]]
        assert items == ([(7, reminder)] if reminder else [])
        if reminder:
            (item,) = result["overdue"] + result["upcoming"]
            assert f"{day.year + 1}年度" in item["what"] and item["date"] == f"{day.year}-09-30"


@pytest.mark.parametrize("day, late", [(date(2026, 9, 30), False), (date(2026, 10, 1), True)])
def test_submitting_next_years_list_after_30_september_is_late(make, unit, day, late):
    with clock.frozen(day):
        p = make.act("project_create", declaration(unit["id"], estimate_yuan=600_000))
        if late:
            with pytest.raises(Conflict, match=f"{day.year}-09-30前报送，已过截止日期"):
                make.act("project_list_submit", {"id": p["id"], "year": day.year + 1})
        else:
            make.act("project_list_submit", {"id": p["id"], "year": day.year + 1})


@pytest.mark.parametrize("day", [date(2026, 12, 31), date(2027, 1, 1)])
def test_the_finance_dashboard_is_about_the_budget_year_after_the_county_day(make, day):
    with clock.frozen(day):
        assert make.act("dashboard_finance", {})["year"] == day.year + 1
