"""Project records, the stage transitions and the project list (Art. 7, 9, 10, 13, 14, 20, 25–27).

Each write: auth (access.py) → validate → apply → audit before/after → flush; the boundary commits.
"""
from __future__ import annotations

from sqlalchemy import func, or_, select

from registry.core import audit
from registry.core.actions import Context, action
from registry.catalog.actions import check_version
from registry.core.authz import allow_public, public_catalog_only, readable_resources, require_login, require_role
from registry.core.errors import Conflict, ValidationFailed
from registry.catalog.lookup import get_resource, get_system, get_unit
from registry.catalog.models import InformationResource, Unit
from registry.core.ordering import ordered, vocab_order
from registry.projects import access, schemas, stages
from registry.measures import projects_7_35 as rules
from registry.projects.common import (add_evidence_for_systems, find_project, get_project, not_in_future, record,
                                      snapshot, today)
from registry.projects.models import (Project, ProjectAcceptance, ProjectEvent, ProjectListEntry, ProjectPart,
                                      ProjectReport, ProjectSystem)
from registry.projects.serialize import project_dict, project_summary
from registry.projects.vocab import STAGE
from registry.measures import cite

EDITABLE = schemas.DECLARATION_FIELDS + schemas.OTHER_FIELDS


# ---- records ---------------------------------------------------------------------------------

def _auth_create(ctx: Context, data: dict) -> None:
    require_login(ctx)
    access.require_department_for_unit(ctx, get_unit(ctx.session, data.get("unit"), "unit"))


def _auth_owner(ctx: Context, data: dict) -> None:
    require_login(ctx)
    project = find_project(ctx.session, data)
    if project is not None:
        access.require_owner(ctx, project)
    elif ctx.user.role not in ("department", "admin"):
        require_role(ctx, "department")


def _set_links(ctx: Context, project: Project, data: dict) -> None:
    if data.get("predecessor") not in (None, ""):
        predecessor = get_project(ctx.session, data["predecessor"], "predecessor")
        if predecessor.id == project.id:
            raise ValidationFailed({"predecessor": ["前期项目不能是本项目"]})
        project.predecessor = predecessor
    elif "predecessor" in data:
        project.predecessor = None
    if data.get("systems") is None:
        return
    allowed = {project.unit_id, access.submitting_unit(project.unit).id}
    wanted = {}
    for link in data["systems"]:
        system = get_system(ctx.session, link["system"], "systems")
        if system.unit_id not in allowed:
            raise ValidationFailed({"systems": [f"信息系统“{system.name}”不属于项目业主单位"]})
        wanted[system.id] = link["relation"]
    project.systems = [link for link in project.systems if link.system_id in wanted]
    for link in project.systems:
        link.relation = wanted.pop(link.system_id)
    for system_id, relation in wanted.items():
        project.systems.append(ProjectSystem(system_id=system_id, relation=relation))


@action("project_create", auth=_auth_create, schema=schemas.ProjectSchema)
def project_create(ctx: Context, data: dict) -> dict:
    """Declare a project (Attachment 1): unit, name, kind (新建/续建/改扩建), the form's fields,
    funding source, predecessor (改扩建), feasibility chapters, crypto plan, systems."""
    unit = get_unit(ctx.session, data["unit"], "unit")
    project = Project(unit=unit, **{k: data[k] for k in EDITABLE if k in data})
    project.declaring_unit = project.declaring_unit or access.submitting_unit(unit).name
    ctx.session.add(project)
    ctx.session.flush()
    _set_links(ctx, project, data)
    ctx.session.flush()
    record(ctx, "project_create", project, None)
    return project_dict(project, ctx.settings.policy, viewer=ctx.user)


@action("project_update", auth=_auth_owner, schema=schemas.ProjectUpdateSchema, partial=True)
def project_update(ctx: Context, data: dict) -> dict:
    """Change the given declaration fields. Only in the 申报 stage (after 退回修改 too, Art. 10)."""
    project = get_project(ctx.session, data["id"])
    check_version(project, data, "项目")
    if project.stage != "declared":
        raise Conflict(f"{cite(10)}，项目已进入{STAGE.label_of(project.stage)}阶段，申报内容不能修改")
    if "unit" in data and get_unit(ctx.session, data["unit"], "unit").id != project.unit_id:
        raise ValidationFailed({"unit": ["项目业主不能通过修改变更"]})
    before = snapshot(project)
    for name in EDITABLE:
        if name in data:
            setattr(project, name, data[name])
    _set_links(ctx, project, data)
    ctx.session.flush()
    record(ctx, "project_update", project, before)
    return project_dict(project, ctx.settings.policy, viewer=ctx.user)


def _unsubmitted(ctx: Context, data: dict) -> None:
    project = get_project(ctx.session, data["id"])
    if project.stage != "declared" or project.events:
        raise Conflict("只能删除尚未提交的项目申报")


@action("project_delete", auth=_auth_owner, schema=schemas.ProjectIdSchema, ready=_unsubmitted)
def project_delete(ctx: Context, data: dict) -> dict:
    """Delete a declaration not yet submitted (never submitted to the Bureau; kept in the audit log)."""
    project = get_project(ctx.session, data["id"])
    _unsubmitted(ctx, {"id": project.id})
    before = snapshot(project)
    ctx.session.delete(project)
    ctx.session.flush()
    audit.record(ctx, "project_delete", "project", before["id"], before, None, before["name"])
    return {"id": before["id"], "deleted": True}


@action("project_show", auth=allow_public, read_only=True, schema=schemas.ProjectIdSchema)
def project_show(ctx: Context, data: dict) -> dict:
    """A project with its stages, next transitions and their preconditions, list entries, records."""
    project = get_project(ctx.session, data["id"])
    policy = ctx.settings.policy
    result = project_dict(project, policy, viewer=ctx.user)
    if public_catalog_only(ctx):   # anonymous: a part names only its resources open to the public
        named = {i for part in result["parts"] for i in part["resource_ids"]}
        open_ids = set(ctx.session.scalars(readable_resources(
            ctx, select(InformationResource.id).where(InformationResource.id.in_(named))))) if named else set()
        for part in result["parts"]:
            part["resource_ids"] = [i for i in part["resource_ids"] if i in open_ids]
    result["next"] = [{"name": t.name, "label": t.label, "to_stage": t.target, "to_label": STAGE.label_of(t.target),
                       "who": t.who, "who_label": access.ROLE_TEXT.get(t.who if t.who != "submitter" else "owner"),
                       "checks": [c.as_dict() for c in stages.preconditions(ctx.session, project, t, policy, today())]}
                      for t in stages.next_transitions(project)]
    from registry.projects.due import project_due_items
    result["due"] = [item.as_dict() for item in project_due_items(project, policy, today())]
    return result


@action("project_search", auth=allow_public, read_only=True, schema=schemas.ProjectSearchSchema)
def project_search(ctx: Context, data: dict) -> dict:
    """Projects filtered by budget year (on that year's list), stage, unit (id or code), keyword;
    newest first unless `sort` says otherwise; all of them, or `rows` from `start`."""
    query = select(Project)
    if data.get("year"):
        query = query.where(Project.id.in_(select(ProjectListEntry.project_id).where(
            ProjectListEntry.year == data["year"])))
    if data.get("stage"):
        query = query.where(Project.stage == data["stage"])
    if data.get("unit") not in (None, ""):
        unit = get_unit(ctx.session, data["unit"], "unit")
        query = query.where(or_(Project.unit_id == unit.id, Project.id.in_(
            select(ProjectPart.project_id).where(ProjectPart.unit_id == unit.id))))
    if data.get("q"):
        query = query.where(Project.name.contains(data["q"]))
    count = ctx.session.scalar(select(func.count()).select_from(query.subquery()))
    query = ordered(query.join(Unit, Unit.id == Project.unit_id), data.get("sort"), {
        "id": Project.id, "name": Project.name, "unit": Unit.name, "stage": vocab_order(Project.stage, STAGE),
        "status": Project.status, "estimate": Project.estimate_yuan, "approved": Project.approved_total_yuan},
        ("id", True), Project.id).offset(data.get("start") or 0)
    if data.get("rows") is not None:
        query = query.limit(data["rows"])
    return {"count": count, "results": [project_summary(p) for p in ctx.session.scalars(query)]}


# ---- cross-department parts (Art. 13) -------------------------------------------------------

@action("project_part_set", auth=_auth_owner, schema=schemas.PartSchema)
def project_part_set(ctx: Context, data: dict) -> dict:
    """Set one participating unit's part of a cross-department project: content and its resources."""
    project = get_project(ctx.session, data["id"])
    unit = get_unit(ctx.session, data["unit"], "unit")
    resources = [get_resource(ctx.session, ref, "resources") for ref in data["resources"]]
    foreign = [r.title for r in resources if r.unit_id != unit.id]
    if foreign:
        raise ValidationFailed({"resources": [f"信息资源不属于参建单位“{unit.name}”：{'、'.join(foreign)}"]})
    before = {"parts": [{"unit_id": p.unit_id, "resource_ids": p.resource_ids} for p in project.parts]}
    part = next((p for p in project.parts if p.unit_id == unit.id), None)
    if part is None:
        part = ProjectPart(unit=unit)
        project.parts.append(part)
    part.content = data["content"]
    part.resource_ids = sorted({r.id for r in resources})
    ctx.session.flush()
    audit.record(ctx, "project_part_set", "project", project.id, before,
                 {"parts": [{"unit_id": p.unit_id, "resource_ids": p.resource_ids} for p in project.parts]},
                 project.name)
    return project_dict(project, ctx.settings.policy, viewer=ctx.user)


@action("project_overlap", auth=allow_public, read_only=True, schema=schemas.ProjectIdSchema)
def project_overlap_action(ctx: Context, data: dict) -> dict:
    """Data elements present in the catalogs of two or more parts of the project (Art. 13); anonymous
    callers: over the parts' resources open to the public."""
    from registry.projects.overlap import project_overlap
    return project_overlap(ctx.session, get_project(ctx.session, data["id"]), public_only=public_catalog_only(ctx))


# ---- contractor and supervisor (Art. 20, 35) ------------------------------------------------

@action("project_parties_set", auth=_auth_owner, schema=schemas.PartiesSchema)
def project_parties_set(ctx: Context, data: dict) -> dict:
    """Record the contractor (checked against the blacklist, Art. 35) and supervisor (Art. 20)."""
    project = get_project(ctx.session, data["id"])
    if project.stage in ("operation", "evaluation"):
        raise Conflict("项目已竣工验收，不能再变更承建或监理单位")
    if data.get("contractor"):
        entry = stages.active_blacklisting(ctx.session, data["contractor"], data.get("contractor_credit_code") or "",
                                           today())
        if entry is not None:
            raise ValidationFailed({"contractor": [stages.blacklist_message(entry)]})
    before = snapshot(project)
    for name in ("contractor", "contractor_credit_code", "supervisor"):
        if data.get(name) is not None:
            setattr(project, name, data[name])
    ctx.session.flush()
    record(ctx, "project_parties_set", project, before)
    return project_dict(project, ctx.settings.policy, viewer=ctx.user)


# ---- stage transitions ----------------------------------------------------------------------

def _auth_transition(ctx: Context, data: dict) -> None:
    require_login(ctx)
    project = find_project(ctx.session, data)
    transition = stages.TRANSITIONS.get(str(data.get("transition") or ""))
    if project is None or transition is None:
        if ctx.user.role == "reviewer":
            require_role(ctx, "bureau")
        return
    organises = bool(project.approved_total_yuan) and rules.bureau_organises(project.approved_total_yuan,
                                                                              ctx.settings.policy)
    access.require_actor(ctx, project, transition.who, organises)


def _require(data: dict, *fields: tuple[str, str]) -> None:
    missing = {name: [f"{label}为必填项"] for name, label in fields if data.get(name) in (None, "", [])}
    if missing:
        raise ValidationFailed(missing)


def _transition_open(ctx: Context, data: dict) -> None:
    """The project is at the transition's source stage (its preconditions are checked when it runs)."""
    project = get_project(ctx.session, data["id"])
    t = stages.TRANSITIONS.get(str(data.get("transition") or ""))
    if t is None or project.stage != t.source:
        raise Conflict("该项目当前阶段不能办理此操作")


@action("project_transition", auth=_auth_transition, schema=schemas.TransitionSchema, ready=_transition_open)
def project_transition(ctx: Context, data: dict) -> dict:
    """Move a project to its next stage: submit, review_pass, review_revise (with the expert
    opinion), approve (recording the DRC's approval: reference, approved total, date), refuse,
    investment_pass (finance), complete (completed_on), accept (accepted_on, materials, reference),
    evaluate (report_date, opinion = the self-evaluation). Preconditions cite their articles."""
    project = get_project(ctx.session, data["id"])
    check_version(project, data, "项目")
    t = stages.TRANSITIONS.get(data["transition"])
    if t is None:
        raise ValidationFailed({"transition": [f"未知操作“{data['transition']}”，可选：{'、'.join(stages.TRANSITIONS)}"]})
    if project.stage != t.source:
        raise Conflict(f"项目当前处于{STAGE.label_of(project.stage)}阶段，不能执行“{t.label}”"
                       f"（须在{STAGE.label_of(t.source)}阶段）")
    policy, now = ctx.settings.policy, today()
    if t.name in ("review_pass", "review_revise", "refuse"):
        _require(data, ("opinion", "意见"))
    if t.name == "approve":
        _require(data, ("approval_reference", "批复文号"), ("approved_total_yuan", "批复总投资（元）"),
                 ("approved_on", "批复日期"))
    if t.name == "complete":
        _require(data, ("completed_on", "建成日期"))
        not_in_future(data["completed_on"], "completed_on", "建成日期")
    if t.name == "accept":
        _require(data, ("accepted_on", "验收日期"), ("reference", "验收文号"))
        not_in_future(data["accepted_on"], "accepted_on", "验收日期")
        if data["accepted_on"] < project.completed_on:
            raise ValidationFailed({"accepted_on": ["验收日期不能早于建成日期"]})
    failed = [c for c in stages.preconditions(ctx.session, project, t, policy, now) if not c.ok]
    if t.name == "accept":
        materials = stages.materials_check(data["materials"])
        failed += [] if materials.ok else [materials]
    if t.name == "evaluate":
        report_date = data.get("report_date") or now
        not_in_future(report_date, "report_date", "报告日期")
        timing = rules.self_evaluation_timing(project.accepted_on, report_date, policy)
        if timing == "early":
            start, _ = rules.self_evaluation_window(project.accepted_on, policy)
            raise Conflict(f"{cite(27)}，自评价应在竣工验收并投入运行后{policy.self_evaluation_from_months}—"
                           f"{policy.self_evaluation_to_months}个月内开展，最早{rules.cn(start)}")
    if failed:
        raise Conflict("；".join(c.message for c in failed), {"preconditions": [c.as_dict() for c in failed]})
    before = snapshot(project)
    _apply(ctx, project, t, data, now)
    project.stage = t.target
    project.events.append(ProjectEvent(transition=t.name, from_stage=t.source, to_stage=t.target,
                                       opinion=data.get("opinion") or "", actor=ctx.username))
    ctx.session.flush()
    record(ctx, f"project_transition:{t.name}", project, before)
    return project_dict(project, policy, viewer=ctx.user)


def _apply(ctx: Context, project: Project, t, data: dict, now) -> None:
    policy = ctx.settings.policy
    if t.name in ("review_pass", "review_revise"):
        project.expert_opinion = data["opinion"]
    elif t.name == "approve":
        project.approval_reference = data["approval_reference"]
        project.approved_total_yuan = data["approved_total_yuan"]
        project.approved_on = data["approved_on"]
    elif t.name == "investment_pass":
        project.investment_reviewed_yuan = data.get("investment_reviewed_yuan")
        project.construction_started_on = now
    elif t.name == "complete":
        project.completed_on = data["completed_on"]
    elif t.name == "accept":
        extended = max((x.requested_until for x in project.extensions if x.state == "approved"), default=None)
        organiser = "bureau" if rules.bureau_organises(project.approved_total_yuan, policy) else "self"
        project.acceptances.append(ProjectAcceptance(
            kind="completion", result="passed", organiser=organiser, accepted_on=data["accepted_on"],
            materials=list(data["materials"]), reference=data["reference"], actor=ctx.username,
            late=rules.acceptance_late(project.completed_on, data["accepted_on"], policy, extended)))
        project.accepted_on = data["accepted_on"]
        add_evidence_for_systems(ctx, project, "completion_acceptance", data["accepted_on"], data["reference"])
    elif t.name == "evaluate":
        report_date = data.get("report_date") or now
        project.reports.append(ProjectReport(
            kind="self_evaluation", report_date=report_date, content=data.get("opinion") or "",
            reference=data.get("reference") or "", actor=ctx.username,
            late=rules.self_evaluation_timing(project.accepted_on, report_date, policy) == "late"))


# ---- the project list (Art. 7, 9) -----------------------------------------------------------

def _auth_list_submit(ctx: Context, data: dict) -> None:
    require_login(ctx)
    project = find_project(ctx.session, data)
    if project is not None:
        access.require_owner(ctx, project, submitting=True)
    elif ctx.user.role not in ("department", "admin"):
        require_role(ctx, "department")


def _list_entry(ctx: Context, project: Project, data: dict, origin: str, late: bool) -> dict:
    if any(e.year == data["year"] for e in project.list_entries):
        raise Conflict(f"项目已在{data['year']}年度项目清单中")
    before = {"list_years": sorted(e.year for e in project.list_entries)}
    entry = ProjectListEntry(year=data["year"], origin=origin, amount_yuan=data.get("amount_yuan") or
                             project.estimate_yuan, submitted_on=today(), submitted_by=ctx.username,
                             via_unit_id=access.submitting_unit(project.unit).id, late=late, note=data["note"])
    project.list_entries.append(entry)
    ctx.session.flush()
    audit.record(ctx, "project_list_entry", "project", project.id, before,
                 {"list_years": sorted(e.year for e in project.list_entries), "origin": origin}, project.name)
    return {**project_summary(project), "entry": {"year": entry.year, "origin": origin, "late": late}}


@action("project_list_submit", auth=_auth_list_submit, schema=schemas.ListSubmitSchema)
def project_list_submit(ctx: Context, data: dict) -> dict:
    """A unit reports its project for next budget year's list by 30 September (Art. 7): ≥ 500,000
    yuan is declared onto the list, smaller projects are filed (报备). Schools and hospitals report
    through their administrative department."""
    project = get_project(ctx.session, data["id"])
    policy = ctx.settings.policy
    if rules.list_submission_late(data["year"], today(), policy):
        raise Conflict(rules.late_list_message(data["year"], policy))
    return _list_entry(ctx, project, data, rules.list_origin_for(project.estimate_yuan, policy), False)


@action("project_list_add", auth=lambda ctx, data: require_role(ctx, "bureau"), schema=schemas.ListAddSchema)
def project_list_add(ctx: Context, data: dict) -> dict:
    """The Bureau puts a project on a year's list (Art. 9: mandated, continuing or O&M projects;
    also a unit's report it received). Recorded as late after the 30 September deadline."""
    project = get_project(ctx.session, data["id"])
    late = rules.list_submission_late(data["year"], today(), ctx.settings.policy)
    return _list_entry(ctx, project, data, data["origin"], late)


@action("project_budget_check", auth=allow_public, read_only=True, schema=schemas.BudgetCheckSchema)
def project_budget_check(ctx: Context, data: dict) -> dict:
    """Whether the project may receive a budget in the year: only if on that year's list (Art. 7)."""
    project = get_project(ctx.session, data["id"])
    entry = next((e for e in project.list_entries if e.year == data["year"]), None)
    decision = rules.budget_decision(project.name, data["year"], entry.origin if entry else None)
    return {"project": project.id, "year": data["year"], **decision.as_dict()}
