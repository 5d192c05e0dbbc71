"""Sharing records, the provider's contact details, usage feedback (使用情况反馈) and
data-quality objections (数据校核) — Art. 14's 共享数据使用情况反馈机制. Both sides' histories are kept:
feedback and objections are never edited away, an answer is added beside the objection."""
from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased

from registry.core import audit
from registry.core.actions import Context, action
from registry.core.authz import require_login, require_unit_writer
from registry.core.errors import Conflict, NotAuthorized, ValidationFailed
from registry.catalog.lookup import get_resource
from registry.catalog.models import Unit
from registry.core.people import with_names
from registry.core.ordering import ordered
from registry.sharing import common
from registry.sharing.inbox import notify, unit_users
from registry.sharing.models import SharingContact, SharingFeedback, SharingObjection, SharingRecord
from registry.sharing.schemas import (ContactSchema, FeedbackSchema, IdSchema, ObjectionAnswerSchema,
                                      ObjectionSchema, RecordListSchema, RevokeSchema, OBJECTION_KIND,
                                      OBJECTION_RESULT)


def record_link(record_id: int) -> str:
    return f"/sharing/records/{record_id}"


def _int(ref):
    return int(ref) if isinstance(ref, str) and ref.isdecimal() else ref


def _department_writer(ctx: Context, unit_id: int, who: str) -> None:
    require_login(ctx)
    if ctx.user.role not in ("department", "admin"):
        raise NotAuthorized(f"只有{who}可以执行此操作")
    require_unit_writer(ctx, unit_id)


# ---- provider contact -------------------------------------------------------------------------

def _auth_contact(ctx: Context, data: dict) -> None:
    _department_writer(ctx, get_resource(ctx.session, data.get("resource"), "resource").unit_id, "提供单位")


@action("sharing_contact_set", auth=_auth_contact, schema=ContactSchema)
def sharing_contact_set(ctx: Context, data: dict) -> dict:
    """The provider's contact person, phone and interface address of a resource (shown to a consumer once approved)."""
    res = get_resource(ctx.session, data["resource"], "resource")
    row = ctx.session.get(SharingContact, res.id)
    before = audit.snapshot(row) if row else None
    if row is None:
        row = SharingContact(resource_id=res.id)
        ctx.session.add(row)
    row.contact_person, row.contact_phone = data["contact_person"], data["contact_phone"]
    row.interface_address = data["interface_address"]
    ctx.session.flush()
    audit.record(ctx, "sharing_contact_set", "sharing_contact", res.id, before, audit.snapshot(row), res.title)
    return {"resource": res.id, **common.contact_dict(row)}


def _auth_contact_read(ctx: Context, data: dict) -> None:
    res = get_resource(ctx.session, data.get("resource"), "resource")
    common.side(ctx, res.unit_id, -1)


@action("sharing_contact_show", auth=_auth_contact_read, schema=ContactSchema, read_only=True)
def sharing_contact_show(ctx: Context, data: dict) -> dict:
    """The provider's contact details of a resource (the provider unit and oversight roles only)."""
    res = get_resource(ctx.session, data["resource"], "resource")
    return {"resource": res.id, **common.contact_dict(ctx.session.get(SharingContact, res.id))}


# ---- records ----------------------------------------------------------------------------------

@action("sharing_record_list", auth=lambda ctx, data: require_login(ctx), schema=RecordListSchema, read_only=True)
def sharing_record_list(ctx: Context, data: dict) -> dict:
    """Sharing records of the acting user's unit (provided and consumed), or all (oversight roles);
    newest first unless `sort` says otherwise."""
    R = SharingRecord
    stmt = select(R)
    if ctx.user.role == "department":
        mine = {"provided": R.provider_unit_id == ctx.user.unit_id, "consumed": R.consumer_unit_id == ctx.user.unit_id}
        stmt = stmt.where(mine.get(data["box"], or_(*mine.values())))
    today = common.today()
    if data.get("status") == "revoked":
        stmt = stmt.where(R.status == "revoked")
    elif data.get("status") == "expired":
        stmt = stmt.where(R.status == "active", R.end_on < today)
    elif data.get("status") == "active":
        stmt = stmt.where(R.status == "active", or_(R.end_on.is_(None), R.end_on >= today))
    count = ctx.session.scalar(select(func.count()).select_from(stmt.subquery()))
    provider, consumer = aliased(Unit), aliased(Unit)
    stmt = stmt.join(provider, provider.id == R.provider_unit_id).join(consumer, consumer.id == R.consumer_unit_id)
    stmt = ordered(stmt, data["sort"], {"id": R.id, "provider": provider.name, "consumer": consumer.name,
                                        "resource": R.resource_title, "start": R.start_on, "end": R.end_on,
                                        "status": R.status}, ("id", True), R.id)
    rows = list(ctx.session.scalars(stmt.offset(data["start"]).limit(data["rows"])))
    names = common.unit_names(ctx.session, {u for r in rows for u in (r.provider_unit_id, r.consumer_unit_id)})
    systems = common.system_names(ctx.session, {s for r in rows for s in (r.provider_system_id, r.consumer_system_id)})
    return {"count": count, "results": [common.record_dict(r, names, systems) for r in rows]}


@action("sharing_record_show", auth=lambda ctx, data: require_login(ctx), schema=IdSchema, read_only=True)
def sharing_record_show(ctx: Context, data: dict) -> dict:
    """One record with its feedback and objection history (both sides)."""
    rec = common.get_record(ctx, data["id"])
    viewer = common.side(ctx, rec.provider_unit_id, rec.consumer_unit_id)
    names = common.unit_names(ctx.session, (rec.provider_unit_id, rec.consumer_unit_id))
    result = common.record_dict(rec, names, common.system_names(ctx.session, (rec.provider_system_id, rec.consumer_system_id)))
    feedback = ctx.session.scalars(select(SharingFeedback).where(SharingFeedback.record_id == rec.id)
                                   .order_by(SharingFeedback.id))
    objections = ctx.session.scalars(select(SharingObjection).where(SharingObjection.record_id == rec.id)
                                     .order_by(SharingObjection.id))
    result["feedback"] = [{"id": f.id, "period": f.period, "usage": f.usage, "calls": f.calls, "effect": f.effect,
                           "submitted_by": f.submitted_by, "submitted_on": f.submitted_on.isoformat()} for f in feedback]
    result["objections"] = [common.objection_dict(o, common.calendar(ctx)) for o in objections]
    with_names(ctx.session, result["feedback"], "submitted_by")
    with_names(ctx.session, result["objections"], "raised_by", "answered_by")
    result["feedback_due"] = feedback_due(ctx, rec, result["feedback"])
    result["viewer"] = viewer
    return result


def feedback_due(ctx: Context, rec: SharingRecord, feedback: list[dict]) -> str | None:
    """The date by which the next usage feedback is due (Policy sharing_feedback_months), if active."""
    from datetime import date
    if common.record_status(rec, common.today()) != "active":
        return None
    last = date.fromisoformat(feedback[-1]["submitted_on"]) if feedback else rec.start_on
    months = common.policy(ctx).sharing_feedback_months
    year, month = divmod(last.month - 1 + months, 12)
    day = min(last.day, 28)
    return date(last.year + year, month + 1, day).isoformat()


def _auth_revoke(ctx: Context, data: dict) -> None:
    require_login(ctx)
    rec = common.get_record(ctx, _int(data.get("id")))
    if ctx.user.role in ("bureau", "admin"):
        return
    _department_writer(ctx, rec.provider_unit_id, "提供单位或大数据局")


@action("sharing_record_revoke", auth=_auth_revoke, schema=RevokeSchema)
def sharing_record_revoke(ctx: Context, data: dict) -> dict:
    """End a sharing record before its end date, with the reason (the history stays)."""
    rec = common.get_record(ctx, data["id"])
    if rec.status == "revoked":
        raise Conflict("该共享记录已终止")
    before = audit.snapshot(rec)
    rec.status, rec.revoked_on, rec.revoked_reason = "revoked", common.today(), data["reason"]
    ctx.session.flush()
    audit.record(ctx, "sharing_record_revoke", "sharing_record", rec.id, before, audit.snapshot(rec), rec.resource_title)
    notify(ctx, unit_users(ctx.session, rec.consumer_unit_id) + unit_users(ctx.session, rec.provider_unit_id),
           "revoked", f"共享记录 #{rec.id} 已终止", f"“{rec.resource_title}”的共享已终止：{data['reason']}",
           record_link(rec.id), rec.request_id)
    return {"id": rec.id, "status": "revoked"}


# ---- feedback and objections ------------------------------------------------------------------

def _auth_consumer(ctx: Context, data: dict) -> None:
    require_login(ctx)
    _department_writer(ctx, common.get_record(ctx, _int(data.get("record"))).consumer_unit_id, "使用单位")


def _active(rec: SharingRecord, what: str) -> None:
    if common.record_status(rec, common.today()) != "active":
        raise Conflict(f"共享记录已终止或到期，不能再{what}")


@action("sharing_feedback_create", auth=_auth_consumer, schema=FeedbackSchema)
def sharing_feedback_create(ctx: Context, data: dict) -> dict:
    """The consumer reports how it used the shared data in a period (使用情况反馈)."""
    rec = common.get_record(ctx, data["record"])
    _active(rec, "反馈使用情况")
    row = SharingFeedback(record_id=rec.id, period=data["period"], usage=data["usage"], calls=data.get("calls"),
                          effect=data["effect"], submitted_by=ctx.username, submitted_on=common.today())
    ctx.session.add(row)
    ctx.session.flush()
    audit.record(ctx, "sharing_feedback_create", "sharing_feedback", row.id, None, audit.snapshot(row),
                 f"{rec.resource_title} {row.period}")
    notify(ctx, unit_users(ctx.session, rec.provider_unit_id), "feedback", f"共享记录 #{rec.id} 使用情况反馈",
           f"“{rec.resource_title}”的使用单位提交了 {row.period} 的使用情况反馈。", record_link(rec.id), rec.request_id)
    return {"id": row.id, "record": rec.id, "period": row.period, "usage": row.usage, "calls": row.calls,
            "effect": row.effect, "submitted_on": row.submitted_on.isoformat()}


@action("sharing_objection_create", auth=_auth_consumer, schema=ObjectionSchema)
def sharing_objection_create(ctx: Context, data: dict) -> dict:
    """The consumer objects to an item's data (value wrong, stale, missing); the provider must answer in time."""
    rec = common.get_record(ctx, data["record"])
    _active(rec, "提出数据校核")
    names = {i["item_id"]: i["name"] for i in rec.items}
    if data["item"] not in names:
        raise ValidationFailed({"item": ["该信息项不在本共享记录的共享范围内"]})
    today = common.today()
    row = SharingObjection(record_id=rec.id, item_id=data["item"], item_name=names[data["item"]], kind=data["kind"],
                           description=data["description"], raised_by=ctx.username, raised_on=today,
                           due_on=common.calendar(ctx).add_working_days(today, common.policy(ctx).sharing_objection_days, estimate=True))
    ctx.session.add(row)
    ctx.session.flush()
    audit.record(ctx, "sharing_objection_create", "sharing_objection", row.id, None, audit.snapshot(row),
                 f"{row.item_name}：{OBJECTION_KIND.label_of(row.kind)}")
    notify(ctx, unit_users(ctx.session, rec.provider_unit_id), "objection",
           f"数据校核 #{row.id}：{row.item_name}{OBJECTION_KIND.label_of(row.kind)}",
           f"“{rec.resource_title}”的使用单位对信息项“{row.item_name}”提出校核：{row.description}。请于 {row.due_on} 前答复。",
           record_link(rec.id), rec.request_id)
    return common.objection_dict(row, common.calendar(ctx))


def _auth_objection_answer(ctx: Context, data: dict) -> None:
    require_login(ctx)
    obj = common.get_objection(ctx, _int(data.get("id")))
    _department_writer(ctx, common.get_record(ctx, obj.record_id).provider_unit_id, "提供单位")


@action("sharing_objection_answer", auth=_auth_objection_answer, schema=ObjectionAnswerSchema)
def sharing_objection_answer(ctx: Context, data: dict) -> dict:
    """The provider answers an objection: corrected, no error (explained), or rejected."""
    obj = common.get_objection(ctx, data["id"])
    if obj.result is not None:
        raise Conflict("该数据校核已答复")
    before = audit.snapshot(obj)
    obj.result, obj.answer, obj.answered_by, obj.answered_on = data["result"], data["answer"], ctx.username, common.today()
    ctx.session.flush()
    audit.record(ctx, "sharing_objection_answer", "sharing_objection", obj.id, before, audit.snapshot(obj),
                 OBJECTION_RESULT.label_of(obj.result))
    rec = common.get_record(ctx, obj.record_id)
    notify(ctx, unit_users(ctx.session, rec.consumer_unit_id), "objection_answer",
           f"数据校核 #{obj.id} 已答复：{OBJECTION_RESULT.label_of(obj.result)}", obj.answer, record_link(rec.id),
           rec.request_id)
    return common.objection_dict(obj, common.calendar(ctx))
