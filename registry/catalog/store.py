"""The one writer of the catalog: how units, systems, resources and items are written.

Every write of the catalog comes through here: the per-record actions (`registry/catalog/actions.py`,
`registry/catalog/packages.py`), the web forms (which call those actions) and the bulk import
(`importers/catalog_writer.py`, which uses the bulk functions at the end of this module). So there
is one list of fields, one set of defaults, one rule for versions and one shape of audit row.

Versions: a record's version moves exactly when one of its columns changes. An item belongs to
its resource's record: creating, changing or deleting an item also moves the resource's version,
so a whole-resource save sent with a version read before an item edit is refused (409) instead of
silently undoing the item edit.

Audit rows, at the grain of the record changed: one row per changed unit, system or item, and one
row per resource whose version moved, its items inside (the shape of `resource_snapshot`). A
created or deleted resource is one row with its items inside. `registry.core.conflicts` reads these
rows back to explain a 409, so the rows and the versions must move together.

Search and findings: every resource whose searchable text changed is put in
`ctx.changed_resources`; the boundary (`registry.core.runtime`) indexes them.
"""
from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import bindparam, delete, func, insert, select, update

from registry.core import audit
from registry.core.conflicts import check_version
from registry.core.db import in_chunks, utcnow
from registry.core.errors import Conflict, ValidationFailed
from registry.measures import cite
from registry.core.audit_log import AuditLog
from registry.catalog.models import InformationItem, InformationResource, InformationSystem, Unit

UNIT_FIELDS = ("code", "name", "kind", "description")
UNIT_DEFAULTS = {"kind": "department", "description": ""}
SYSTEM_FIELDS = ("code", "name", "aliases", "description", "status", "network")
SYSTEM_DEFAULTS = {"aliases": [], "description": "", "status": "running", "network": "egov"}
RESOURCE_FIELDS = ("name", "title", "resource_code", "format_class", "format_type", "sharing_type",
                   "sharing_method", "open_to_public", "open_conditions", "update_cycle", "description")
RESOURCE_DEFAULTS = {"resource_code": None, "format_class": None, "format_type": None,
                     "sharing_method": None, "open_to_public": False, "open_conditions": "",
                     "update_cycle": None, "description": ""}
ITEM_FIELDS = ("name", "data_type", "data_length", "sharing_type", "position")
ITEM_DEFAULTS = {"data_type": None, "data_length": None, "sharing_type": None}
# the resource fields an Attachment 2 form (and so an import) carries besides the title
FORM_FIELDS = ("format_class", "format_type", "sharing_type", "sharing_method", "open_to_public",
               "open_conditions", "update_cycle")

R, I = InformationResource.__table__, InformationItem.__table__


def new_slug(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(5)}"


def apply_fields(obj, data: dict, names: tuple[str, ...], replace: bool, defaults: dict) -> None:
    for name in names:
        if name in data:
            setattr(obj, name, data[name])
        elif replace and name in defaults:
            setattr(obj, name, defaults[name])


def _unique(session, model, column, value, label: str, field: str, exclude_id=None, *scope) -> None:
    query = select(model.id).where(column == value, *scope)
    if exclude_id is not None:
        query = query.where(model.id != exclude_id)
    if session.scalar(query) is not None:
        raise ValidationFailed({field: [label.format(value=value)]})


def resources_renamed(ctx, condition) -> None:
    """A unit or system renamed: its resources' search documents carry the old name."""
    ctx.changed_resources.update(ctx.session.scalars(select(InformationResource.id).where(condition)))


def _added(ctx, obj, action: str, entity: str):
    """A new unit or system: stored, then its audit row."""
    ctx.session.add(obj)
    ctx.session.flush()
    audit.record(ctx, action, entity, obj.id, None, audit.snapshot(obj), obj.name)
    return obj


def _changed(ctx, obj, before: dict, action: str, entity: str, resources_of) -> None:
    """A unit or system changed: its audit row; renamed, its resources' search documents refresh."""
    ctx.session.flush()
    after = audit.snapshot(obj)
    audit.record(ctx, action, entity, obj.id, before, after, obj.name)
    if (before["code"], before["name"]) != (after["code"], after["name"]):
        resources_renamed(ctx, resources_of == obj.id)


def _deleted(ctx, obj, action: str, entity: str) -> dict:
    before = audit.snapshot(obj)
    ctx.session.delete(obj)
    ctx.session.flush()
    audit.record(ctx, action, entity, before["id"], before, None, before["name"])
    return before


# ---- units ------------------------------------------------------------------------------------

def _unit_checks(ctx, data: dict, exclude_id=None) -> None:
    if "code" in data:
        _unique(ctx.session, Unit, Unit.code, data["code"], "单位代码“{value}”已存在", "code", exclude_id)
    if "name" in data:
        _unique(ctx.session, Unit, Unit.name, data["name"], "单位名称“{value}”已存在", "name", exclude_id)


def _set_unit_parent(ctx, unit: Unit, data: dict) -> None:
    from registry.catalog.lookup import get_unit
    if "parent" in data:
        parent = get_unit(ctx.session, data["parent"], "parent") if data["parent"] else None
        if parent is not None and parent.id == unit.id:
            raise ValidationFailed({"parent": ["上级主管单位不能是本单位"]})
        unit.parent = parent


def create_unit(ctx, data: dict, action: str) -> Unit:
    _unit_checks(ctx, data)
    unit = Unit(**{k: data[k] for k in UNIT_FIELDS if k in data})
    _set_unit_parent(ctx, unit, data)
    return _added(ctx, unit, action, "unit")


def write_unit(ctx, unit: Unit, data: dict, replace: bool, action: str) -> Unit:
    """`replace`: every editable field not given goes back to its default (`*_update`)."""
    check_version(unit, data, "单位")
    before = audit.snapshot(unit)
    _unit_checks(ctx, data, unit.id)
    apply_fields(unit, data, UNIT_FIELDS, replace, UNIT_DEFAULTS)
    _set_unit_parent(ctx, unit, data if not replace or "parent" in data else {**data, "parent": None})
    _changed(ctx, unit, before, action, "unit", InformationResource.unit_id)
    return unit


def delete_unit(ctx, unit: Unit, action: str) -> dict:
    from registry.accounts.models import User
    for model, column, what in ((InformationSystem, InformationSystem.unit_id, "信息系统"),
                                (Unit, Unit.parent_id, "下属单位"), (User, User.unit_id, "用户")):
        if ctx.session.scalar(select(func.count()).select_from(model).where(column == unit.id)):
            raise Conflict(f"单位“{unit.name}”仍有{what}，不能删除")
    return _deleted(ctx, unit, action, "unit")


# ---- systems ----------------------------------------------------------------------------------

def _system_checks(ctx, unit_id: int, data: dict, exclude_id=None) -> None:
    if data.get("code"):
        _unique(ctx.session, InformationSystem, InformationSystem.code, data["code"], "系统代码“{value}”已存在",
                "code", exclude_id)
    if "name" in data:
        _unique(ctx.session, InformationSystem, InformationSystem.name, data["name"],
                "本单位已有名为“{value}”的信息系统", "name", exclude_id, InformationSystem.unit_id == unit_id)


def _directory_owns_merged(system: InformationSystem | None, data: dict, replace: bool) -> None:
    """整合 (merged) is the master directory's decision (registry/funding/directory.py), never a
    department's edit: a system cannot be set to it, nor taken out of it, by a catalog write."""
    current = system.status if system is not None else None
    wanted = data.get("status")
    if current == "merged":
        if wanted not in (None, "merged"):
            raise ValidationFailed({"status": [f"该系统已由大数据局在总目录中整合，状态不能在此修改（{cite(28)}）"]})
        if replace:
            data["status"] = "merged"   # a whole-record save keeps the directory's decision
    elif wanted == "merged":
        raise ValidationFailed({"status": [f"“整合”只能由大数据局在总目录中决定（{cite(28)}）"]})


def create_system(ctx, unit: Unit, data: dict, action: str) -> InformationSystem:
    """A system starts outside the master directory: admitting it is the directory's decision."""
    _directory_owns_merged(None, data, False)
    data["code"] = data.get("code") or new_slug(unit.code)
    _system_checks(ctx, unit.id, data)
    return _added(ctx, InformationSystem(unit=unit, **{k: data[k] for k in SYSTEM_FIELDS if k in data}),
                  action, "system")


def write_system(ctx, system: InformationSystem, data: dict, replace: bool, action: str) -> InformationSystem:
    check_version(system, data, "信息系统")
    _directory_owns_merged(system, data, replace)
    if not data.get("code"):
        data.pop("code", None)
    before = audit.snapshot(system)
    _system_checks(ctx, system.unit_id, data, system.id)
    apply_fields(system, data, SYSTEM_FIELDS, replace, SYSTEM_DEFAULTS)
    _changed(ctx, system, before, action, "system", InformationResource.system_id)
    return system


def delete_system(ctx, system: InformationSystem, action: str) -> dict:
    """A system goes with its catalog: every resource (items inside) gets its own audit row."""
    for res in list(system.resources):
        delete_resource(ctx, res, action)
    return _deleted(ctx, system, action, "system")


# ---- resources --------------------------------------------------------------------------------

def item_snapshot(item: InformationItem) -> dict:
    return audit.snapshot(item, ("version",))


def resource_snapshot(res: InformationResource) -> dict:
    """A resource's audit shape: its columns and its items (in position order)."""
    items = sorted(res.items, key=lambda i: (i.position or 0, i.id or 0))
    return {**audit.snapshot(res), "items": [item_snapshot(i) for i in items]}


def _unique_title(ctx, system_id: int, title: str, exclude_id=None) -> None:
    _unique(ctx.session, InformationResource, InformationResource.title, title, "该系统已有名为“{value}”的信息资源",
            "title", exclude_id, InformationResource.system_id == system_id)


def _resource_checks(ctx, system_id: int, data: dict, exclude_id=None) -> None:
    if data.get("name"):
        _unique(ctx.session, InformationResource, InformationResource.name, data["name"], "资源标识“{value}”已存在",
                "name", exclude_id)
    if "title" in data:
        _unique_title(ctx, system_id, data["title"], exclude_id)


def create_resource(ctx, system: InformationSystem, data: dict, action: str) -> InformationResource:
    data["name"] = data.get("name") or new_slug("res")
    _resource_checks(ctx, system.id, data)
    res = InformationResource(system=system, unit_id=system.unit_id,
                              **{k: data[k] for k in RESOURCE_FIELDS if k in data})
    ctx.session.add(res)
    for position, values in enumerate(data.get("items") or []):
        res.items.append(_new_item({"position": position, **values}))
    ctx.session.flush()
    audit.record(ctx, action, "resource", res.id, None, resource_snapshot(res), res.title)
    ctx.changed_resources.add(res.id)
    return res


def write_resource(ctx, res: InformationResource, data: dict, replace: bool, action: str) -> InformationResource:
    """A whole-resource save (`replace`) or a patch; items are replaced when `items` is given."""
    check_version(res, data, "信息资源", resource_snapshot)
    if not data.get("name"):
        data.pop("name", None)
    before = resource_snapshot(res)
    _resource_checks(ctx, res.system_id, data, res.id)
    apply_fields(res, data, RESOURCE_FIELDS, replace, RESOURCE_DEFAULTS)
    changes = []
    if data.get("items") is not None or replace:
        changes = _replace_items(ctx, res, data.get("items") or [])
    if changes:
        _touch(res)   # the resource's own UPDATE, checked against the version read (one bump)
    ctx.session.flush()
    _record_items(ctx, action, changes)
    _record_resource(ctx, action, res, before)
    return res


def _replace_items(ctx, res: InformationResource, items: list[dict]) -> list[tuple]:
    """Make the resource's items exactly `items` (matched by name; the rest deleted).

    Returns (item, before snapshot or None) for every created or changed item and
    (None, before snapshot) for every deleted one, for the audit rows written after the flush."""
    existing = {i.name: i for i in res.items}
    keep, changes = [], []
    for position, values in enumerate(items):
        item = existing.pop(values["name"], None)
        if item is None:
            item = _new_item({"position": position, **values})
            changes.append((item, None))
        else:
            before = item_snapshot(item)
            apply_fields(item, {"position": position, **values}, ITEM_FIELDS, True, ITEM_DEFAULTS)
            if ctx.session.is_modified(item):
                changes.append((item, before))
        keep.append(item)
    changes += [(None, item_snapshot(gone)) for gone in existing.values()]
    res.items[:] = keep
    return changes


def _new_item(values: dict) -> InformationItem:
    return InformationItem(**{**ITEM_DEFAULTS, **{k: values[k] for k in ITEM_FIELDS if k in values}})


def _touch(res: InformationResource) -> None:
    res.modified = utcnow()


def _record_items(ctx, action: str, changes: list[tuple]) -> None:
    for item, before in changes:
        after = item_snapshot(item) if item is not None else None
        entity_id = (after or before)["id"]
        audit.record(ctx, action, "item", entity_id, before, after, (after or before)["name"])


def _record_resource(ctx, action: str, res: InformationResource, before: dict) -> None:
    after = resource_snapshot(res)
    if any(after[k] != before.get(k) for k in after if k not in ("version", "modified")):
        audit.record(ctx, action, "resource", res.id, before, after, res.title)
    ctx.changed_resources.add(res.id)


def delete_resource(ctx, res: InformationResource, action: str) -> dict:
    before = resource_snapshot(res)
    ctx.changed_resources.add(res.id)  # (system_delete too: its items' mappings and findings must go)
    ctx.session.delete(res)
    ctx.session.flush()
    audit.record(ctx, action, "resource", before["id"], before, None, before["title"])
    return before


# ---- items ------------------------------------------------------------------------------------

def _unique_item(ctx, resource_id: int, name: str, exclude_id=None) -> None:
    _unique(ctx.session, InformationItem, InformationItem.name, name, "该信息资源已有名为“{value}”的信息项", "name",
            exclude_id, InformationItem.resource_id == resource_id)


def _bump_for_item(ctx, res: InformationResource) -> None:
    """An item changed: its resource's version moves too. Not checked against a version read
    (the item's own version was): two editors of two items of one resource both succeed."""
    ctx.session.execute(update(R).where(R.c.id == res.id).values(version=R.c.version + 1, modified=utcnow()))
    ctx.session.expire(res, ["version", "modified"])


def create_item(ctx, res: InformationResource, data: dict, action: str) -> InformationItem:
    _unique_item(ctx, res.id, data["name"])
    before = resource_snapshot(res)
    item = _new_item({"position": len(res.items), **data})
    res.items.append(item)
    ctx.session.flush()
    _bump_for_item(ctx, res)
    audit.record(ctx, action, "item", item.id, None, item_snapshot(item), item.name)
    _record_resource(ctx, action, res, before)
    return item


def write_item(ctx, item: InformationItem, data: dict, replace: bool, action: str) -> InformationItem:
    check_version(item, data, "信息项")
    res = item.resource
    before_res = resource_snapshot(res)
    before = item_snapshot(item)
    if "name" in data:
        _unique_item(ctx, item.resource_id, data["name"], item.id)
    apply_fields(item, data, ITEM_FIELDS, replace, ITEM_DEFAULTS)
    changed = ctx.session.is_modified(item)
    ctx.session.flush()
    if changed:
        _bump_for_item(ctx, res)
    audit.record(ctx, action, "item", item.id, before, item_snapshot(item), item.name)
    _record_resource(ctx, action, res, before_res)
    return item


def delete_item(ctx, item: InformationItem, action: str) -> dict:
    res = item.resource
    before_res = resource_snapshot(res)
    before = item_snapshot(item)
    res.items.remove(item)
    ctx.session.flush()
    _bump_for_item(ctx, res)
    audit.record(ctx, action, "item", before["id"], before, None, before["name"])
    _record_resource(ctx, action, res, before_res)
    return before


# ---- bulk: many resources of one system at once (the import) -----------------------------------
# The same defaults, versions and audit rows as above, written with one executemany per kind of
# change. Snapshots are plain dicts in the shape of `resource_snapshot` (items without version).

RESOURCE_COLUMNS = [c for c in R.c if c.key not in ("created", "modified")]
ITEM_COLUMNS = [c for c in I.c if c.key != "version"]


def new_resource_row(system_id: int, unit_id: int, title: str, values: dict, now: datetime) -> dict:
    values = {**RESOURCE_DEFAULTS, **values}
    return {"name": new_slug("res"), "system_id": system_id, "unit_id": unit_id, "title": title,
            **{k: values[k] for k in (*FORM_FIELDS, "resource_code", "description")},
            "version": 1, "created": now, "modified": now}


def new_item_row(resource_id: int, values: dict) -> dict:
    return {"resource_id": resource_id, "name": values["name"], **ITEM_DEFAULTS,
            **{k: values[k] for k in ITEM_FIELDS if k in values and k != "name"}}


class BulkWrite:
    """The changes of one chunk, collected by the caller, then written by `flush()`:
    `new_resources` (row, item rows), `new_items` (rows of existing resources), `item_updates`
    ((before, after) item snapshots), `item_deletes` (item snapshots), `changed` ((before, after)
    resource snapshots, after with its items; version bumped here)."""

    def __init__(self, ctx, action: str, system_id: int, now: datetime):
        self.ctx, self.action, self.system_id, self.now = ctx, action, system_id, now
        self.new_resources: list[tuple[dict, list[dict]]] = []
        self.new_items: list[dict] = []
        self.item_updates: list[tuple[dict, dict]] = []
        self.item_deletes: list[dict] = []
        self.changed: list[tuple[dict, dict]] = []

    def flush(self) -> list[int]:
        """Plain executemany, then the new ids by their keys (title; resource + name): RETURNING
        would make SQLite insert row by row to keep the order. Returns the resources touched."""
        session = self.ctx.session
        created = []
        if self.new_resources:
            session.execute(insert(R), [row for row, _ in self.new_resources])
            ids = dict(session.execute(select(R.c.title, R.c.id).where(
                R.c.system_id == self.system_id, R.c.title.in_([row["title"] for row, _ in self.new_resources]))).all())
            for row, items in self.new_resources:
                rid = ids[row["title"]]
                snap = {"id": rid, **{c.key: row[c.key] for c in RESOURCE_COLUMNS if c.key != "id"}, "items": []}
                for item in items:
                    item["resource_id"] = rid
                    snap["items"].append(item)
                created.append(snap)
        to_insert = [item for snap in created for item in snap["items"]] + self.new_items
        if to_insert:
            session.execute(insert(I), to_insert)
            owners = list({row["resource_id"] for row in to_insert})
            ids = {}
            for part in in_chunks(owners):
                ids.update({(rid, name): iid for iid, rid, name in session.execute(
                    select(I.c.id, I.c.resource_id, I.c.name).where(I.c.resource_id.in_(part)))})
            for row in to_insert:
                row["id"] = ids[(row["resource_id"], row["name"])]
        if self.item_updates:
            session.execute(update(I).where(I.c.id == bindparam("b_id")).values(
                **{k: bindparam("b_" + k) for k in ITEM_FIELDS}, version=I.c.version + 1),
                [{"b_" + k: after[k] for k in ("id", *ITEM_FIELDS)} for _, after in self.item_updates])
        for part in in_chunks([item["id"] for item in self.item_deletes]):
            session.execute(delete(I).where(I.c.id.in_(part)))
        if self.changed:
            session.execute(update(R).where(R.c.id == bindparam("b_id")).values(
                **{k: bindparam("b_" + k) for k in FORM_FIELDS}, modified=self.now, version=R.c.version + 1),
                [{"b_id": after["id"], **{"b_" + k: after[k] for k in FORM_FIELDS}} for _, after in self.changed])
        items = [(None, row) for row in self.new_items] + self.item_updates + [(row, None) for row in self.item_deletes]
        entries = [("item", (after or before)["id"], before, after, (after or before)["name"]) for before, after in items]
        entries += [("resource", snap["id"], None, snap, snap["title"]) for snap in created]
        entries += [("resource", after["id"], before, after, after["title"]) for before, after in self.changed]
        bulk_audit(self.ctx, self.action, self.now, entries)
        touched = [snap["id"] for snap in created] + [after["id"] for _, after in self.changed]
        self.ctx.changed_resources.update(touched)
        return touched


def bulk_delete_resources(ctx, action: str, ids: list[int], now: datetime) -> dict[int, dict]:
    """Delete resources (their items with them), one audit row each, items inside."""
    snapshots: dict[int, dict] = {}
    for part in in_chunks(ids):
        for row in ctx.session.execute(select(*RESOURCE_COLUMNS).where(R.c.id.in_(part))):
            snapshots[row.id] = {**row._mapping, "items": []}
        for row in ctx.session.execute(select(*ITEM_COLUMNS).where(I.c.resource_id.in_(part))
                                       .order_by(I.c.resource_id, I.c.position, I.c.id)):
            snapshots[row.resource_id]["items"].append(dict(row._mapping))
        ctx.session.execute(delete(I).where(I.c.resource_id.in_(part)))
        ctx.session.execute(delete(R).where(R.c.id.in_(part)))
    bulk_audit(ctx, action, now, [("resource", rid, snap, None, snap["title"]) for rid, snap in snapshots.items()])
    ctx.changed_resources.update(snapshots)
    return snapshots


def bulk_audit(ctx, action: str, now: datetime, entries: list[tuple[str, int, dict | None, dict | None, str]]) -> None:
    """(entity type, id, before, after, summary) → audit rows, as `audit.record` writes them."""
    user = ctx.user
    rows = []
    for entity_type, entity_id, before, after, summary in entries:
        before, after = audit.diff(before, after)
        rows.append({"at": now, "user_id": getattr(user, "id", None), "username": ctx.username,
                     "action": action, "entity_type": entity_type, "entity_id": entity_id, "summary": summary,
                     "before": before, "after": after})
    if rows:
        ctx.session.execute(insert(AuditLog), rows)
