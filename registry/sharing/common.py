"""What the sharing actions share: today's date in China, the calendar, who is looking at a
request, and the dicts the API returns (hiding the provider's details from a consumer until approved)."""
from __future__ import annotations

from datetime import date
from functools import lru_cache

from sqlalchemy import select

from catalog_schema import vocabularies as vocab
from catalog_schema.fields import is_db_id
from registry.core.authz import require_login
from registry.core.clock import today  # noqa: F401  (deadlines are counted in the county's days)
from registry.core.errors import NotAuthorized, NotFound
from registry.catalog.models import InformationSystem, Unit
from registry.core.people import with_names
from registry.sharing.models import SharingContact, SharingObjection, SharingRecord, SharingRequest
from registry.sharing.schemas import ANSWER, ARBITRATION, OBJECTION_KIND, OBJECTION_RESULT, ORIGIN, \
    RECORD_STATUS, REQUEST_STATUS
from registry.sharing.workdays import WorkCalendar, estimate_note

ANSWERER_LABELS = {"provider": "提供单位", "bureau": "大数据局（符合性审查）"}
OVERSIGHT_ROLES = ("bureau", "admin", "finance", "reviewer")


@lru_cache(maxsize=8)
def _calendar(policy) -> WorkCalendar:
    return WorkCalendar.from_policy(policy)


def calendar(ctx) -> WorkCalendar:
    """The policy's calendar with the years the Bureau entered (read once per action call)."""
    cal = getattr(ctx, "_work_calendar", None)
    if cal is None:
        from registry.sharing.models import CalendarYear
        years = {row.year: (frozenset(map(date.fromisoformat, row.holidays)),
                            frozenset(map(date.fromisoformat, row.workdays)))
                 for row in ctx.session.scalars(select(CalendarYear))}
        cal = _calendar(ctx.settings.policy).with_years(years)
        ctx._work_calendar = cal
    return cal


def policy(ctx):
    return ctx.settings.policy


def side(ctx, provider_unit_id: int, consumer_unit_id: int) -> str:
    """'provider', 'consumer' or 'oversight' (Bureau, finance, reviewers, admin); else refused."""
    require_login(ctx)
    user = ctx.user
    if user.role in OVERSIGHT_ROLES:
        return "oversight"
    if user.role == "department" and user.unit_id == provider_unit_id:
        return "provider"
    if user.role == "department" and user.unit_id == consumer_unit_id:
        return "consumer"
    raise NotAuthorized("只能查看本单位提出或收到的共享申请和共享记录")


def get_request(ctx, ref) -> SharingRequest:
    req = ctx.session.get(SharingRequest, ref) if is_db_id(ref) else None
    if req is None:
        raise NotFound(f"共享申请“{ref}”不存在")
    return req


def get_record(ctx, ref) -> SharingRecord:
    rec = ctx.session.get(SharingRecord, ref) if is_db_id(ref) else None
    if rec is None:
        raise NotFound(f"共享记录“{ref}”不存在")
    return rec


def get_objection(ctx, ref) -> SharingObjection:
    obj = ctx.session.get(SharingObjection, ref) if is_db_id(ref) else None
    if obj is None:
        raise NotFound(f"数据校核“{ref}”不存在")
    return obj


def unit_names(session, ids) -> dict[int, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return dict(session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(ids))).all())


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def is_overdue(req: SharingRequest, on: date) -> bool:
    return req.status == "pending" and on > req.due_on


def request_dict(ctx, req: SharingRequest, viewer: str, names: dict | None = None) -> dict:
    names = names if names is not None else unit_names(ctx.session, (req.requester_unit_id, req.provider_unit_id))
    now = today()
    result = {
        "id": req.id, "status": req.status, "status_label": REQUEST_STATUS.label_of(req.status),
        "requester_unit_id": req.requester_unit_id, "requester_unit_name": names.get(req.requester_unit_id, ""),
        "requester_system_id": req.requester_system_id, "requester_system_name": req.requester_system_name,
        "provider_unit_id": req.provider_unit_id, "provider_unit_name": names.get(req.provider_unit_id, ""),
        "provider_system_id": req.provider_system_id, "provider_system_name": req.provider_system_name,
        "resource_id": req.resource_id, "resource_title": req.resource_title,
        "sharing_class": req.sharing_class, "sharing_class_label": vocab.SHARING_TYPE.label_of(req.sharing_class),
        "answerer": req.answerer, "answerer_label": ANSWERER_LABELS[req.answerer],
        "items": [{"id": i.item_id, "name": i.item_name, "sharing_type": i.sharing_type,
                   "sharing_type_label": vocab.SHARING_TYPE.label_of(i.sharing_type), "approved": i.approved}
                  for i in req.items],
        "purpose": req.purpose, "scenario": req.scenario, "basis": req.basis,
        "sharing_method": req.sharing_method, "sharing_method_label": vocab.SHARING_METHOD.label_of(req.sharing_method),
        "period_start": _iso(req.period_start), "period_end": _iso(req.period_end),
        "origin": req.origin, "origin_label": ORIGIN.label_of(req.origin), "finding_id": req.finding_id,
        "submitted_on": _iso(req.submitted_on), "due_on": _iso(req.due_on), "created_by": req.created_by,
        "due_on_note": estimate_note(calendar(ctx), req.submitted_on, req.due_on) if req.status == "pending" else "",
        "overdue": is_overdue(req, now),
        "answered_on": _iso(req.answered_on), "answered_by": req.answered_by,
        "answered_late": req.answered_on is not None and req.answered_on > req.due_on,
        "answer_note": req.answer_note, "refusal_reason": req.refusal_reason, "refusal_basis": req.refusal_basis,
        "refusal_basis_valid": req.refusal_basis_valid,
        "arbitration_decision": req.arbitration_decision,
        "arbitration_label": ARBITRATION.label_of(req.arbitration_decision),
        "arbitration_opinion": req.arbitration_opinion, "arbitrated_by": req.arbitrated_by,
        "arbitrated_on": _iso(req.arbitrated_on), "viewer": viewer, "version": req.version,
    }
    with_names(ctx.session, [result], "answered_by", "arbitrated_by", "created_by")
    if viewer != "consumer" or req.status in ("approved", "partial"):
        record = ctx.session.scalar(select(SharingRecord).where(SharingRecord.request_id == req.id))
        if record is not None:  # what the provider gave with its answer
            result["provider_details"] = {"contact_person": record.contact_person, "contact_phone": record.contact_phone,
                                          "interface_address": record.interface_address}
        else:
            contact = ctx.session.get(SharingContact, req.resource_id) if req.resource_id else None
            result["provider_details"] = contact_dict(contact)
    return result


def contact_dict(contact: SharingContact | None) -> dict:
    if contact is None:
        return {"contact_person": "", "contact_phone": "", "interface_address": ""}
    return {"contact_person": contact.contact_person, "contact_phone": contact.contact_phone,
            "interface_address": contact.interface_address}


def record_status(rec: SharingRecord, on: date) -> str:
    if rec.status == "revoked":
        return "revoked"
    return "expired" if rec.end_on is not None and rec.end_on < on else "active"


def record_dict(rec: SharingRecord, names: dict, system_names: dict | None = None) -> dict:
    status = record_status(rec, today())
    system_names = system_names or {}
    return {
        "id": rec.id, "request_id": rec.request_id, "status": status, "status_label": RECORD_STATUS.label_of(status),
        "provider_unit_id": rec.provider_unit_id, "provider_unit_name": names.get(rec.provider_unit_id, ""),
        "provider_system_id": rec.provider_system_id,
        "provider_system_name": system_names.get(rec.provider_system_id, ""),
        "resource_id": rec.resource_id, "resource_title": rec.resource_title, "items": list(rec.items),
        "consumer_unit_id": rec.consumer_unit_id, "consumer_unit_name": names.get(rec.consumer_unit_id, ""),
        "consumer_system_id": rec.consumer_system_id,
        "consumer_system_name": system_names.get(rec.consumer_system_id, ""),
        "sharing_method": rec.sharing_method, "sharing_method_label": vocab.SHARING_METHOD.label_of(rec.sharing_method),
        "start_on": _iso(rec.start_on), "end_on": _iso(rec.end_on),
        "revoked_on": _iso(rec.revoked_on), "revoked_reason": rec.revoked_reason,
        "provider_details": {"contact_person": rec.contact_person, "contact_phone": rec.contact_phone,
                             "interface_address": rec.interface_address},
    }


def system_names(session, ids) -> dict[int, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return dict(session.execute(select(InformationSystem.id, InformationSystem.name)
                                .where(InformationSystem.id.in_(ids))).all())


def objection_dict(obj: SharingObjection, cal: WorkCalendar | None = None) -> dict:
    """`cal`: the calendar, to note a deadline counted past the last known year."""
    return {"due_on_note": estimate_note(cal, obj.raised_on, obj.due_on) if cal and obj.result is None else "",
            "id": obj.id, "record_id": obj.record_id, "item_id": obj.item_id, "item_name": obj.item_name,
            "kind": obj.kind, "kind_label": OBJECTION_KIND.label_of(obj.kind), "description": obj.description,
            "raised_by": obj.raised_by, "raised_on": _iso(obj.raised_on), "due_on": _iso(obj.due_on),
            "overdue": obj.result is None and today() > obj.due_on,
            "result": obj.result, "result_label": OBJECTION_RESULT.label_of(obj.result), "answer": obj.answer,
            "answered_by": obj.answered_by, "answered_on": _iso(obj.answered_on)}


def answer_label(decision: str) -> str:
    return ANSWER.label_of(decision)
