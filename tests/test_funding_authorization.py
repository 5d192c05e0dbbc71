"""Funding write and read actions × every role (enforced in the service layer)."""
import pytest

from registry.core.errors import NotAuthorized
from registry.funding.storage import LocalUpload
from tests.test_funding_budget import budget_workbook

ROLES = ("department_own", "department_other", "bureau", "finance", "reviewer", "admin", "anonymous")


@pytest.fixture
def world(make, saved, tmp_path):
    built = saved(f"{__name__}.world", lambda: _world(make, tmp_path))
    budget_workbook(tmp_path / "b.xlsx", [("x", built["system"]["title"], 1)])   # this test's own copy
    return {**built, "budget": tmp_path / "b.xlsx"}


def _world(make, tmp_path):
    own, other = make.unit(), make.unit()
    system, target = make.system(own), make.system(own)
    make.act("directory_admit", {"id": system["id"], "reason": ""})
    risk = make.act("evidence_create", {"kind": "major_risk", "system": system["id"], "result": "open"})
    run = make.act("budget_upload", {"year": 2027, "upload": LocalUpload(
        budget_workbook(tmp_path / "b.xlsx", [("x", system["title"], 1)]), "b.xlsx")})
    line = make.act("budget_report", {"run": run["id"]})["lines"][0]
    return {"own": own, "other": other, "system": system, "target": target, "risk": risk, "run": run,
            "line": line, "budget": tmp_path / "b.xlsx"}


def user_for(make, w, role):
    """Only the one account the test needs (argon2 hashing is slow on purpose)."""
    if role == "anonymous":
        return None
    if role.startswith("department"):
        return make.user("department", w["own"] if role == "department_own" else w["other"])["id"]
    return make.user(role)["id"]


def payloads(w):
    s = w["system"]
    return {
        "directory_decide": {"id": s["id"], "in_directory": False},
        "directory_admit": {"id": w["target"]["id"], "reason": "r"},
        "directory_retire": {"id": s["id"], "reason": "r"},
        "directory_merge": {"id": s["id"], "into": w["target"]["id"], "reason": "r"},
        "evidence_create": {"kind": "completion_acceptance", "system": s["id"]},
        "evidence_create_risk": {"kind": "major_risk", "system": s["id"]},
        "evidence_close": {"id": w["risk"]["id"]},
        "budget_upload": {"year": 2027, "upload": LocalUpload(w["budget"], "b.xlsx")},
        "budget_confirm": {"line": w["line"]["id"], "not_in_directory": True},
        "budget_confirm_bulk": {"run": w["run"]["id"], "min_score": 90},
        "funding_check": {"system": s["id"], "year": 2027},
        "funding_unit_check": {"unit": w["own"]["id"], "year": 2027},
        "funding_report": {"year": 2027},
        "budget_report": {"run": w["run"]["id"]},
        "evidence_list": {"system": s["id"]},
        "evidence_show": {"id": w["risk"]["id"]},
        "directory_list": {},
        "directory_history": {"id": s["id"]},
    }


BUREAU = {"bureau", "admin"}
READERS = {"bureau", "finance", "reviewer", "admin"}
ALLOWED = {
    "directory_decide": BUREAU, "directory_admit": BUREAU, "directory_retire": BUREAU, "directory_merge": BUREAU,
    "evidence_create": BUREAU | {"department_own"},     # a department files its own acceptance documents
    "evidence_create_risk": BUREAU,                       # risks are the Bureau's findings
    "evidence_close": BUREAU,
    "budget_upload": {"finance", "admin"}, "budget_confirm": {"finance", "admin"},
    "budget_confirm_bulk": {"finance", "admin"},
    "funding_check": READERS | {"department_own"}, "funding_unit_check": READERS | {"department_own"},
    "funding_report": READERS, "budget_report": READERS,
    "evidence_list": READERS | {"department_own"}, "evidence_show": READERS | {"department_own"},
    "directory_list": READERS | {"department_own", "department_other"},
    "directory_history": READERS | {"department_own", "department_other"},
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", sorted(ALLOWED))
def test_role_may_or_may_not_run_funding_action(reg, make, world, role, case):
    name = "evidence_create" if case.startswith("evidence_create") else case
    data = payloads(world)[case]
    actor = user_for(make, world, role)
    if role in ALLOWED[case]:
        reg.run_action(name, actor, data)
    else:
        with pytest.raises(NotAuthorized):
            reg.run_action(name, actor, data)


def test_every_funding_write_action_is_in_this_matrix():
    from registry.core.actions import ACTIONS, load_all
    load_all()
    ours = {n for n, a in ACTIONS.items() if a.func.__module__.startswith("registry.funding") and not a.read_only}
    assert ours <= set(ALLOWED)
