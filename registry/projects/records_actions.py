"""Records along construction and after: adjustments (Art. 24), performance reports (Art. 21),
serious problems (Art. 22), archive acceptance (Art. 26), acceptance extensions (Art. 25),
post-evaluation (Art. 27) and the contractor blacklist (Art. 35)."""
from __future__ import annotations

from sqlalchemy import select

from registry.core import audit
from registry.core.actions import Context, action
from registry.core.authz import require_login, require_role
from registry.core.errors import Conflict, NotFound, ValidationFailed
from registry.projects import access, schemas, stages
from registry.measures import projects_7_35 as rules
from registry.projects.common import (add_evidence_for_systems, find_project, get_project, not_in_future, record,
                                      require_stage, snapshot, today)
from registry.projects.models import (BlacklistEntry, ProjectAcceptance, ProjectAdjustment, ProjectExtension,
                                      ProjectReport)
from registry.projects.serialize import project_dict
from registry.projects.vocab import PROBLEM_DECISION, PROBLEM_KIND
from registry.measures import cite


def _auth_owner(ctx: Context, data: dict) -> None:
    require_login(ctx)
    project = find_project(ctx.session, data)
    if project is not None:
        access.require_owner(ctx, project)
    elif ctx.user.role not in ("department", "admin"):
        require_role(ctx, "department")


def _auth_owner_or_bureau(ctx: Context, data: dict) -> None:
    require_login(ctx)
    if ctx.user.role in ("bureau", "admin"):
        return
    _auth_owner(ctx, data)


def _auth_bureau(ctx: Context, data: dict) -> None:
    require_role(ctx, "bureau")


@action("project_adjustment_create", auth=_auth_owner, schema=schemas.AdjustmentSchema)
def project_adjustment_create(ctx: Context, data: dict) -> dict:
    """Record an adjustment of the construction content. Filed (备案) when within 15 % of the
    approved total, without raising it, targets unchanged, for one of the three reasons; otherwise
    the outcome is "full procedure required" (Art. 24)."""
    project = get_project(ctx.session, data["id"])
    require_stage(project, "investment_review", "construction", what="项目调整", article=24)
    decision = rules.adjustment_decision(project.approved_total_yuan, data["amount_yuan"], data["new_total_yuan"],
                                         data["reason"], data["targets_unchanged"], ctx.settings.policy)
    before = {"adjustments": len(project.adjustments)}
    adjustment = ProjectAdjustment(amount_yuan=data["amount_yuan"], new_total_yuan=data["new_total_yuan"],
                                   reason=data["reason"], targets_unchanged=data["targets_unchanged"],
                                   description=data["description"], outcome=decision.outcome,
                                   reasons=decision.reasons, filed_on=today(), actor=ctx.username)
    project.adjustments.append(adjustment)
    ctx.session.flush()
    audit.record(ctx, "project_adjustment_create", "project", project.id, before,
                 {"adjustments": len(project.adjustments), "outcome": decision.outcome}, project.name)
    return {"id": adjustment.id, "project": project.id, "outcome": decision.outcome,
            "outcome_label": "已备案" if decision.outcome == "filed" else "须履行完整审批程序",
            "reasons": decision.reasons}


@action("project_performance_report", auth=_auth_owner, schema=schemas.PerformanceReportSchema)
def project_performance_report(ctx: Context, data: dict) -> dict:
    """File the annual performance report of a year of construction, due by year end (Art. 21)."""
    project = get_project(ctx.session, data["id"])
    require_stage(project, "construction", "acceptance", what="绩效评价报告", article=21)
    report_date = data.get("report_date") or today()
    not_in_future(report_date, "report_date", "报告日期")
    if any(r.kind == "performance" and r.year == data["year"] for r in project.reports):
        raise Conflict(f"{data['year']}年度绩效评价报告已提交")
    before = snapshot(project)
    late = report_date > rules.performance_report_due(data["year"], ctx.settings.policy)
    project.reports.append(ProjectReport(kind="performance", year=data["year"], report_date=report_date,
                                         content=data["content"], reference=data["reference"], late=late,
                                         actor=ctx.username))
    ctx.session.flush()
    record(ctx, "project_performance_report", project, before, f"{project.name} {data['year']}年度绩效评价报告")
    return {**project_dict(project, ctx.settings.policy, viewer=ctx.user), "late": late}


@action("project_problem_report", auth=_auth_owner, schema=schemas.ProblemReportSchema)
def project_problem_report(ctx: Context, data: dict) -> dict:
    """Report a serious delay or major loss during construction (Art. 22)."""
    project = get_project(ctx.session, data["id"])
    require_stage(project, "construction", what="问题报告", article=22)
    before = snapshot(project)
    project.reports.append(ProjectReport(kind="problem", report_date=today(), problem_kind=data["problem_kind"],
                                         content=data["content"], actor=ctx.username))
    if project.status == "normal":
        project.status = "problem"
    ctx.session.flush()
    record(ctx, "project_problem_report", project, before,
           f"{project.name}：{PROBLEM_KIND.label_of(data['problem_kind'])}")
    return project_dict(project, ctx.settings.policy, viewer=ctx.user)


@action("project_problem_decide", auth=_auth_bureau, schema=schemas.ProblemDecisionSchema)
def project_problem_decide(ctx: Context, data: dict) -> dict:
    """The Bureau (with the DRC and finance) orders rectification by a date, suspends the project,
    or lifts either once rectified (Art. 22)."""
    project = get_project(ctx.session, data["id"])
    decision = data["decision"]
    if decision in ("rectify", "suspend") and project.status == "normal":
        raise Conflict(f"{cite(22)}，项目未报告严重逾期或重大损失等问题")
    if decision == "rectify" and data.get("rectify_by") is None:
        raise ValidationFailed({"rectify_by": ["限期整改须填写整改期限"]})
    if decision == "resolved" and project.status == "normal":
        raise Conflict("项目没有待处理的问题")
    before = snapshot(project)
    project.status = {"rectify": "rectifying", "suspend": "suspended", "resolved": "normal"}[decision]
    project.rectify_by = data.get("rectify_by") if decision == "rectify" else None
    ctx.session.flush()
    record(ctx, "project_problem_decide", project, before,
           f"{project.name}：{PROBLEM_DECISION.label_of(decision)} {data['note']}".strip())
    return project_dict(project, ctx.settings.policy, viewer=ctx.user)


@action("project_archive_accept", auth=_auth_owner_or_bureau, schema=schemas.ArchiveAcceptanceSchema)
def project_archive_accept(ctx: Context, data: dict) -> dict:
    """Record the archive acceptance, a precondition of completion acceptance (Art. 26)."""
    project = get_project(ctx.session, data["id"])
    require_stage(project, "construction", "acceptance", what="档案验收", article=26)
    not_in_future(data["accepted_on"], "accepted_on", "档案验收日期")
    before = snapshot(project)
    result = "passed" if data["passed"] else "failed"
    project.acceptances.append(ProjectAcceptance(kind="archive", result=result, organiser="archives",
                                                 accepted_on=data["accepted_on"], reference=data["reference"],
                                                 actor=ctx.username))
    if data["passed"]:
        add_evidence_for_systems(ctx, project, "archive_acceptance", data["accepted_on"], data["reference"])
    ctx.session.flush()
    record(ctx, "project_archive_accept", project, before, f"{project.name} 档案验收{'合格' if data['passed'] else '不合格'}")
    return project_dict(project, ctx.settings.policy, viewer=ctx.user)


@action("project_extension_request", auth=_auth_owner, schema=schemas.ExtensionRequestSchema)
def project_extension_request(ctx: Context, data: dict) -> dict:
    """Ask the Bureau to accept later than six months after completion (Art. 25)."""
    project = get_project(ctx.session, data["id"])
    require_stage(project, "acceptance", what="延期验收申请", article=25)
    due = rules.acceptance_due(project.completed_on, ctx.settings.policy)
    if data["requested_until"] <= due:
        raise ValidationFailed({"requested_until": [f"申请延期的日期须晚于原验收期限{rules.cn(due)}"]})
    if any(x.state == "pending" for x in project.extensions):
        raise Conflict("已有待审核的延期验收申请")
    before = snapshot(project)
    project.extensions.append(ProjectExtension(requested_until=data["requested_until"], reason=data["reason"],
                                               requested_by=ctx.username))
    ctx.session.flush()
    record(ctx, "project_extension_request", project, before, f"{project.name} 申请延期验收至{rules.cn(data['requested_until'])}")
    return project_dict(project, ctx.settings.policy, viewer=ctx.user)


@action("project_extension_decide", auth=_auth_bureau, schema=schemas.ExtensionDecisionSchema)
def project_extension_decide(ctx: Context, data: dict) -> dict:
    """The Bureau approves or refuses an extension request (Art. 25)."""
    ref = data["extension"]
    extension = ctx.session.get(ProjectExtension, int(ref)) if str(ref).isdecimal() else None
    if extension is None:
        raise NotFound(f"延期申请“{ref}”不存在")
    if extension.state != "pending":
        raise Conflict("该延期申请已处理")
    project = get_project(ctx.session, extension.project_id)
    before = snapshot(project)
    extension.state = "approved" if data["approve"] else "refused"
    extension.decided_by, extension.decision_note = ctx.username, data["note"]
    ctx.session.flush()
    record(ctx, "project_extension_decide", project, before,
           f"{project.name} 延期验收申请{'同意' if data['approve'] else '不同意'}")
    return project_dict(project, ctx.settings.policy, viewer=ctx.user)


@action("project_post_evaluation", auth=_auth_bureau, schema=schemas.PostEvaluationSchema)
def project_post_evaluation(ctx: Context, data: dict) -> dict:
    """Record the third-party post-evaluation the Bureau commissioned (Art. 27); an 改扩建 project
    of this one needs it (Art. 14)."""
    project = get_project(ctx.session, data["id"])
    require_stage(project, "operation", "evaluation", what="后评价", article=27)
    not_in_future(data["report_date"], "report_date", "报告日期")
    if any(r.kind == "post_evaluation" for r in project.reports):
        raise Conflict("该项目已登记第三方后评价报告")
    before = snapshot(project)
    project.reports.append(ProjectReport(kind="post_evaluation", report_date=data["report_date"],
                                         reference=data["reference"], content=data["content"], actor=ctx.username))
    ctx.session.flush()
    record(ctx, "project_post_evaluation", project, before, f"{project.name} 第三方后评价")
    return project_dict(project, ctx.settings.policy, viewer=ctx.user)


def _blacklist_dict(entry: BlacklistEntry, as_of) -> dict:
    return {"id": entry.id, "name": entry.name, "credit_code": entry.credit_code,
            "listed_on": entry.listed_on.isoformat(), "expires_on": entry.expires_on.isoformat(),
            "reason": entry.reason, "project_id": entry.project_id,
            "active": rules.blacklist_active(entry.listed_on, entry.expires_on, as_of)}


@action("blacklist_add", auth=_auth_bureau, schema=schemas.BlacklistAddSchema)
def blacklist_add(ctx: Context, data: dict) -> dict:
    """Blacklist a contractor for five years from the listing date (Art. 35)."""
    not_in_future(data["listed_on"], "listed_on", "纳入黑名单日期")
    project = get_project(ctx.session, data["project"], "project") if data.get("project") not in (None, "") else None
    entry = BlacklistEntry(name=data["name"], credit_code=data["credit_code"], listed_on=data["listed_on"],
                           expires_on=rules.blacklist_expiry(data["listed_on"], ctx.settings.policy),
                           reason=data["reason"], project_id=project.id if project else None, actor=ctx.username)
    ctx.session.add(entry)
    ctx.session.flush()
    audit.record(ctx, "blacklist_add", "contractor_blacklist", entry.id, None, audit.snapshot(entry), entry.name)
    return _blacklist_dict(entry, today())


@action("blacklist_list", auth=lambda ctx, data: require_login(ctx), read_only=True)
def blacklist_list(ctx: Context, data: dict) -> dict:
    """Every blacklist entry, newest first, with whether it is active today."""
    rows = [_blacklist_dict(e, today()) for e in
            ctx.session.scalars(select(BlacklistEntry).order_by(BlacklistEntry.listed_on.desc()))]
    return {"count": len(rows), "results": rows}


@action("blacklist_check", auth=lambda ctx, data: require_login(ctx), read_only=True,
        schema=schemas.BlacklistCheckSchema)
def blacklist_check(ctx: Context, data: dict) -> dict:
    """Whether a contractor (name or credit code) is barred on a day (default today) (Art. 35)."""
    as_of = data.get("as_of") or today()
    entry = stages.active_blacklisting(ctx.session, data["name"], data["credit_code"], as_of)
    return {"name": data["name"], "as_of": as_of.isoformat(), "barred": entry is not None,
            "message": stages.blacklist_message(entry) if entry else f"{cite(35)}，“{data['name']}”不在黑名单",
            "entry": _blacklist_dict(entry, as_of) if entry else None}
