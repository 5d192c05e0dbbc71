"""A project walked through every stage over the HTTP API by the right roles, the wrong role
refused at each step, and each stage's preconditions enforced with the article cited."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from registry.core import clock
from tests.projects_support import MATERIALS, Api, declaration, months_ago


@pytest.fixture
def county(make, client):
    health = make.unit(name="县卫生健康委", code="wsjkw")
    other = make.unit()
    system = make.system(health, name="卫健综合平台")
    package = make.package(system)
    users = {"dept": make.user("department", health), "other": make.user("department", other),
             "bureau": make.user("bureau"), "finance": make.user("finance"), "reviewer": make.user("reviewer")}
    api = Api(client, {k: make.token(u) for k, u in users.items()})
    return {"unit": health, "other": other, "system": system, "package": package, "api": api}


def step(api, who, project, transition, wrong=(), **data):
    body = {"id": project["id"], "transition": transition, **data}
    for role in wrong:
        api.refused(role, "project_transition", body)
    return api.ok(who, "project_transition", body)


def test_a_project_walks_every_stage_by_the_right_roles_and_the_wrong_role_is_refused(county, reg):
    api, unit, system = county["api"], county["unit"], county["system"]
    for role in ("finance", "bureau", "reviewer", "other", "anonymous"):
        api.refused(role, "project_create", declaration(unit["id"], system["id"]))
    p = api.ok("dept", "project_create", declaration(unit["id"], system["id"]))
    assert (p["stage"], p["kind"], p["estimate_yuan"]) == ("declared", "new", 6_000_000)

    p = step(api, "dept", p, "submit", wrong=("bureau", "finance", "reviewer", "other"))
    assert p["stage"] == "tech_review"
    p = step(api, "bureau", p, "review_revise", wrong=("dept", "finance", "reviewer"), opinion="补充数据共享分析")
    assert p["stage"] == "declared" and p["expert_opinion"] == "补充数据共享分析"
    api.ok("dept", "project_update", {"id": p["id"], "preparation": "已补充数据共享分析"})
    p = step(api, "dept", p, "submit")
    p = step(api, "bureau", p, "review_pass", wrong=("dept", "finance", "reviewer"), opinion="同意")
    assert p["stage"] == "decision"

    p = step(api, "bureau", p, "approve", wrong=("dept", "finance", "reviewer", "other"),
             approval_reference="云发改发〔2026〕88号", approved_total_yuan=6_000_000, approved_on="2026-05-10")
    assert (p["stage"], p["approved_total_yuan"], p["acceptance_organiser"]) == ("investment_review", 6_000_000, "bureau")

    error = api.refused("finance", "project_transition", {"id": p["id"], "transition": "investment_pass"}, 409)
    assert "依据《管理办法》第二十条" in error["message"] and "监理" in error["message"]
    api.refused("finance", "project_parties_set", {"id": p["id"], "supervisor": "重庆某监理公司"})
    api.ok("dept", "project_parties_set", {"id": p["id"], "contractor": "某信息技术有限公司",
                                           "contractor_credit_code": "91500000MA5U000001", "supervisor": "重庆某监理公司"})
    p = step(api, "finance", p, "investment_pass", wrong=("dept", "bureau", "reviewer"), investment_reviewed_yuan=5_800_000)
    assert p["stage"] == "construction" and p["construction_started_on"] == clock.today().isoformat()

    completed = months_ago(20)
    p = step(api, "dept", p, "complete", wrong=("bureau", "finance", "reviewer", "other"),
             completed_on=completed.isoformat())
    assert p["stage"] == "acceptance"

    accepted = months_ago(12, extra_days=10)
    accept = {"accepted_on": accepted.isoformat(), "reference": "云数验〔2026〕3号", "materials": MATERIALS}
    api.refused("dept", "project_transition", {"id": p["id"], "transition": "accept", **accept})  # ≥ 5,000,000: Bureau
    error = api.refused("bureau", "project_transition", {"id": p["id"], "transition": "accept", **accept}, 409)
    assert "依据《管理办法》第二十六条" in error["message"]
    api.refused("finance", "project_archive_accept", {"id": p["id"], "passed": True, "accepted_on": accepted.isoformat()})
    api.ok("dept", "project_archive_accept", {"id": p["id"], "passed": True,
                                              "accepted_on": (accepted - timedelta(days=5)).isoformat(), "reference": "档验1号"})
    error = api.refused("bureau", "project_transition",
                        {"id": p["id"], "transition": "accept", **accept, "materials": MATERIALS[:-1]}, 409)
    assert "依据《管理办法》第二十五条" in error["message"] and "数据字典" in error["message"]
    p = step(api, "bureau", p, "accept", wrong=("finance", "reviewer"), **accept)
    assert p["stage"] == "operation" and p["accepted_on"] == accepted.isoformat()
    assert p["acceptances"][-1]["late"] is True  # 8 months after completion, no extension

    p = step(api, "dept", p, "evaluate", wrong=("bureau", "finance", "reviewer"), opinion="达到预期目标")
    assert p["stage"] == "evaluation" and p["reports"][-1]["kind"] == "self_evaluation"
    api.refused("dept", "project_post_evaluation", {"id": p["id"], "report_date": clock.today().isoformat(),
                                                    "reference": "后评价1号"})
    p = api.ok("bureau", "project_post_evaluation", {"id": p["id"], "report_date": clock.today().isoformat(),
                                                     "reference": "后评价1号"})
    shown = api.ok("reviewer", "project_show", {"id": p["id"]})
    assert [e["to_stage"] for e in shown["events"]] == [
        "tech_review", "declared", "tech_review", "decision", "investment_review", "construction", "acceptance",
        "operation", "evaluation"]
    assert shown["next"] == []

    from registry.core.audit_log import AuditLog
    with reg.db.unit_of_work() as session:
        actions = set(session.scalars(select(AuditLog.action).where(AuditLog.entity_type == "project")))
    assert {"project_create", "project_transition:approve", "project_transition:accept"} <= actions


def test_acceptance_and_archive_acceptance_become_funding_evidence_for_each_system(county, reg):
    evidence = pytest.importorskip("registry.funding.models")
    api, unit, system = county["api"], county["unit"], county["system"]
    p = _to_acceptance(api, unit, system, approved=1_000_000)
    day = months_ago(1)
    api.ok("dept", "project_archive_accept", {"id": p["id"], "passed": True, "accepted_on": day.isoformat(),
                                              "reference": "档验2号"})
    p = api.ok("dept", "project_transition", {"id": p["id"], "transition": "accept", "accepted_on": day.isoformat(),
                                              "reference": "自验1号", "materials": MATERIALS})
    assert p["acceptances"][-1]["organiser"] == "self"  # below 5,000,000: self-organised and filed
    with reg.db.unit_of_work() as session:
        rows = session.execute(select(evidence.Evidence.kind, evidence.Evidence.system_id, evidence.Evidence.result,
                                      evidence.Evidence.source, evidence.Evidence.issued_on)).all()
    assert sorted(rows) == [("archive_acceptance", system["id"], "passed", f"project:{p['id']}", day),
                            ("completion_acceptance", system["id"], "passed", f"project:{p['id']}", day)]


def _to_acceptance(api, unit, system, approved=6_000_000, completed=None):
    p = api.ok("dept", "project_create", declaration(unit["id"], system["id"], estimate_yuan=approved))
    api.ok("dept", "project_transition", {"id": p["id"], "transition": "submit"})
    api.ok("bureau", "project_transition", {"id": p["id"], "transition": "review_pass", "opinion": "同意"})
    api.ok("bureau", "project_transition", {"id": p["id"], "transition": "approve", "approval_reference": "批1",
                                            "approved_total_yuan": approved, "approved_on": "2026-01-05"})
    api.ok("dept", "project_parties_set", {"id": p["id"], "contractor": "甲公司", "supervisor": "乙监理"})
    api.ok("finance", "project_transition", {"id": p["id"], "transition": "investment_pass"})
    return api.ok("dept", "project_transition", {"id": p["id"], "transition": "complete",
                                                 "completed_on": (completed or months_ago(2)).isoformat()})


def _at_decision(api, unit, system_id, **kw):
    p = api.ok("dept", "project_create", declaration(unit["id"], system_id, **kw))
    api.ok("dept", "project_transition", {"id": p["id"], "transition": "submit"})
    return api.ok("bureau", "project_transition", {"id": p["id"], "transition": "review_pass", "opinion": "同意"})


APPROVE = {"transition": "approve", "approval_reference": "批2", "approved_total_yuan": 900_000, "approved_on": "2026-02-01"}


def test_approval_needs_the_catalog_the_crypto_plan_and_the_five_chapters(county, make):
    api, unit = county["api"], county["unit"]
    bare = make.system(unit, name="尚无目录的系统")
    package = make.package(bare)  # Art. 10: technical review needs the catalog; it is deleted after the review
    p = _at_decision(api, unit, bare["id"], crypto_plan="", feasibility_chapters=["data_governance", "crypto"])
    make.act("package_delete", {"id": package["id"]})
    error = api.refused("bureau", "project_transition", {"id": p["id"], **APPROVE}, 409)
    assert "依据《管理办法》第十四条" in error["message"]
    assert "数据资源目录是审批项目的必备条件" in error["message"] and "密码应用方案是审批项目的必备条件" in error["message"]
    assert "数据资源共享分析" in error["message"] and "集约化建设" in error["message"]
    shown = api.ok("bureau", "project_show", {"id": p["id"]})
    assert {c["label"]: c["ok"] for c in shown["next"][0]["checks"]} == {
        "数据资源目录（附件2）": False, "密码应用方案": False, "可行性研究报告五个篇章": False}
    # The declaration is frozen after submission: revise through the review, then approve.
    api.refused("dept", "project_update", {"id": p["id"], "crypto_plan": "国密"}, 409)


def test_an_expansion_needs_the_earlier_projects_third_party_post_evaluation(county):
    api, unit, system = county["api"], county["unit"], county["system"]
    p = _at_decision(api, unit, system["id"], kind="改扩建")
    error = api.refused("bureau", "project_transition", {"id": p["id"], **APPROVE}, 409)
    assert "改扩建项目须提交前期项目第三方后评价报告" in error["message"]
    q = _at_decision(api, unit, system["id"], kind="改扩建", name="二期", predecessor_post_evaluation="第三方后评价报告（2025）")
    assert api.ok("bureau", "project_transition", {"id": q["id"], **APPROVE})["stage"] == "investment_review"


def test_an_expansion_of_a_post_evaluated_registry_project_is_approved(county):
    api, unit, system = county["api"], county["unit"], county["system"]
    first = _to_acceptance(api, unit, system, approved=1_000_000)
    api.ok("dept", "project_archive_accept", {"id": first["id"], "passed": True, "accepted_on": months_ago(1).isoformat()})
    api.ok("dept", "project_transition", {"id": first["id"], "transition": "accept", "reference": "验1",
                                          "accepted_on": months_ago(1).isoformat(), "materials": MATERIALS})
    api.ok("bureau", "project_post_evaluation", {"id": first["id"], "report_date": clock.today().isoformat(),
                                                 "reference": "后评价2号"})
    p = _at_decision(api, unit, system["id"], kind="改扩建", name="三期", predecessor=first["id"])
    assert api.ok("bureau", "project_transition", {"id": p["id"], **APPROVE})["stage"] == "investment_review"


def test_a_blacklisted_contractor_is_refused_when_recorded_and_allowed_from_its_expiry_day(county):
    api, unit, system = county["api"], county["unit"], county["system"]
    p = api.ok("dept", "project_create", declaration(unit["id"], system["id"]))
    api.refused("dept", "blacklist_add", {"name": "失信科技", "listed_on": "2024-01-01", "reason": "严重超概算"})
    listed = months_ago(60)  # five years ago: today is its expiry day
    expired = api.ok("bureau", "blacklist_add", {"name": "过期科技", "listed_on": listed.isoformat(), "reason": "质量低劣"})
    assert expired["expires_on"] <= clock.today().isoformat() and expired["active"] is False
    active = api.ok("bureau", "blacklist_add", {"name": "失信科技", "credit_code": "91500000XX", "reason": "严重超概算",
                                                "listed_on": (listed + timedelta(days=1)).isoformat()})
    assert active["active"] is True
    error = api.refused("dept", "project_parties_set", {"id": p["id"], "contractor": "另一个名字",
                                                        "contractor_credit_code": "91500000XX"}, 409)
    assert "依据《管理办法》第三十五条" in error["message"] and "失信科技" in error["message"]
    assert api.ok("dept", "project_parties_set", {"id": p["id"], "contractor": "过期科技"})["contractor"] == "过期科技"
    check = api.ok("finance", "blacklist_check", {"name": "失信科技", "as_of": active["expires_on"]})
    assert check["barred"] is False
    day_before = date.fromisoformat(active["expires_on"]) - timedelta(days=1)
    assert api.ok("finance", "blacklist_check", {"name": "失信科技", "as_of": day_before.isoformat()})["barred"] is True


def test_construction_needs_a_contractor_not_blacklisted_since_recording(county):
    api, unit, system = county["api"], county["unit"], county["system"]
    p = _at_decision(api, unit, system["id"])
    api.ok("bureau", "project_transition", {"id": p["id"], **APPROVE})
    api.ok("dept", "project_parties_set", {"id": p["id"], "contractor": "后来失信公司", "supervisor": "乙监理"})
    api.ok("bureau", "blacklist_add", {"name": "后来失信公司", "listed_on": clock.today().isoformat(), "reason": "安全事故"})
    error = api.refused("finance", "project_transition", {"id": p["id"], "transition": "investment_pass"}, 409)
    assert "依据《管理办法》第三十五条" in error["message"]


def test_adjustments_are_filed_or_need_the_full_procedure_via_the_api(county):
    api, unit, system = county["api"], county["unit"], county["system"]
    p = _at_decision(api, unit, system["id"])
    api.refused("dept", "project_adjustment_create", {"id": p["id"], "amount_yuan": 1, "new_total_yuan": 1,
                                                      "reason": "superior"}, 409)  # not approved yet
    api.ok("bureau", "project_transition", {"id": p["id"], **{**APPROVE, "approved_total_yuan": 2_000_000}})
    filed = api.ok("dept", "project_adjustment_create", {"id": p["id"], "amount_yuan": 300_000,
                                                         "new_total_yuan": 2_000_000, "reason": "上级工作安排"})
    assert filed["outcome"] == "filed" and "备案" in filed["reasons"][0]
    full = api.ok("dept", "project_adjustment_create", {"id": p["id"], "amount_yuan": 300_001,
                                                        "new_total_yuan": 2_000_000, "reason": "superior"})
    assert full["outcome"] == "full_procedure" and "依据《管理办法》第二十四条" in full["reasons"][0]
    api.refused("finance", "project_adjustment_create", {"id": p["id"], "amount_yuan": 1, "new_total_yuan": 1,
                                                         "reason": "superior"})


def test_a_serious_problem_leads_to_rectification_or_suspension_which_blocks_progress(county):
    api, unit, system = county["api"], county["unit"], county["system"]
    p = _at_decision(api, unit, system["id"])
    api.ok("bureau", "project_transition", {"id": p["id"], **APPROVE})
    api.ok("dept", "project_parties_set", {"id": p["id"], "contractor": "甲公司", "supervisor": "乙监理"})
    api.ok("finance", "project_transition", {"id": p["id"], "transition": "investment_pass"})
    p = api.ok("dept", "project_problem_report", {"id": p["id"], "problem_kind": "严重逾期", "content": "进度滞后6个月"})
    assert p["status"] == "problem"
    api.refused("dept", "project_problem_decide", {"id": p["id"], "decision": "suspend"})
    p = api.ok("bureau", "project_problem_decide", {"id": p["id"], "decision": "suspend"})
    error = api.refused("dept", "project_transition", {"id": p["id"], "transition": "complete",
                                                       "completed_on": clock.today().isoformat()}, 409)
    assert "依据《管理办法》第二十二条" in error["message"]
    api.refused("bureau", "project_problem_decide", {"id": p["id"], "decision": "rectify"}, 409)  # needs a date
    p = api.ok("bureau", "project_problem_decide", {"id": p["id"], "decision": "rectify", "rectify_by": "2030-01-01"})
    assert (p["status"], p["rectify_by"]) == ("rectifying", "2030-01-01")
    p = api.ok("bureau", "project_problem_decide", {"id": p["id"], "decision": "resolved"})
    assert p["status"] == "normal"
    api.ok("dept", "project_transition", {"id": p["id"], "transition": "complete", "completed_on": clock.today().isoformat()})


def test_self_evaluation_before_12_months_is_refused(county):
    api, unit, system = county["api"], county["unit"], county["system"]
    p = _to_acceptance(api, unit, system, approved=1_000_000, completed=months_ago(13))
    accepted = months_ago(12) + timedelta(days=1)  # 12 months fall tomorrow
    api.ok("dept", "project_archive_accept", {"id": p["id"], "passed": True, "accepted_on": months_ago(2).isoformat()})
    api.ok("dept", "project_transition", {"id": p["id"], "transition": "accept", "accepted_on": accepted.isoformat(),
                                          "reference": "验", "materials": MATERIALS})
    error = api.refused("dept", "project_transition", {"id": p["id"], "transition": "evaluate"}, 409)
    assert "依据《管理办法》第二十七条" in error["message"]


def test_a_stage_out_of_order_is_a_conflict_and_an_unknown_transition_a_validation_error(county):
    api, unit, system = county["api"], county["unit"], county["system"]
    p = api.ok("dept", "project_create", declaration(unit["id"], system["id"]))
    error = api.refused("bureau", "project_transition", {"id": p["id"], "transition": "review_pass", "opinion": "x"}, 409)
    assert "申报阶段" in error["message"]
    error = api.refused("dept", "project_transition", {"id": p["id"], "transition": "fly"}, 409)
    assert "transition" in error
    error = api.refused("bureau", "project_transition", {"id": 99999, "transition": "submit"}, 404)
