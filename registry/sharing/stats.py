"""Article 28 evidence: per unit and per system, requests received, approved, refused (with and
without a valid basis), answered late, unanswered, and objections unanswered; the overdue list;
the overdue notices. The funding rule reads the same figures (`funding_rules`)."""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from statistics import median

from sqlalchemy import select

from registry.core import audit
from registry.core.actions import Context, action
from registry.core.authz import require_login, require_role
from registry.core.errors import NotAuthorized
from registry.catalog.lookup import get_unit
from registry.catalog.models import Unit
from registry.sharing import common
from registry.sharing.inbox import bureau_users, notify, unit_users
from registry.sharing.models import SharingObjection, SharingRecord, SharingRequest
from registry.sharing.schemas import ChineseSchema, OverdueSchema, StatsSchema
from registry.sharing.workdays import WorkCalendar
from registry.core.names import pinyin_key

COUNTERS = ("received", "approved", "partial", "refused", "refused_with_basis", "refused_without_basis",
            "answered", "answered_on_time", "answered_late", "pending", "unanswered_overdue",
            "objections_received", "objections_unanswered", "objections_overdue")


def refused_without_basis(req: SharingRequest) -> bool:
    """A provider refusal (whole or partial) without a stated basis, or one the Bureau overruled."""
    return bool(req.refusal_reason) and req.answered_on is not None and (
        not req.refusal_basis or not req.refusal_basis_valid)


def unanswered_overdue(req: SharingRequest, as_of: date) -> bool:
    """Not answered by whoever owed the answer, and past its deadline (withdrawn requests excepted)."""
    return req.answered_on is None and req.status != "withdrawn" and as_of > req.due_on


def tally(requests, objections, cal: WorkCalendar, as_of: date, key) -> dict:
    """Counters and answer times grouped by key(request) (a unit id or a system id)."""
    groups: dict = defaultdict(lambda: {**{c: 0 for c in COUNTERS}, "days": [], "reasons": Counter()})
    for req in requests:
        g = groups[key(req)]
        g["received"] += 1
        if req.status in ("approved", "partial", "refused") and req.answered_on is not None:
            g["answered"] += 1
            late = req.answered_on > req.due_on
            g["answered_late" if late else "answered_on_time"] += 1
            g["days"].append(cal.working_days_between(req.submitted_on, req.answered_on, estimate=True))
        if req.status == "approved":
            g["approved"] += 1
        elif req.status == "partial":
            g["partial"] += 1
        if req.refusal_reason and req.answered_on is not None:
            if req.status == "refused":
                g["refused"] += 1
            g["refused_without_basis" if refused_without_basis(req) else "refused_with_basis"] += 1
            g["reasons"][req.refusal_reason] += 1
        if req.status == "pending":
            g["pending"] += 1
        if unanswered_overdue(req, as_of):
            g["unanswered_overdue"] += 1
    for obj, provider_key in objections:
        g = groups[provider_key]
        g["objections_received"] += 1
        if obj.result is None:
            g["objections_unanswered"] += 1
            if as_of > obj.due_on:
                g["objections_overdue"] += 1
    result = {}
    for k, g in groups.items():
        days, reasons = g.pop("days"), g.pop("reasons")
        g["on_time_pct"] = round(100 * g["answered_on_time"] / g["answered"], 1) if g["answered"] else None
        g["median_answer_days"] = median(days) if days else None
        g["refusals_by_reason"] = [{"reason": r, "count": n} for r, n in reasons.most_common()]
        result[k] = g
    return result


def load(session, date_from: date | None, date_to: date | None, unit_id: int | None = None):
    stmt = select(SharingRequest).where(SharingRequest.answerer == "provider")
    if date_from:
        stmt = stmt.where(SharingRequest.submitted_on >= date_from)
    if date_to:
        stmt = stmt.where(SharingRequest.submitted_on <= date_to)
    if unit_id is not None:
        stmt = stmt.where(SharingRequest.provider_unit_id == unit_id)
    requests = list(session.scalars(stmt))
    ostmt = select(SharingObjection, SharingRecord.provider_unit_id, SharingRecord.provider_system_id).join(
        SharingRecord, SharingRecord.id == SharingObjection.record_id)
    if unit_id is not None:
        ostmt = ostmt.where(SharingRecord.provider_unit_id == unit_id)
    objections = list(session.execute(ostmt).all())
    return requests, objections


def _auth_stats(ctx: Context, data: dict) -> None:
    require_login(ctx)


@action("sharing_stats", auth=_auth_stats, schema=StatsSchema, read_only=True)
def sharing_stats(ctx: Context, data: dict) -> dict:
    """Per provider unit and per provider system: the Art. 28 evidence (a department sees its own unit)."""
    unit_id = get_unit(ctx.session, data["unit"], "unit").id if data.get("unit") is not None else None
    if ctx.user.role == "department":
        if unit_id not in (None, ctx.user.unit_id):
            raise NotAuthorized("部门用户只能查看本单位的共享统计")
        unit_id = ctx.user.unit_id
    as_of = common.today()
    requests, objections = load(ctx.session, data.get("date_from"), data.get("date_to"), unit_id)
    cal = common.calendar(ctx)
    by_unit = tally(requests, [(o, u) for o, u, _ in objections], cal, as_of, lambda r: r.provider_unit_id)
    by_system = tally(requests, [(o, s) for o, _, s in objections], cal, as_of, lambda r: r.provider_system_id)
    units = dict(ctx.session.execute(select(Unit.id, Unit.name)).all())
    systems = common.system_names(ctx.session, by_system)
    system_units = {r.provider_system_id: r.provider_unit_id for r in requests}
    return {
        "as_of": as_of.isoformat(), "article": "依据《管理办法》第十四条、第二十八条",
        "units": sorted(({"unit_id": u, "unit_name": units.get(u, ""), **g} for u, g in by_unit.items()),
                        key=lambda r: pinyin_key(r["unit_name"])),
        "systems": sorted(({"system_id": s, "system_name": systems.get(s, "（已删除的系统）"),
                            "unit_id": system_units.get(s), "unit_name": units.get(system_units.get(s), ""), **g}
                           for s, g in by_system.items() if s is not None), key=lambda r: (pinyin_key(r["unit_name"]), pinyin_key(r["system_name"]))),
    }


@action("sharing_overdue", auth=_auth_stats, schema=OverdueSchema, read_only=True)
def sharing_overdue(ctx: Context, data: dict) -> dict:
    """Requests past their answer deadline and objections past theirs, as of a day (default today).
    The provider, the requester and the Bureau all see them; a department sees those of its unit."""
    as_of = data.get("as_of") or common.today()
    unit_id = get_unit(ctx.session, data["unit"], "unit").id if data.get("unit") is not None else None
    if ctx.user.role == "department":
        if unit_id not in (None, ctx.user.unit_id):
            raise NotAuthorized("部门用户只能查看本单位的超期事项")
        unit_id = ctx.user.unit_id
    R = SharingRequest
    stmt = select(R).where(R.status == "pending", R.due_on < as_of)
    if unit_id is not None:
        stmt = stmt.where((R.provider_unit_id == unit_id) | (R.requester_unit_id == unit_id))
    rows = list(ctx.session.scalars(stmt.order_by(R.due_on, R.id)))
    names = common.unit_names(ctx.session, {u for r in rows for u in (r.provider_unit_id, r.requester_unit_id)})
    cal = common.calendar(ctx)
    requests = []
    for req in rows:
        viewer = "oversight" if ctx.user.role != "department" else (
            "provider" if req.provider_unit_id == ctx.user.unit_id else "consumer")
        requests.append({**common.request_dict(ctx, req, viewer, names),
                         "working_days_overdue": cal.working_days_between(req.due_on, as_of, estimate=True)})
    O = SharingObjection
    ostmt = select(O, SharingRecord).join(SharingRecord, SharingRecord.id == O.record_id).where(
        O.result.is_(None), O.due_on < as_of)
    if unit_id is not None:
        ostmt = ostmt.where((SharingRecord.provider_unit_id == unit_id) | (SharingRecord.consumer_unit_id == unit_id))
    objections = [{**common.objection_dict(o), "provider_unit_id": rec.provider_unit_id,
                   "consumer_unit_id": rec.consumer_unit_id, "resource_title": rec.resource_title}
                  for o, rec in ctx.session.execute(ostmt.order_by(O.due_on, O.id)).all()]
    return {"as_of": as_of.isoformat(), "requests": requests, "objections": objections}


class NotifySchema(ChineseSchema):
    pass


def _auth_notify(ctx: Context, data: dict) -> None:
    require_role(ctx, "bureau")


@action("sharing_overdue_notify", auth=_auth_notify, schema=NotifySchema)
def sharing_overdue_notify(ctx: Context, data: dict) -> dict:
    """Send the overdue notice (provider, requester, Bureau) once for each request newly past its deadline."""
    today = common.today()
    rows = list(ctx.session.scalars(select(SharingRequest).where(
        SharingRequest.status == "pending", SharingRequest.due_on < today,
        SharingRequest.overdue_notified.is_(False)).order_by(SharingRequest.id)))
    for req in rows:
        before = audit.snapshot(req)
        req.overdue_notified = True
        ctx.session.flush()
        audit.record(ctx, "sharing_overdue_notify", "sharing_request", req.id, before, audit.snapshot(req),
                     f"超期提醒：{req.resource_title}")
        owed = "大数据局" if req.answerer == "bureau" else "提供单位"
        notify(ctx, unit_users(ctx.session, req.provider_unit_id) + unit_users(ctx.session, req.requester_unit_id)
               + bureau_users(ctx.session), "overdue", f"共享申请 #{req.id} 已超期未答复",
               f"“{req.resource_title}”的共享申请应由{owed}于 {req.due_on} 前答复，至今未答复。依据《管理办法》第二十八条，"
               f"未按要求共享数据资源的系统不予安排运行维护经费。", f"/sharing/requests/{req.id}", req.id)
    return {"notified": len(rows), "ids": [r.id for r in rows]}
