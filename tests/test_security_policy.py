"""docs/security.md is the access policy; this walks it: anonymous and every role against each read
action and page it lists, so the written policy and the code cannot drift apart."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from registry.core.actions import ACTIONS, load_all
from registry.core.errors import NotAuthorized, RegistryError
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
    package = make.package(system)   # not open to the public (the default)
    public_unit = make.unit()
    public_system = make.system(public_unit)
    open_package = make.package(public_system, items=("公民身份号码", "企业名称"), open_to_public=True)
    users = {"department": make.user("department", own), "department_other": make.user("department", make.unit()),
             "bureau": make.user("bureau"),
             "finance": make.user("finance"), "reviewer": make.user("reviewer"), "admin": make.user("admin")}
    # the department's own finding (the other unit's side of the same pair may have been numbered first)
    own_finding = next(f["id"] for f in make.act("duplicate_list", {"rows": 1000})["results"]
                       if str(f["unit_id"]) == str(own["id"]))
    return {"own": own, "system": system, "package": package, "users": users, "own_finding": own_finding,
            "public_unit": public_unit, "public_system": public_system, "open_package": open_package}


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
        "package_show": {"id": world["open_package"]["id"]}, "item_search": {"q": "姓名"},
        "item_provider_lookup": {"name": "姓名"}, "funding_check": {"system": system["id"], "year": 2027},
        "funding_unit_check": {"unit": own["id"], "year": 2027}, "sharing_contact_show": {"resource": package["id"]},
        "evidence_list": {"unit": own["id"]}, "evidence_show": {"id": 1}, "evidence_file": {"id": 1},
        "duplicate_show": {"id": world["own_finding"]}, "directory_history": {"system": system["id"]}, "project_show": {"id": 1},
        "project_budget_check": {"id": 1}, "project_overlap": {"id": 1}, "sharing_request_show": {"id": 1},
        "sharing_record_show": {"id": 1}, "sharing_request_propose_from_finding": {"finding": world["own_finding"]},
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
    assert {mark for row in table.values() for mark in row.values()} <= {"✓", "公开", "—", "本单位", "本单位†"}
    assert {role for row in table.values() for role, mark in row.items() if mark == "公开"} == {"anonymous"}
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
            if mark in ("✓", "公开"):
                assert status == 200, (path, role, status)
            else:
                assert status in (302, 403) if role == "anonymous" else status == 403, (path, role, status)


def test_anonymous_reads_no_personal_data_from_the_accounts(client, world):
    """Accounts, tokens and the audit log are never anonymous reads, over the real API either."""
    for name in ("user_list", "user_show", "api_token_list", "audit_log_list"):
        answer = client.get(f"/api/3/action/{name}", query_string={"user": world["users"]["admin"]["id"]})
        assert answer.status_code == 403, name


# ---- the public catalog: what an anonymous visitor reads (docs/security.md) ---------------------

def api(client, action: str, token: str | None = None, /, **params):
    """One read over the real API, anonymously or with an API token; the envelope and the status."""
    answer = client.get(f"/api/3/action/{action}", query_string=params,
                        headers={"Authorization": token} if token else {})
    return answer.status_code, answer.get_json()


def catalog_reads(client, world, token=None) -> dict:
    """The resource names each catalog read shows (and its counts), as one caller."""
    own, system, closed, public = world["own"], world["system"], world["package"], world["open_package"]

    def result(action, /, **params):
        status, body = api(client, action, token, **params)
        assert status == 200, (action, body)
        return body["result"]
    search = result("package_search", rows=100, **{"facet.field": '["organization", "groups", "sharing_type"]'})
    units = {u["name"]: u["package_count"] for u in result("organization_list", all_fields="true")}
    systems = {s["name"]: s["package_count"] for s in result("group_list", all_fields="true")}
    group = result("group_show", id=system["name"])
    items = result("item_search", q="联系电话")
    providers = result("item_provider_lookup", name="公民身份号码")["providers"]
    overlap = result("overlap_matrix")
    return {
        "package_list": set(result("package_list")),
        "package_search": {r["name"] for r in search["results"]},
        "package_search count": search["count"],
        "facets": {f: sum(v.values()) for f, v in search["facets"].items()},
        "organization_list": units[own["code"]] + units[world["public_unit"]["code"]],
        "organization_show": result("organization_show", id=own["code"])["package_count"],
        "group_list": systems[system["name"]],
        "group_show": (group["package_count"], {p["name"] for p in group["packages"]}),
        "item_search": (items["count"], {r["resource_name"] for r in items["results"]}),
        "item_provider_lookup": {p["resource_name"] for p in providers},
        "overlap_matrix": {u["code"] for u in overlap["units"]},
        "closed package_show": api(client, "package_show", token, id=closed["name"])[0],
        "open package_show": api(client, "package_show", token, id=public["name"])[0],
    }


def test_anonymous_reads_only_resources_open_to_the_public_in_every_catalog_action(client, make, world):
    closed, public = world["package"]["name"], world["open_package"]["name"]
    anonymous = catalog_reads(client, world)
    assert anonymous == {
        "package_list": {public}, "package_search": {public}, "package_search count": 1,
        "facets": {"organization": 1, "groups": 1, "sharing_type": 1},
        "organization_list": 1, "organization_show": 0, "group_list": 0, "group_show": (0, set()),
        "item_search": (0, set()), "item_provider_lookup": {public},
        "overlap_matrix": {world["public_unit"]["code"]},
        "closed package_show": 404, "open package_show": 200}
    # every logged-in role reads the whole catalog, as before
    for role in ("department", "reviewer", "finance"):
        logged_in = catalog_reads(client, world, make.token(world["users"][role]))
        assert logged_in == {
            "package_list": {public, closed}, "package_search": {public, closed}, "package_search count": 2,
            "facets": {"organization": 2, "groups": 2, "sharing_type": 2},
            "organization_list": 2, "organization_show": 1, "group_list": 1, "group_show": (1, {closed}),
            "item_search": (1, {closed}), "item_provider_lookup": logged_in["item_provider_lookup"],
            "overlap_matrix": {world["own"]["code"], world["public_unit"]["code"]},
            "closed package_show": 200, "open package_show": 200}, role
        if role != "department":   # (a department's own unit is not its provider)
            assert logged_in["item_provider_lookup"] == {public, closed}, role


def test_a_closed_resource_answers_an_anonymous_caller_exactly_as_a_missing_one(client, world):
    closed = world["package"]
    for ref in (closed["name"], str(closed["id"])):
        status, body = api(client, "package_show", id=ref)
        missing_status, missing = api(client, "package_show", id=ref + "9999")
        assert (status, missing_status) == (404, 404)
        assert body["error"] == {**missing["error"], "message": missing["error"]["message"].replace(ref + "9999", ref)}
        assert body["error"]["message"] == f"信息资源“{ref}”不存在"
    page = client.get(f"/resources/{closed['name']}")
    assert page.status_code == 404 and "页面不存在" in page.get_data(as_text=True)
    assert closed["title"] not in page.get_data(as_text=True)
    assert client.get(f"/resources/{world['open_package']['name']}").status_code == 200


def test_anonymous_pages_and_the_exported_workbook_show_only_open_resources(app, client, world):
    from io import BytesIO

    import openpyxl
    closed, public = world["package"]["title"], world["open_package"]["title"]
    app.config["WTF_CSRF_ENABLED"] = False
    reviewer = app.test_client()
    assert reviewer.post("/login", data={"username": world["users"]["reviewer"]["username"],
                                         "password": PASSWORD}).status_code == 302
    pages = ("/search", "/search?q=测试信息资源", "/search/items?q=联系电话", "/search/items?q=公民身份号码",
             f"/systems/{world['system']['name']}", f"/units/{world['own']['code']}")
    for path in pages:
        text = client.get(path).get_data(as_text=True)
        assert closed not in text, path
        assert closed in reviewer.get(path).get_data(as_text=True) or "/units/" in path, path
    assert public in client.get("/search").get_data(as_text=True)

    def exported(who, **scope) -> set[str]:
        answer = who.get("/export/catalog.xlsx", query_string=scope)
        assert answer.status_code == 200
        sheet = openpyxl.load_workbook(BytesIO(answer.data), read_only=True).worksheets[0]
        return {cell for row in sheet.iter_rows(values_only=True) for cell in row if cell in (closed, public)}
    assert exported(client) == {public}
    assert exported(client, system=world["system"]["name"]) == set()
    assert exported(reviewer) == {closed, public}


def test_no_link_shown_to_an_anonymous_visitor_leads_to_a_refusal_or_a_missing_page(client, world):
    """Every page an anonymous visitor reaches by following links from the catalog opens."""
    import re
    from urllib.parse import urljoin, urlsplit
    seen, queue, opened = set(), ["/units", "/search", "/search/items?q=公民身份号码", "/overlap"], 0
    while queue and opened < 400:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        answer = client.get(path, follow_redirects=True)   # (/ redirects to /units)
        assert answer.status_code == 200 and answer.request.path != "/login", (path, answer.status_code)
        opened += 1
        if not answer.mimetype == "text/html":
            continue
        for href in re.findall(r'href="([^"#]+)', answer.get_data(as_text=True)):
            link = urlsplit(urljoin("http://localhost" + path, href.replace("&amp;", "&")))
            if link.netloc == "localhost" and not link.path.startswith(("/static", "/login", "/api/")):
                queue.append(link.path + (f"?{link.query}" if link.query else ""))
    assert f"/resources/{world['open_package']['name']}" in seen
    assert not any(world["package"]["name"] in p for p in seen)


def test_a_project_shows_an_anonymous_caller_only_its_parts_resources_open_to_the_public(reg, make, world):
    from tests.projects_support import declaration
    project = make.act("project_create", declaration(world["own"]["id"], name="跨部门协同平台"))
    for unit, package in ((world["own"], world["package"]), (world["public_unit"], world["open_package"])):
        make.act("project_part_set", {"id": project["id"], "unit": unit["id"], "content": "数据",
                                      "resources": [package["id"]]})
    bureau = world["users"]["bureau"]["id"]

    def parts(actor):
        return [p["resource_ids"] for p in reg.run_action("project_show", actor, {"id": project["id"]})["parts"]]
    assert parts(bureau) == [[world["package"]["id"]], [world["open_package"]["id"]]]
    assert parts(None) == [[], [world["open_package"]["id"]]]
    assert reg.run_action("project_overlap", bureau, {"id": project["id"]})["count"] == 1   # 公民身份号码
    public = reg.run_action("project_overlap", None, {"id": project["id"]})
    assert public["count"] == 0 and world["package"]["title"] not in str(public)
