"""Create/update/patch/delete of units and systems: auth and input here, the write itself in
`registry.catalog.store` (the one writer of the catalog).

Each write: auth → validate (call_action) → write (versions, audit, search refresh) → flush. The
boundary commits. `*_update` replaces every editable field (absent → default); `*_patch` changes
only the fields given.
"""
from __future__ import annotations

from catalog_schema import schemas
from registry.catalog import store
from registry.core.actions import Context, action
from registry.core.authz import require_role, require_unit_writer
from registry.core.conflicts import check_version  # noqa: F401  (projects and sharing import it from here)
from registry.catalog.dictize import system_dict, unit_dict
from registry.core.errors import ValidationFailed
from registry.catalog.lookup import get_system, get_unit

# ---- units ------------------------------------------------------------------------------------

def _auth_units(ctx: Context, data: dict) -> None:
    require_role(ctx, "bureau")


@action("unit_create", auth=_auth_units, schema=schemas.UnitSchema)
def unit_create(ctx: Context, data: dict) -> dict:
    """Register a unit (部门/单位)."""
    return unit_dict(store.create_unit(ctx, data, "unit_create"))


def _unit_write(ctx: Context, data: dict, replace: bool, name: str) -> dict:
    unit = get_unit(ctx.session, data["id"], "id")
    return unit_dict(store.write_unit(ctx, unit, data, replace, name))


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
    before = store.delete_unit(ctx, get_unit(ctx.session, data["id"], "id"), "unit_delete")
    return {"id": before["id"], "deleted": True}


# ---- systems ----------------------------------------------------------------------------------

def _auth_system_create(ctx: Context, data: dict) -> None:
    require_unit_writer(ctx, get_unit(ctx.session, data.get("unit"), "unit").id)


def _auth_system_write(ctx: Context, data: dict) -> None:
    require_unit_writer(ctx, get_system(ctx.session, data.get("id"), "id").unit_id)


@action("system_create", auth=_auth_system_create, schema=schemas.SystemSchema)
def system_create(ctx: Context, data: dict) -> dict:
    """Register an information system of a unit. Directory membership is the Bureau's decision."""
    unit = get_unit(ctx.session, data["unit"], "unit")
    return system_dict(store.create_system(ctx, unit, data, "system_create"))


def _system_write(ctx: Context, data: dict, replace: bool, name: str) -> dict:
    system = get_system(ctx.session, data["id"], "id")
    if "unit" in data and get_unit(ctx.session, data["unit"], "unit").id != system.unit_id:
        raise ValidationFailed({"unit": ["信息系统的所属单位不能通过修改变更"]})
    return system_dict(store.write_system(ctx, system, data, replace, name))


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
    before = store.delete_system(ctx, get_system(ctx.session, data["id"], "id"), "system_delete")
    return {"id": before["id"], "deleted": True}
