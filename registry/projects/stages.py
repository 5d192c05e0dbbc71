"""The stage machine (Art. 10, 14, 20, 25–27, 35): transitions, who moves them, preconditions.

申报 → 技术审查 → 项目决策 → 投资评审 → 建设 → 竣工验收 → 运维 → 自评价/后评价.
A precondition is a `Check` (label, ok, Chinese reason citing its article), so the project page
shows the same checks the transition enforces.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from registry.catalog.models import InformationResource
from registry.measures import projects_7_35 as rules
from registry.projects.models import BlacklistEntry, Project, ProjectReport
from registry.projects.vocab import CHAPTER, MATERIAL, STAGE
from registry.measures import cite


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    source: str
    target: str
    who: str            # owner | submitter | bureau | finance | organiser (see access.require_actor)
    articles: tuple[int, ...]


TRANSITIONS = {t.name: t for t in (
    Transition("submit", "提交申报", "declared", "tech_review", "submitter", (10,)),
    Transition("review_pass", "技术审查通过", "tech_review", "decision", "bureau", (10,)),
    Transition("review_revise", "退回修改", "tech_review", "declared", "bureau", (10,)),
    Transition("approve", "登记发展改革委批复（可研和概算）", "decision", "investment_review", "bureau", (10, 14)),
    Transition("refuse", "登记发展改革委不予批复", "decision", "declared", "bureau", (10,)),
    Transition("investment_pass", "投资评审完成，进入建设", "investment_review", "construction", "finance", (10, 20, 35)),
    Transition("complete", "项目建成", "construction", "acceptance", "owner", (25,)),
    Transition("accept", "竣工验收通过", "acceptance", "operation", "organiser", (25, 26)),
    Transition("evaluate", "提交自评价报告", "operation", "evaluation", "owner", (27,)),
)}


@dataclass(frozen=True)
class Check:
    label: str
    ok: bool
    message: str

    def as_dict(self) -> dict:
        return {"label": self.label, "ok": self.ok, "message": self.message}


def next_transitions(project: Project) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if t.source == project.stage]


def catalog_size(session, project: Project) -> int:
    """Information resources of the project's systems and of its parts (Attachment 2)."""
    system_ids = [link.system_id for link in project.systems]
    part_ids = [rid for part in project.parts for rid in part.resource_ids or []]
    if not system_ids and not part_ids:
        return 0
    clause = InformationResource.system_id.in_(system_ids) if system_ids else None
    if part_ids:
        part_clause = InformationResource.id.in_(part_ids)
        clause = part_clause if clause is None else (clause | part_clause)
    return session.scalar(select(func.count(InformationResource.id)).where(clause)) or 0


def active_blacklisting(session, name: str, credit_code: str, as_of: date) -> BlacklistEntry | None:
    clause = BlacklistEntry.name == name.strip()
    credit_code = (credit_code or "").strip()  # null from the API means "not given"
    if credit_code:
        clause = clause | (BlacklistEntry.credit_code == credit_code)
    for entry in session.scalars(select(BlacklistEntry).where(clause).order_by(BlacklistEntry.expires_on.desc())):
        if rules.blacklist_active(entry.listed_on, entry.expires_on, as_of):
            return entry
    return None


def blacklist_message(entry: BlacklistEntry) -> str:
    last_day = date.fromordinal(entry.expires_on.toordinal() - 1)
    return (f"{cite(35)}，承建企业“{entry.name}”已于{rules.cn(entry.listed_on)}被纳入黑名单，"
            f"至{rules.cn(last_day)}不得在本县开展大数据相关业务")


def preconditions(session, project: Project, transition: Transition, policy, today: date) -> list[Check]:
    checks: list[Check] = []
    if project.status == "suspended" and transition.name != "review_revise":
        checks.append(Check("项目未暂停", False, f"{cite(22)}，项目已暂停建设，整改完成并经县大数据发展局同意恢复后方可继续"))
    name = transition.name
    if name in ("submit", "review_pass"):
        missing = declaration_missing(project)
        checks.append(Check("申报表（附件1）填写完整", not missing,
                            f"{cite(10)}，申报表尚缺：{'、'.join(missing)}" if missing else "申报表已填写完整"))
    if name == "review_pass":
        size = catalog_size(session, project)
        checks.append(Check("信息资源目录（附件2）", size > 0,
                            f"{cite(10)}，已关联 {size} 项信息资源" if size else
                            f"{cite(10)}，项目申报须提交信息资源目录（附件2）：项目的信息系统尚未登记任何信息资源"))
    if name == "approve":
        size = catalog_size(session, project)
        checks.append(Check("数据资源目录（附件2）", size > 0,
                            f"{cite(14)}，已关联 {size} 项信息资源" if size else
                            f"{cite(14)}，数据资源目录是审批项目的必备条件：项目的信息系统尚未登记任何信息资源"))
        checks.append(Check("密码应用方案", bool(project.crypto_plan.strip()),
                            f"{cite(14)}，已登记密码应用方案" if project.crypto_plan.strip() else
                            f"{cite(14)}，密码应用方案是审批项目的必备条件，尚未登记"))
        missing = [CHAPTER.label_of(c) for c in CHAPTER.codes if c not in (project.feasibility_chapters or [])]
        checks.append(Check("可行性研究报告五个篇章", not missing,
                            f"{cite(14)}，可研报告尚缺篇章：{'、'.join(missing)}" if missing else
                            f"{cite(14)}，五个篇章齐全"))
        if project.kind == "expansion":
            done = bool(project.predecessor_post_evaluation.strip()) or (
                project.predecessor_id is not None and session.scalar(
                    select(ProjectReport.id).where(ProjectReport.project_id == project.predecessor_id,
                                                   ProjectReport.kind == "post_evaluation")) is not None)
            checks.append(Check("前期项目第三方后评价报告", done,
                                f"{cite(14)}，已提交前期项目第三方后评价报告" if done else
                                f"{cite(14)}，改扩建项目须提交前期项目第三方后评价报告"))
    if name == "investment_pass":
        checks.append(Check("工程监理单位", bool(project.supervisor.strip()),
                            f"{cite(20)}，监理单位：{project.supervisor}" if project.supervisor.strip() else
                            f"{cite(20)}，项目实行工程监理制，进入建设前须登记监理单位"))
        if not project.contractor.strip():
            checks.append(Check("承建单位", False, f"{cite(35)}，进入建设前须登记承建单位"))
        else:
            entry = active_blacklisting(session, project.contractor, project.contractor_credit_code, today)
            checks.append(Check("承建单位不在黑名单", entry is None,
                                blacklist_message(entry) if entry else f"{cite(35)}，承建单位“{project.contractor}”不在黑名单"))
    if name == "accept":
        archive = any(a.kind == "archive" and a.result == "passed" for a in project.acceptances)
        checks.append(Check("档案验收", archive, f"{cite(26)}，档案验收已通过" if archive else
                            f"{cite(26)}，未进行档案验收或档案验收不合格的，不得通过项目竣工验收"))
    return checks


# Attachment 1's required entries (备注 is the only optional one); the two attached materials are
# recognised by their names as the form prints them.
REQUIRED_DECLARATION = (("name", "项目名称"), ("kind", "项目类型"), ("competent_department", "行政主管部门"),
                        ("leader", "分管领导"), ("leader_phone", "分管领导联系电话"), ("contact", "项目联系人"),
                        ("contact_phone", "项目联系人联系电话"), ("background", "建设背景和依据"),
                        ("preparation", "前期准备情况"), ("schedule", "进度计划和年度资金估算"),
                        ("filler", "填表人"), ("filler_phone", "填表人联系电话"), ("declaring_unit", "申报单位"))
REQUIRED_MATERIALS = (("项目基本情况报告（可行性研究报告或技术方案）", ("项目基本情况报告", "可行性研究报告", "技术方案")),
                      ("投资预算明细", ("投资预算",)))


def declaration_missing(project) -> list[str]:
    """The Attachment 1 entries still empty (a declaration is complete when this is empty)."""
    missing = [label for key, label in REQUIRED_DECLARATION[:9] if not str(getattr(project, key) or "").strip()]
    if not project.estimate_yuan or project.estimate_yuan <= 0:
        missing.append("经费估算")
    missing += [label for key, label in REQUIRED_DECLARATION[9:] if not str(getattr(project, key) or "").strip()]
    if project.declared_on is None:
        missing.append("申报日期")
    materials = project.materials or []
    missing += [f"附件材料“{label}”" for label, words in REQUIRED_MATERIALS
                if not any(w in m for m in materials for w in words)]
    return missing


def materials_check(materials: list[str]) -> Check:
    missing = [MATERIAL.label_of(m) for m in MATERIAL.codes if m not in materials]
    return Check("竣工验收材料", not missing, f"{cite(25)}，竣工验收材料尚缺：{'、'.join(missing)}" if missing
                 else f"{cite(25)}，验收材料齐全")


def stage_label(code: str) -> str:
    return STAGE.label_of(code)
