"""Administration pages over real HTTP: accounts (administrators), units with their department account
(the Bureau), all audited; forms keep their input after errors; the menu entry only for those who may."""
from __future__ import annotations

import pytest

from registry.core.errors import NotAuthorized

from tests.factories import PASSWORD


@pytest.fixture
def web(app):
    app.config["WTF_CSRF_ENABLED"] = False
    return app


def signed_in(app, username):
    client = app.test_client()
    assert client.post("/login", data={"username": username, "password": PASSWORD}).status_code == 302
    return client


@pytest.mark.parametrize("role, index, users, units, menu", [
    ("admin", 200, 200, 200, True), ("bureau", 200, 403, 200, True), ("finance", 403, 403, 403, False),
    ("reviewer", 403, 403, 403, False), ("department", 403, 403, 403, False),
])
def test_who_may_open_the_administration_pages(web, make, role, index, users, units, menu):
    user = make.user(role, make.unit() if role == "department" else None)
    client = signed_in(web, user["username"])
    assert client.get("/admin/").status_code == index
    assert client.get("/admin/users").status_code == users
    assert client.get("/admin/units").status_code == units
    assert ("系统管理" in client.get("/account/password").get_data(as_text=True)) == menu


def test_anonymous_is_sent_to_login_from_every_administration_page(web):
    client = web.test_client()
    for path in ("/admin/", "/admin/users", "/admin/units", "/admin/users/1", "/account/password"):
        assert "/login" in client.get(path).headers["Location"]


def test_admin_adds_a_user_and_the_form_keeps_its_input_after_an_error(web, reg, make):
    admin = make.user("admin")
    unit = make.unit()
    client = signed_in(web, admin["username"])
    bad = client.post("/admin/users", data={"username": "张科员", "display_name": "张三", "role": "department",
                                            "unit": unit["name"], "password": "short", "must_change_password": "1"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "密码须为 8–200 个字符" in html
    assert 'value="张科员"' in html and 'value="张三"' in html and f'value="{unit["name"]}" selected' in html
    assert "short" not in html  # the password is never sent back
    good = client.post("/admin/users", data={"username": "张科员", "display_name": "张三", "role": "department",
                                             "unit": unit["name"], "password": "initial-pass-1",
                                             "must_change_password": "1"})
    assert good.status_code == 302
    page = client.get(good.headers["Location"]).get_data(as_text=True)
    assert "张科员" in page and "下次登录须修改密码" in page
    audit = reg.run_action("audit_log_list", admin["id"], {"entity_type": "user"})
    assert audit[0]["action"] == "user_create" and audit[0]["username"] == admin["username"]


def test_admin_resets_deactivates_activates_and_revokes_from_the_user_page(web, reg, make):
    admin, user = make.user("admin"), make.user("finance")
    token = reg.run_action("api_token_create", user["id"], {"name": "报表脚本"})
    client = signed_in(web, admin["username"])
    page = f"/admin/users/{user['id']}"
    assert "报表脚本" in client.get(page).get_data(as_text=True)
    short = client.post(f"{page}/password", data={"password": "short", "must_change_password": "1"})
    assert short.status_code == 422 and "新密码须为 8–200 个字符" in short.get_data(as_text=True)
    assert client.post(f"{page}/password", data={"password": "reset-pass-12", "must_change_password": "1"}).status_code == 302
    assert client.post(f"{page}/deactivate").status_code == 302
    assert "已停用" in client.get(page).get_data(as_text=True)
    assert client.post(f"{page}/activate").status_code == 302
    assert client.post(f"/admin/tokens/{token['id']}/revoke", data={"back": page}).headers["Location"].endswith(page)
    assert "已吊销" in client.get(page).get_data(as_text=True)
    actions = [a["action"] for a in reg.run_action("audit_log_list", admin["id"], {"username": admin["username"]})]
    assert actions[:4] == ["api_token_revoke", "user_activate", "user_deactivate", "user_password_reset"]
    own = client.post(f"/admin/users/{admin['id']}/deactivate")
    assert own.status_code == 422 and "不能停用自己" in own.get_data(as_text=True)


def test_bureau_adds_a_unit_and_its_department_account_without_the_command_line(web, reg, make):
    bureau = make.user("bureau")
    client = signed_in(web, bureau["username"])
    bad = client.post("/admin/units", data={"code": "yyxzj", "name": "县乡村振兴局", "kind": "department",
                                            "username": "yyxzj", "password": "1234567", "description": "新设"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and 'value="县乡村振兴局"' in html and "新设" in html
    good = client.post("/admin/units", data={"code": "yyxzj", "name": "县乡村振兴局", "kind": "department",
                                             "username": "yyxzj", "password": "first-pass-1", "description": "新设"})
    assert good.status_code == 302
    assert "县乡村振兴局" in client.get("/admin/units").get_data(as_text=True)
    newcomer = web.test_client()
    first = newcomer.post("/login", data={"username": "yyxzj", "password": "first-pass-1"})
    assert first.headers["Location"].endswith("/account/password")
    audit = reg.run_action("audit_log_list", bureau["id"], {"username": bureau["username"]})
    assert {a["action"] for a in audit} >= {"unit_create", "user_create"}
    with pytest.raises(NotAuthorized):  # the Bureau makes department accounts only through a unit
        reg.run_action("user_create", bureau["id"], {"username": "sneaky", "password": "long-enough-1", "role": "admin"})
