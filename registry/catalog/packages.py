"""Information resources (CKAN packages) and their items: auth and input here, the write itself
in `registry.catalog.store` (the one writer of the catalog)."""
from __future__ import annotations

from catalog_schema import schemas
from registry.catalog import store
from registry.core.actions import Context, action
from registry.core.authz import require_unit_writer
from importers.provided import for_items
from registry.catalog.dictize import item_dict, package_dict
from registry.core.errors import ValidationFailed
from registry.catalog.lookup import get_item, get_resource, get_system


def _auth_package_create(ctx: Context, data: dict) -> None:
    require_unit_writer(ctx, get_system(ctx.session, data.get("system"), "system").unit_id)


def _auth_package_write(ctx: Context, data: dict) -> None:
    require_unit_writer(ctx, get_resource(ctx.session, data.get("id"), "id").unit_id)


@action("package_create", auth=_auth_package_create, schema=schemas.ResourceSchema)
def package_create(ctx: Context, data: dict) -> dict:
    """Register an information resource of a system, with its items (the data dictionary)."""
    system = get_system(ctx.session, data["system"], "system")
    res = store.create_resource(ctx, system, data, "package_create")
    return {**package_dict(res), **for_items(ctx, res, res.items)}   # warn before collecting (issue 16)


def _package_write(ctx: Context, data: dict, replace: bool, name: str) -> dict:
    res = get_resource(ctx.session, data["id"], "id")
    if "system" in data and get_system(ctx.session, data["system"], "system").id != res.system_id:
        raise ValidationFailed({"system": ["信息资源的所属系统不能通过修改变更"]})
    res = store.write_resource(ctx, res, data, replace, name)
    return {**package_dict(res), **for_items(ctx, res, res.items)}   # warn before collecting (issue 16)


@action("package_update", auth=_auth_package_write, schema=schemas.ResourceUpdateSchema)
def package_update(ctx: Context, data: dict) -> dict:
    """Replace an information resource, items included."""
    return _package_write(ctx, data, True, "package_update")


@action("package_patch", auth=_auth_package_write, schema=schemas.ResourceUpdateSchema, partial=True)
def package_patch(ctx: Context, data: dict) -> dict:
    """Change only the given fields; items only when `items` is given."""
    return _package_write(ctx, data, False, "package_patch")


@action("package_delete", auth=_auth_package_write, schema=schemas.IdSchema)
def package_delete(ctx: Context, data: dict) -> dict:
    """Delete an information resource and its items."""
    before = store.delete_resource(ctx, get_resource(ctx.session, data["id"], "id"), "package_delete")
    return {"id": before["id"], "deleted": True}


# ---- items ------------------------------------------------------------------------------------

def _auth_item_create(ctx: Context, data: dict) -> None:
    require_unit_writer(ctx, get_resource(ctx.session, data.get("resource"), "resource").unit_id)


def _auth_item_write(ctx: Context, data: dict) -> None:
    require_unit_writer(ctx, get_item(ctx.session, data.get("id"), "id").resource.unit_id)


@action("item_create", auth=_auth_item_create, schema=schemas.ItemCreateSchema)
def item_create(ctx: Context, data: dict) -> dict:
    """Add an item to a resource (the resource's version moves)."""
    res = get_resource(ctx.session, data["resource"], "resource")
    item = store.create_item(ctx, res, data, "item_create")
    return {**item_dict(item), **for_items(ctx, res, [item])}   # warn before collecting (issue 16)


def _item_write(ctx: Context, data: dict, replace: bool, name: str) -> dict:
    item = get_item(ctx.session, data["id"], "id")
    item = store.write_item(ctx, item, data, replace, name)
    return {**item_dict(item), **for_items(ctx, item.resource, [item])}   # warn before collecting


@action("item_update", auth=_auth_item_write, schema=schemas.ItemUpdateSchema)
def item_update(ctx: Context, data: dict) -> dict:
    """Replace an item's fields (the resource's version moves)."""
    return _item_write(ctx, data, True, "item_update")


@action("item_patch", auth=_auth_item_write, schema=schemas.ItemUpdateSchema, partial=True)
def item_patch(ctx: Context, data: dict) -> dict:
    """Change only the given fields of an item (the resource's version moves)."""
    return _item_write(ctx, data, False, "item_patch")


@action("item_delete", auth=_auth_item_write, schema=schemas.IdSchema)
def item_delete(ctx: Context, data: dict) -> dict:
    """Delete an item (the resource's version moves)."""
    before = store.delete_item(ctx, get_item(ctx.session, data["id"], "id"), "item_delete")
    return {"id": before["id"], "deleted": True}
