"""Read actions behind the three dashboards (Bureau, finance, department workspace).

The dashboards show numbers only; every number comes from here, so the API, the pages and a test
see the same figures. Each number has a list page it clicks through to (the views build the links).
"""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select

from catalog_schema.fields import Int, Ref
from catalog_schema.schemas import ReadSchema
from catalog_schema.vocabularies import SHARING_TYPE
from registry.core.actions import Context, action, call_action
from registry.core.authz import require_login, require_role
from registry.core.errors import NotAuthorized
from registry.catalog.lookup import get_unit
from registry.catalog.models import InformationItem, InformationResource as Package, InformationSystem, Unit
from search.models import DuplicateFinding
from registry.core import clock
from registry.core.names import by_pinyin

FINDING_STATES = {"open": "待审核", "confirmed": "已确认重复采集", "dismissed": "已排除"}


def _bureau_readers(ctx: Context, data: dict) -> None:
    require_role(ctx, "bureau", "reviewer")


def _finance_readers(ctx: Context, data: dict) -> None:
    require_role(ctx, "finance", "reviewer")


class BureauSchema(ReadSchema):
    top = Int("数据元条数", minimum=1, maximum=100, load_default=10)


@action("dashboard_bureau", auth=_bureau_readers, schema=BureauSchema, read_only=True)
def dashboard_bureau(ctx: Context, data: dict) -> dict:
    """Directory completeness, catalog coverage per unit, sharing mix, findings by state, and the
    data elements most often re-collected (active findings where a unit is the re-collector)."""
    s = ctx.session
    systems_total = s.scalar(select(func.count(InformationSystem.id))) or 0
    in_directory = s.scalar(select(func.count(InformationSystem.id))
                            .where(InformationSystem.in_directory.is_(True))) or 0
    with_catalog = select(Package.system_id).distinct().subquery()
    coverage = []
    rows = s.execute(select(Unit.id, Unit.code, Unit.name, func.count(InformationSystem.id),
                            func.count(with_catalog.c.system_id))
                     .join(InformationSystem, InformationSystem.unit_id == Unit.id)
                     .outerjoin(with_catalog, with_catalog.c.system_id == InformationSystem.id)
                     .group_by(Unit.id, Unit.code, Unit.name).order_by(Unit.code)).all()
    for unit_id, code, name, systems, catalogued in rows:
        coverage.append({"unit_id": unit_id, "code": code, "name": name, "systems": systems,
                         "with_catalog": catalogued, "without_catalog": systems - catalogued})
    sharing_counts = dict(s.execute(select(Package.sharing_type, func.count(Package.id))
                                    .group_by(Package.sharing_type)).all())
    sharing = [{"code": t.code, "label": t.label, "count": sharing_counts.get(t.code, 0)} for t in SHARING_TYPE.terms]
    state_counts = dict(s.execute(select(DuplicateFinding.state, func.count(DuplicateFinding.id))
                                  .where(DuplicateFinding.active.is_(True))
                                  .group_by(DuplicateFinding.state)).all())
    findings = [{"state": k, "label": v, "count": state_counts.get(k, 0)} for k, v in FINDING_STATES.items()]
    F = DuplicateFinding
    top = s.execute(select(F.element_id, func.max(F.element_name), func.count(F.id), func.count(F.unit_id.distinct()))
                    .where(F.active.is_(True), F.role == "recollector", F.element_id.is_not(None))
                    .group_by(F.element_id).order_by(func.count(F.id).desc(), F.element_id)
                    .limit(data["top"])).all()
    return {"systems": {"total": systems_total, "in_directory": in_directory,
                        "not_in_directory": systems_total - in_directory},
            "coverage": coverage, "sharing": sharing, "findings": findings,
            "top_elements": [{"element_id": e, "name": n, "findings": c, "units": u} for e, n, c, u in top]}


class FinanceSchema(ReadSchema):
    year = Int("预算年度", minimum=2000, maximum=2100)


@action("dashboard_finance", auth=_finance_readers, schema=FinanceSchema, read_only=True)
def dashboard_finance(ctx: Context, data: dict) -> dict:
    """Eligible vs blocked registered systems per reason and article (the funding engine's report),
    and the amounts of the newest budget list of the year, if one was uploaded."""
    year = data.get("year") or clock.today().year + 1
    report = call_action("funding_report", ctx, {"year": year, "only_blocked": True})
    runs = call_action("budget_run_list", ctx, {"year": year})
    budget = None
    if runs:
        budget_report = call_action("budget_report", ctx, {"run": runs[0]["id"]})
        budget = {"run": budget_report["run"], "summary": budget_report["summary"],
                  "by_article": _by_article(budget_report["summary"]["by_rule"])}
    return {"year": year, "summary": report["summary"], "blocked": report["results"],
            "by_article": _by_article(report["summary"]["by_rule"]), "budget": budget, "runs": runs}


def _by_article(by_rule: list[dict]) -> list[dict]:
    merged: dict[str, dict] = {}
    for entry in by_rule:
        row = merged.setdefault(entry["article_text"], {"article_text": entry["article_text"], "count": 0,
                                                         "amount": 0.0, "rules": []})
        row["count"] += entry["count"]
        row["amount"] += entry["amount"]
        row["rules"].append(entry["title"])
    return sorted(merged.values(), key=lambda r: -r["count"])


class UnitSchema(ReadSchema):
    unit = Ref("单位")


def _unit_reader(ctx: Context, data: dict) -> None:
    require_login(ctx)
    if ctx.user.role == "department":
        if data.get("unit") not in (None, "") and str(data["unit"]) not in (str(ctx.user.unit_id), _own_code(ctx)):
            raise NotAuthorized("部门用户只能查看本单位的工作台")
        return
    if ctx.user.role not in ("bureau", "reviewer", "admin"):
        raise NotAuthorized("仅部门用户、大数据局、审阅人和管理员可查看单位工作台")


def _own_code(ctx: Context) -> str | None:
    return ctx.session.scalar(select(Unit.code).where(Unit.id == ctx.user.unit_id)) if ctx.user.unit_id else None


@action("dashboard_unit", auth=_unit_reader, schema=UnitSchema, read_only=True)
def dashboard_unit(ctx: Context, data: dict) -> dict:
    """One unit's systems with their catalog completeness (resources, items) and its open/confirmed
    re-collection findings (items other units already provide)."""
    ref = data.get("unit") if data.get("unit") not in (None, "") else ctx.user.unit_id
    unit = get_unit(ctx.session, ref, "unit")
    s = ctx.session
    resources = dict(s.execute(select(Package.system_id, func.count(Package.id)).where(Package.unit_id == unit.id)
                               .group_by(Package.system_id)).all())
    items = dict(s.execute(select(Package.system_id, func.count(InformationItem.id)).join(InformationItem, InformationItem.resource_id == Package.id)
                           .where(Package.unit_id == unit.id).group_by(Package.system_id)).all())
    systems = [{"id": sys.id, "code": sys.code, "name": sys.name, "in_directory": sys.in_directory,
                "status": sys.status, "resources": resources.get(sys.id, 0), "item_count": items.get(sys.id, 0)}
               for sys in s.scalars(select(InformationSystem).where(InformationSystem.unit_id == unit.id)
                                    .order_by(by_pinyin(InformationSystem.name)))]
    recollected = defaultdict(int)
    for state, count in s.execute(select(DuplicateFinding.state, func.count(DuplicateFinding.id))
                                  .where(DuplicateFinding.unit_id == unit.id, DuplicateFinding.active.is_(True),
                                         DuplicateFinding.role == "recollector")
                                  .group_by(DuplicateFinding.state)):
        recollected[state] = count
    return {"unit": {"id": unit.id, "code": unit.code, "name": unit.name}, "systems": systems,
            "complete": sum(1 for x in systems if x["resources"]), "total": len(systems),
            "recollected": {k: recollected.get(k, 0) for k in FINDING_STATES}}
