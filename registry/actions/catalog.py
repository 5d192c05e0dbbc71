"""Create/update/patch/delete of units, systems, information resources (packages) and items.

Each write: auth → validate (call_action) → apply → audit (before/after from the same code) →
flush. The boundary commits. `*_update` replaces every editable field (absent → default);
`*_patch` changes only the fields given.
"""
from __future__ import annotations

import secrets

from sqlalchemy import func, select

from catalog_schema import schemas
from registry import audit
from registry.actions.base import Context, action
from registry.authz import require_role, require_unit_writer
from registry.conflicts import changes_since
from registry.dictize import item_dict, package_dict, system_dict, unit_dict
from registry.errors import Conflict, ValidationFailed
from registry.lookup import get_item, get_resource, get_system, get_unit
from registry.models import InformationItem, InformationResource, InformationSystem, Unit

UNIT_FIELDS = ("code", "name", "kind", "description")
SYSTEM_FIELDS = ("code", "name", "aliases", "description", "status", "network")
RESOURCE_FIELDS = ("name", "title", "resource_code", "format_class", "format_type", "sharing_type",
                   "sharing_method", "open_to_public", "open_conditions", "update_cycle", "description")
ITEM_FIELDS = ("name", "data_type", "data_length", "sharing_type", "position")


def check_version(obj, data: dict, label: str) -> None:
    """Optimistic locking: a client that read version N may only write over version N."""
    expected = data.get("version")
    if expected is not None and expected != obj.version:
        details = changes_since(obj, expected)
        changed = "、".join(details["fields"]) or "（无字段差异）"
        who = "、".join(dict.fromkeys(e["username"] for e in details["edits"])) or "未知"
        raise Conflict(f"{label}已被他人修改（您读取的是第 {expected} 版，当前为第 {obj.version} 版；"
                       f"修改人：{who}；变化的字段：{changed}），请刷新后重试", details)


def apply_fields(obj, data: dict, names: tuple[str, ...], replace: bool, defaults: dict) -> None:
    for name in names:
        if name in data:
            setattr(obj, name, data[name])
        elif replace and name in defaults:
            setattr(obj, name, defaults[name])


def _unique(session, model, column, value, label: str, field: str, exclude_id=None) -> None:
    query = select(model.id).where(column == value)
    if exclude_id is not None:
        query = query.where(model.id != exclude_id)
    if session.scalar(query) is not None:
        raise ValidationFailed({field: [f"{label}“{value}”已存在"]})


# ---- units ------------------------------------------------------------------------------------

def _auth_units(ctx: Context, data: dict) -> None:
    require_role(ctx, "bureau")


def _set_unit_parent(ctx: Context, unit: Unit, data: dict) -> None:
    if "parent" in data:
        parent = get_unit(ctx.session, data["parent"], "parent") if data["parent"] else None
        if parent is not None and parent.id == unit.id:
            raise ValidationFailed({"parent": ["上级主管单位不能是本单位"]})
        unit.parent = parent


@action("unit_create", auth=_auth_units, schema=schemas.UnitSchema)
def unit_create(ctx: Context, data: dict) -> dict:
    """Register a unit (部门/单位)."""
    _unique(ctx.session, Unit, Unit.code, data["code"], "单位代码", "code")
    _unique(ctx.session, Unit, Unit.name, data["name"], "单位名称", "name")
    unit = Unit(**{k: data[k] for k in UNIT_FIELDS if k in data})
    _set_unit_parent(ctx, unit, data)
    ctx.session.add(unit)
    ctx.session.flush()
    audit.record(ctx, "unit_create", "unit", unit.id, None, audit.snapshot(unit), unit.name)
    return unit_dict(unit)


def _unit_write(ctx: Context, data: dict, replace: bool, name: str) -> dict:
    unit = get_unit(ctx.session, data["id"], "id")
    check_version(unit, data, "单位")
    before = audit.snapshot(unit)
    if "code" in data:
        _unique(ctx.session, Unit, Unit.code, data["code"], "单位代码", "code", unit.id)
    if "name" in data:
        _unique(ctx.session, Unit, Unit.name, data["name"], "单位名称", "name", unit.id)
    apply_fields(unit, data, UNIT_FIELDS, replace, {"kind": "department", "description": ""})
    _set_unit_parent(ctx, unit, data if not replace or "parent" in data else {**data, "parent": None})
    ctx.session.flush()
    after = audit.snapshot(unit)
    audit.record(ctx, name, "unit", unit.id, before, after, unit.name)
    if (before["code"], before["name"]) != (after["code"], after["name"]):
        _resources_renamed(ctx, InformationResource.unit_id == unit.id)
    return unit_dict(unit)


@action("unit_update", auth=_auth_units, schema=schemas.UnitUpdateSchema)
def unit_update(ctx: Context, data: dict) -> dict:
    """Replace a unit's fields."""
    return _unit_write(ctx, data, True, "unit_update")


@action("unit_patch", auth=_auth_units, schema=schemas.UnitUpdateSchema, partial=True)
def unit_patch(ctx: Context, data: dict) -> dict:
    """Change only the given fields of a unit."""
    return _unit_write(ctx, data, False, "unit_patch")


@action("unit_delete", auth=_auth_units, schema=schemas.IdSchema)
def unit_delete(ctx: Context, data: dict) -> dict:
    """Delete a unit that has no systems, users or subordinate units."""
    unit = get_unit(ctx.session, data["id"], "id")
    from registry.models import User
    for model, column, what in ((InformationSystem, InformationSystem.unit_id, "信息系统"),
                                (Unit, Unit.parent_id, "下属单位"), (User, User.unit_id, "用户")):
        if ctx.session.scalar(select(func.count()).select_from(model).where(column == unit.id)):
            raise Conflict(f"单位“{unit.name}”仍有{what}，不能删除")
    before = audit.snapshot(unit)
    ctx.session.delete(unit)
    ctx.session.flush()
    audit.record(ctx, "unit_delete", "unit", data["id"] if isinstance(data["id"], int) else before["id"],
                 before, None, before["name"])
    return {"id": before["id"], "deleted": True}


# ---- systems ----------------------------------------------------------------------------------

def _auth_system_create(ctx: Context, data: dict) -> None:
    require_unit_writer(ctx, get_unit(ctx.session, data.get("unit"), "unit").id)


def _auth_system_write(ctx: Context, data: dict) -> None:
    require_unit_writer(ctx, get_system(ctx.session, data.get("id"), "id").unit_id)


def new_slug(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(5)}"


@action("system_create", auth=_auth_system_create, schema=schemas.SystemSchema)
def system_create(ctx: Context, data: dict) -> dict:
    """Register an information system of a unit. Directory membership is the Bureau's decision."""
    unit = get_unit(ctx.session, data["unit"], "unit")
    data["code"] = data.get("code") or new_slug(unit.code)
    _unique(ctx.session, InformationSystem, InformationSystem.code, data["code"], "系统代码", "code")
    _unique_system_name(ctx, unit.id, data["name"])
    system = InformationSystem(unit=unit, **{k: data[k] for k in SYSTEM_FIELDS if k in data})
    ctx.session.add(system)
    ctx.session.flush()
    audit.record(ctx, "system_create", "system", system.id, None, audit.snapshot(system), system.name)
    return system_dict(system)


def _unique_system_name(ctx: Context, unit_id: int, name: str, exclude_id=None) -> None:
    query = select(InformationSystem.id).where(InformationSystem.unit_id == unit_id,
                                               InformationSystem.name == name)
    if exclude_id is not None:
        query = query.where(InformationSystem.id != exclude_id)
    if ctx.session.scalar(query) is not None:
        raise ValidationFailed({"name": [f"本单位已有名为“{name}”的信息系统"]})


def _system_write(ctx: Context, data: dict, replace: bool, name: str) -> dict:
    system = get_system(ctx.session, data["id"], "id")
    check_version(system, data, "信息系统")
    if "unit" in data and get_unit(ctx.session, data["unit"], "unit").id != system.unit_id:
        raise ValidationFailed({"unit": ["信息系统的所属单位不能通过修改变更"]})
    before = audit.snapshot(system)
    if data.get("code"):
        _unique(ctx.session, InformationSystem, InformationSystem.code, data["code"], "系统代码", "code",
                system.id)
    else:
        data.pop("code", None)
    if "name" in data:
        _unique_system_name(ctx, system.unit_id, data["name"], system.id)
    apply_fields(system, data, SYSTEM_FIELDS, replace,
                 {"aliases": [], "description": "", "status": "running", "network": "egov"})
    ctx.session.flush()
    after = audit.snapshot(system)
    audit.record(ctx, name, "system", system.id, before, after, system.name)
    if (before["code"], before["name"]) != (after["code"], after["name"]):
        _resources_renamed(ctx, InformationResource.system_id == system.id)
    return system_dict(system)


@action("system_update", auth=_auth_system_write, schema=schemas.SystemUpdateSchema)
def system_update(ctx: Context, data: dict) -> dict:
    """Replace a system's fields."""
    return _system_write(ctx, data, True, "system_update")


@action("system_patch", auth=_auth_system_write, schema=schemas.SystemUpdateSchema, partial=True)
def system_patch(ctx: Context, data: dict) -> dict:
    """Change only the given fields of a system."""
    return _system_write(ctx, data, False, "system_patch")


@action("system_delete", auth=_auth_system_write, schema=schemas.IdSchema)
def system_delete(ctx: Context, data: dict) -> dict:
    """Delete a system and its catalog (every resource and item is in the audit log)."""
    system = get_system(ctx.session, data["id"], "id")
    for res in list(system.resources):
        delete_resource(ctx, res, "system_delete")
    before = audit.snapshot(system)
    ctx.session.delete(system)
    ctx.session.flush()
    audit.record(ctx, "system_delete", "system", before["id"], before, None, before["name"])
    return {"id": before["id"], "deleted": True}


def _resources_renamed(ctx: Context, condition) -> None:
    """A unit or system renamed: its resources' search documents carry the old name."""
    ctx.changed_resources.update(ctx.session.scalars(select(InformationResource.id).where(condition)))


def delete_resource(ctx: Context, res: InformationResource, action_name: str) -> None:
    before = {**audit.snapshot(res), "items": [audit.snapshot(i) for i in res.items]}
    ctx.changed_resources.add(res.id)  # (system_delete too: its items' mappings and findings must go)
    ctx.session.delete(res)
    ctx.session.flush()
    audit.record(ctx, action_name, "resource", before["id"], before, None, before["title"])
