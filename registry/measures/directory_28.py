"""Art. 28 funding rules: the master directory, duplicate collection, sharing as required, and the
approvals a system that cannot share (不予共享) or runs on an isolated network (孤网) needs.

Decisions taken here (each has a test):
- Directory: the state on the decision day, replayed from the directory history. Art. 28 blocks a
  system that is *not in* the directory; when it was admitted does not matter. (A county may opt in
  to Policy.directory_admission_deadline: then an admission after the Art. 7 project-list deadline of
  Y-1 waits for Y+1, a separate rule filed under Art. 7, not Art. 28.) A merged system is blocked and points to the system it was
  merged into (its O&M belongs to that system). Without history (data older than it), the
  system's own in_directory/directory_date are used.
- Sharing: a shareable resource (无条件/有条件共享) blocks only on evidence that it is not shared
  (the latest sharing status, of the resource or else of the whole system, is 未按要求共享); an
  unrecorded status is not evidence of a breach.
- 不予共享/孤网: a system on the isolated network, or whose every resource is 不予共享, needs both
  the Bureau's first review and the county government's approval, each 同意 and counting for the
  year (an approval dated after the budget year does not count).
"""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from registry.funding.models import DirectoryEvent
from registry.funding.records import (cn, evidence, evidence_ref, latest, missing_ref, rows_for)
from registry.measures.base import NEW_PROJECT, OM_FUNDING, Batch, Reason, funding_rule
from registry.measures import cite
from registry.catalog.models import InformationResource, InformationSystem

BOTH = (OM_FUNDING, NEW_PROJECT)
SHAREABLE = ("unconditional", "conditional")


def _prepare_directory(batch: Batch) -> dict:
    E = DirectoryEvent
    rows = rows_for(batch.session, lambda c: select(E.id, E.system_id, E.kind, E.effective_on, E.reason,
                                                    E.merged_into_id).where(E.system_id.in_(c)), batch.system_ids)
    events = defaultdict(list)
    for row in rows:
        if row.effective_on <= batch.as_of:
            events[row.system_id].append(row)
    targets = {r.merged_into_id for r in rows if r.merged_into_id}
    names = dict(rows_for(batch.session, lambda c: select(InformationSystem.id, InformationSystem.name)
                          .where(InformationSystem.id.in_(c)), targets))
    return {"events": events, "names": names, "cutoff": batch.policy.deadline_for(batch.year - 1),
            "has_history": {r.system_id for r in rows}}


@funding_rule("not_in_directory", (28,), "未纳入政务信息系统总目录", prepare=_prepare_directory)
def not_in_directory(batch: Batch, system_id: int) -> list[Reason]:
    data = batch.data["not_in_directory"]
    system = batch.systems[system_id]
    events = sorted(data["events"].get(system_id, []), key=lambda e: (e.effective_on, e.id))
    base = cite(28)
    if not events and system_id not in data["has_history"]:
        if system.in_directory:
            return []
    if not events:
        return [Reason("not_in_directory", (28,), f"{base}，该系统未纳入政务信息系统总目录，不安排运行维护经费",
                       (missing_ref("directory", "总目录纳入记录"),))]
    last = events[-1]
    ref = _event_ref(data, last)
    if last.kind == "merge":
        target = data["names"].get(last.merged_into_id, "（已删除的系统）")
        return [Reason("not_in_directory", (28,),
                       f"{base}，该系统已于{cn(last.effective_on)}整合并入“{target}”，不再单独安排运行维护经费，"
                       f"其运行维护经费应列入“{target}”申报", (ref,))]
    if last.kind == "retire":
        return [Reason("not_in_directory", (28,),
                       f"{base}，该系统已于{cn(last.effective_on)}退出政务信息系统总目录，不安排运行维护经费", (ref,))]
    return []


def _event_ref(data: dict, last) -> dict:
    return {"type": "directory_event", "id": last.id, "kind": last.kind, "effective_on": last.effective_on.isoformat(),
            "reason": last.reason, "merged_into_id": last.merged_into_id,
            "merged_into_name": data["names"].get(last.merged_into_id)}


@funding_rule("directory_admitted_late", (7,), "纳入总目录晚于项目清单报送截止日（本县选用）",
              prepare=_prepare_directory, enabled_by="directory_admission_deadline")
def directory_admitted_late(batch: Batch, system_id: int) -> list[Reason]:
    """Only when the county opts in (Policy.directory_admission_deadline); the measures do not say it."""
    data = batch.data["directory_admitted_late"]
    system = batch.systems[system_id]
    events = sorted(data["events"].get(system_id, []), key=lambda e: (e.effective_on, e.id))
    cutoff = data["cutoff"]
    if not events and system_id not in data["has_history"]:
        if system.in_directory and system.directory_date is not None and system.directory_date > cutoff:
            return [_late(system.directory_date, cutoff, batch.year, [])]
        return []
    if events and events[-1].kind not in ("merge", "retire") and events[-1].effective_on > cutoff:
        return [_late(events[-1].effective_on, cutoff, batch.year, [_event_ref(data, events[-1])])]
    return []


def _late(admitted, cutoff, year: int, refs: list) -> Reason:
    return Reason("directory_admitted_late", (7,),
                  f"依据本县选用的规定（参照《管理办法》第七条项目清单报送截止日），该系统于{cn(admitted)}纳入总目录，"
                  f"晚于{year}年度项目清单报送截止日{cn(cutoff)}，{year}年度不安排运行维护经费", tuple(refs))


def _prepare_duplicates(batch: Batch) -> dict:
    from search.models import DuplicateFinding as F
    rows = rows_for(batch.session, lambda c: select(F.id, F.system_id, F.element_name, F.kind, F.key,
                                                    F.must_reuse_from_system_id, F.provider_system_id, F.reason,
                                                    F.reviewed_at)
                    .where(F.system_id.in_(c), F.state == "confirmed", F.active.is_(True)), batch.system_ids)
    by_system = defaultdict(list)
    for row in rows:
        by_system[row.system_id].append(row)
    providers = {r.must_reuse_from_system_id or r.provider_system_id for r in rows} - {None}
    names = dict(rows_for(batch.session, lambda c: select(InformationSystem.id, InformationSystem.name)
                          .where(InformationSystem.id.in_(c)), providers))
    return {"findings": by_system, "names": names}


@funding_rule("confirmed_duplicate", (28,), "重复采集已确认", prepare=_prepare_duplicates, questions=BOTH)
def confirmed_duplicate(batch: Batch, system_id: int) -> list[Reason]:
    data = batch.data["confirmed_duplicate"]
    findings = sorted(data["findings"].get(system_id, []), key=lambda f: f.id)
    if not findings:
        return []
    refs, parts = [], []
    for f in findings:
        provider_id = f.must_reuse_from_system_id or f.provider_system_id
        provider = data["names"].get(provider_id)
        refs.append({"type": "duplicate_finding", "id": f.id, "element_name": f.element_name,
                     "provider_system_id": provider_id, "provider_system_name": provider, "reason": f.reason})
        parts.append(f"“{f.element_name}”" + (f"（应复用“{provider}”的数据）" if provider else ""))
    shown = "、".join(parts[:5]) + (f"等{len(parts)}项" if len(parts) > 5 else "")
    return [Reason("confirmed_duplicate", (28,),
                   f"{cite(28)}，该系统重复采集其他部门已采集的数据（已确认重复采集线索 {len(findings)} 条）：{shown}；"
                   "不安排运行维护经费，其单位不得新建、扩建信息系统", tuple(refs))]


def _prepare_resources(batch: Batch) -> dict:
    """Resources of the batch's systems (loaded once, shared by the two sharing rules)."""
    if "funding.resources" in batch.data:
        return batch.data["funding.resources"]
    R = InformationResource
    rows = rows_for(batch.session, lambda c: select(R.id, R.system_id, R.title, R.sharing_type)
                    .where(R.system_id.in_(c)), batch.system_ids)
    by_system = defaultdict(list)
    for row in rows:
        by_system[row.system_id].append(row)
    batch.data["funding.resources"] = {"resources": by_system}
    return batch.data["funding.resources"]


@funding_rule("not_sharing", (28,), "应共享的信息资源未按要求共享", prepare=_prepare_resources, questions=BOTH)
def not_sharing(batch: Batch, system_id: int) -> list[Reason]:
    resources = [r for r in batch.data["not_sharing"]["resources"].get(system_id, []) if r.sharing_type in SHAREABLE]
    if not resources:
        return []
    statuses = evidence(batch).of_system("sharing_status", system_id)
    system_wide = latest([s for s in statuses if s.resource_id is None])
    failing, refs = [], []
    for res in resources:
        status = latest([s for s in statuses if s.resource_id == res.id]) or system_wide
        if status is not None and status.result == "not_connected":
            failing.append(res.title)
            refs.append({**evidence_ref(status, "共享状态"), "resource_id": res.id, "resource_title": res.title})
    if not failing:
        return []
    shown = "、".join(f"“{t}”" for t in failing[:5]) + (f"等{len(failing)}项" if len(failing) > 5 else "")
    return [Reason("not_sharing", (28,),
                   f"{cite(28)}，该系统应共享的信息资源未按要求共享：{shown}；不安排运行维护经费，其单位不得新建、扩建信息系统",
                   tuple(refs))]


@funding_rule("exemption_unapproved", (28,), "不予共享或孤网未经审批", prepare=_prepare_resources, questions=BOTH)
def exemption_unapproved(batch: Batch, system_id: int) -> list[Reason]:
    system = batch.systems[system_id]
    resources = batch.data["exemption_unapproved"]["resources"].get(system_id, [])
    isolated = system.network == "isolated"
    unshared = bool(resources) and all(r.sharing_type == "none" for r in resources)
    if not (isolated or unshared):
        return []
    what = "部署在孤网" if isolated else "全部信息资源不予共享"
    index = evidence(batch)
    refs, problems = [], []
    for kind, label in (("exemption_review", "县大数据发展局初审"), ("exemption_approval", "县政府审定")):
        record = latest(index.of_system(kind, system_id))
        if record is None:
            problems.append(f"缺少{label}意见")
            refs.append(missing_ref(kind, label))
        elif record.result != "approved":
            problems.append(f"{label}未同意（{cn(record.issued_on)}）")
            refs.append(evidence_ref(record, label))
        else:
            refs.append(evidence_ref(record, label))
    if not problems:
        return []
    return [Reason("exemption_unapproved", (28,),
                   f"{cite(28)}，该系统{what}，须经县大数据发展局初审并报县政府审定后方可建设或保留：{'；'.join(problems)}",
                   tuple(refs))]
