"""The dashboards' read actions (numbers, who may read them) and their pages per role (issue 7)."""
import pytest

from registry.core.errors import NotAuthorized

ROLES = ("department_own", "department_other", "bureau", "finance", "reviewer", "admin", "anonymous")
ALLOWED = {
    "dashboard_bureau": {"bureau", "reviewer", "admin"},
    "dashboard_finance": {"finance", "reviewer", "admin"},
    "dashboard_unit": {"department_own", "bureau", "reviewer", "admin"},
}


@pytest.fixture
def county(make):
    own, other = make.unit(name="云阳县民政局"), make.unit(name="云阳县公安局")
    catalogued, empty = make.system(own), make.system(own)
    police = make.system(other)
    make.act("directory_admit", {"id": catalogued["id"], "reason": "已验收"})
    make.package(catalogued, sharing_type="unconditional")
    make.package(catalogued, sharing_type="conditional")
    make.package(police, items=("公民身份号码", "姓名"), sharing_type="none")
    return {"own": own, "other": other, "catalogued": catalogued, "empty": empty, "police": police}


def actor(make, county, role):
    if role == "anonymous":
        return None
    if role.startswith("department"):
        return make.user("department", county["own"] if role == "department_own" else county["other"])["id"]
    return make.user(role)["id"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_each_dashboard_is_read_only_by_its_roles(reg, make, county, name, role):
    user = actor(make, county, role)
    data = {"unit": county["own"]["id"]} if name == "dashboard_unit" else {}
    if role in ALLOWED[name]:
        assert reg.run_action(name, user, data)
    else:
        with pytest.raises(NotAuthorized):
            reg.run_action(name, user, data)


def test_bureau_dashboard_counts_directory_coverage_and_sharing(reg, make, county):
    d = reg.run_action("dashboard_bureau", make.user("reviewer")["id"], {})
    assert d["systems"] == {"total": 3, "in_directory": 1, "not_in_directory": 2}
    own = next(c for c in d["coverage"] if c["unit_id"] == county["own"]["id"])
    assert (own["systems"], own["with_catalog"], own["without_catalog"]) == (2, 1, 1)
    assert {s["code"]: s["count"] for s in d["sharing"]} == {"unconditional": 1, "conditional": 1, "none": 1}
    assert [f["state"] for f in d["findings"]] == ["open", "confirmed", "dismissed"]


def test_unit_dashboard_shows_catalog_completeness_of_each_system(reg, make, county):
    d = reg.run_action("dashboard_unit", make.user("bureau")["id"], {"unit": county["own"]["code"]})
    by_id = {s["id"]: s for s in d["systems"]}
    assert by_id[county["catalogued"]["id"]]["resources"] == 2
    assert by_id[county["catalogued"]["id"]]["item_count"] == 6
    assert by_id[county["empty"]["id"]]["resources"] == 0
    assert (d["complete"], d["total"]) == (1, 2)


@pytest.mark.parametrize("role, home", [("bureau", "/dashboard/bureau"), ("reviewer", "/dashboard/bureau"),
                                        ("finance", "/dashboard/finance"), ("department", "/dashboard/unit")])
def test_home_sends_each_role_to_its_dashboard_which_renders(client, make, county, role, home):
    user = make.user(role, county["own"] if role == "department" else None)
    with client.session_transaction() as session:
        session["user_id"] = user["id"]
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith(home)
    page = client.get(home)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<svg" in html or role == "department"
    assert "style=" not in html and "<script>" not in html          # the CSP forbids inline styles/scripts
    assert "built-in method" not in html and "None" not in html


def test_a_department_user_cannot_open_another_units_workspace(client, make, county):
    user = make.user("department", county["own"])
    with client.session_transaction() as session:
        session["user_id"] = user["id"]
    assert client.get(f"/dashboard/unit?unit={county['other']['code']}").status_code == 403
