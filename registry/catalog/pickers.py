"""The `name_lookup` action behind every picker-by-name (units, systems, projects).

A user never types an id or a code: pickers list records by name, filter as the user types, and
send the id. The page renders the first choices itself (it works without JavaScript); the filter
box asks this action for more when the list is long. The names of units, systems and projects
are public (docs/security.md), so the lookup is too.
"""
from __future__ import annotations

from marshmallow import fields, validate
from sqlalchemy import or_, select

from catalog_schema.fields import Int, Ref, Text
from catalog_schema.schemas import ReadSchema
from registry.core.actions import Context, action
from registry.core.authz import allow_public
from registry.catalog.lookup import get_unit
from registry.catalog.models import InformationSystem, Unit


class LookupSchema(ReadSchema):
    kind = fields.String(required=True, validate=validate.OneOf(
        ["unit", "system", "project"], error="查找对象只能是 unit（单位）、system（信息系统）或 project（项目）"),
        error_messages={"required": "查找对象为必填项"})
    q = Text("名称", max_length=100, load_default="")
    unit = Ref("单位")
    limit = Int("条数", minimum=1, maximum=200, load_default=50)


@action("name_lookup", auth=allow_public, schema=LookupSchema, read_only=True)
def name_lookup(ctx: Context, data: dict) -> dict:
    """Records by name for a picker: {results: [{id, label, hint}]} (kind unit | system | project;
    q: part of the name or code; unit: only that unit's systems or projects)."""
    q, limit, s = data["q"].strip(), data["limit"], ctx.session
    unit = get_unit(s, data["unit"], "unit") if data.get("unit") not in (None, "") else None
    rows: list[dict] = []
    if data["kind"] == "unit":
        stmt = select(Unit.id, Unit.name, Unit.code)
        if q:
            stmt = stmt.where(or_(Unit.name.contains(q, autoescape=True), Unit.code.contains(q, autoescape=True)))
        found = s.execute(stmt.limit(2000)).all()
        rows = [{"id": i, "label": n, "hint": ""} for i, n, c in found]
    elif data["kind"] == "system":
        S = InformationSystem
        stmt = select(S.id, S.name, Unit.name).join(Unit, Unit.id == S.unit_id)
        if unit is not None:
            stmt = stmt.where(S.unit_id == unit.id)
        if q:
            stmt = stmt.where(or_(S.name.contains(q, autoescape=True), S.code.contains(q, autoescape=True)))
        rows = [{"id": i, "label": n, "hint": u} for i, n, u in s.execute(stmt.limit(2000)).all()]
    else:
        from registry.projects.models import Project
        stmt = select(Project.id, Project.name, Unit.name).join(Unit, Unit.id == Project.unit_id)
        if unit is not None:
            stmt = stmt.where(Project.unit_id == unit.id)
        if q:
            stmt = stmt.where(Project.name.contains(q, autoescape=True))
        rows = [{"id": i, "label": n, "hint": u} for i, n, u in s.execute(stmt.limit(2000)).all()]
    rows.sort(key=lambda r: (bool(q) and not r["label"].startswith(q), r["label"]))  # names starting with q first
    return {"count": len(rows), "results": rows[:limit]}
