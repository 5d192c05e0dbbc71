"""Projects as dicts for the API and the pages (Chinese labels beside every code)."""
from __future__ import annotations

from sqlalchemy.orm import object_session

from catalog_schema.vocabularies import PROJECT_TYPE
from registry.core.people import with_names
from registry.projects import access
from registry.measures import projects_7_35 as rules
from registry.projects.models import Project
from registry.projects.schemas import DECLARATION_FIELDS, OTHER_FIELDS
from registry.projects.vocab import CHAPTER, LIST_ORIGIN, MATERIAL, STAGE, STATUS


def _iso(value):
    return value.isoformat() if value is not None else None


def project_summary(p: Project) -> dict:
    return {"id": p.id, "name": p.name, "kind": p.kind, "kind_label": PROJECT_TYPE.label_of(p.kind),
            "unit_id": p.unit_id, "unit_name": p.unit.name, "stage": p.stage, "stage_label": STAGE.label_of(p.stage),
            "status": p.status, "status_label": STATUS.label_of(p.status), "estimate_yuan": p.estimate_yuan,
            "approved_total_yuan": p.approved_total_yuan, "version": p.version,
            "list_years": sorted(e.year for e in p.list_entries)}


def project_dict(p: Project, policy=None, *, viewer=None) -> dict:
    """Everything about the project `viewer` (the acting user; None: anonymous) may read: the
    personal phone numbers only for the owning unit and the oversight roles (access.may_see_contacts)."""
    data = project_summary(p)
    for name in DECLARATION_FIELDS + OTHER_FIELDS:
        value = getattr(p, name)
        data[name] = _iso(value) if name == "declared_on" else value
    data["contacts_visible"] = access.may_see_contacts(viewer, p)
    if not data["contacts_visible"]:
        data.update({name: "" for name in access.CONTACT_FIELDS})
    data.update(
        feasibility_chapter_labels=[CHAPTER.label_of(c) for c in p.feasibility_chapters or []],
        predecessor_id=p.predecessor_id, contractor=p.contractor, contractor_credit_code=p.contractor_credit_code,
        supervisor=p.supervisor, expert_opinion=p.expert_opinion, approval_reference=p.approval_reference,
        approved_on=_iso(p.approved_on), investment_reviewed_yuan=p.investment_reviewed_yuan,
        construction_started_on=_iso(p.construction_started_on), completed_on=_iso(p.completed_on),
        accepted_on=_iso(p.accepted_on), rectify_by=_iso(p.rectify_by),
        systems=[{"id": link.system_id, "name": link.system.name, "code": link.system.code,
                  "relation": link.relation} for link in p.systems],
        parts=[{"id": part.id, "unit_id": part.unit_id, "unit_name": part.unit.name, "content": part.content,
                "resource_ids": list(part.resource_ids or [])} for part in p.parts],
        list_entries=[{"year": e.year, "origin": e.origin, "origin_label": LIST_ORIGIN.label_of(e.origin),
                       "amount_yuan": e.amount_yuan, "submitted_on": _iso(e.submitted_on),
                       "submitted_by": e.submitted_by, "late": e.late, "note": e.note}
                      for e in sorted(p.list_entries, key=lambda e: e.year)],
        events=[{"transition": e.transition, "from_stage": e.from_stage, "to_stage": e.to_stage,
                 "from_label": STAGE.label_of(e.from_stage), "to_label": STAGE.label_of(e.to_stage),
                 "opinion": e.opinion, "actor": e.actor, "at": e.at.isoformat(timespec="seconds")}
                for e in p.events],
        adjustments=[{"id": a.id, "amount_yuan": a.amount_yuan, "new_total_yuan": a.new_total_yuan,
                      "reason": a.reason, "outcome": a.outcome, "reasons": a.reasons, "description": a.description,
                      "filed_on": _iso(a.filed_on), "actor": a.actor} for a in p.adjustments],
        reports=[{"id": r.id, "kind": r.kind, "year": r.year, "report_date": _iso(r.report_date),
                  "problem_kind": r.problem_kind, "content": r.content, "reference": r.reference, "late": r.late,
                  "actor": r.actor} for r in p.reports],
        acceptances=[{"id": a.id, "kind": a.kind, "result": a.result, "organiser": a.organiser,
                      "accepted_on": _iso(a.accepted_on), "reference": a.reference, "late": a.late,
                      "materials": a.materials, "material_labels": [MATERIAL.label_of(m) for m in a.materials]}
                     for a in p.acceptances],
        extensions=[{"id": x.id, "requested_until": _iso(x.requested_until), "reason": x.reason, "state": x.state,
                     "requested_by": x.requested_by, "decided_by": x.decided_by, "decision_note": x.decision_note}
                    for x in p.extensions],
    )
    from registry.projects.stages import declaration_missing
    data["declaration_missing"] = declaration_missing(p)
    data["declaration_complete"] = not data["declaration_missing"]
    if policy is not None and p.completed_on is not None:
        data["acceptance_due"] = rules.acceptance_due(p.completed_on, policy).isoformat()
    if policy is not None and p.approved_total_yuan:
        data["acceptance_organiser"] = ("bureau" if rules.bureau_organises(p.approved_total_yuan, policy) else "self")
        data["acceptance_organiser_text"] = rules.acceptance_organiser_text(p.approved_total_yuan, policy)
    session = object_session(p)
    if session is not None:  # names beside login names, for the pages and API consumers alike
        with_names(session, data["list_entries"], "submitted_by")
        with_names(session, data["events"] + data["adjustments"], "actor")
    return data
