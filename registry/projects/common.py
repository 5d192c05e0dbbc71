"""Helpers shared by the project actions: lookup, audit snapshot, evidence hand-off."""
from __future__ import annotations

import importlib.util
import logging
from datetime import date

from catalog_schema.fields import MAX_DB_INT
from registry.core import audit
from registry.core.clock import today  # noqa: F401  (the project actions' day)
from registry.core.errors import Conflict, NotFound, ValidationFailed
from registry.projects.models import Project
from registry.projects.vocab import STAGE
from registry.measures import cite

log = logging.getLogger("registry.projects")


def get_project(session, ref, field: str = "id") -> Project:
    if ref in (None, ""):
        raise ValidationFailed({field: ["缺少项目编号"]})
    if isinstance(ref, bool) or not isinstance(ref, (int, str)):
        raise ValidationFailed({field: ["项目编号必须是数字"]})
    if isinstance(ref, str) and not (ref.strip().isascii() and ref.strip().isdecimal()):
        raise NotFound(f"项目“{ref}”不存在")
    project = session.get(Project, int(ref)) if 0 <= int(ref) <= MAX_DB_INT else None
    if project is None:
        raise NotFound(f"项目“{ref}”不存在")
    return project


def find_project(session, data: dict, field: str = "id") -> Project | None:
    """For auth functions (they run before validation): the project, or None when the ref is bad
    (the action then reports the bad input)."""
    try:
        return get_project(session, data.get(field), field)
    except (NotFound, ValidationFailed):
        return None


def snapshot(project: Project) -> dict:
    return audit.snapshot(project)


def record(ctx, action: str, project: Project, before: dict | None, summary: str = "") -> None:
    audit.record(ctx, action, "project", project.id, before, snapshot(project), summary or project.name)


def require_stage(project: Project, *stages: str, what: str, article: int) -> None:
    if project.stage not in stages:
        allowed = "、".join(STAGE.label_of(s) for s in stages)
        raise Conflict(f"{cite(article)}，{what}须在{allowed}阶段进行，项目当前处于{STAGE.label_of(project.stage)}阶段")


def not_in_future(value: date | None, field: str, label: str) -> None:
    if value is not None and value > today():
        raise ValidationFailed({field: [f"{label}不能晚于今天"]})


def add_evidence_for_systems(ctx, project: Project, kind: str, issued_on: date, reference: str) -> int:
    """Hand an acceptance to the funding engine as evidence, one record per system the project builds.

    Called only when `registry.funding.evidence` is installed (it is written in parallel); errors
    from it propagate and roll the whole write back.
    """
    if importlib.util.find_spec("registry.funding.evidence") is None:
        log.warning("registry.funding.evidence is not installed: %s of project %s not handed over", kind, project.id)
        return 0
    from registry.funding.evidence import add_evidence
    for link in project.systems:
        add_evidence(ctx, kind=kind, system_id=link.system_id, result="passed", issued_on=issued_on,
                     reference=reference, source=f"project:{project.id}")
    return len(project.systems)
