"""The role matrix of every project write action: allowed roles vs NotAuthorized (service layer).

One project walks the lifecycle; at each step every refused role is tried for real (and must
change nothing), every other allowed role passes the action's auth function, and the first allowed
role runs it, so each payload is also proven valid.
"""
from datetime import date

import pytest

from registry.core import clock
from registry.core.actions import ACTIONS, get_action, load_all
from registry.core.errors import NotAuthorized
from tests.projects_support import MATERIALS, declaration, months_ago

ROLES = ("department_own", "department_other", "bureau", "finance", "reviewer", "admin", "anonymous")
OWN = {"department_own", "admin"}
BUREAU = {"bureau", "admin"}
NEXT = clock.today().year + 2


def _declaration_file(tmp_path):
    from importers.declaration_form import write_declaration
    path = tmp_path / "申报表.xlsx"
    write_declaration({"project_name": "导入的项目", "project_type": "new", "cost_estimate": "60万元",
                       "background": "工作需要"}, path)
    return path


def steps(w, tmp_path):
    """(action, payload, allowed roles) in lifecycle order; payloads may refer to w["p"]."""
    own, pkg = w["own"], w["package"]
    completed, accepted = months_ago(20), months_ago(13)
    t = lambda name, **kw: ("project_transition", lambda: {"id": w["p"]["id"], "transition": name, **kw})  # noqa: E731
    from importers.actions import LocalFile
    return [
        ("project_create", lambda: declaration(own["id"], w["system"]["id"], estimate_yuan=1_000_000), OWN),
        ("project_update", lambda: {"id": w["p"]["id"], "remarks": "补充"}, OWN),
        ("project_part_set", lambda: {"id": w["p"]["id"], "unit": own["id"], "resources": [pkg["id"]]}, OWN),
        ("project_parties_set", lambda: {"id": w["p"]["id"], "contractor": "甲公司", "supervisor": "乙监理"}, OWN),
        ("project_list_submit", lambda: {"id": w["p"]["id"], "year": NEXT}, OWN),
        ("project_list_add", lambda: {"id": w["p"]["id"], "year": NEXT + 1, "origin": "om"}, BUREAU),
        ("project_delete", lambda: {"id": w["spare"]["id"]}, OWN),
        ("project_import_declaration", lambda: {"upload": LocalFile(_declaration_file(tmp_path)), "unit": own["id"]}, OWN),
        (*t("submit"), OWN),
        (*t("review_revise", opinion="修改"), BUREAU),
        (*t("submit"), OWN),
        (*t("review_pass", opinion="同意"), BUREAU),
        (*t("approve", approval_reference="批", approved_total_yuan=1_000_000, approved_on="2025-01-01"), BUREAU),
        ("project_adjustment_create", lambda: {"id": w["p"]["id"], "amount_yuan": 10_000, "new_total_yuan": 1_000_000,
                                               "reason": "optimise"}, OWN),
        (*t("investment_pass"), {"finance", "admin"}),
        ("project_performance_report", lambda: {"id": w["p"]["id"], "year": clock.today().year}, OWN),
        ("project_problem_report", lambda: {"id": w["p"]["id"], "problem_kind": "delay", "content": "逾期"}, OWN),
        ("project_problem_decide", lambda: {"id": w["p"]["id"], "decision": "resolved"}, BUREAU),
        ("project_archive_accept", lambda: {"id": w["p"]["id"], "passed": True, "accepted_on": accepted.isoformat()},
         {"department_own", "bureau", "admin"}),
        (*t("complete", completed_on=completed.isoformat()), OWN),
        ("project_extension_request", lambda: {"id": w["p"]["id"], "requested_until": accepted.isoformat(),
                                               "reason": "等保测评未完成"}, OWN),
        ("project_extension_decide", lambda: {"extension": w["extension"], "approve": True}, BUREAU),
        (*t("accept", accepted_on=accepted.isoformat(), reference="验", materials=MATERIALS), OWN),  # < 5,000,000
        (*t("evaluate"), OWN),
        ("project_post_evaluation", lambda: {"id": w["p"]["id"], "report_date": clock.today().isoformat(),
                                             "reference": "后评价"}, BUREAU),
        ("blacklist_add", lambda: {"name": "失信公司", "listed_on": "2025-01-01", "reason": "弄虚作假"}, BUREAU),
    ]


def test_every_project_write_action_is_in_the_matrix():
    load_all()
    ours = {n for n, a in ACTIONS.items() if not a.read_only and (n.startswith("project_") or n.startswith("blacklist_"))}
    world = {"own": {"id": 1}, "system": {"id": 1}, "package": {"id": 1}}
    assert ours == {name for name, _, _ in steps(world, None)}


def test_role_matrix_of_the_project_write_actions(reg, make, tmp_path):
    own, other = make.unit(), make.unit()
    system = make.system(own)
    w = {"own": own, "system": system, "package": make.package(system)}
    users = {"department_own": make.user("department", own), "department_other": make.user("department", other),
             **{r: make.user(r) for r in ("bureau", "finance", "reviewer", "admin")}}
    actor = {r: (users[r]["id"] if r != "anonymous" else None) for r in ROLES}
    w["spare"] = reg.run_action("project_create", actor["department_own"], declaration(own["id"], name="将撤回"))
    for name, payload, allowed in steps(w, tmp_path):
        for role in ROLES:
            if role in allowed:
                continue
            before = reg.run_action("project_show", None, {"id": w["p"]["id"]}) if "p" in w else None
            with pytest.raises(NotAuthorized):
                reg.run_action(name, actor[role], payload())
                pytest.fail(f"{role} ran {name}")
            if before is not None:
                assert reg.run_action("project_show", None, {"id": w["p"]["id"]})["version"] == before["version"]
        runner = sorted(allowed - {"admin"})[0] if allowed != {"admin"} else "admin"
        for role in allowed - {runner}:
            with reg.db.unit_of_work() as session:
                from registry.accounts.models import User
                get_action(name).auth(reg.context(session, session.get(User, actor[role])), payload())
                session.rollback()
        result = reg.run_action(name, actor[runner], payload())
        if name == "project_create":
            w["p"] = result
        if name == "project_extension_request":
            w["extension"] = result["extensions"][-1]["id"]
    final = reg.run_action("project_show", None, {"id": w["p"]["id"]})
    assert final["stage"] == "evaluation" and final["status"] == "normal"
