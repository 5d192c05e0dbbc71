"""The Bureau enters or corrects a year's official schedule (放假和调休安排) in the product.

`sharing_calendar_set` stores the year (table sharing_calendar_year, audited) and computes again the
deadlines of pending requests and objections that reach into it; `sharing_calendar_list` shows
which years are known and from where. The chinese-calendar library stays the source for the years
it knows; an entered year replaces it for that year.
"""
from __future__ import annotations

import re
from datetime import date

from marshmallow import fields
from sqlalchemy import select

from catalog_schema.fields import ChineseSchema, Int, Text
from registry.core import audit
from registry.core.actions import Context, action
from registry.core.authz import require_login, require_role
from registry.core.errors import ValidationFailed
from registry.core.people import with_names
from registry.sharing import common
from registry.sharing.models import CalendarYear, SharingObjection, SharingRequest
from registry.sharing.workdays import library_years

WEEKDAYS = "一二三四五六日"
_RANGE = re.compile(r"\s*(?:至|到|~|～|—|–)\s*")
_SPLIT = re.compile(r"[\s,，、;；]+")
_DAY = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def parse_day(text: str) -> date:
    """2027-02-06, 2027/2/6, 2027.2.6 or 2027年2月6日."""
    match = _DAY.match(text.strip())
    if not match:
        raise ValueError(text)
    return date(*map(int, match.groups()))


def parse_days(value, label: str) -> list[date]:
    """A list of days or ranges (“2027-02-05至2027-02-13”), as a list or one text (one per line,
    or separated by commas or 、)."""
    if value is None or value == "":
        return []
    parts = value if isinstance(value, list) else [value]
    days: set[date] = set()
    problems = []
    for part in parts:
        if not isinstance(part, str):
            problems.append(f"{label}须是日期文本，如 2027-02-06")
            continue
        text = _RANGE.sub("至", part.strip())
        for token in filter(None, _SPLIT.split(text)):
            first, _, last = token.partition("至")
            try:
                start = parse_day(first)
                end = parse_day(last) if last else start
            except ValueError:
                problems.append(f"{label}中的“{token}”不是有效日期（格式如 2027-02-06，区间如 2027-02-05至2027-02-13）")
                continue
            if end < start or (end - start).days > 31:
                problems.append(f"{label}中的区间“{token}”无效（结束日期须不早于开始日期，且不超过一个月）")
                continue
            days.update(date.fromordinal(o) for o in range(start.toordinal(), end.toordinal() + 1))
    if problems:
        raise ValidationFailed({label: problems})
    return sorted(days)


class CalendarSetSchema(ChineseSchema):
    year = Int("年份", required=True, minimum=2000, maximum=2100)
    holidays = fields.Raw(load_default=None, allow_none=True, metadata={
        "label": "放假日期", "description": "放假日期：日期或区间，如“2027-01-01, 2027-02-05至2027-02-13”（文本或列表）"})
    workdays = fields.Raw(load_default=None, allow_none=True, metadata={
        "label": "调休上班日期", "description": "调休上班的周六、周日，如“2027-02-20”"})
    notice = Text("通知名称或文号", max_length=300, load_default="")


def _auth_set(ctx: Context, data: dict) -> None:
    require_role(ctx, "bureau")


def _auth_read(ctx: Context, data: dict) -> None:
    require_login(ctx)


def year_dict(row: CalendarYear) -> dict:
    return {"year": row.year, "holidays": list(row.holidays), "workdays": list(row.workdays),
            "notice": row.notice, "entered_by": row.entered_by,
            "modified": row.modified.isoformat(timespec="minutes") if row.modified else None}


def _check(year: int, holidays: list[date], workdays: list[date]) -> None:
    problems: dict[str, list[str]] = {}
    allowed = (date(year - 1, 12, 1), date(year + 1, 1, 31))  # a notice may reach into the next/previous month
    for label, days in (("放假日期", holidays), ("调休上班日期", workdays)):
        outside = [d for d in days if not allowed[0] <= d <= allowed[1]]
        if outside:
            problems.setdefault(label, []).append(
                f"{label}须在{year}年内：{'、'.join(d.isoformat() for d in outside)}")
    if not holidays:
        problems.setdefault("放假日期", []).append(f"请填写{year}年的放假日期（至少有元旦）")
    weekday_work = [d for d in workdays if d.weekday() < 5]
    if weekday_work:
        problems.setdefault("调休上班日期", []).append(
            "调休上班日须是周六或周日：" + "、".join(f"{d.isoformat()}（星期{WEEKDAYS[d.weekday()]}）" for d in weekday_work))
    both = sorted(set(holidays) & set(workdays))
    if both:
        problems.setdefault("调休上班日期", []).append(
            "同一天不能既放假又上班：" + "、".join(d.isoformat() for d in both))
    if problems:
        raise ValidationFailed(problems)


@action("sharing_calendar_set", auth=_auth_set, schema=CalendarSetSchema)
def sharing_calendar_set(ctx: Context, data: dict) -> dict:
    """Enter or correct a year's official schedule (放假和调休安排, from the State Council notice):
    `holidays` (days off) and `workdays` (调休 working weekends), each a list or a text of days and
    ranges. The year then replaces the chinese-calendar library; pending deadlines reaching into it
    are computed again (listed in `recomputed`)."""
    year = data["year"]
    holidays = parse_days(data.get("holidays"), "放假日期")
    workdays = parse_days(data.get("workdays"), "调休上班日期")
    _check(year, holidays, workdays)
    old_cal = common.calendar(ctx)
    row = ctx.session.get(CalendarYear, year)
    before = year_dict(row) if row is not None else None
    if row is None:
        row = CalendarYear(year=year)
        ctx.session.add(row)
    row.holidays = [d.isoformat() for d in holidays]
    row.workdays = [d.isoformat() for d in workdays]
    row.notice = data.get("notice") or ""
    row.entered_by = ctx.username
    ctx.session.flush()
    ctx._work_calendar = None
    new_cal = common.calendar(ctx)
    recomputed = _recompute(ctx, old_cal, new_cal, date(year - 1, 12, 1))
    after = year_dict(row)
    audit.record(ctx, "sharing_calendar_set", "calendar_year", year, before, after,
                 f"{year}年放假和调休安排：放假 {len(holidays)} 天，调休上班 {len(workdays)} 天"
                 f"；重算期限 {len(recomputed)} 项")
    return {**after, "recomputed": recomputed}


def _recompute(ctx: Context, old_cal, new_cal, since: date) -> list[dict]:
    """Pending deadlines on or after `since`: the same number of working days, on the new calendar."""
    changed = []
    requests = ctx.session.scalars(select(SharingRequest).where(
        SharingRequest.status == "pending", SharingRequest.due_on >= since).order_by(SharingRequest.id))
    objections = ctx.session.scalars(select(SharingObjection).where(
        SharingObjection.result.is_(None), SharingObjection.due_on >= since).order_by(SharingObjection.id))
    for kind, rows, start_of in (("request", requests, lambda r: r.submitted_on),
                                 ("objection", objections, lambda o: o.raised_on)):
        for row in rows:
            start = start_of(row)
            count = old_cal.working_days_between(start, row.due_on, estimate=True)
            due = new_cal.add_working_days(start, count, estimate=True)
            if due != row.due_on:
                changed.append({"kind": kind, "id": row.id, "old_due_on": row.due_on.isoformat(),
                                "due_on": due.isoformat()})
                row.due_on = due
    return changed


@action("sharing_calendar_list", auth=_auth_read, read_only=True)
def sharing_calendar_list(ctx: Context, data: dict) -> dict:
    """Which years' official schedules are known: the library's range, the years the Bureau entered
    (with their days), and the last known year (deadlines beyond it are estimates and say so)."""
    lib = sorted(library_years())
    cal = common.calendar(ctx)
    rows = ctx.session.scalars(select(CalendarYear).order_by(CalendarYear.year.desc()))
    return {"library_first_year": lib[0], "library_last_year": lib[-1], "last_known_year": cal.last_known_year(),
            "years": with_names(ctx.session, [year_dict(r) for r in rows], "entered_by")}
