"""Personal contact data on a project (the leader's, the contact's and the form-filler's phone
numbers) is read only by the owning unit and the oversight roles: not by anonymous visitors (API,
project page, declaration .xlsx, search) nor by another department."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tests.projects_support import declaration

PHONES = ("023-55100001", "13800000000", "13900000000")


@pytest.fixture
def project(make):
    unit = make.unit(code="wjw", name="云阳县卫生健康委员会")
    other = make.unit(code="mzj", name="云阳县民政局")
    make.user("department", unit, username="wjw-user")
    make.user("department", other, username="mzj-user")
    for role in ("bureau", "finance", "reviewer"):
        make.user(role, username=f"{role}-user")
    return make.act("project_create", declaration(unit["id"]))


def _token(make, username: str) -> dict:
    return {"Authorization": make.act("api_token_create", {"user": username})["token"]}


def _leaks(text: str) -> list[str]:
    return [phone for phone in PHONES if phone in text]


def test_anonymous_visitors_and_other_departments_never_read_the_phone_numbers(client, make, project):
    pid = project["id"]
    for headers in ({}, _token(make, "mzj-user")):
        shown = client.get("/api/3/action/project_show", query_string={"id": pid}, headers=headers)
        assert shown.status_code == 200
        assert _leaks(shown.get_data(as_text=True)) == []
        assert shown.get_json()["result"]["contacts_visible"] is False
        assert shown.get_json()["result"]["leader"] == "王明"  # the names stay: the office is public
        found = client.get("/api/3/action/project_search", query_string={"q": "智慧"}, headers=headers)
        assert found.get_json()["result"]["count"] == 1 and _leaks(found.get_data(as_text=True)) == []
    page = client.get(f"/projects/{pid}")
    assert page.status_code == 200 and _leaks(page.get_data(as_text=True)) == []
    workbook = client.get(f"/projects/{pid}/declaration.xlsx")
    assert workbook.status_code == 200
    cells = [str(c.value) for row in load_workbook(io.BytesIO(workbook.data)).active.iter_rows() for c in row]
    assert _leaks(" ".join(cells)) == []


@pytest.mark.parametrize("username", ["wjw-user", "bureau-user", "finance-user", "reviewer-user"])
def test_the_owning_unit_and_oversight_roles_read_the_phone_numbers(client, make, project, username):
    shown = client.get("/api/3/action/project_show", query_string={"id": project["id"]},
                       headers=_token(make, username))
    result = shown.get_json()["result"]
    assert result["contacts_visible"] is True
    assert (result["leader_phone"], result["contact_phone"], result["filler_phone"]) == PHONES
