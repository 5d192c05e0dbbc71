"""Information resources (CKAN packages) and their items."""
from __future__ import annotations

from catalog_schema import schemas
from registry import audit
from registry.actions.base import Context, action
from registry.actions.catalog import (ITEM_FIELDS, RESOURCE_FIELDS, _unique, apply_fields, check_version,
                                      delete_resource, new_slug)
from registry.authz import require_unit_writer
from importers.provided import for_items
from registry.dictize import item_dict, package_dict
from registry.errors import ValidationFailed
from registry.lookup import get_item, get_resource, get_system
from registry.models import InformationItem, InformationResource
from sqlalchemy import select

RESOURCE_DEFAULTS = {"resource_code": None, "format_class": None, "format_type": None,
                     "sharing_method": None, "open_to_public": False, "open_conditions": "",
                     "update_cycle": None, "description": ""}


def _auth_package_create(ctx: Context, data: dict) -> None:
    require_unit_writer(ctx, get_system(ctx.session, data.get("system"), "system").unit_id)


def _auth_package_write(ctx: Context, data: dict) -> None:
    require_unit_writer(ctx, get_resource(ctx.session, data.get("id"), "id").unit_id)


def _unique_title(ctx: Context, system_id: int, title: str, exclude_id=None) -> None:
    query = select(InformationResource.id).where(InformationResource.system_id == system_id,
                                                 InformationResource.title == title)
    if exclude_id is not None:
        query = query.where(InformationResource.id != exclude_id)
    if ctx.session.scalar(query) is not None:
        raise ValidationFailed({"title": [f"该系统已有名为“{title}”的信息资源"]})


def replace_items(ctx: Context, res: InformationResource, items: list[dict]) -> None:
    """Make the resource's items exactly `items` (upsert by name; the rest deleted)."""
    existing = {i.name: i for i in res.items}
    keep = []
    for position, data in enumerate(items):
        item = existing.pop(data["name"], None) or InformationItem(name=data["name"])
        apply_fields(item, {"position": position, **data}, ITEM_FIELDS, True,
                     {"data_type": None, "data_length": None, "sharing_type": None})
        keep.append(item)
    for gone in existing.values():
        res.items.remove(gone)
    res.items[:] = keep


def package_snapshot(res: InformationResource) -> dict:
    return {**audit.snapshot(res), "items": [audit.snapshot(i, ("version",)) for i in res.items]}


@action("package_create", auth=_auth_package_create, schema=schemas.ResourceSchema)
def package_create(ctx: Context, data: dict) -> dict:
    """Register an information resource of a system, with its items (the data dictionary)."""
    system = get_system(ctx.session, data["system"], "system")
    data["name"] = data.get("name") or new_slug("res")
    _unique(ctx.session, InformationResource, InformationResource.name, data["name"], "资源标识", "name")
    _unique_title(ctx, system.id, data["title"])
    res = InformationResource(system=system, unit_id=system.unit_id,
                              **{k: data[k] for k in RESOURCE_FIELDS if k in data})
    ctx.session.add(res)
    replace_items(ctx, res, data.get("items") or [])
    ctx.session.flush()
    audit.record(ctx, "package_create", "resource", res.id, None, package_snapshot(res), res.title)
    notify_changed(ctx, res.id)
    return {**package_dict(res), **for_items(ctx, res, res.items)}   # warn before collecting (issue 16)


def _package_write(ctx: Context, data: dict, replace: bool, name: str) -> dict:
    res = get_resource(ctx.session, data["id"], "id")
    check_version(res, data, "信息资源")
    if "system" in data and get_system(ctx.session, data["system"], "system").id != res.system_id:
        raise ValidationFailed({"system": ["信息资源的所属系统不能通过修改变更"]})
    before = package_snapshot(res)
    if not data.get("name"):
        data.pop("name", None)
    else:
        _unique(ctx.session, InformationResource, InformationResource.name, data["name"], "资源标识", "name",
                res.id)
    if "title" in data:
        _unique_title(ctx, res.system_id, data["title"], res.id)
    apply_fields(res, data, RESOURCE_FIELDS, replace, RESOURCE_DEFAULTS)
    if data.get("items") is not None or replace:
        replace_items(ctx, res, data.get("items") or [])
    ctx.session.flush()
    audit.record(ctx, name, "resource", res.id, before, package_snapshot(res), res.title)
    notify_changed(ctx, res.id)
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
    res = get_resource(ctx.session, data["id"], "id")
    resource_id = res.id
    delete_resource(ctx, res, "package_delete")
    notify_changed(ctx, resource_id)
    return {"id": resource_id, "deleted": True}


# ---- items ------------------------------------------------------------------------------------

def _auth_item_create(ctx: Context, data: dict) -> None:
    require_unit_writer(ctx, get_resource(ctx.session, data.get("resource"), "resource").unit_id)


def _auth_item_write(ctx: Context, data: dict) -> None:
    require_unit_writer(ctx, get_item(ctx.session, data.get("id"), "id").resource.unit_id)


def _unique_item(ctx: Context, resource_id: int, name: str, exclude_id=None) -> None:
    query = select(InformationItem.id).where(InformationItem.resource_id == resource_id,
                                             InformationItem.name == name)
    if exclude_id is not None:
        query = query.where(InformationItem.id != exclude_id)
    if ctx.session.scalar(query) is not None:
        raise ValidationFailed({"name": [f"该信息资源已有名为“{name}”的信息项"]})


@action("item_create", auth=_auth_item_create, schema=schemas.ItemCreateSchema)
def item_create(ctx: Context, data: dict) -> dict:
    """Add an item to a resource."""
    res = get_resource(ctx.session, data["resource"], "resource")
    _unique_item(ctx, res.id, data["name"])
    position = data.get("position", len(res.items))
    item = InformationItem(**{k: data[k] for k in ITEM_FIELDS if k in data}, resource_id=res.id)
    item.position = position
    ctx.session.add(item)
    ctx.session.flush()
    audit.record(ctx, "item_create", "item", item.id, None, audit.snapshot(item), item.name)
    notify_changed(ctx, res.id)
    return {**item_dict(item), **for_items(ctx, res, [item])}   # warn before collecting (issue 16)


def _item_write(ctx: Context, data: dict, replace: bool, name: str) -> dict:
    item = get_item(ctx.session, data["id"], "id")
    check_version(item, data, "信息项")
    before = audit.snapshot(item)
    if "name" in data:
        _unique_item(ctx, item.resource_id, data["name"], item.id)
    apply_fields(item, data, ITEM_FIELDS, replace,
                 {"data_type": None, "data_length": None, "sharing_type": None})
    ctx.session.flush()
    audit.record(ctx, name, "item", item.id, before, audit.snapshot(item), item.name)
    notify_changed(ctx, item.resource_id)
    return {**item_dict(item), **for_items(ctx, item.resource, [item])}   # warn before collecting


@action("item_update", auth=_auth_item_write, schema=schemas.ItemUpdateSchema)
def item_update(ctx: Context, data: dict) -> dict:
    """Replace an item's fields."""
    return _item_write(ctx, data, True, "item_update")


@action("item_patch", auth=_auth_item_write, schema=schemas.ItemUpdateSchema, partial=True)
def item_patch(ctx: Context, data: dict) -> dict:
    """Change only the given fields of an item."""
    return _item_write(ctx, data, False, "item_patch")


@action("item_delete", auth=_auth_item_write, schema=schemas.IdSchema)
def item_delete(ctx: Context, data: dict) -> dict:
    """Delete an item."""
    item = get_item(ctx.session, data["id"], "id")
    before = audit.snapshot(item)
    resource_id = item.resource_id
    ctx.session.delete(item)
    ctx.session.flush()
    audit.record(ctx, "item_delete", "item", before["id"], before, None, before["name"])
    notify_changed(ctx, resource_id)
    return {"id": before["id"], "deleted": True}


def notify_changed(ctx: Context, resource_id: int) -> None:
    """Tell the search layer which resource changed (indexed in the transaction or after it)."""
    ctx.changed_resources.add(resource_id)
