"""Loading the demo county through the actions, so demo data passes the same validation as users'."""
from __future__ import annotations

from sqlalchemy import func, select

from registry.actions.base import call_action
from registry.models import Unit


class _DemoActor:
    id = None
    role = "admin"
    unit_id = None
    active = True
    username = "demo-loader"


def load_demo(reg, progress=print) -> str:
    """Load the demo county in one transaction; skip if units already exist."""
    from registry.demo_data import DEMO_USERS, demo_county

    with reg.db.unit_of_work() as session:
        if session.scalar(select(func.count(Unit.id))):
            return "数据库中已有数据，跳过演示数据载入（如需重建请使用 registry demo --reset）"
        ctx = reg.context(session, _DemoActor())
        county = demo_county()
        counts = {"units": 0, "systems": 0, "resources": 0, "items": 0}
        for unit in county:
            call_action("unit_create", ctx, {k: unit[k] for k in ("code", "name", "kind")})
            counts["units"] += 1
        for unit in county:
            if unit.get("parent_code"):
                call_action("unit_patch", ctx, {"id": unit["code"], "parent": unit["parent_code"]})
        for unit in county:
            progress(f"载入 {unit['name']} …")
            for system in unit["systems"]:
                load_system(ctx, unit["code"], system, counts)
        for account in DEMO_USERS:
            call_action("user_create", ctx, {"username": account["username"], "password": account["password"],
                                             "role": account["role"], "unit": account.get("unit_code"),
                                             "display_name": account.get("display_name", "")})
        # --- funding (registry.funding): evidence, a merged system, blocked systems, a budget list ---
        from registry.funding.demo import load_funding_demo
        load_funding_demo(ctx, county, progress)
        # --- end funding ---
        reg.search.index_resources(session, ctx.changed_resources)
    after_commit = getattr(reg.search, "after_commit", None)
    if after_commit is not None:  # an external index (Elasticsearch) is written after the commit
        after_commit(ctx.changed_resources)
    return ("演示数据已载入：{units} 个单位，{systems} 个信息系统，{resources} 项信息资源，{items} 个信息项；"
            "演示账号密码均为 demo12345（bureau、finance、reviewer、admin，及各单位代码）").format(**counts)


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
