"""docs/security.md is the access policy; this walks it: anonymous and every role against each read
action and page it lists, so the written policy and the code cannot drift apart."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from registry.actions.base import ACTIONS, load_all
from registry.errors import NotAuthorized, RegistryError
from tests.factories import PASSWORD

POLICY = Path(__file__).resolve().parent.parent / "docs" / "security.md"
ROLES = ("anonymous", "department", "bureau", "finance", "reviewer", "admin")
PAGES = ("/units", "/search", "/search/items", "/overlap", "/projects", "/api/docs", "/duplicates", "/due",
         "/sharing", "/inbox", "/directory", "/funding/budget", "/dashboard/bureau", "/dashboard/finance",
         "/dashboard/unit", "/import/catalog", "/account/password", "/account/tokens", "/admin/", "/admin/units", "/admin/users")


@pytest.fixture
def world(make, saved):
    return saved(f"{__name__}.world", lambda: _world(make))


def _world(make):
    own = make.unit()
    system = make.system(own)
    package = make.package(system)
    users = {"department": make.user("department", own), "department_other": make.user("department", make.unit()),
             "bureau": make.user("bureau"),
             "finance": make.user("finance"), "reviewer": make.user("reviewer"), "admin": make.user("admin")}
    return {"own": own, "system": system, "package": package, "users": users}


# reads whose payload names the department's own unit or its records: another unit's department is refused
# (the lists marked 本单位 answer another unit's department with its own records instead)
AIMED_AT_OWN_UNIT = {"funding_check", "funding_unit_check", "evidence_list", "dashboard_unit", "sharing_contact_show"}


def actor_of(world, role):
    return None if role == "anonymous" else world["users"][role]["id"]


def read_payload(world, name: str) -> dict:
    """A valid request for each read action, aimed at the department's own unit where one is named."""
    own, system, package = world["own"], world["system"], world["package"]
    by_name = {
        "organization_show": {"id": own["id"]}, "group_show": {"id": system["id"]},
        "package_show": {"id": package["id"]}, "item_search": {"q": "姓名"},
        "item_provider_lookup": {"name": "姓名"}, "funding_check": {"system": system["id"], "year": 2027},
        "funding_unit_check": {"unit": own["id"], "year": 2027}, "sharing_contact_show": {"resource": package["id"]},
        "evidence_list": {"unit": own["id"]}, "evidence_show": {"id": 1}, "evidence_file": {"id": 1},
        "duplicate_show": {"id": 1}, "directory_history": {"system": system["id"]}, "project_show": {"id": 1},
        "project_budget_check": {"id": 1}, "project_overlap": {"id": 1}, "sharing_request_show": {"id": 1},
        "sharing_record_show": {"id": 1}, "sharing_request_propose_from_finding": {"finding": 1},
        "blacklist_check": {"name": "某公司", "credit_code": "91500235MA5U000000"},
        "budget_report": {"run": 1}, "dashboard_unit": {"unit": own["id"]},
        "user_show": {"user": world["users"]["department"]["id"]},
    }
    return by_name.get(name, {})


def policy_table(kind: str) -> dict[str, dict[str, str]]:
    """The rows of the policy's action table (kind "action") or page table (kind "page")."""
    rows = {}
    for line in POLICY.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^\| `([^`]+)` \|(.+)\|$", line)
        if not match:
            continue
        name, cells = match.group(1), [c.strip() for c in match.group(2).split("|")]
        if len(cells) != len(ROLES) or (name.startswith("/") != (kind == "page")):
            continue
        rows[name] = dict(zip(ROLES, cells))
    return rows


def test_the_policy_lists_every_read_action_and_only_known_marks():
    load_all()
    table = policy_table("action")
    assert set(table) == {name for name, act in ACTIONS.items() if act.read_only and not act.internal}
    assert {mark for row in table.values() for mark in row.values()} <= {"✓", "—", "本单位", "本单位†"}
    assert set(policy_table("page")) == set(PAGES)


def refused(reg, name, actor, data) -> bool:
    try:
        reg.run_action(name, actor, data)
    except NotAuthorized:
        return True
    except RegistryError:  # a placeholder id that does not exist: authorisation let it through
        return False
    return False


@pytest.mark.parametrize("name", sorted(policy_table("action")))
def test_every_role_reads_what_the_policy_says_and_nothing_else(reg, world, name):
    for role, mark in policy_table("action")[name].items():
        if mark == "本单位†":
            continue
        assert refused(reg, name, actor_of(world, role), read_payload(world, name)) == (mark == "—"), (name, role, mark)
        if mark == "本单位" and name in AIMED_AT_OWN_UNIT:
            other = world["users"]["department_other"]["id"]
            assert refused(reg, name, other, read_payload(world, name)), (name, "another unit's department")


def test_every_role_opens_the_pages_the_policy_says_and_no_other(app, world):
    app.config["WTF_CSRF_ENABLED"] = False
    clients = {}
    for role in ROLES:
        clients[role] = app.test_client()
        if role != "anonymous":
            login = clients[role].post("/login", data={"username": world["users"][role]["username"],
                                                       "password": PASSWORD})
            assert login.status_code == 302
    for path, marks in policy_table("page").items():
        for role, mark in marks.items():
            status = clients[role].get(path).status_code
            if mark == "✓":
                assert status == 200, (path, role, status)
            else:
                assert status in (302, 403) if role == "anonymous" else status == 403, (path, role, status)


def test_anonymous_reads_no_personal_data_from_the_accounts(client, world):
    """Accounts, tokens and the audit log are never anonymous reads, over the real API either."""
    for name in ("user_list", "user_show", "api_token_list", "audit_log_list"):
        answer = client.get(f"/api/3/action/{name}", query_string={"user": world["users"]["admin"]["id"]})
        assert answer.status_code == 403, name
