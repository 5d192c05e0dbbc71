"""One test (or table) per funding rule and article, including the documented edge cases."""
from datetime import date

import pytest

from registry.funding import engine
from registry.measures.base import NEW_PROJECT, RULES, load_rules
from search.models import DuplicateFinding
from tests.funding_support import AS_OF, YEAR, compliant_system, decide, evidence, own_policy, rules_of


def test_a_fully_evidenced_directory_system_is_eligible(reg, make):
    system = compliant_system(make)
    decision = decide(reg, system)
    assert decision.eligible and decision.reasons == []


def test_every_rule_is_registered_with_its_article():
    rules = load_rules()
    expected = {"not_in_directory": (28,), "confirmed_duplicate": (28,), "not_sharing": (28,),
                "exemption_unapproved": (28,), "completion_not_accepted": (25,), "archive_not_accepted": (26,),
                "crypto_noncompliant": (29,), "cybersecurity_noncompliant": (29,), "major_risk_open": (29,),
                "integration_pending": (30,), "directory_admitted_late": (7,)}
    for rule_id, articles in expected.items():
        assert rules[rule_id].articles == articles


# ---- Art. 28: master directory ------------------------------------------------------------------

def test_art28_system_never_admitted_is_blocked(reg, make):
    system = make.system()
    decision = decide(reg, system)
    reason = decision.reasons[0]
    assert reason.rule == "not_in_directory" and reason.articles == (28,)
    assert reason.message.startswith("依据《管理办法》第二十八条") and "未纳入政务信息系统总目录" in reason.message


@pytest.mark.parametrize("admitted", ["2026-09-29", "2026-09-30", "2026-10-01", "2026-10-31"])
def test_art28_a_system_in_the_directory_is_not_blocked_whenever_it_was_admitted(reg, make, admitted):
    """Art. 28 blocks systems *not in* the directory; 30 September is Art. 7's project-list deadline."""
    system = compliant_system(make, admitted=admitted)
    assert decide(reg, system).reasons == []


@pytest.mark.parametrize("admitted, blocked", [
    ("2026-09-30", False),   # on the Art. 7 deadline of Y-1: eligible
    ("2026-10-01", True),    # after it: waits for the next budget year, only when the county opts in
])
def test_a_county_that_opts_in_blocks_late_admissions_under_article_7_not_28(reg, make, admitted, blocked):
    system = compliant_system(make, admitted=admitted)
    reasons = decide(reg, system, directory_admission_deadline=True).reasons
    assert [r.rule for r in reasons] == (["directory_admitted_late"] if blocked else [])
    if blocked:
        assert reasons[0].articles == (7,) and "第二十八条" not in reasons[0].message
        assert "晚于2027年度项目清单报送截止日2026-09-30" in reasons[0].message


def test_art28_admission_dated_after_the_decision_day_does_not_count_yet(reg, make):
    system = compliant_system(make, admitted="2026-08-01")
    assert "not_in_directory" in rules_of(decide(reg, system, as_of=date(2026, 7, 1)))


def test_art28_retired_system_is_blocked_with_its_retirement(reg, make):
    system = compliant_system(make)
    make.act("directory_retire", {"id": system["id"], "decided_on": "2026-05-01", "reason": "停用"})
    reason = decide(reg, system).reasons[0]
    assert "已于2026-05-01退出政务信息系统总目录" in reason.message
    assert reason.evidence[0]["kind"] == "retire"


def test_art28_merged_system_is_blocked_and_points_to_the_system_it_merged_into(reg, make):
    unit = make.unit()
    old = compliant_system(make, unit, name="城乡低保信息管理系统（旧版）")
    new = compliant_system(make, unit, name="低保救助管理信息系统")
    make.act("directory_merge", {"id": old["id"], "into": new["id"], "decided_on": "2026-06-30", "reason": "整合"})
    reason = decide(reg, old).reasons[0]
    assert reason.rule == "not_in_directory"
    assert "整合并入“低保救助管理信息系统”" in reason.message and "应列入“低保救助管理信息系统”申报" in reason.message
    assert reason.evidence[0]["merged_into_id"] == new["id"]
    assert decide(reg, new).eligible


def test_art28_system_admitted_before_history_existed_uses_its_own_flag(reg, make):
    from registry.catalog.models import InformationSystem
    system = compliant_system(make)
    with reg.db.unit_of_work() as session:
        from sqlalchemy import delete

        from registry.funding.models import DirectoryEvent
        session.execute(delete(DirectoryEvent))
        row = session.get(InformationSystem, system["id"])
        row.directory_date = date(2024, 1, 1)
    assert decide(reg, system).eligible


# ---- Art. 28: duplicate collection ---------------------------------------------------------------

def _finding(reg, system, provider, state="confirmed", active=True, n=[0]):
    n[0] += 1
    with reg.db.unit_of_work() as session:
        session.add(DuplicateFinding(fingerprint=f"test-{n[0]}-{system['id']}", kind="item", key="k",
                                     element_name="公民身份号码", system_id=system["id"], unit_id=system["unit_id"],
                                     role="recollector", provider_system_id=provider["id"],
                                     must_reuse_from_system_id=provider["id"], state=state, active=active))


@pytest.mark.parametrize("state, active, blocked", [("confirmed", True, True), ("open", True, False),
                                                    ("dismissed", True, False), ("confirmed", False, False)])
def test_art28_only_a_confirmed_active_duplicate_finding_blocks(reg, make, state, active, blocked):
    system = compliant_system(make)
    provider = make.system(name="户政管理信息系统")
    _finding(reg, system, provider, state, active)
    decision = decide(reg, system)
    assert ("confirmed_duplicate" in rules_of(decision)) == blocked
    if blocked:
        reason = decision.reasons[0]
        assert "重复采集" in reason.message and "应复用“户政管理信息系统”" in reason.message
        assert reason.evidence[0]["provider_system_id"] == provider["id"]


# ---- Art. 28: sharing as required, and the 不予共享 / 孤网 approvals ------------------------------

def test_art28_shareable_resource_recorded_as_not_shared_blocks(reg, make):
    system = compliant_system(make)
    package = make.package(system)
    assert decide(reg, system).eligible, "an unrecorded sharing status is not evidence of a breach"
    evidence(make, system, "sharing_status", "not_connected", resource=package["id"])
    reason = decide(reg, system).reasons[0]
    assert reason.rule == "not_sharing" and package["title"] in reason.message
    evidence(make, system, "sharing_status", "connected", issued_on="2026-06-01", resource=package["id"])
    assert decide(reg, system).eligible, "the latest status decides"


def test_art28_system_wide_sharing_status_covers_every_shareable_resource(reg, make):
    system = compliant_system(make)
    make.package(system)
    make.package(system, sharing_type="none", sharing_method=None)
    evidence(make, system, "sharing_status", "not_connected")
    assert rules_of(decide(reg, system)) == ["not_sharing"]


def _isolated(make):
    system = compliant_system(make, network="isolated")
    return system


def test_art28_isolated_system_needs_both_approvals(reg, make):
    system = _isolated(make)
    reason = decide(reg, system).reasons[0]
    assert reason.rule == "exemption_unapproved" and "缺少县大数据发展局初审意见" in reason.message
    evidence(make, system, "exemption_review", "approved", issued_on="2026-02-01")
    assert "缺少县政府审定意见" in decide(reg, system).reasons[0].message
    evidence(make, system, "exemption_approval", "approved", issued_on="2026-04-01")
    assert decide(reg, system).eligible


def test_art28_system_whose_every_resource_is_not_shared_needs_the_approvals(reg, make):
    system = compliant_system(make)
    make.package(system, sharing_type="none", sharing_method=None)
    assert rules_of(decide(reg, system)) == ["exemption_unapproved"]


def test_art28_refused_approval_blocks(reg, make):
    system = _isolated(make)
    evidence(make, system, "exemption_review", "approved")
    evidence(make, system, "exemption_approval", "refused")
    assert "县政府审定未同意" in decide(reg, system).reasons[0].message


@pytest.mark.parametrize("granted_on, counts", [("2027-12-31", True), ("2028-01-05", False)])
def test_art28_approval_granted_after_the_budget_year_does_not_count(reg, make, granted_on, counts):
    system = _isolated(make)
    evidence(make, system, "exemption_review", "approved", issued_on="2027-03-01")
    evidence(make, system, "exemption_approval", "approved", issued_on=granted_on)
    decision = decide(reg, system, as_of=date(2028, 3, 1))  # a retrospective run
    assert decision.eligible == counts


# ---- Art. 25, 26: acceptance ---------------------------------------------------------------------

@pytest.mark.parametrize("kind, rule, article", [("completion_acceptance", "completion_not_accepted", "第二十五条"),
                                                 ("archive_acceptance", "archive_not_accepted", "第二十六条")])
def test_art25_26_missing_or_failed_acceptance_blocks(reg, make, kind, rule, article):
    system = make.system()
    make.act("directory_admit", {"id": system["id"], "decided_on": "2025-01-01", "reason": ""})
    reasons = {r.rule: r for r in decide(reg, system).reasons}
    assert f"依据《管理办法》{article}" in reasons[rule].message and reasons[rule].evidence[0]["type"] == "missing"
    evidence(make, system, kind, "failed", issued_on="2025-06-01")
    assert "未通过" in {r.rule: r for r in decide(reg, system).reasons}[rule].message
    evidence(make, system, kind, "passed", issued_on="2025-09-01")
    assert rule not in rules_of(decide(reg, system))


# ---- Art. 29: crypto, cybersecurity, major risk --------------------------------------------------

@pytest.mark.parametrize("kind, rule", [("crypto_assessment", "crypto_noncompliant"),
                                        ("security_test", "cybersecurity_noncompliant")])
@pytest.mark.parametrize("result, valid_until, blocked", [
    ("failed", None, True),
    ("passed", "2026-12-31", True),    # expired before the budget year starts
    ("passed", "2027-01-01", False),   # valid on its first day
    ("passed", "2027-06-30", False),   # expires mid-year: still qualifies (decided; see rules_compliance)
])
def test_art29_evaluations_must_pass_and_be_valid_when_the_budget_year_starts(reg, make, kind, rule, result,
                                                                               valid_until, blocked):
    system = compliant_system(make)
    evidence(make, system, kind, result, issued_on="2026-10-01", valid_until=valid_until)
    decision = decide(reg, system)
    assert (rule in rules_of(decision)) == blocked
    if blocked:
        assert decision.reasons[0].message.startswith("依据《管理办法》第二十九条")


def test_art29_an_evaluation_expiring_mid_year_blocks_where_the_county_requires_cover_for_the_whole_year(reg, make):
    system = compliant_system(make)
    evidence(make, system, "crypto_assessment", issued_on="2026-10-01", valid_until="2027-06-30")
    decision = decide(reg, system, evaluation_must_cover_year=True)
    assert rules_of(decision) == ["crypto_noncompliant"]
    assert "须有效至2027-12-31" in decision.reasons[0].message


def test_art29_missing_filing_blocks(reg, make):
    system = make.system()
    make.act("directory_admit", {"id": system["id"], "decided_on": "2025-01-01", "reason": ""})
    messages = [r.message for r in decide(reg, system).reasons if r.rule == "cybersecurity_noncompliant"]
    assert any("等级保护备案" in m for m in messages) and any("等级保护测评" in m for m in messages)


def test_art29_open_major_risk_blocks_until_closed(reg, make):
    system = compliant_system(make)
    risk = evidence(make, system, "major_risk", "open", note="高危漏洞")
    assert rules_of(decide(reg, system)) == ["major_risk_open"]
    make.act("evidence_close", {"id": risk["id"], "closed_on": "2026-10-15", "note": "已修复"})
    assert decide(reg, system).eligible
    assert rules_of(decide(reg, system, as_of=date(2026, 10, 1))) == ["major_risk_open"], "open on that day"


# ---- Art. 30: integration ------------------------------------------------------------------------

def test_art30_a_unit_with_a_system_to_integrate_gets_no_om_funding_for_any_system(reg, make):
    unit = make.unit()
    legacy = compliant_system(make, unit, name="旧执法系统")
    other = compliant_system(make, unit, name="综合执法系统")
    flag = evidence(make, legacy, "integration_pending", "open")
    for system in (legacy, other):
        reason = decide(reg, system).reasons[0]
        assert reason.rule == "integration_pending" and "“旧执法系统”" in reason.message
    assert decide(reg, compliant_system(make)).eligible, "other units are not affected"
    make.act("evidence_close", {"id": flag["id"], "closed_on": "2026-10-20", "note": "已整合"})
    assert decide(reg, other).eligible


# ---- the second question, configuration, batching ------------------------------------------------

def test_unit_may_not_start_new_projects_under_art28_29_30_but_acceptance_is_not_asked(reg, make):
    unit = make.unit()
    system = make.system(unit)  # no directory, no acceptance: O&M questions only
    with reg.db.sessions() as session:
        answer = engine.unit_decision(session, unit["id"], YEAR, policy=own_policy(reg), as_of=AS_OF)
    asked = {r["rule"] for r in answer["reasons"]}
    assert "not_in_directory" not in asked and "completion_not_accepted" not in asked
    assert "crypto_noncompliant" in asked and not answer["eligible"]
    assert answer["decision"] == "不得新建、扩建信息系统" and "第二十九条" in answer["citation"]
    assert all(NEW_PROJECT in RULES[r].questions for r in asked)
    assert system["id"] in {r["system_id"] for r in answer["reasons"]}


def test_a_county_switches_a_rule_off_by_configuration(reg, make):
    system = compliant_system(make)
    evidence(make, system, "major_risk", "open")
    policy = own_policy(reg)
    from dataclasses import replace
    policy = replace(policy, disabled_rules=policy.disabled_rules + ("major_risk_open",))
    with reg.db.sessions() as session:
        assert engine.evaluate(session, [system["id"]], YEAR, policy=policy, as_of=AS_OF)[system["id"]].eligible


def test_batch_and_single_evaluation_agree(reg, make):
    systems = [compliant_system(make), make.system(), compliant_system(make, network="isolated")]
    with reg.db.sessions() as session:
        batch = engine.evaluate(session, None, YEAR, policy=own_policy(reg), as_of=AS_OF)
    for system in systems:
        assert rules_of(batch[system["id"]]) == rules_of(decide(reg, system))


def test_every_reason_cites_its_article_in_chinese(reg, make):
    systems = [make.system(), compliant_system(make, network="isolated")]
    for system in systems:
        for reason in decide(reg, system).reasons:
            assert reason.message.startswith("依据《管理办法》第") and reason.article_text in reason.message
