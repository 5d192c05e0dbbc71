"""Attachment 1 in and out: the declaration form (importers.declaration_form) ↔ a project record.

`project_import_declaration` (multipart field `upload`) creates a project from the form, or
updates a project still in the 申报 stage (`id`); the export is `declaration_data` written by
`write_declaration` (the page /projects/<id>/declaration.xlsx). Both go through the project
actions, so an imported form passes the same validation and authorisation as a typed one.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from catalog_schema.fields import ChineseSchema, Ref
from registry.core.actions import Context, action, call_action
from registry.core.authz import ROLE_LABELS, require_login
from registry.core.errors import NotAuthorized, ValidationFailed
from registry.catalog.lookup import get_unit
from registry.catalog.models import Unit
from registry.projects.access import require_department_for_unit, require_owner
from registry.projects.common import get_project

FEASIBILITY = "项目基本情况报告(可行性研究报告/技术方案)"  # as stored: text fields are NFKC-cleaned
BUDGET_DETAIL = "投资预算明细"
_AMOUNT = re.compile(r"^([0-9][0-9,，]*(?:\.[0-9]+)?)\s*(亿元|亿|万元|万|元)?$")
_UNITS = {"亿元": 10**8, "亿": 10**8, "万元": 10**4, "万": 10**4, "元": 1, None: 1}


def parse_yuan(text: str) -> int:
    """"300万元" → 3,000,000; "1,250,000元" → 1,250,000; "" → 0. ValidationFailed otherwise."""
    cleaned = re.sub(r"\s+", "", str(text or "")).replace("（", "(").split("(")[0]
    if not cleaned:
        return 0
    found = _AMOUNT.match(cleaned)
    if found is None:
        raise ValidationFailed({"estimate_yuan": [f"经费估算“{text}”无法识别，请填写如“300万元”或“3000000元”"]})
    try:
        value = Decimal(found.group(1).replace(",", "").replace("，", "")) * _UNITS[found.group(2)]
    except InvalidOperation:
        raise ValidationFailed({"estimate_yuan": [f"经费估算“{text}”无法识别"]}) from None
    return int(value.to_integral_value())


def format_yuan(yuan: int) -> str:
    """3,000,000 → "300万元"; 125,000 → "12.5万元" (exact: parse_yuan reads it back)."""
    if not yuan:
        return ""
    text = f"{Decimal(yuan) / 10_000:f}"
    return (text.rstrip("0").rstrip(".") if "." in text else text) + "万元"


def project_data_from_form(form: dict) -> dict:
    """The form's dict (importers.declaration_form keys) → project_create fields."""
    materials = ([FEASIBILITY] if form.get("has_feasibility_report") else []) + \
                ([BUDGET_DETAIL] if form.get("has_budget_detail") else []) + \
                [m.strip() for m in re.split(r"[；;\n]", form.get("other_attachments") or "") if m.strip()]
    data = {"name": form.get("project_name") or "", "kind": form.get("project_type"),
            "competent_department": form.get("competent_department") or "",
            "leader": form.get("leader_name") or "", "leader_phone": form.get("leader_phone") or "",
            "contact": form.get("contact_name") or "", "contact_phone": form.get("contact_phone") or "",
            "background": form.get("background") or "", "estimate_yuan": parse_yuan(form.get("cost_estimate")),
            "preparation": form.get("preparation") or "", "schedule": form.get("schedule") or "",
            "materials": materials, "remarks": form.get("remarks") or "", "filler": form.get("filled_by") or "",
            "filler_phone": form.get("filled_by_phone") or "", "declaring_unit": form.get("applicant_unit") or "",
            "declared_on": form.get("declared_on")}
    return {k: v for k, v in data.items() if v is not None}


def declaration_data(project: dict) -> dict:
    """A project dict (project_show) → the form's dict for write_declaration."""
    materials = list(project.get("materials") or [])
    is_feasibility = lambda m: m.startswith("项目基本情况报告")  # noqa: E731
    return {"applicant_unit": project["declaring_unit"], "declared_on": project["declared_on"],
            "project_name": project["name"], "project_type": project["kind"], "owner": project["unit_name"],
            "competent_department": project["competent_department"], "leader_name": project["leader"],
            "leader_phone": project["leader_phone"], "contact_name": project["contact"],
            "contact_phone": project["contact_phone"], "background": project["background"],
            "cost_estimate": format_yuan(project["estimate_yuan"]), "preparation": project["preparation"],
            "schedule": project["schedule"], "has_feasibility_report": any(map(is_feasibility, materials)),
            "has_budget_detail": BUDGET_DETAIL in materials,
            "other_attachments": "；".join(m for m in materials if m != BUDGET_DETAIL and not is_feasibility(m)),
            "remarks": project["remarks"], "filled_by": project["filler"], "filled_by_phone": project["filler_phone"]}


def _upload_field():
    from importers.actions import Upload
    return Upload()


class DeclarationImportSchema(ChineseSchema):
    upload = _upload_field()
    unit = Ref("项目业主")
    id = Ref("项目编号")


def _auth_import(ctx: Context, data: dict) -> None:
    """Who may import a form, decided before the upload is staged or parsed: a department user (for
    its own unit or one of its projects) or the administrator; project_create / project_update check
    the project rules again when called below."""
    require_login(ctx)
    if ctx.user.role not in ("department", "admin"):
        raise NotAuthorized(f"{ROLE_LABELS.get(ctx.user.role, ctx.user.role)}不能导入项目申报表（仅限部门用户）")
    if data.get("id") not in (None, ""):
        require_owner(ctx, get_project(ctx.session, data["id"]))
    elif data.get("unit") not in (None, ""):
        require_department_for_unit(ctx, get_unit(ctx.session, data["unit"], "unit"))


def _owner_unit(ctx: Context, data: dict, form: dict):
    if data.get("unit") not in (None, ""):
        return data["unit"]
    if form.get("owner"):
        unit_id = ctx.session.scalar(select(Unit.id).where(Unit.name == form["owner"].strip()))
        if unit_id is not None:
            return unit_id
    if ctx.user.unit_id is not None:
        return ctx.user.unit_id
    raise ValidationFailed({"unit": [f"未找到项目业主“{form.get('owner') or ''}”对应的单位，请指定单位"]})


@action("project_import_declaration", auth=_auth_import, schema=DeclarationImportSchema)
def project_import_declaration(ctx: Context, data: dict) -> dict:
    """Import an Attachment 1 declaration form (.xlsx, multipart field `upload`): creates a project
    (unit: the field, else the form's 项目业主 by name, else the caller's unit), or with `id`
    updates that project's declaration (申报 stage only)."""
    from importers.actions import staged_upload
    from importers.declaration_form import read_declaration
    max_bytes = ctx.settings.max_upload_mb * 1024 * 1024
    with staged_upload(data["upload"], max_bytes) as (path, filename):
        form = read_declaration(path, filename, max_bytes)
    fields = project_data_from_form(form)
    if data.get("id") not in (None, ""):
        return call_action("project_update", ctx, {**fields, "id": data["id"]})
    if not fields.get("kind"):
        raise ValidationFailed({"kind": ["申报表未填写项目类型（新建、续建、改扩建）"]})
    return call_action("project_create", ctx, {**fields, "unit": _owner_unit(ctx, data, form)})


def export_declaration(project: dict, path) -> None:
    from importers.declaration_form import write_declaration
    write_declaration(declaration_data(project), path)

