"""What is due, per role: dates at their boundaries (Art. 7, 21, 22, 25, 26, 27), the API action,
`registry due` and the 待办 page."""
from datetime import date, timedelta

import pytest
from click.testing import CliRunner

from registry.core.errors import NotAuthorized
from registry.core import clock
from registry.measures.projects_7_35 import acceptance_due, add_months, list_deadline
from tests.projects_support import advance, declaration, months_ago


@pytest.fixture
def county(make):
    unit = make.unit(name="县农业农村委", code="nyw")
    system = make.system(unit)
    make.package(system)
    return {"unit": unit, "system": system}


def due(make, as_of: date, role="bureau", unit=None):
    data = {"as_of": as_of.isoformat(), "role": role, **({"unit": unit} if unit else {})}
    result = make.act("due_list", data)
    return {(i["article"], i["overdue"]) for i in result["overdue"] + result["upcoming"]}, result


def test_acceptance_is_upcoming_on_the_six_month_day_and_overdue_the_day_after(make, county):
    completed = months_ago(3)
    p = make.act("project_create", declaration(county["unit"]["id"], county["system"]["id"]))
    advance(make, p, "acceptance", completed=completed)
    deadline = acceptance_due(completed, make.reg.settings.policy)
    items, result = due(make, deadline)
    assert (25, False) in items and (26, False) in items
    item = next(i for i in result["upcoming"] if i["article"] == 25)
    assert item["date"] == deadline.isoformat() and item["project_id"] == p["id"]
    assert item["citation"] == "依据《管理办法》第二十五条"
    assert item["what"].startswith("组织竣工验收并将结果报县大数据发展局备案")  # 1,000,000 yuan: self-organised
    items, result = due(make, deadline + timedelta(days=1))
    assert (25, True) in items and (26, True) in items
    assert "须提出延期验收申请" in next(i for i in result["overdue"] if i["article"] == 25)["what"]
    assert not due(make, deadline + timedelta(days=1), role="finance")[0]  # acceptance is the Bureau's business
    assert (25, True) in due(make, deadline + timedelta(days=1), role="unit", unit="nyw")[0]


def test_an_approved_extension_moves_the_acceptance_item(make, county):
    completed = months_ago(8)
    p = make.act("project_create", declaration(county["unit"]["id"], county["system"]["id"]))
    advance(make, p, "acceptance", completed=completed)
    deadline = acceptance_due(completed, make.reg.settings.policy)
    later = clock.today() + timedelta(days=30)
    p = make.act("project_extension_request", {"id": p["id"], "requested_until": later.isoformat(), "reason": "密评排队"})
    assert any(i["article"] == 25 and "审核延期验收申请" in i["what"] for i in due(make, clock.today())[1]["overdue"])
    make.act("project_extension_decide", {"extension": p["extensions"][0]["id"], "approve": True})
    items, result = due(make, later)
    assert (25, False) in items and next(i for i in result["upcoming"] if i["article"] == 25)["date"] == later.isoformat()
    assert deadline < later


@pytest.mark.parametrize("day, overdue", [(date(2026, 9, 30), False), (date(2026, 10, 1), True)])
def test_the_list_report_is_due_on_30_september(make, county, day, overdue):
    make.act("project_create", declaration(county["unit"]["id"], estimate_yuan=500_000))
    items, result = due(make, day)
    assert items == {(7, overdue)}
    (item,) = result["overdue"] + result["upcoming"]
    assert item["date"] == "2026-09-30" and "2027年度" in item["what"] and "项目清单" in item["what"]


def test_a_small_project_is_reminded_to_be_filed_and_a_listed_one_is_not_reminded(make, county):
    small = make.act("project_create", declaration(county["unit"]["id"], estimate_yuan=499_999, name="小项目"))
    big = make.act("project_create", declaration(county["unit"]["id"], name="大项目"))
    year = clock.today().year + 2
    make.act("project_list_submit", {"id": big["id"], "year": year})
    _, result = due(make, list_deadline(year, make.reg.settings.policy) + timedelta(days=1))
    assert [i["project_id"] for i in result["overdue"] + result["upcoming"]] == [small["id"]]
    assert "报备" in result["overdue"][0]["what"]


def test_performance_report_is_due_by_year_end_during_construction_and_finance_sees_it(make, county):
    p = make.act("project_create", declaration(county["unit"]["id"], county["system"]["id"]))
    advance(make, p, "construction")
    year_end = date(clock.today().year, 12, 31)
    assert (21, False) in due(make, year_end, role="finance")[0]
    items, result = due(make, year_end + timedelta(days=1), role="finance")
    assert (21, True) in items and str(year_end.year) in result["overdue"][0]["what"]
    make.act("project_performance_report", {"id": p["id"], "year": year_end.year})
    assert not due(make, year_end + timedelta(days=1), role="finance")[0]


@pytest.mark.parametrize("months_after, expected", [
    (24, {(27, False)}), (12, {(27, False)}), (None, {(27, True)})])
def test_self_evaluation_is_due_within_12_to_24_months(make, county, months_after, expected):
    accepted = months_ago(13)
    p = make.act("project_create", declaration(county["unit"]["id"], county["system"]["id"]))
    advance(make, p, "operation", completed=months_ago(14), accepted=accepted)
    policy = make.reg.settings.policy
    as_of = add_months(accepted, months_after) if months_after else add_months(accepted, 24) + timedelta(days=1)
    items, result = due(make, as_of, role="finance")
    assert items == expected
    assert (result["overdue"] + result["upcoming"])[0]["date"] == add_months(accepted, policy.self_evaluation_to_months).isoformat()
    before_window = add_months(accepted, 12) - timedelta(days=policy.due_upcoming_days + 1)
    assert due(make, before_window)[0] == set()


def test_rectification_deadline_is_due(make, county):
    p = make.act("project_create", declaration(county["unit"]["id"], county["system"]["id"]))
    advance(make, p, "construction")
    make.act("project_problem_report", {"id": p["id"], "problem_kind": "loss", "content": "投资损失"})
    make.act("project_problem_decide", {"id": p["id"], "decision": "rectify", "rectify_by": "2030-06-30"})
    assert (22, True) in due(make, date(2030, 7, 1))[0]


def test_a_department_sees_only_its_own_units_items(reg, make, county):
    other = make.unit()
    dept = make.user("department", other)
    with pytest.raises(NotAuthorized):
        reg.run_action("due_list", dept["id"], {"role": "unit", "unit": "nyw"})
    with pytest.raises(NotAuthorized):
        reg.run_action("due_list", dept["id"], {"role": "bureau"})
    mine = reg.run_action("due_list", dept["id"], {})
    assert mine["role"] == "unit" and mine["unit"] == other["code"]
    with pytest.raises(NotAuthorized):
        reg.run_action("due_list", None, {})


def test_registry_due_command_and_the_due_page(make, county, client, monkeypatch):
    from registry.cli import main
    p = make.act("project_create", declaration(county["unit"]["id"], county["system"]["id"]))
    advance(make, p, "acceptance", completed=months_ago(7))
    monkeypatch.setattr("registry.cli.make_registry", lambda: make.reg)
    out = CliRunner().invoke(main, ["due", "--as", "unit:nyw"])
    assert out.exit_code == 0, out.output
    assert "已逾期" in out.output and "第二十五条" in out.output and "智慧卫健综合管理平台" in out.output
    out = CliRunner().invoke(main, ["due", "--as", "finance", "--json"])
    assert out.exit_code == 0 and '"overdue": []' in out.output
    assert CliRunner().invoke(main, ["due", "--as", "mayor"]).exit_code != 0
    with client.session_transaction() as session:
        session["user_id"] = make.user("bureau")["id"]
    page = client.get("/due")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "待办" in html and "智慧卫健综合管理平台" in html and "第二十五条" in html
