"""Art. 28 evidence and the funding rule: an unanswered 有条件共享 request past its deadline blocks the
provider's system; a refusal with a basis does not; an overruled refusal does; each decision cites
Art. 28 and lists the requests. Also the per-unit figures of the Bureau's overview."""
from datetime import date

import pytest

from registry.measures.base import Batch, load_rules
from registry.core.clock import today
from registry.measures.sharing_28 import RULE_ID, check, prepare
from tests.sharing_helpers import backdate, county, request_payload, sreg  # noqa: F401


def _batch(reg, session, system_ids, year=None, as_of=None):
    as_of = as_of or today()
    return Batch(session=session, year=year or as_of.year + 1, as_of=as_of, policy=reg.settings.policy,
                 system_ids=system_ids)


def _reasons(reg, system_id, **kw):
    with reg.db.sessions() as session:
        batch = _batch(reg, session, [system_id], **kw)
        batch.data[RULE_ID] = prepare(batch)
        return check(batch, system_id)


@pytest.fixture
def second_provider(make, county):  # noqa: F811
    """云阳县市场监管局 provides 市场主体信息 (有条件共享) from its own system."""
    market = make.unit(code="scjgj", name="云阳县市场监督管理局")
    system = make.system(market, name="市场主体登记系统")
    package = make.act("package_create", {"system": system["id"], "title": "市场主体信息", "sharing_type": "有条件共享",
                                          "sharing_method": "接口", "items": [{"name": "统一社会信用代码"}]})
    return {"unit": market, "system": system, "package": package}


def test_unanswered_conditional_request_past_deadline_blocks_and_refusal_with_basis_does_not(
        sreg, make, county, second_provider):  # noqa: F811
    late = make.act("sharing_request_create", request_payload(county))
    backdate(sreg, late["id"], date(2026, 2, 13), date(2026, 3, 2))
    answered = make.act("sharing_request_create", {
        "resource": second_provider["package"]["id"], "items": [second_provider["package"]["items"][0]["id"]],
        "requester_system": county["dibao"]["id"], "purpose": "核验", "scenario": "核验", "sharing_method": "接口"})
    make.act("sharing_request_answer", {"id": answered["id"], "decision": "refuse", "reason": "涉及商业秘密",
                                       "basis": "《企业信息公示暂行条例》第十条"})

    reasons = _reasons(sreg, county["hukou"]["id"], year=2027, as_of=date(2026, 11, 30))
    assert len(reasons) == 1
    reason = reasons[0]
    assert reason.articles == (28,) and reason.message.startswith("依据《管理办法》第二十八条")
    assert f"#{late['id']}" in reason.message and "超过答复期限未答复" in reason.message
    assert [e["request_id"] for e in reason.evidence] == [late["id"]]
    assert reason.evidence[0]["problem"] == "unanswered_past_deadline" and reason.evidence[0]["due_on"] == "2026-03-02"

    assert _reasons(sreg, second_provider["system"]["id"], year=2027, as_of=date(2026, 11, 30)) == []


def test_engine_decides_the_same_through_its_public_function(sreg, make, county, second_provider):  # noqa: F811
    from registry.funding.engine import evaluate
    late = make.act("sharing_request_create", request_payload(county))
    backdate(sreg, late["id"], date(2026, 2, 13), date(2026, 3, 2))
    refused = make.act("sharing_request_create", {
        "resource": second_provider["package"]["id"], "items": [second_provider["package"]["items"][0]["id"]],
        "requester_system": county["dibao"]["id"], "purpose": "核验", "scenario": "核验", "sharing_method": "接口"})
    make.act("sharing_request_answer", {"id": refused["id"], "decision": "refuse", "reason": "涉及商业秘密",
                                       "basis": "《企业信息公示暂行条例》第十条"})
    assert RULE_ID in load_rules()
    with sreg.db.sessions() as session:
        decisions = evaluate(session, [county["hukou"]["id"], second_provider["system"]["id"]], 2027,
                             policy=sreg.settings.policy, as_of=date(2026, 11, 30))
    mine = [r for r in decisions[county["hukou"]["id"]].reasons if r.rule == RULE_ID]
    assert len(mine) == 1 and "第二十八条" in mine[0].message and mine[0].evidence[0]["request_id"] == late["id"]
    assert not decisions[county["hukou"]["id"]].eligible
    assert not [r for r in decisions[second_provider["system"]["id"]].reasons if r.rule == RULE_ID]


def test_refusal_the_bureau_overrules_counts_as_refusal_without_basis(sreg, make, county):  # noqa: F811
    req = make.act("sharing_request_create", request_payload(county))
    make.act("sharing_request_answer", {"id": req["id"], "decision": "refuse", "reason": "不便提供", "basis": "内部规定"})
    assert _reasons(sreg, county["hukou"]["id"]) == []
    bureau = make.user("bureau")
    result = sreg.run_action("sharing_arbitrate", bureau["id"], {"id": req["id"], "decision": "approve",
                                                                  "opinion": "内部规定不能作为不予共享的依据"})
    assert result["status"] == "approved" and result["refusal_basis_valid"] is False
    assert result["arbitration_opinion"] == "内部规定不能作为不予共享的依据" and result["arbitrated_by"] == bureau["username"]
    reasons = _reasons(sreg, county["hukou"]["id"])
    assert len(reasons) == 1 and "不予共享且无有效依据" in reasons[0].message
    assert reasons[0].evidence[0]["problem"] == "refused_without_basis"
    assert make.act("sharing_record_list", {})["count"] == 1


def test_arbitration_of_an_overdue_request_keeps_it_counted_as_unanswered(sreg, make, county):  # noqa: F811
    from registry.core.errors import Conflict
    req = make.act("sharing_request_create", request_payload(county))
    bureau = make.user("bureau")
    with pytest.raises(Conflict):  # not overdue yet, not refused
        sreg.run_action("sharing_arbitrate", bureau["id"], {"id": req["id"], "decision": "approve", "opinion": "协调"})
    backdate(sreg, req["id"], date(2026, 2, 13), date(2026, 3, 2))
    sreg.run_action("sharing_arbitrate", bureau["id"], {"id": req["id"], "decision": "approve", "opinion": "应予共享"})
    reasons = _reasons(sreg, county["hukou"]["id"], year=2027, as_of=date(2026, 11, 30))
    assert reasons and reasons[0].evidence[0]["problem"] == "unanswered_past_deadline"


@pytest.mark.parametrize("year, as_of, counted", [
    (2027, date(2026, 11, 30), True),    # deadline in the year before the budget year
    (2026, date(2026, 11, 30), True),    # … or in the budget year itself, before the decision day
    (2027, date(2026, 3, 2), False),     # the deadline day itself: not yet overdue
    (2029, date(2028, 11, 30), False),   # outside the evidence window (2027–2028)
])
def test_evidence_window_of_the_budget_year(sreg, make, county, year, as_of, counted):  # noqa: F811
    req = make.act("sharing_request_create", request_payload(county))
    backdate(sreg, req["id"], date(2026, 2, 13), date(2026, 3, 2))
    assert bool(_reasons(sreg, county["hukou"]["id"], year=year, as_of=as_of)) is counted


def test_unconditional_request_under_bureau_review_does_not_count_against_the_provider(sreg, make, county):  # noqa: F811
    make.act("package_patch", {"id": county["people"]["id"], "sharing_type": "无条件共享"})
    req = make.act("sharing_request_create", request_payload(county))
    backdate(sreg, req["id"], date(2026, 2, 13), date(2026, 3, 2))
    assert _reasons(sreg, county["hukou"]["id"], year=2027, as_of=date(2026, 11, 30)) == []
    assert [r["id"] for r in make.act("sharing_overdue", {"as_of": "2026-11-30"})["requests"]] == [req["id"]]


def test_stats_per_unit_on_time_share_median_days_and_refusals_by_reason(sreg, make, county):  # noqa: F811
    police_user = make.user("department", county["police"])
    systems = [make.system(county["civil"], name=f"民政业务系统{n}") for n in range(4)]
    reqs = [make.act("sharing_request_create", request_payload(county, ("姓名",), requester_system=s["id"]))
            for s in systems]
    backdate(sreg, reqs[0]["id"], date(2026, 2, 13), date(2026, 3, 2))     # answered late
    backdate(sreg, reqs[3]["id"], date(2026, 2, 13), date(2026, 3, 2))     # left unanswered
    for req, answer in ((reqs[0], {"decision": "approve"}), (reqs[1], {"decision": "approve"}),
                        (reqs[2], {"decision": "refuse", "reason": "涉及隐私", "basis": "《个人信息保护法》"})):
        sreg.run_action("sharing_request_answer", police_user["id"], {"id": req["id"], **answer})
    stats = make.act("sharing_stats", {})
    police = next(u for u in stats["units"] if u["unit_id"] == county["police"]["id"])
    assert (police["received"], police["approved"], police["refused"], police["refused_with_basis"]) == (4, 2, 1, 1)
    assert (police["answered"], police["answered_late"], police["unanswered_overdue"]) == (3, 1, 1)
    assert police["on_time_pct"] == pytest.approx(66.7)
    assert police["median_answer_days"] == 0
    assert police["refusals_by_reason"] == [{"reason": "涉及隐私", "count": 1}]
    system = next(s for s in stats["systems"] if s["system_id"] == county["hukou"]["id"])
    assert system["received"] == 4 and system["unit_name"] == "云阳县公安局"
    civil_user = make.user("department", county["civil"])
    from registry.core.errors import NotAuthorized
    with pytest.raises(NotAuthorized):
        sreg.run_action("sharing_stats", civil_user["id"], {"unit": county["police"]["id"]})


def test_objections_unanswered_and_overdue_are_counted(sreg, make, county):  # noqa: F811
    from tests.sharing_helpers import backdate_objection
    req = make.act("sharing_request_create", request_payload(county))
    make.act("sharing_request_answer", {"id": req["id"], "decision": "approve"})
    record = make.act("sharing_record_list", {})["results"][0]
    obj = make.act("sharing_objection_create", {"record": record["id"], "item": record["items"][0]["item_id"],
                                                "kind": "missing", "description": "缺少部分人员"})
    backdate_objection(sreg, obj["id"], date(2026, 3, 2), date(2026, 3, 9))
    police = make.act("sharing_stats", {})["units"][0]
    assert (police["objections_received"], police["objections_unanswered"], police["objections_overdue"]) == (1, 1, 1)
    assert [o["id"] for o in make.act("sharing_overdue", {})["objections"]] == [obj["id"]]
