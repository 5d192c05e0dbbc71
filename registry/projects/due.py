"""What is due (待办): per role, the overdue and upcoming dated obligations of every project.

Each item names its date, project, article and what to do. Who sees it: the project's unit (and
the administrative department a school or hospital reports through) and the authorities the
article addresses: the Bureau sees everything it oversees; finance sees what is reported to it
(performance reports, serious problems, self-evaluations).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from registry.core.actions import Context, action
from registry.core.authz import require_login
from registry.core.errors import NotAuthorized, ValidationFailed
from registry.catalog.lookup import get_unit
from registry.projects import access
from registry.measures import projects_7_35 as rules
from registry.projects.models import Project
from registry.projects.schemas import DueListSchema
from registry.measures import article_name, cite
from registry.core import clock

EARLY_STAGES = ("declared", "tech_review", "decision", "investment_review")


@dataclass(frozen=True)
class DueItem:
    due: date
    project_id: int
    project_name: str
    unit_ids: tuple[int, ...]
    article: int
    what: str
    authorities: tuple[str, ...]   # bureau / finance
    overdue: bool

    def as_dict(self) -> dict:
        return {"date": self.due.isoformat(), "project_id": self.project_id, "project_name": self.project_name,
                "article": self.article, "article_text": article_name(self.article), "citation": cite(self.article),
                "what": self.what, "overdue": self.overdue}


def project_due_items(p: Project, policy, as_of: date) -> list[DueItem]:
    horizon = as_of + timedelta(days=policy.due_upcoming_days)
    units = tuple(sorted({p.unit_id, access.submitting_unit(p.unit).id}))
    items: list[DueItem] = []

    def add(due: date, article: int, what: str, authorities=("bureau",), show_from: date | None = None):
        if due < as_of or (show_from or due) <= horizon:
            items.append(DueItem(due, p.id, p.name, units, article, what, tuple(authorities), due < as_of))

    if p.stage in EARLY_STAGES and not any(e.year >= as_of.year + 1 for e in p.list_entries):
        year = as_of.year + 1
        deadline = rules.list_deadline(year, policy)
        if rules.must_be_listed(p.estimate_yuan, policy):
            add(deadline, 7, f"报送{year}年度政务信息化项目清单（投资额度{rules.wan(policy.project_list_threshold_yuan)}以上）")
        else:
            add(deadline, 7, f"向县大数据发展局报备{year}年度项目（{rules.wan(policy.project_list_threshold_yuan)}以下）")
    if p.stage == "construction" and p.construction_started_on is not None:
        reported = {r.year for r in p.reports if r.kind == "performance"}
        for year in range(p.construction_started_on.year, as_of.year + 1):
            if year not in reported:
                add(rules.performance_report_due(year, policy), 21,
                    f"提交{year}年度项目绩效评价报告（报县发展改革委、县财政局、县大数据发展局）", ("bureau", "finance"))
    if p.status == "rectifying" and p.rectify_by is not None:
        add(p.rectify_by, 22, "完成整改并报告（严重逾期或重大损失）", ("bureau", "finance"))
    if p.stage == "acceptance" and p.completed_on is not None:
        approved = [x.requested_until for x in p.extensions if x.state == "approved"]
        due = max([rules.acceptance_due(p.completed_on, policy), *approved])
        if not any(a.kind == "archive" and a.result == "passed" for a in p.acceptances):
            add(due, 26, "完成项目档案验收（竣工验收的前提）")
        bureau = bool(p.approved_total_yuan) and rules.bureau_organises(p.approved_total_yuan, policy)
        what = "向县大数据发展局申请竣工验收" if bureau else "组织竣工验收并将结果报县大数据发展局备案"
        if due < as_of and not any(x.state == "pending" for x in p.extensions):
            what += "；已逾期，须提出延期验收申请"
        add(due, 25, what)
        for x in p.extensions:
            if x.state == "pending":
                add(rules.acceptance_due(p.completed_on, policy), 25, f"审核延期验收申请（申请延期至{rules.cn(x.requested_until)}）")
    if p.stage == "operation" and p.accepted_on is not None:
        start, end = rules.self_evaluation_window(p.accepted_on, policy)
        add(end, 27, f"开展自评价并报送县财政局、县发展改革委、县大数据发展局（{rules.cn(start)}起）",
            ("bureau", "finance"), show_from=start)
    return items


def due_items(session, policy, as_of: date, role: str, unit_id: int | None = None) -> list[DueItem]:
    projects = session.scalars(select(Project).options(
        selectinload(Project.list_entries), selectinload(Project.reports), selectinload(Project.acceptances),
        selectinload(Project.extensions)).where(Project.stage != "evaluation")).all()
    items = [i for p in projects for i in project_due_items(p, policy, as_of)]
    if role == "unit":
        items = [i for i in items if unit_id in i.unit_ids]
    elif role == "finance":
        items = [i for i in items if "finance" in i.authorities]
    return sorted(items, key=lambda i: (i.due, i.project_id, i.article))


def _auth_due(ctx: Context, data: dict) -> None:
    require_login(ctx)


@action("due_list", auth=_auth_due, read_only=True, schema=DueListSchema)
def due_list(ctx: Context, data: dict) -> dict:
    """Overdue and upcoming items (date, project, article, what to do). role: bureau | finance |
    unit (with unit = id or code); default: the caller's own view. as_of: the day (default today)."""
    user = ctx.user
    role = data.get("role") or {"department": "unit", "finance": "finance"}.get(user.role, "bureau")
    if role not in ("bureau", "finance", "unit"):
        raise ValidationFailed({"role": ["角色只能是 bureau、finance 或 unit"]})
    unit = None
    if role == "unit":
        ref = data.get("unit") if data.get("unit") not in (None, "") else user.unit_id
        unit = get_unit(ctx.session, ref, "unit")
    if user.role == "department" and (role != "unit" or unit.id != user.unit_id):
        raise NotAuthorized("部门用户只能查看本单位（含通过本单位报送的学校、医院项目）的待办事项")
    as_of = data.get("as_of") or clock.today()
    items = due_items(ctx.session, ctx.settings.policy, as_of, role, unit.id if unit else None)
    return {"as_of": as_of.isoformat(), "role": role, "unit": unit.code if unit else None,
            "overdue": [i.as_dict() for i in items if i.overdue],
            "upcoming": [i.as_dict() for i in items if not i.overdue],
            "sharing": sharing_to_answer(ctx.session, as_of, role, unit.id if unit else None)}


def sharing_to_answer(session, as_of: date, role: str, unit_id: int | None) -> list[dict]:
    """Pending sharing requests the role must answer (Art. 28): a unit those addressed to it (有条件共享),
    the Bureau its conformity checks (无条件共享); each with its working-day deadline."""
    from registry.catalog.models import Unit
    from registry.sharing.models import SharingRequest as R
    if role == "finance":
        return []
    stmt = select(R.id, R.resource_title, R.requester_unit_id, R.due_on).where(R.status == "pending")
    if role == "unit":
        stmt = stmt.where(R.provider_unit_id == unit_id, R.answerer == "provider")
    else:
        stmt = stmt.where(R.answerer == "bureau")
    rows = session.execute(stmt.order_by(R.due_on, R.id)).all()
    names = dict(session.execute(select(Unit.id, Unit.name).where(Unit.id.in_({r[2] for r in rows}))).all()) \
        if rows else {}
    return [{"request_id": rid, "resource_title": title, "requester_unit_name": names.get(requester, ""),
             "date": due.isoformat(), "overdue": due < as_of, "citation": cite(28),
             "what": f"答复{names.get(requester, '')}的共享申请“{title}”" if role == "unit"
             else f"对{names.get(requester, '')}申请的“{title}”（无条件共享）进行符合性审查"}
            for rid, title, requester, due in rows]

