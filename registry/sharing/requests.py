"""Sharing requests (共享申请): create, show, list, answer, withdraw, Bureau arbitration (协调),
and the proposal from a confirmed duplicate finding. Art. 14 (共享机制) and Art. 28 (未按要求共享).

Who answers: 有条件共享 and 不予共享 items — the provider unit, within `sharing_conditional_days`
working days; 无条件共享 only — the Bureau's conformity check within `sharing_unconditional_days`,
or at once when Policy `sharing_unconditional_review` is "auto".
"""
from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased

from registry.core import audit
from registry.core.actions import Context, action
from registry.catalog.actions import check_version
from registry.core.authz import require_login, require_role, require_unit_writer
from registry.core.errors import Conflict, NotAuthorized, ValidationFailed
from registry.catalog.lookup import get_resource, get_system, get_unit
from registry.catalog.models import InformationItem, InformationResource, Unit
from registry.core.ordering import ordered
from registry.sharing import common
from registry.sharing.inbox import bureau_users, notify, unit_users
from registry.sharing.models import SharingContact, SharingRecord, SharingRequest, SharingRequestItem
from registry.sharing.schemas import (AnswerSchema, ArbitrateSchema, IdSchema, RequestCreateSchema,
                                      RequestListSchema, WithdrawSchema)

RESTRICTIVENESS = {"unconditional": 0, "conditional": 1, "none": 2}
AUTO_CHECKER = "自动符合性审查"


def link(req_id: int) -> str:
    return f"/sharing/requests/{req_id}"


def snapshot(req: SharingRequest) -> dict:
    return {**audit.snapshot(req), "items": [{"item_id": i.item_id, "approved": i.approved} for i in req.items]}


# ---- create -----------------------------------------------------------------------------------

def _auth_create(ctx: Context, data: dict) -> None:
    require_login(ctx)
    if ctx.user.role not in ("department", "admin"):
        raise NotAuthorized("只有部门用户可以提出共享申请（以本单位信息系统的名义）")
    require_unit_writer(ctx, get_system(ctx.session, data.get("requester_system"), "requester_system").unit_id)


def _requested_items(ctx: Context, res: InformationResource, ids: list[int]) -> list[InformationItem]:
    if len(set(ids)) != len(ids):
        raise ValidationFailed({"items": ["申请的信息项有重复"]})
    items = {i.id: i for i in res.items}
    unknown = [i for i in ids if i not in items]
    if unknown:
        raise ValidationFailed({"items": [f"信息项 {('、'.join(map(str, unknown)))} 不属于信息资源“{res.title}”"]})
    return [items[i] for i in ids]


def _check_finding(ctx: Context, finding_id: int, requester_unit_id: int, res: InformationResource) -> None:
    from search.models import DuplicateFinding
    finding = ctx.session.get(DuplicateFinding, finding_id)
    if finding is None:
        raise ValidationFailed({"finding": [f"重复采集线索“{finding_id}”不存在"]})
    if finding.state != "confirmed" or finding.unit_id != requester_unit_id:
        raise ValidationFailed({"finding": ["只能依据本单位已确认的重复采集线索提出申请"]})
    if finding.must_reuse_from_system_id != res.system_id:
        raise ValidationFailed({"resource": ["该线索确认应复用的是其他系统的数据，请选择该系统的信息资源"]})


@action("sharing_request_create", auth=_auth_create, schema=RequestCreateSchema)
def sharing_request_create(ctx: Context, data: dict) -> dict:
    """Request items of another unit's resource for one of the own unit's systems."""
    system = get_system(ctx.session, data["requester_system"], "requester_system")
    res = get_resource(ctx.session, data["resource"], "resource")
    if res.unit_id == system.unit_id:
        raise ValidationFailed({"resource": ["不能向本单位申请共享本单位的信息资源"]})
    items = _requested_items(ctx, res, data["items"])
    kinds = {i.id: i.sharing_type or res.sharing_type for i in items}
    sharing_class = max(kinds.values(), key=RESTRICTIVENESS.__getitem__)
    if sharing_class == "none" and not data["basis"]:
        raise ValidationFailed({"basis": ["申请不予共享的信息项须写明依据（法律法规或政策文件名称及条款）"]})
    if data.get("finding"):
        _check_finding(ctx, data["finding"], system.unit_id, res)
        data["origin"] = "finding"
    duplicate = ctx.session.scalar(select(SharingRequest.id).where(
        SharingRequest.requester_system_id == system.id, SharingRequest.resource_id == res.id,
        SharingRequest.status == "pending"))
    if duplicate is not None:
        raise Conflict(f"本系统对该信息资源已有待答复的共享申请（编号 {duplicate}），请勿重复提交")
    pol, today = common.policy(ctx), common.today()
    answerer = "bureau" if sharing_class == "unconditional" else "provider"
    days = pol.sharing_unconditional_days if answerer == "bureau" else pol.sharing_conditional_days
    req = SharingRequest(
        requester_unit_id=system.unit_id, requester_system_id=system.id, requester_system_name=system.name,
        provider_unit_id=res.unit_id, provider_system_id=res.system_id, provider_system_name=res.system.name,
        resource_id=res.id, resource_title=res.title, sharing_class=sharing_class, answerer=answerer,
        purpose=data["purpose"], scenario=data["scenario"], basis=data["basis"],
        sharing_method=data["sharing_method"], period_start=data.get("period_start") or today,
        period_end=data.get("period_end"), origin=data["origin"], finding_id=data.get("finding"),
        status="pending", submitted_on=today, due_on=common.calendar(ctx).add_working_days(today, days, estimate=True),
        created_by=ctx.username,
        items=[SharingRequestItem(item_id=i.id, item_name=i.name, sharing_type=kinds[i.id]) for i in items])
    if req.period_end is not None and req.period_end < req.period_start:
        raise ValidationFailed({"period_end": ["共享截止日期不能早于起始日期"]})
    ctx.session.add(req)
    ctx.session.flush()
    audit.record(ctx, "sharing_request_create", "sharing_request", req.id, None, snapshot(req),
                 f"{req.resource_title}（{len(items)} 项）")
    text = f"{system.unit.name}（{system.name}）申请共享“{res.title}”的 {len(items)} 个信息项，请于 {req.due_on} 前答复。"
    if answerer == "bureau" and pol.sharing_unconditional_review == "auto":
        _decide(ctx, req, [i.item_id for i in req.items], AUTO_CHECKER, "无条件共享，自动符合性审查通过")
        notify(ctx, unit_users(ctx.session, res.unit_id), "new_request", f"共享申请 #{req.id}（已自动同意）",
               text, link(req.id), req.id)
    elif answerer == "bureau":
        notify(ctx, bureau_users(ctx.session), "review", f"共享申请 #{req.id} 待符合性审查", text, link(req.id), req.id)
        notify(ctx, unit_users(ctx.session, res.unit_id), "new_request", f"共享申请 #{req.id}（无条件共享）",
               text, link(req.id), req.id)
    else:
        notify(ctx, unit_users(ctx.session, res.unit_id), "new_request", f"新的共享申请 #{req.id}", text,
               link(req.id), req.id)
    return common.request_dict(ctx, req, "consumer")


def _decide(ctx: Context, req: SharingRequest, approved_ids: list[int], by: str, note: str,
            interface_address: str | None = None, given: dict | None = None) -> SharingRecord | None:
    """Mark items approved or not, set the status, and create or update the sharing record. The
    contact and interface given with the answer go on the record (over the resource's registered
    ones), so the requester sees what the provider answered."""
    for item in req.items:
        item.approved = item.item_id in approved_ids
    granted = [i for i in req.items if i.approved]
    req.status = "approved" if len(granted) == len(req.items) else ("partial" if granted else "refused")
    req.answer_note = note
    if by == AUTO_CHECKER:
        req.answered_on, req.answered_by = common.today(), by
    if not granted:
        return None
    record = ctx.session.scalar(select(SharingRecord).where(SharingRecord.request_id == req.id))
    contact = ctx.session.get(SharingContact, req.resource_id) if req.resource_id else None
    details = common.contact_dict(contact)
    given = dict(given or {})
    if interface_address:
        given["interface_address"] = interface_address
    details.update(given)
    if record is None:
        record = SharingRecord(request_id=req.id, provider_unit_id=req.provider_unit_id,
                               provider_system_id=req.provider_system_id, resource_id=req.resource_id,
                               resource_title=req.resource_title, consumer_unit_id=req.requester_unit_id,
                               consumer_system_id=req.requester_system_id, sharing_method=req.sharing_method,
                               start_on=max(req.period_start, common.today()), end_on=req.period_end,
                               status="active", **details)
        ctx.session.add(record)
    record.items = [{"item_id": i.item_id, "name": i.item_name} for i in granted]
    ctx.session.flush()
    audit.record(ctx, "sharing_record_create", "sharing_record", record.id, None, audit.snapshot(record),
                 f"{req.resource_title} → 申请 #{req.id}")
    return record


# ---- read -------------------------------------------------------------------------------------

def _auth_read(ctx: Context, data: dict) -> None:
    require_login(ctx)


@action("sharing_request_show", auth=_auth_read, schema=IdSchema, read_only=True)
def sharing_request_show(ctx: Context, data: dict) -> dict:
    """One request as the acting user may see it (a consumer sees the provider's details only once approved)."""
    req = common.get_request(ctx, data["id"])
    viewer = common.side(ctx, req.provider_unit_id, req.requester_unit_id)
    result = common.request_dict(ctx, req, viewer)
    record = ctx.session.scalar(select(SharingRecord.id).where(SharingRecord.request_id == req.id))
    result["record_id"] = record
    return result


@action("sharing_request_list", auth=_auth_read, schema=RequestListSchema, read_only=True)
def sharing_request_list(ctx: Context, data: dict) -> dict:
    """Requests sent by or to the acting user's unit (department), or all (oversight roles); newest
    first unless `sort` says otherwise."""
    R = SharingRequest
    stmt = select(R)
    user = ctx.user
    if user.role == "department":
        mine = {"sent": R.requester_unit_id == user.unit_id, "received": R.provider_unit_id == user.unit_id}
        stmt = stmt.where(mine.get(data["box"], or_(*mine.values())))
    elif data["box"] == "review":
        stmt = stmt.where(R.answerer == "bureau")
    if data.get("unit") is not None:
        unit = get_unit(ctx.session, data["unit"], "unit")
        stmt = stmt.where(or_(R.requester_unit_id == unit.id, R.provider_unit_id == unit.id))
    if data.get("status"):
        stmt = stmt.where(R.status == data["status"])
    if data["overdue"]:
        stmt = stmt.where(R.status == "pending", R.due_on < common.today())
    count = ctx.session.scalar(select(func.count()).select_from(stmt.subquery()))
    requester, provider = aliased(Unit), aliased(Unit)
    stmt = stmt.join(requester, requester.id == R.requester_unit_id).join(provider, provider.id == R.provider_unit_id)
    stmt = ordered(stmt, data["sort"], {"id": R.id, "requester": requester.name, "provider": provider.name,
                                        "resource": R.resource_title, "status": R.status, "submitted": R.submitted_on,
                                        "due": R.due_on}, ("id", True), R.id)
    rows = list(ctx.session.scalars(stmt.offset(data["start"]).limit(data["rows"])))
    names = common.unit_names(ctx.session, {u for r in rows for u in (r.requester_unit_id, r.provider_unit_id)})
    results = []
    for req in rows:
        viewer = "oversight" if user.role != "department" else (
            "provider" if req.provider_unit_id == user.unit_id else "consumer")
        results.append(common.request_dict(ctx, req, viewer, names))
    return {"count": count, "results": results}


# ---- answer, withdraw, arbitrate --------------------------------------------------------------

def _auth_answer(ctx: Context, data: dict) -> None:
    require_login(ctx)
    ref = data.get("id")
    req = common.get_request(ctx, int(ref) if isinstance(ref, str) and ref.isdecimal() else ref)
    if req.answerer == "bureau":
        require_role(ctx, "bureau")
    else:
        if ctx.user.role not in ("department", "admin"):
            raise NotAuthorized("有条件共享的申请由提供单位答复")
        require_unit_writer(ctx, req.provider_unit_id)


def _request_of(ctx: Context, data: dict) -> SharingRequest:
    ref = data.get("id")
    return common.get_request(ctx, int(ref) if isinstance(ref, str) and ref.isdecimal() else ref)


def _pending(ctx: Context, data: dict) -> None:
    req = _request_of(ctx, data)
    if req.status != "pending":
        raise Conflict(f"该申请当前状态为“{common.REQUEST_STATUS.label_of(req.status)}”")


def _arbitrable(ctx: Context, data: dict) -> None:
    req = _request_of(ctx, data)
    if not (common.is_overdue(req, common.today()) or req.status in ("refused", "partial")):
        raise Conflict("仅超期未答复、不同意或部分同意的共享申请可由大数据局协调")


@action("sharing_request_answer", auth=_auth_answer, schema=AnswerSchema, ready=_pending)
def sharing_request_answer(ctx: Context, data: dict) -> dict:
    """The provider (or, for 无条件共享, the Bureau) approves, approves some items, or refuses with reason and basis."""
    req = common.get_request(ctx, data["id"])
    check_version(req, data, "共享申请")
    if req.status != "pending":
        raise Conflict(f"该申请当前状态为“{common.REQUEST_STATUS.label_of(req.status)}”，不能再答复")
    before = snapshot(req)
    requested = [i.item_id for i in req.items]
    if data["decision"] == "approve":
        approved = requested
    elif data["decision"] == "refuse":
        approved = []
    else:
        approved = data["items"] or []
        stray = [i for i in approved if i not in requested]
        if stray or not approved or set(approved) == set(requested):
            raise ValidationFailed({"items": ["部分同意须列出所申请信息项中的一部分（不能为空，也不能是全部）"]})
    req.answered_on, req.answered_by = common.today(), ctx.username
    if data["decision"] != "approve":
        req.refusal_reason, req.refusal_basis = data["reason"], data["basis"]
    _decide(ctx, req, approved, ctx.username, data["note"], data.get("interface_address"),
            {k: data[k] for k in ("contact_person", "contact_phone") if data.get(k)})
    ctx.session.flush()
    audit.record(ctx, "sharing_request_answer", "sharing_request", req.id, before, snapshot(req),
                 f"{common.answer_label(data['decision'])}：{req.resource_title}")
    late = "（已超过答复期限）" if req.answered_on > req.due_on else ""
    notify(ctx, unit_users(ctx.session, req.requester_unit_id), "answer",
           f"共享申请 #{req.id}：{common.REQUEST_STATUS.label_of(req.status)}",
           f"“{req.resource_title}”的共享申请已答复：{common.REQUEST_STATUS.label_of(req.status)}{late}。"
           + (f"理由：{req.refusal_reason}；依据：{req.refusal_basis}" if req.refusal_reason else ""),
           link(req.id), req.id)
    return common.request_dict(ctx, req, "oversight" if ctx.user.role != "department" else "provider")


def _auth_withdraw(ctx: Context, data: dict) -> None:
    require_login(ctx)
    ref = data.get("id")
    req = common.get_request(ctx, int(ref) if isinstance(ref, str) and ref.isdecimal() else ref)
    if ctx.user.role not in ("department", "admin"):
        raise NotAuthorized("只有申请单位可以撤回共享申请")
    require_unit_writer(ctx, req.requester_unit_id)


@action("sharing_request_withdraw", auth=_auth_withdraw, schema=WithdrawSchema, ready=_pending)
def sharing_request_withdraw(ctx: Context, data: dict) -> dict:
    """The requesting unit withdraws a request that has not been answered."""
    req = common.get_request(ctx, data["id"])
    check_version(req, data, "共享申请")
    if req.status != "pending":
        raise Conflict("只能撤回尚未答复的共享申请")
    before = snapshot(req)
    req.status, req.answer_note = "withdrawn", data["reason"]
    ctx.session.flush()
    audit.record(ctx, "sharing_request_withdraw", "sharing_request", req.id, before, snapshot(req), req.resource_title)
    users = unit_users(ctx.session, req.provider_unit_id) + (bureau_users(ctx.session) if req.answerer == "bureau" else [])
    notify(ctx, users, "withdrawn", f"共享申请 #{req.id} 已撤回", f"“{req.resource_title}”的共享申请已由申请单位撤回。",
           link(req.id), req.id)
    return common.request_dict(ctx, req, "consumer" if ctx.user.role == "department" else "oversight")


def _auth_bureau(ctx: Context, data: dict) -> None:
    require_role(ctx, "bureau")


@action("sharing_arbitrate", auth=_auth_bureau, schema=ArbitrateSchema, ready=_arbitrable)
def sharing_arbitrate(ctx: Context, data: dict) -> dict:
    """The Bureau's coordination (协调) of an overdue, refused or partly approved request; recorded.

    Ordering sharing of a refused request marks the refusal as without valid basis (Art. 28
    evidence); an overdue request stays counted as unanswered by the provider."""
    req = common.get_request(ctx, data["id"])
    check_version(req, data, "共享申请")
    today = common.today()
    if not (common.is_overdue(req, today) or req.status in ("refused", "partial")):
        raise Conflict("仅超期未答复、不同意或部分同意的共享申请可由大数据局协调")
    before = snapshot(req)
    requested = [i.item_id for i in req.items]
    if data["decision"] == "approve":
        approved = data["items"] or requested
        if any(i not in requested for i in approved):
            raise ValidationFailed({"items": ["应予共享的信息项须是所申请的信息项"]})
        if req.status in ("refused", "partial"):
            req.refusal_basis_valid = False  # the provider's refusal did not stand
        _decide(ctx, req, approved, ctx.username, req.answer_note)
    elif req.status == "pending":
        for item in req.items:
            item.approved = False
        req.status, req.refusal_reason = "refused", data["opinion"]
        req.refusal_basis = f"大数据局协调结论（{today.isoformat()}）"
    req.arbitration_decision, req.arbitration_opinion = data["decision"], data["opinion"]
    req.arbitrated_by, req.arbitrated_on = ctx.username, today
    ctx.session.flush()
    audit.record(ctx, "sharing_arbitrate", "sharing_request", req.id, before, snapshot(req),
                 f"协调：{common.ARBITRATION.label_of(data['decision'])}")
    notify(ctx, unit_users(ctx.session, req.requester_unit_id) + unit_users(ctx.session, req.provider_unit_id),
           "arbitration", f"共享申请 #{req.id} 协调结论：{common.ARBITRATION.label_of(data['decision'])}",
           data["opinion"], link(req.id), req.id)
    return common.request_dict(ctx, req, "oversight")
