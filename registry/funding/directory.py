"""The master directory of government information systems (政务信息系统总目录, Art. 28).

The Bureau admits a system, retires it (退出) or merges it into another (整合). Each decision
changes the system's current state (in_directory, directory_date, status) and appends a
`DirectoryEvent` in the same operation, so the history always explains the state.
"""
from __future__ import annotations

from datetime import date

from marshmallow import EXCLUDE, fields
from sqlalchemy import func, select

from catalog_schema import vocabularies as vocab
from catalog_schema.fields import Bool, ChineseSchema, Int, Ref, Text, Vocab
from registry.core import audit
from registry.core.actions import Context, action
from registry.core.authz import require_login, require_role
from registry.catalog.dictize import system_dict
from registry.core.errors import Conflict, ValidationFailed
from registry.funding.models import DirectoryEvent
from registry.funding.vocab import EVENT_LABELS
from registry.catalog.lookup import get_system, get_unit
from registry.catalog.models import InformationSystem, Unit
from registry.core.ordering import Sort, ordered, vocab_order
from registry.core.people import with_names
from registry.core import clock


def _date_field(label: str):
    return fields.Date(load_default=None, allow_none=True,
                       error_messages={"invalid": f"{label}格式应为“年-月-日”，如 2026-12-06"})


class DirectoryDecisionSchema(ChineseSchema):
    id = Ref("信息系统", required=True)
    in_directory = Bool("是否纳入总目录", required=True)
    decided_on = _date_field("决定日期")
    reason = Text("理由", max_length=2000, load_default="")


class DirectoryChangeSchema(ChineseSchema):
    id = Ref("信息系统", required=True)
    decided_on = _date_field("决定日期")
    reason = Text("理由", max_length=2000, load_default="")


class DirectoryMergeSchema(DirectoryChangeSchema):
    into = Ref("整合后的系统", required=True)


def _bureau(ctx: Context, data: dict) -> None:
    require_role(ctx, "bureau")


def _reader(ctx: Context, data: dict) -> None:
    require_login(ctx)


def apply_event(ctx: Context, system: InformationSystem, kind: str, on: date, reason: str,
                into: InformationSystem | None = None) -> dict:
    """Change the current state and append the history row; audited with before/after."""
    before = audit.snapshot(system)
    if kind == "admit":
        system.in_directory = True
        if system.status == "merged":
            system.status = "running"
    else:
        system.in_directory = False
        if kind == "merge":
            system.status = "merged"
    system.directory_date = on
    system.directory_decided_by = ctx.username
    event = DirectoryEvent(system_id=system.id, kind=kind, effective_on=on, reason=reason,
                           merged_into_id=into.id if into is not None else None, decided_by=ctx.username)
    ctx.session.add(event)
    ctx.session.flush()
    after = {**audit.snapshot(system), "event": kind, "merged_into_id": event.merged_into_id}
    audit.record(ctx, f"directory_{kind}", "system", system.id, {**before, "event": None}, after,
                 reason or f"{EVENT_LABELS[kind]}：{system.name}")
    return {**system_dict(system), "event": event_dict(event)}


@action("directory_decide", auth=_bureau, schema=DirectoryDecisionSchema)
def directory_decide(ctx: Context, data: dict) -> dict:
    """The Bureau admits a system to the master directory (总目录) or removes it (Art. 28).

    Kept for existing clients; writes the same history as directory_admit / directory_retire."""
    system = get_system(ctx.session, data["id"], "id")
    kind = "admit" if data["in_directory"] else "retire"
    return apply_event(ctx, system, kind, data.get("decided_on") or clock.today(), data.get("reason") or "")


@action("directory_admit", auth=_bureau, schema=DirectoryChangeSchema)
def directory_admit(ctx: Context, data: dict) -> dict:
    """Admit a system to the master directory (纳入总目录) from a date, with a reason."""
    system = get_system(ctx.session, data["id"], "id")
    if system.in_directory:
        raise Conflict(f"信息系统“{system.name}”已在总目录中")
    return apply_event(ctx, system, "admit", data.get("decided_on") or clock.today(), data["reason"])


@action("directory_retire", auth=_bureau, schema=DirectoryChangeSchema)
def directory_retire(ctx: Context, data: dict) -> dict:
    """Retire a system from the master directory (退出总目录): no O&M funding from then on."""
    system = get_system(ctx.session, data["id"], "id")
    if not system.in_directory:
        raise Conflict(f"信息系统“{system.name}”不在总目录中，无需退出")
    return apply_event(ctx, system, "retire", data.get("decided_on") or clock.today(), data["reason"])


@action("directory_merge", auth=_bureau, schema=DirectoryMergeSchema)
def directory_merge(ctx: Context, data: dict) -> dict:
    """Merge (整合) a system into another: it leaves the directory, its status becomes 整合, and its
    budget lines point to the system it was merged into."""
    system = get_system(ctx.session, data["id"], "id")
    target = get_system(ctx.session, data["into"], "into")
    if target.id == system.id:
        raise ValidationFailed({"into": ["不能整合到系统自身"]})
    if target.status == "merged":
        raise ValidationFailed({"into": [f"“{target.name}”本身已被整合，请选择整合后的系统"]})
    if system.status == "merged" and not system.in_directory:
        raise Conflict(f"信息系统“{system.name}”已被整合")
    return apply_event(ctx, system, "merge", data.get("decided_on") or clock.today(), data["reason"], target)


def event_dict(e: DirectoryEvent) -> dict:
    return {"id": e.id, "system_id": e.system_id, "kind": e.kind, "kind_label": EVENT_LABELS[e.kind],
            "effective_on": e.effective_on.isoformat(), "reason": e.reason, "decided_by": e.decided_by,
            "merged_into_id": e.merged_into_id,
            "merged_into_name": e.merged_into.name if e.merged_into is not None else None,
            "created": e.created.isoformat() if e.created else None}


class HistorySchema(ChineseSchema):
    id = Ref("信息系统", required=True)

    class Meta:
        unknown = EXCLUDE


@action("directory_history", auth=_reader, schema=HistorySchema, read_only=True)
def directory_history(ctx: Context, data: dict) -> list:
    """Every directory decision on a system, oldest first."""
    system = get_system(ctx.session, data["id"], "id")
    rows = ctx.session.scalars(select(DirectoryEvent).where(DirectoryEvent.system_id == system.id)
                               .order_by(DirectoryEvent.effective_on, DirectoryEvent.id))
    return with_names(ctx.session, [event_dict(e) for e in rows], "decided_by")


class DirectoryListSchema(ChineseSchema):
    unit = Ref("单位")
    in_directory = Bool("是否在总目录")
    status = Vocab(vocab.SYSTEM_STATUS)
    missing = Bool("仅看未纳入总目录的系统", load_default=False)
    q = Text("系统名称", max_length=100, load_default="")
    rows = Int("条数", minimum=0, maximum=20000, load_default=50)
    start = Int("起始位置", minimum=0, load_default=0)
    sort = Sort(("unit", "name", "in_directory", "directory_date", "status"))

    class Meta:
        unknown = EXCLUDE


@action("directory_list", auth=_reader, schema=DirectoryListSchema, read_only=True)
def directory_list(ctx: Context, data: dict) -> dict:
    """The master directory with filters. `missing`: registered systems that are not in the
    directory and not merged away (the Bureau's to-do list). Sorted by unit unless `sort` says otherwise."""
    S = InformationSystem
    conditions = []
    if data.get("unit") is not None:
        conditions.append(S.unit_id == get_unit(ctx.session, data["unit"], "unit").id)
    if data.get("in_directory") is not None:
        conditions.append(S.in_directory.is_(data["in_directory"]))
    if data.get("status"):
        conditions.append(S.status == data["status"])
    if data["missing"]:
        conditions += [S.in_directory.is_(False), S.status != "merged"]
    if data["q"]:
        conditions.append(S.name.contains(data["q"], autoescape=True))
    count = ctx.session.scalar(select(func.count(S.id)).where(*conditions))
    stmt = ordered(select(S, Unit.name, Unit.code).join(Unit, Unit.id == S.unit_id).where(*conditions), data["sort"],
                   {"unit": (Unit.name, S.name), "name": S.name, "in_directory": S.in_directory,
                    "directory_date": S.directory_date, "status": vocab_order(S.status, vocab.SYSTEM_STATUS)},
                   ("unit", False), S.id)
    rows = ctx.session.execute(stmt.offset(data["start"]).limit(data["rows"])).all()
    merged = _merge_targets(ctx.session, [s.id for s, _, _ in rows if s.status == "merged"])
    results = []
    for system, unit_name, unit_code in rows:
        entry = {**system_dict(system), "unit_name": unit_name, "unit_code": unit_code,
                 "merged_into": merged.get(system.id)}
        results.append(entry)
    return {"count": count, "results": results}


def _merge_targets(session, system_ids: list[int]) -> dict[int, dict]:
    """system id → the system its latest merge event points to."""
    if not system_ids:
        return {}
    target = {}
    rows = session.execute(select(DirectoryEvent.system_id, InformationSystem.id, InformationSystem.name)
                           .join(InformationSystem, InformationSystem.id == DirectoryEvent.merged_into_id)
                           .where(DirectoryEvent.kind == "merge", DirectoryEvent.system_id.in_(system_ids))
                           .order_by(DirectoryEvent.effective_on, DirectoryEvent.id)).all()
    for system_id, target_id, name in rows:
        target[system_id] = {"id": target_id, "name": name}
    return target
