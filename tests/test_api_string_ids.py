"""Every record id the CKAN-style API returns is a string, under every key: a walk of every read action's
answer on the demo county, over real HTTP, fails on an integer under any key that is not a quantity
(a count, an amount, a year, a position, a version …). The string forms go back in everywhere."""
from __future__ import annotations

import pytest
import requests
from sqlalchemy import text

from registry.core.actions import ACTIONS, load_all

# Keys whose integer is a quantity, not a record: a new integer key in an answer fails the walk until
# it is classed here (a quantity) or in registry.api.REFERENCE_KEYS (a record, returned as a string).
QUANTITIES = frozenset({
    "answered", "answered_late", "answered_on_time", "approved", "approved_total_yuan", "article", "articles",
    "auto", "calls", "complete", "confirmed", "count", "data_length", "dismissed", "estimate_yuan", "findings",
    "in_directory", "item_count", "last_known_year", "library_first_year", "library_last_year", "line_count",
    "lines", "list_years", "margin", "matched", "matrix", "median_answer_days", "not_in_directory", "num_items",
    "num_resources", "objections_overdue", "objections_received", "objections_unanswered", "open",
    "other_count", "other_units", "package_count", "partial", "parts", "pending", "phase", "position", "provider_count",
    "received", "refused", "refused_with_basis", "refused_without_basis", "rejected", "resources", "row",
    "suggest", "suggested", "system_count", "systems", "tokens", "total", "unanswered_overdue", "units",
    "unmatched", "unread", "version", "with_catalog", "without_catalog", "working_days_overdue", "year",
})
NOT_JSON = {"evidence_file": "answers with the file itself", "catalog_export": "writes a workbook (the CLI and page)"}


def integers(value, path=()) -> list[tuple]:
    """(key path, value) of every integer in an answer (booleans are not integers here)."""
    found = []
    if isinstance(value, dict):
        for key, inner in value.items():
            found += integers(inner, (*path, key))
    elif isinstance(value, list):
        for inner in value:
            found += integers(inner, path)
    elif isinstance(value, int) and not isinstance(value, bool):
        found.append((path, value))
    return found


def _one(reg, sql: str):
    with reg.db.unit_of_work() as session:
        return session.execute(text(sql)).scalar()


def read_inputs(reg) -> dict[str, list[dict]]:
    """Inputs for the read actions that need one, taken from the demo county (ids as the API gives them)."""
    one = lambda sql: str(_one(reg, sql))  # noqa: E731
    unit, system = one("SELECT min(id) FROM unit"), one("SELECT min(id) FROM information_system")
    confirmed = [str(i) for i in _all(reg, "SELECT id FROM duplicate_finding WHERE state = 'confirmed' ORDER BY id")]
    return {
        "api_token_list": [{"user": "admin"}],
        "audit_log_list": [{"limit": 1000}],
        "blacklist_check": [{"name": "某公司"}],
        "budget_report": [{"run": one("SELECT min(id) FROM budget_run")}],
        "dashboard_unit": [{"unit": unit}],
        "directory_history": [{"id": system}],
        "duplicate_list": [{"holders": True, "rows": 50}],
        "duplicate_show": [{"id": one("SELECT min(id) FROM duplicate_finding")}],
        "evidence_show": [{"id": one("SELECT min(id) FROM funding_evidence")}],
        "funding_check": [{"system": system, "year": 2027}],
        "funding_report": [{"year": 2027}],
        "funding_unit_check": [{"unit": unit, "year": 2027}],
        "group_show": [{"id": system}],
        "item_provider_lookup": [{"name": "公民身份号码"}],
        "name_lookup": [{"kind": kind, "q": "县"} for kind in ("unit", "system", "project")],
        "organization_show": [{"id": unit, "include_datasets": True}],
        "package_show": [{"id": one("SELECT min(id) FROM information_resource")}],
        "project_budget_check": [{"id": one("SELECT min(id) FROM project"), "year": 2027}],
        "project_overlap": [{"id": one("SELECT min(id) FROM project")}],
        "project_show": [{"id": one("SELECT min(id) FROM project")}],
        "sharing_contact_show": [{"resource": one("SELECT min(resource_id) FROM sharing_contact")}],
        "sharing_record_show": [{"id": one("SELECT min(id) FROM sharing_record")}],
        "sharing_request_propose_from_finding": [{"id": f} for f in confirmed],
        "sharing_request_show": [{"id": one("SELECT min(id) FROM sharing_request")}],
        "user_show": [{"user": "admin"}],
    }


def _all(reg, sql: str) -> list:
    with reg.db.unit_of_work() as session:
        return list(session.execute(text(sql)).scalars())


@pytest.fixture
def demo(demo_loaded, make):
    return demo_loaded


def test_every_read_action_returns_every_record_id_as_a_string_under_every_key(demo, live_url):
    load_all()
    http = requests.Session()
    http.headers["Authorization"] = _admin_token(demo)
    inputs = read_inputs(demo)
    unanswered, integer_keys = [], {}
    for name, act in sorted(ACTIONS.items()):
        if not act.read_only or act.internal or name in NOT_JSON:
            continue
        answers = []
        for data in inputs.get(name, [{}]):
            reply = http.post(f"{live_url}/api/3/action/{name}", json=data).json()
            if reply["success"]:
                answers.append(reply["result"])
        if not answers:
            unanswered.append(name)
        for answer in answers:
            for path, value in integers(answer):
                if path[-1] not in QUANTITIES:
                    integer_keys.setdefault(".".join(path), name)
    assert unanswered == [], "read actions the walk could not run on the demo (give them an input)"
    assert integer_keys == {}, "integers under keys that are not quantities (a record id must be a string)"
    from registry.api import REFERENCE_KEYS
    assert REFERENCE_KEYS.isdisjoint(QUANTITIES)


def test_references_come_back_as_strings_and_go_back_in_as_strings(demo, live_url):
    """A sharing draft's resource and requester system, a contact's resource, a project check's project:
    strings out, and the same strings accepted by the writes and reads that take them."""
    http = requests.Session()
    http.headers["Authorization"] = _admin_token(demo)

    def call(name, data):
        reply = http.post(f"{live_url}/api/3/action/{name}", json=data).json()
        assert reply["success"], (name, reply.get("error"))
        return reply["result"]

    finding = next(f for f in (str(i) for i in _all(demo, "SELECT id FROM duplicate_finding WHERE state = 'confirmed'"))
                   if http.post(f"{live_url}/api/3/action/sharing_request_propose_from_finding",
                                json={"id": f}).json()["success"])
    draft = call("sharing_request_propose_from_finding", {"id": finding})
    assert all(isinstance(draft[k], str) for k in ("finding", "resource", "requester_system", "provider_unit_id"))
    assert all(isinstance(i["id"], str) for i in draft["items"])
    contact = call("sharing_contact_set", {"resource": draft["resource"], "contact_person": "数据管理科",
                                           "contact_phone": "023-55550000"})
    assert contact["resource"] == draft["resource"]
    request = call("sharing_request_create", {
        "resource": draft["resource"], "requester_system": draft["requester_system"],
        "items": [i["id"] for i in draft["items"]], "purpose": "核验", "scenario": "受理时核验",
        "basis": "《社会救助暂行办法》", "sharing_method": "接口"})
    assert (request["resource_id"], request["requester_system_id"]) == (draft["resource"], draft["requester_system"])
    assert call("sharing_request_show", {"id": request["id"]})["id"] == request["id"]
    project = str(_one(demo, "SELECT min(id) FROM project"))
    assert call("project_overlap", {"id": project})["project"] == project
    assert call("project_budget_check", {"id": project, "year": 2027})["project"] == project
    run = str(_one(demo, "SELECT min(id) FROM budget_run"))
    assert call("budget_confirm_bulk", {"run": run, "min_score": 100})["run"] == run


def _admin_token(reg) -> str:
    admin = _one(reg, "SELECT id FROM user_account WHERE role = 'admin' ORDER BY id")
    return reg.run_action("api_token_create", admin, {})["token"]


def _as_the_api_gives_them(data: dict) -> dict:
    """A payload with every record id as the API returns it: a string (lists of ids too)."""
    from registry.api import string_ids
    out = string_ids(data)
    return {k: ([str(v) if isinstance(v, int) else v for v in value] if k in ("ids", "items") and
                isinstance(value, list) else value) for k, value in out.items()}


WRITES = sorted(name for name in ("unit_update", "unit_patch", "unit_delete", "system_create", "system_update",
                                  "system_patch", "system_delete", "package_create", "package_update", "package_patch",
                                  "package_delete", "item_create", "item_update", "item_patch", "item_delete",
                                  "directory_decide", "api_token_revoke", "duplicate_review", "duplicate_review_bulk"))


@pytest.mark.parametrize("name", WRITES)
def test_every_catalog_write_takes_record_ids_as_strings(reg, make, client, tmp_path, name):
    """The role matrix's payloads (tests/test_authorization.py), every id a string, through the API as the
    least-privileged role allowed: each write succeeds."""
    from tests.test_authorization import ALLOWED, _finding, payloads
    own, other = make.unit(), make.unit()
    system = make.system(own)
    world = {"own": own, "other": other, "spare": make.unit(), "system": system, "package": make.package(system),
             "tmp_path": tmp_path}
    target = make.user("finance", username="admin-target")
    world["target_token_id"] = reg.run_action("api_token_create", target["id"], {})["id"]
    if name.startswith("duplicate_review"):
        world["finding"] = _finding(make, own, other)
    role = next(r for r in ("department_own", "bureau", "admin") if r in ALLOWED[name])
    user = make.user("department", own) if role == "department_own" else make.user(role)
    data = _as_the_api_gives_them(payloads(world)[name])
    reply = client.post(f"/api/3/action/{name}", json=data, headers={"Authorization": make.token(user)}).get_json()
    assert reply["success"], reply["error"]
