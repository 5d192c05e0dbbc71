"""Every sharing write action × every role: who may, who is refused (enforced in the service layer)."""
from datetime import date

import pytest

from registry.core.errors import NotAuthorized
from tests.sharing_helpers import backdate, county, request_payload, sreg  # noqa: F401

ROLES = ("provider", "requester", "other_department", "bureau", "finance", "reviewer", "admin", "anonymous")


@pytest.fixture
def world(sreg, make, county, saved):  # noqa: F811
    """A pending request, a refused one, an approved one with its record and an open objection (made by the CLI)."""
    return saved(f"{__name__}.world", lambda: _world(make, county))


def _world(make, county):  # noqa: F811
    pending = make.act("sharing_request_create", request_payload(county, ("公民身份号码",)))
    other_system = make.system(county["civil"], name="救助资金发放系统")
    refused = make.act("sharing_request_create", request_payload(county, ("姓名",), requester_system=other_system["id"]))
    make.act("sharing_request_answer", {"id": refused["id"], "decision": "refuse", "reason": "涉及隐私",
                                       "basis": "《个人信息保护法》"})
    third = make.system(county["civil"], name="养老服务系统")
    approved = make.act("sharing_request_create", request_payload(county, ("出生日期",), requester_system=third["id"]))
    make.act("sharing_request_answer", {"id": approved["id"], "decision": "approve"})
    record = make.act("sharing_request_show", {"id": approved["id"]})["record_id"]
    item = make.act("sharing_record_show", {"id": record})["items"][0]["item_id"]
    objection = make.act("sharing_objection_create", {"record": record, "item": item, "kind": "wrong",
                                                      "description": "日期错误"})
    spare = make.system(county["civil"], name="社会事务综合系统")
    return {**county, "spare": spare, "pending": pending, "refused": refused, "record": record, "item": item, "objection": objection}


def payloads(w):
    return {
        "sharing_request_create": request_payload(w, ("姓名",), requester_system=w["spare"]["id"]),
        "sharing_request_answer": {"id": w["pending"]["id"], "decision": "approve"},
        "sharing_request_withdraw": {"id": w["pending"]["id"]},
        "sharing_arbitrate": {"id": w["refused"]["id"], "decision": "approve", "opinion": "应予共享"},
        "sharing_contact_set": {"resource": w["people"]["id"], "contact_phone": "023-1"},
        "sharing_record_revoke": {"id": w["record"], "reason": "停用"},
        "sharing_feedback_create": {"record": w["record"], "period": "2026", "usage": "核验"},
        "sharing_objection_create": {"record": w["record"], "item": w["item"], "kind": "stale", "description": "过期"},
        "sharing_objection_answer": {"id": w["objection"]["id"], "result": "corrected", "answer": "已更正"},
        "sharing_overdue_notify": {},
        "sharing_calendar_set": {"year": 2029, "holidays": "2029-01-01", "notice": "测试"},
        "inbox_mark_read": {"all": True},
        "inbox_email_set": {"email": "someone@yunyang.gov.cn"},
    }


ALLOWED = {
    "sharing_request_create": {"requester", "admin"},
    "sharing_request_answer": {"provider", "admin"},
    "sharing_request_withdraw": {"requester", "admin"},
    "sharing_arbitrate": {"bureau", "admin"},
    "sharing_contact_set": {"provider", "admin"},
    "sharing_record_revoke": {"provider", "bureau", "admin"},
    "sharing_feedback_create": {"requester", "admin"},
    "sharing_objection_create": {"requester", "admin"},
    "sharing_objection_answer": {"provider", "admin"},
    "sharing_overdue_notify": {"bureau", "admin"},
    "sharing_calendar_set": {"bureau", "admin"},
    "inbox_mark_read": set(ROLES) - {"anonymous"},
    "inbox_email_set": set(ROLES) - {"anonymous"},
}


def _actor(make, w, role):
    if role == "anonymous":
        return None
    unit = {"provider": w["police"], "requester": w["civil"], "other_department": w["other"]}.get(role)
    return make.user("department", unit)["id"] if unit else make.user(role)["id"]


def test_every_sharing_write_action_is_in_this_matrix():
    from registry.core.actions import ACTIONS, load_all
    load_all()
    mine = {n for n, a in ACTIONS.items() if not a.read_only and (n.startswith("sharing_") or n.startswith("inbox_"))}
    assert mine == set(ALLOWED)


@pytest.mark.parametrize("action_name, role", [(a, r) for a in sorted(ALLOWED) for r in ROLES if r in ALLOWED[a]])
def test_allowed_role_runs_sharing_write(sreg, make, world, action_name, role):  # noqa: F811
    sreg.run_action(action_name, _actor(make, world, role), payloads(world)[action_name])


@pytest.mark.parametrize("action_name", sorted(ALLOWED))
def test_every_other_role_is_refused_and_nothing_changes(sreg, make, world, action_name):  # noqa: F811
    from sqlalchemy import func, select

    from registry.core.audit_log import AuditLog
    data = payloads(world)[action_name]
    mine = select(func.count()).select_from(AuditLog).where(
        AuditLog.action.like("sharing%") | AuditLog.action.like("inbox%"))
    with sreg.db.sessions() as session:
        logged = session.scalar(mine)
    for role in ROLES:
        if role not in ALLOWED[action_name]:
            with pytest.raises(NotAuthorized):
                sreg.run_action(action_name, _actor(make, world, role), data)
    with sreg.db.sessions() as session:
        assert session.scalar(mine) == logged


@pytest.mark.parametrize("role, sees", [("provider", True), ("requester", True), ("other_department", False),
                                        ("bureau", True), ("finance", True), ("reviewer", True), ("anonymous", False)])
def test_who_may_read_a_request_and_its_record(sreg, make, world, role, sees):  # noqa: F811
    actor = _actor(make, world, role)
    for name, ref in (("sharing_request_show", world["pending"]["id"]), ("sharing_record_show", world["record"])):
        if sees:
            sreg.run_action(name, actor, {"id": ref})
        else:
            with pytest.raises(NotAuthorized):
                sreg.run_action(name, actor, {"id": ref})


def test_overdue_request_is_visible_to_provider_requester_and_bureau_only(sreg, make, world):  # noqa: F811
    backdate(sreg, world["pending"]["id"], date(2026, 2, 13), date(2026, 3, 2))
    for role, count in (("provider", 1), ("requester", 1), ("bureau", 1), ("other_department", 0)):
        found = sreg.run_action("sharing_overdue", _actor(make, world, role), {})
        assert [r["id"] for r in found["requests"]] == ([world["pending"]["id"]] if count else [])
    provider = _actor(make, world, "provider")
    listed = sreg.run_action("sharing_request_list", provider, {"box": "received", "overdue": True})
    assert listed["count"] == 1 and listed["results"][0]["overdue"] is True
