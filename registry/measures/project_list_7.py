"""Art. 7 as a funding rule: a system gets project budget in a year only through a project on
that year's project list (question "project_budget"; O&M funding is not this rule's business)."""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from registry.measures.base import Batch, Reason, funding_rule
from registry.measures import cite
from registry.projects.models import Project, ProjectListEntry, ProjectSystem

RULE_ID = "project_list"
PROJECT_BUDGET = "project_budget"


def _prepare(batch: Batch) -> dict:
    """system id → [(project id, name, listed this year?)] in two queries for the whole batch."""
    links = batch.session.execute(
        select(ProjectSystem.system_id, Project.id, Project.name)
        .join(Project, Project.id == ProjectSystem.project_id)
        .where(ProjectSystem.system_id.in_(batch.system_ids))).all()
    listed = set(batch.session.scalars(select(ProjectListEntry.project_id).where(
        ProjectListEntry.year == batch.year, ProjectListEntry.project_id.in_({p for _, p, _ in links}))))
    by_system: dict[int, list] = defaultdict(list)
    for system_id, project_id, name in links:
        by_system[system_id].append((project_id, name, project_id in listed))
    return by_system


@funding_rule(RULE_ID, (7,), "未纳入项目清单的项目不安排年度预算", prepare=_prepare, questions=(PROJECT_BUDGET,))
def project_list_rule(batch: Batch, system_id: int) -> list[Reason]:
    projects = batch.data.get(RULE_ID, {}).get(system_id, [])
    if any(on_list for _, _, on_list in projects):
        return []
    evidence = tuple({"project_id": pid, "project_name": name, "year": batch.year, "on_list": False}
                     for pid, name, _ in projects)
    names = "、".join(f"“{name}”" for _, name, _ in projects)
    detail = f"该系统的项目{names}均未纳入" if projects else "该系统没有纳入"
    return [Reason(RULE_ID, (7,), f"{cite(7)}，{detail}{batch.year}年度政务信息化项目清单，县财政局不安排年度预算",
                   evidence)]
