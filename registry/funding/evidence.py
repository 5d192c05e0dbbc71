"""Evidence records behind funding decisions, and the service other modules call to record one.

Who may file what: the Bureau files every kind; a department files, for its own unit's systems
only, the documents it obtains itself (竣工验收, 档案验收, 等级保护测评/备案, 密码应用安全性评估 —
Art. 25 lets a unit accept a project below the Bureau's threshold itself and file the result).
Risks, integration flags, sharing status and the exemption approvals are the Bureau's findings.
Finance and reviewers read; a department reads its own unit's evidence only.
"""
from __future__ import annotations

from datetime import date

from marshmallow import EXCLUDE, fields
from sqlalchemy import select

from catalog_schema.fields import Bool, ChineseSchema, Int, Ref, Text, Vocab, is_db_id
from registry.core import audit
from registry.core.actions import Context, action
from registry.core.authz import ROLE_LABELS, require_login, require_role
from registry.core.errors import Conflict, NotAuthorized, NotFound, ValidationFailed
from registry.funding import storage
from registry.funding.models import Evidence
from registry.measures.base import ARTICLE_NAMES
from registry.funding.vocab import EVIDENCE_KIND, EVIDENCE_RESULT, KINDS
from registry.catalog.lookup import get_resource, get_system, get_unit
from registry.catalog.models import InformationResource, InformationSystem, Unit
from registry.core import clock

READERS = ("bureau", "finance", "reviewer")


def add_evidence(ctx, *, kind: str, system_id: int | None = None, unit_id: int | None = None,
                 result: str = "passed", issued_on: date | None = None, valid_until: date | None = None,
                 reference: str = "", note: str = "", source: str = "") -> dict:
    """Record evidence from another module's operation (e.g. projects records a completion or
    archive acceptance). The caller's action has already checked authorisation; this validates,
    audits and flushes. `result` "passed" means the kind's positive result (同意 for an approval,
    已接入 for sharing status, 未整改 for a risk or flag: recording one is the finding)."""
    return create_evidence(ctx, kind=kind, system_id=system_id, unit_id=unit_id, result=result,
                           issued_on=issued_on, valid_until=valid_until, reference=reference, note=note,
                           source=source)


def create_evidence(ctx, *, kind: str, system_id=None, unit_id=None, resource_id=None, result: str = "passed",
                    issued_on=None, valid_from=None, valid_until=None, reference: str = "", note: str = "",
                    source: str = "", upload=None) -> dict:
    spec = KINDS.get(kind)
    if spec is None:
        raise ValidationFailed({"kind": [f"未知的证明材料类型“{kind}”，可选：{'、'.join(EVIDENCE_KIND.labels)}"]})
    system = get_system(ctx.session, system_id, "system") if system_id not in (None, "") else None
    unit = get_unit(ctx.session, unit_id, "unit") if unit_id not in (None, "") else None
    if system is None and unit is None:
        raise ValidationFailed({"system": ["请指定信息系统或单位"]})
    if system is not None and unit is not None and unit.id != system.unit_id:
        raise ValidationFailed({"unit": [f"信息系统“{system.name}”不属于单位“{unit.name}”"]})
    if system is None and spec.needs_system:
        raise ValidationFailed({"system": [f"{spec.label}须指定信息系统"]})
    code = _result_code(spec, result)
    resource = None
    if resource_id not in (None, ""):
        if kind != "sharing_status":
            raise ValidationFailed({"resource": ["只有共享状态可以指定信息资源"]})
        resource = get_resource(ctx.session, resource_id, "resource")
        if system is None or resource.system_id != system.id:
            raise ValidationFailed({"resource": [f"信息资源“{resource.title}”不属于所选信息系统"]})
    if spec.has_validity and code == "passed" and valid_until is None:
        raise ValidationFailed({"valid_until": [f"{spec.label}须填写有效期至"]})
    start = valid_from or issued_on
    if valid_until is not None and start is not None and valid_until < start:
        raise ValidationFailed({"valid_until": ["有效期至不能早于出具日期或有效期起"]})
    row = Evidence(kind=kind, unit_id=system.unit_id if system is not None else unit.id,
                   system_id=system.id if system is not None else None,
                   resource_id=resource.id if resource is not None else None, result=code,
                   issued_on=issued_on or clock.today(), valid_from=valid_from, valid_until=valid_until,
                   reference=reference or "", note=note or "", source=source or "", created_by=ctx.username)
    if upload is not None:
        row.file_name, row.stored_name, row.file_size = storage.save_upload(ctx.settings, upload)
        storage.remove_on_rollback(ctx, row.stored_name)
    ctx.session.add(row)
    ctx.session.flush()
    audit.record(ctx, "evidence_create", "evidence", row.id, None, audit.snapshot(row),
                 f"{spec.label}：{system.name if system is not None else unit.name}")
    return evidence_dict(ctx.session, row)


def _result_code(spec, result: str) -> str:
    code = EVIDENCE_RESULT.normalize(result or "") if result else None
    if code is None and result in spec.results:
        code = result
    if code == "passed" and "passed" not in spec.results:
        code = spec.results[0]
    if code not in spec.results:
        allowed = "、".join(EVIDENCE_RESULT.label_of(r) for r in spec.results)
        raise ValidationFailed({"result": [f"{spec.label}的结论只能是：{allowed}"]})
    return code


def evidence_dict(session, e: Evidence) -> dict:
    spec = KINDS[e.kind]
    system = session.get(InformationSystem, e.system_id) if e.system_id else None
    unit = session.get(Unit, e.unit_id)
    resource = session.get(InformationResource, e.resource_id) if e.resource_id else None
    iso = lambda d: d.isoformat() if d else None  # noqa: E731
    return {"id": e.id, "kind": e.kind, "kind_label": spec.label, "article": spec.article,
            "article_text": ARTICLE_NAMES[spec.article], "unit_id": e.unit_id, "unit_name": unit.name,
            "system_id": e.system_id, "system_name": system.name if system else None,
            "resource_id": e.resource_id, "resource_title": resource.title if resource else None,
            "result": e.result, "result_label": EVIDENCE_RESULT.label_of(e.result),
            "issued_on": iso(e.issued_on), "valid_from": iso(e.valid_from), "valid_until": iso(e.valid_until),
            "reference": e.reference, "note": e.note, "source": e.source,
            "has_file": e.stored_name is not None, "file_name": e.file_name, "file_size": e.file_size,
            "closable": spec.closable, "closed_on": iso(e.closed_on), "closed_by": e.closed_by,
            "close_note": e.close_note, "created_by": e.created_by, "created": iso(e.created)}


# ---- actions ----------------------------------------------------------------------------------

def _date(label: str):
    return fields.Date(load_default=None, allow_none=True, error_messages={"invalid": f"{label}格式应为“年-月-日”，如 2026-12-06"})


class EvidenceCreateSchema(ChineseSchema):
    kind = Vocab(EVIDENCE_KIND, required=True)
    system = Ref("信息系统")
    unit = Ref("单位")
    resource = Ref("信息资源")
    result = Text("结论", max_length=20, load_default="passed")
    issued_on = _date("出具日期")
    valid_from = _date("有效期起")
    valid_until = _date("有效期至")
    reference = Text("文号", max_length=200, load_default="")
    note = Text("说明", max_length=2000, load_default="")
    upload = storage.UploadField("附件")


def _target_unit_id(ctx, data: dict) -> int:
    if data.get("system") not in (None, ""):
        return get_system(ctx.session, data["system"], "system").unit_id
    return get_unit(ctx.session, data.get("unit"), "unit").id


def _auth_create(ctx: Context, data: dict) -> None:
    require_login(ctx)
    if ctx.user.role in ("bureau", "admin"):
        return
    if ctx.user.role != "department":
        raise NotAuthorized(f"{ROLE_LABELS.get(ctx.user.role, ctx.user.role)}不能登记证明材料（仅限大数据局和本单位）")
    spec = KINDS.get(EVIDENCE_KIND.normalize(str(data.get("kind") or "")) or "")
    if spec is not None and not spec.department_may_file:
        raise NotAuthorized(f"“{spec.label}”由大数据局登记，部门不能自行登记")
    if _target_unit_id(ctx, data) != ctx.user.unit_id:
        raise NotAuthorized("只能为本单位的信息系统登记证明材料")


@action("evidence_create", auth=_auth_create, schema=EvidenceCreateSchema)
def evidence_create(ctx: Context, data: dict) -> dict:
    """Record evidence (验收、测评、评估、风险、审批、整合、共享状态) for a system or unit, with an
    optional file (multipart field `upload`; type whitelist, size ≤ max_upload_mb)."""
    return create_evidence(ctx, kind=data["kind"], system_id=data.get("system"), unit_id=data.get("unit"),
                           resource_id=data.get("resource"), result=data["result"], issued_on=data.get("issued_on"),
                           valid_from=data.get("valid_from"), valid_until=data.get("valid_until"),
                           reference=data["reference"], note=data["note"], upload=data.get("upload"))


class EvidenceCloseSchema(ChineseSchema):
    id = Int("证明材料编号", required=True, minimum=1)
    closed_on = _date("整改完成日期")
    note = Text("说明", max_length=2000, load_default="")


def _bureau(ctx: Context, data: dict) -> None:
    require_role(ctx, "bureau")


def _get(session, evidence_id) -> Evidence:
    row = session.get(Evidence, evidence_id) if is_db_id(evidence_id) else None
    if row is None:
        raise NotFound(f"证明材料“{evidence_id}”不存在")
    return row


@action("evidence_close", auth=_bureau, schema=EvidenceCloseSchema)
def evidence_close(ctx: Context, data: dict) -> dict:
    """Close a major security risk (已整改) or an integration flag (已整合) from a date."""
    row = _get(ctx.session, data["id"])
    spec = KINDS[row.kind]
    if not spec.closable:
        raise Conflict(f"“{spec.label}”不需要关闭")
    if row.result == "closed":
        raise Conflict(f"该{spec.label}已于{row.closed_on}关闭")
    before = audit.snapshot(row)
    row.result, row.closed_on, row.closed_by = "closed", data.get("closed_on") or clock.today(), ctx.username
    row.close_note = data["note"]
    ctx.session.flush()
    audit.record(ctx, "evidence_close", "evidence", row.id, before, audit.snapshot(row), data["note"] or spec.label)
    return evidence_dict(ctx.session, row)


def _can_read_unit(ctx, unit_id: int) -> None:
    require_login(ctx)
    if ctx.user.role in (*READERS, "admin"):
        return
    if ctx.user.role == "department" and ctx.user.unit_id == unit_id:
        return
    raise NotAuthorized("只能查阅本单位的证明材料")


class EvidenceListSchema(ChineseSchema):
    system = Ref("信息系统")
    unit = Ref("单位")
    kind = Vocab(EVIDENCE_KIND)
    open_only = Bool("仅看未关闭", load_default=False)
    rows = Int("条数", minimum=0, maximum=5000, load_default=200)
    start = Int("起始位置", minimum=0, load_default=0)

    class Meta:
        unknown = EXCLUDE


def _auth_list(ctx: Context, data: dict) -> None:
    require_login(ctx)
    if ctx.user.role in (*READERS, "admin"):
        return
    if data.get("system") in (None, "") and data.get("unit") in (None, ""):
        data["unit"] = ctx.user.unit_id  # a department lists its own unit by default
    _can_read_unit(ctx, _target_unit_id(ctx, data))


@action("evidence_list", auth=_auth_list, schema=EvidenceListSchema, read_only=True)
def evidence_list(ctx: Context, data: dict) -> dict:
    """Evidence of a system or unit (newest first), filtered by kind or open risks/flags."""
    conditions = []
    if data.get("system") is not None:
        conditions.append(Evidence.system_id == get_system(ctx.session, data["system"], "system").id)
    if data.get("unit") is not None:
        conditions.append(Evidence.unit_id == get_unit(ctx.session, data["unit"], "unit").id)
    if data.get("kind"):
        conditions.append(Evidence.kind == data["kind"])
    if data["open_only"]:
        conditions.append(Evidence.result == "open")
    rows = ctx.session.scalars(select(Evidence).where(*conditions).order_by(Evidence.issued_on.desc(), Evidence.id.desc())
                               .offset(data["start"]).limit(data["rows"])).all()
    return {"count": len(rows), "results": [evidence_dict(ctx.session, e) for e in rows]}


class EvidenceIdSchema(ChineseSchema):
    id = Int("证明材料编号", required=True, minimum=1)

    class Meta:
        unknown = EXCLUDE


def _auth_one(ctx: Context, data: dict) -> None:
    require_login(ctx)
    try:
        evidence_id = int(data.get("id"))
    except (TypeError, ValueError, OverflowError):  # OverflowError: int(1e999)
        return  # the schema reports the bad id
    row = ctx.session.get(Evidence, evidence_id) if is_db_id(evidence_id) else None
    if row is not None:
        _can_read_unit(ctx, row.unit_id)
    elif ctx.user.role not in (*READERS, "admin"):
        raise NotAuthorized("只能查阅本单位的证明材料")


@action("evidence_show", auth=_auth_one, schema=EvidenceIdSchema, read_only=True)
def evidence_show(ctx: Context, data: dict) -> dict:
    """One evidence record."""
    return evidence_dict(ctx.session, _get(ctx.session, data["id"]))


@action("evidence_file", auth=_auth_one, schema=EvidenceIdSchema, read_only=True)
def evidence_file(ctx: Context, data: dict) -> dict:
    """The attachment of an evidence record, for the download route (read rights checked first)."""
    row = _get(ctx.session, data["id"])
    storage.stored_path(ctx.settings, row.stored_name)  # NotFound when there is none
    return {"id": row.id, "file_name": row.file_name, "file_size": row.file_size, "stored_name": row.stored_name,
            "download_url": f"/funding/evidence/{row.id}/file"}
