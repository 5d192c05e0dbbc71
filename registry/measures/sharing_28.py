"""Art. 28 funding rule: a system whose unit does not share as required (未按要求共享数据资源).

Counts against the provider's system, within the evidence window (1 January of the budget year
minus Policy `sharing_evidence_years`, up to the decision day):
- a refusal without a basis (or one the Bureau overruled in its coordination), by its answer date;
- a request for a 无条件/有条件共享 resource that the provider owed an answer to and left unanswered
  past its deadline, by its deadline.
A 无条件共享 request under the Bureau's conformity check is owed by the Bureau, not the provider,
so it does not count against the provider's system. A refusal that states its basis does not count.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import select

from registry.core.db import in_chunks
from registry.measures.base import NEW_PROJECT, OM_FUNDING, Batch, Reason, funding_rule
from registry.measures import cite
from registry.catalog.models import Unit
from registry.sharing.models import SharingRequest
from registry.sharing.stats import refused_without_basis, unanswered_overdue

RULE_ID = "art28_sharing_requests"


def window(batch: Batch) -> tuple[date, date]:
    start = date(batch.year - batch.policy.sharing_evidence_years, 1, 1)
    return start, min(batch.as_of, date(batch.year, 12, 31))


def prepare(batch: Batch) -> dict[int, list[dict]]:
    start, end = window(batch)
    found: dict[int, list[dict]] = defaultdict(list)
    ids = list(batch.system_ids)
    units = dict(batch.session.execute(select(Unit.id, Unit.name)).all())
    for chunk in in_chunks(ids):
        rows = batch.session.scalars(select(SharingRequest).where(
            SharingRequest.provider_system_id.in_(chunk), SharingRequest.answerer == "provider",
            SharingRequest.sharing_class.in_(("unconditional", "conditional"))).order_by(SharingRequest.id))
        for req in rows:
            problem = None
            if refused_without_basis(req) and start <= req.answered_on <= end:
                problem = "refused_without_basis"
            elif unanswered_overdue(req, batch.as_of) and start <= req.due_on <= end:
                problem = "unanswered_past_deadline"
            if problem:
                found[req.provider_system_id].append({
                    "type": "sharing_request", "request_id": req.id, "problem": problem,
                    "requester_unit": units.get(req.requester_unit_id, ""), "resource": req.resource_title,
                    "sharing_class": req.sharing_class, "submitted_on": req.submitted_on.isoformat(),
                    "due_on": req.due_on.isoformat(),
                    "answered_on": req.answered_on.isoformat() if req.answered_on else None,
                    "refusal_reason": req.refusal_reason, "link": f"/sharing/requests/{req.id}"})
    batch.data[RULE_ID] = found
    return found


@funding_rule(RULE_ID, (28,), "未按要求共享数据资源（共享申请超期未答复或无依据不予共享）", prepare=prepare,
              questions=(OM_FUNDING, NEW_PROJECT))
def check(batch: Batch, system_id: int) -> list[Reason]:
    evidence = batch.data.get(RULE_ID, {}).get(system_id, [])
    if not evidence:
        return []
    unanswered = [e["request_id"] for e in evidence if e["problem"] == "unanswered_past_deadline"]
    refused = [e["request_id"] for e in evidence if e["problem"] == "refused_without_basis"]
    parts = []
    if unanswered:
        parts.append(f"{len(unanswered)} 项共享申请超过答复期限未答复（申请编号 {'、'.join(f'#{i}' for i in unanswered)}）")
    if refused:
        parts.append(f"{len(refused)} 项共享申请不予共享且无有效依据（申请编号 {'、'.join(f'#{i}' for i in refused)}）")
    message = (f"{cite(28)}，该系统未按要求共享数据资源：{'；'.join(parts)}，"
               f"不予安排运行维护经费，所属单位不得新建、扩建信息系统")
    return [Reason(RULE_ID, (28,), message, tuple(evidence))]
