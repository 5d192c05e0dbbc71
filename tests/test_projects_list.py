"""The project list (Art. 7, 9): who reports, the threshold, the deadline, the budget block, and
the Art. 7 funding rule; cross-department overlap (Art. 13)."""
from datetime import date

import pytest

from registry.core import clock
from registry.measures.projects_7_35 import list_deadline
from tests.projects_support import Api, declaration

NEXT = clock.today().year + 2          # its deadline (30 Sep next year) is always ahead
PAST = clock.today().year              # its deadline (30 Sep last year) has always passed


@pytest.fixture
def county(make, client):
    edu = make.unit(name="县教育委员会", code="jw")
    school = make.unit(name="县第一中学", code="yz", kind="school", parent=edu["id"])
    system = make.system(school, name="智慧校园")
    make.package(system)
    users = {"edu": make.user("department", edu), "school": make.user("department", school),
             "bureau": make.user("bureau"), "finance": make.user("finance")}
    api = Api(client, {k: make.token(u) for k, u in users.items()})
    return {"edu": edu, "school": school, "system": system, "api": api}


@pytest.mark.parametrize("estimate, origin", [(500_000, "declared"), (499_999, "filed")])
def test_a_schools_project_is_reported_by_its_administrative_department(county, estimate, origin):
    api = county["api"]
    p = api.ok("school", "project_create", declaration(county["school"]["id"], county["system"]["id"],
                                                       estimate_yuan=estimate))
    assert p["declaring_unit"] == "县教育委员会"
    error = api.refused("school", "project_list_submit", {"id": p["id"], "year": NEXT})
    assert "学校、医院的政务信息化项目由行政主管部门" in error["message"] and "县教育委员会" in error["message"]
    api.refused("school", "project_transition", {"id": p["id"], "transition": "submit"})
    result = api.ok("edu", "project_list_submit", {"id": p["id"], "year": NEXT})
    assert result["entry"] == {"year": NEXT, "origin": origin, "late": False}
    api.refused("edu", "project_list_submit", {"id": p["id"], "year": NEXT}, 409)  # already on it
    assert api.ok("edu", "project_transition", {"id": p["id"], "transition": "submit"})["stage"] == "tech_review"


def test_a_unit_cannot_report_after_30_september_but_the_bureau_can_add_it(county):
    api = county["api"]
    p = api.ok("edu", "project_create", declaration(county["edu"]["id"]))
    error = api.refused("edu", "project_list_submit", {"id": p["id"], "year": PAST}, 409)
    deadline = list_deadline(PAST, __import__("registry.core.config", fromlist=["Policy"]).Policy())
    assert "依据《管理办法》第七条" in error["message"] and f"{deadline.year}-09-30" in error["message"]
    api.refused("edu", "project_list_add", {"id": p["id"], "year": PAST, "origin": "mandated"})
    api.refused("finance", "project_list_add", {"id": p["id"], "year": PAST, "origin": "mandated"})
    added = api.ok("bureau", "project_list_add", {"id": p["id"], "year": PAST, "origin": "运维"})
    assert added["entry"] == {"year": PAST, "origin": "om", "late": True}


def test_a_project_not_on_the_list_may_receive_no_budget(county):
    api = county["api"]
    p = api.ok("edu", "project_create", declaration(county["edu"]["id"]))
    refused = api.ok("finance", "project_budget_check", {"id": p["id"], "year": NEXT})
    assert refused["allowed"] is False and refused["reasons"][0].startswith("依据《管理办法》第七条")
    api.ok("edu", "project_list_submit", {"id": p["id"], "year": NEXT})
    assert api.ok("finance", "project_budget_check", {"id": p["id"], "year": NEXT})["allowed"] is True
    assert api.ok("finance", "project_budget_check", {"id": p["id"], "year": NEXT + 1})["allowed"] is False
    found = api.ok("finance", "project_search", {"year": NEXT})
    assert [r["id"] for r in found["results"]] == [p["id"]]
    assert api.ok("finance", "project_search", {"year": NEXT + 1})["count"] == 0
    assert api.ok("finance", "project_search", {"unit": "jw", "stage": "申报"})["count"] == 1


def test_the_funding_engine_answers_project_budget_per_system_with_article_7(county, reg):
    from registry.funding.engine import evaluate
    api, system = county["api"], county["system"]
    p = api.ok("school", "project_create", declaration(county["school"]["id"], system["id"]))
    policy = reg.settings.policy
    with reg.db.unit_of_work() as session:
        blocked = evaluate(session, [system["id"]], NEXT, policy=policy, question="project_budget")[system["id"]]
    assert not blocked.eligible
    (reason,) = [r for r in blocked.reasons if r.rule == "project_list"]
    assert reason.message.startswith("依据《管理办法》第七条") and reason.evidence[0]["project_id"] == int(p["id"])
    api.ok("edu", "project_list_submit", {"id": p["id"], "year": NEXT})
    with reg.db.unit_of_work() as session:
        allowed = evaluate(session, [system["id"]], NEXT, policy=policy, question="project_budget")[system["id"]]
    assert not [r for r in allowed.reasons if r.rule == "project_list"]


def test_the_parts_of_a_cross_department_project_show_their_overlapping_data_elements(make, client):
    lead, partner = make.unit(name="县公安局"), make.unit(name="县民政局")
    a = make.package(make.system(lead), items=("姓名", "公民身份号码", "案件编号"))
    b = make.package(make.system(partner), items=("姓名", "身份证号", "救助金额"))
    users = {"lead": make.user("department", lead), "bureau": make.user("bureau")}
    api = Api(client, {k: make.token(u) for k, u in users.items()})
    p = api.ok("lead", "project_create", declaration(lead["id"], name="社会治理协同平台"))
    api.refused("lead", "project_part_set", {"id": p["id"], "unit": partner["id"], "resources": [a["id"]]}, 409)
    api.ok("lead", "project_part_set", {"id": p["id"], "unit": lead["id"], "content": "治安数据", "resources": [a["id"]]})
    api.ok("lead", "project_part_set", {"id": p["id"], "unit": partner["id"], "content": "救助数据", "resources": [b["id"]]})
    overlap = api.ok("bureau", "project_overlap", {"id": p["id"]})
    assert overlap["count"] >= 1 and not overlap["ok"] and "依据《管理办法》第十三条" in overlap["message"]
    shared = {frozenset(i for part in o["parts"] for i in part["items"]) for o in overlap["overlaps"]}
    assert any(any("公民身份号码" in i for i in s) and any("身份证号" in i for i in s) for s in shared)
    assert not any(any("案件编号" in i for i in s) for s in shared)
    page = client.get(f"/projects/{p['id']}")
    assert page.status_code == 200 and "跨部门参建内容" in page.get_data(as_text=True)
