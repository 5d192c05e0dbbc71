"""Loading the demo county through the actions, so demo data passes the same validation as users'."""
from __future__ import annotations

from sqlalchemy import func, select

from catalog_schema.fields import NoInput
from registry.core.actions import Context, Operator, Progress, action, call_action
from registry.core.authz import require_role
from registry.catalog.models import Unit

DEMO_LOADER = Operator("demo-loader")


class _Notes(Progress):
    def __init__(self, say):
        self.say = say

    def note(self, text: str) -> None:
        self.say(text)


def load_demo(reg, progress=print) -> str:
    """Load the demo county (the `demo_load` action), then, once it is committed and indexed, the work
    in progress on it (`demo_work_load`); skip if units already exist."""
    summary = reg.run_action("demo_load", DEMO_LOADER, {}, _Notes(progress))
    if not summary.startswith("演示数据已载入"):
        return summary
    work = reg.run_action("demo_work_load", DEMO_LOADER, {}, _Notes(progress))
    return summary + "{projects} 个项目、{sharing_requests} 项共享申请、{findings_reviewed} 条已审核的重复采集线索".format(**work)


def _admin(ctx: Context, data: dict) -> None:
    require_role(ctx, "admin")


@action("demo_load", auth=_admin, schema=NoInput)
def demo_load(ctx: Context, data: dict) -> str:
    """Load the demo county through the catalog, account and funding actions (an empty database only).
    Indexing and after-commit work are the boundary's, as for every action."""
    from registry.demo_data import DEMO_USERS, demo_county

    if ctx.session.scalar(select(func.count(Unit.id))):
        return "数据库中已有数据，跳过演示数据载入（如需重建请使用 registry demo --reset）"
    county = demo_county()
    counts = {"units": 0, "systems": 0, "resources": 0, "items": 0}
    for unit in county:
        call_action("unit_create", ctx, {k: unit[k] for k in ("code", "name", "kind")})
        counts["units"] += 1
    for unit in county:
        if unit.get("parent_code"):
            call_action("unit_patch", ctx, {"id": unit["code"], "parent": unit["parent_code"]})
    for unit in county:
        ctx.progress.note(f"载入 {unit['name']} …")
        for system in unit["systems"]:
            load_system(ctx, unit["code"], system, counts)
    for account in DEMO_USERS:
        call_action("user_create", ctx, {"username": account["username"], "password": account["password"],
                                         "role": account["role"], "unit": account.get("unit_code"),
                                         "display_name": account.get("display_name", "")})
    # --- funding (registry.funding): evidence, a merged system, blocked systems, a budget list ---
    from registry.funding.demo import load_funding_demo
    load_funding_demo(ctx, county, ctx.progress.note)
    # --- end funding ---
    return ("演示数据已载入：{units} 个单位，{systems} 个信息系统，{resources} 项信息资源，{items} 个信息项；"
            "演示账号密码均为 demo12345（bureau、finance、reviewer、admin，及各单位代码）；").format(**counts)


@action("demo_work_load", auth=_admin, schema=NoInput)
def demo_work_load(ctx: Context, data: dict) -> dict:
    """The demo county's work in progress (reviewed findings, projects at every stage, sharing requests),
    each step by its own user; runs after `demo_load` is committed, so findings and the index exist."""
    from registry.demo_work import load_work_demo
    return load_work_demo(ctx, ctx.progress.note)


def load_system(ctx, unit_code: str, system: dict, counts: dict) -> None:
    fields = ("code", "name", "aliases", "description", "status", "network")
    values = {k: system[k] for k in fields if k in system}
    if values.get("status") == "merged":   # 整合 is the directory's decision (registry.funding.demo makes it)
        values["status"] = "running"
    created = call_action("system_create", ctx, {"unit": unit_code, **values})
    counts["systems"] += 1
    if system.get("in_directory"):
        call_action("directory_decide", ctx, {"id": created["id"], "in_directory": True, "decided_on": "2023-06-30",
                                              "reason": "演示数据：已纳入总目录"})
    for res in system["resources"]:
        data = {k: v for k, v in res.items() if k not in ("code", "name", "items") and v is not None}
        data.update(system=created["id"], title=res["name"], resource_code=res.get("code"),
                    items=[{k: v for k, v in i.items() if v is not None} for i in res["items"]])
        call_action("package_create", ctx, data)
        counts["resources"] += 1
        counts["items"] += len(res["items"])
