"""Accounts (issue 18): tokens resolve their user once, password and username rules run, and the
account lifecycle (change, reset, deactivate, tokens with expiry and revocation, sessions that end)
over the real API, pages and command line."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from click.testing import CliRunner
from marshmallow import Schema, fields, validate
from sqlalchemy import select, update

from registry.core.actions import ACTIONS, load_all
from registry.cli import CliActor, main
from registry.core.db import utcnow
from registry.core.errors import NotAuthorized, NotFound, ValidationFailed
from registry.accounts.models import ApiToken, User
from tests.factories import PASSWORD


def api(client, name, data=None, token=None):
    headers = {"Authorization": token} if token else {}
    return client.post(f"/api/3/action/{name}", json=data or {}, headers=headers)


@pytest.fixture
def cli(reg, monkeypatch, tmp_path):
    monkeypatch.setenv("REGISTRY_DATABASE_URL", reg.settings.resolved_database_url())
    monkeypatch.setenv("REGISTRY_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("REGISTRY_ARGON2_TIME_COST", "1")  # hashing cost is global to the process
    monkeypatch.setenv("REGISTRY_ARGON2_MEMORY_KIB", "1024")
    runner = CliRunner()
    return lambda *args, **kw: runner.invoke(main, [str(a) for a in args], **kw)


def _digit_named_department_user(make):
    """A department user whose username is the id of the administrator (the probe's `25`)."""
    admin = make.user("admin")
    while admin["id"] < 10:  # a username has at least two characters
        admin = make.user("admin")
    dept = make.user("department", make.unit(), username=str(admin["id"]))
    return admin, dept


# --- critical: api_token_create for an all-digit username --------------------------------------------

def test_a_user_named_like_an_admins_id_gets_its_own_token_never_the_admins(client, make):
    admin, dept = _digit_named_department_user(make)
    token = make.token(dept)
    answer = api(client, "api_token_create", {"user": dept["username"]}, token)
    assert answer.status_code == 200, answer.get_json()
    minted = answer.get_json()["result"]
    assert minted["user"] == dept["username"]
    escalate = api(client, "user_create", {"username": "intruder", "password": "long-password-1", "role": "admin"},
                   minted["token"])
    assert escalate.status_code == 403


def test_asking_for_the_admins_token_by_id_is_refused(client, make):
    admin, dept = _digit_named_department_user(make)
    answer = api(client, "api_token_create", {"user": admin["id"]}, make.token(dept))
    assert answer.status_code == 403
    assert answer.get_json()["error"]["__type"] == "Authorization Error"


def test_cli_token_create_names_the_user_by_username_even_when_it_is_all_digits(cli, reg, make):
    admin, dept = _digit_named_department_user(make)
    result = cli("token", "create", dept["username"])
    assert result.exit_code == 0, result.output
    with reg.db.sessions() as session:
        owners = session.scalars(select(ApiToken.user_id)).all()
    assert owners == [dept["id"]]


# --- high: the password and username rules run -----------------------------------------------------

@pytest.mark.parametrize("password, ok", [
    ("", False), ("a", False), ("x" * 7, False), ("x" * 8, True), ("x" * 200, True), ("x" * 201, False),
    ("x" * 5000, False),
])
def test_password_length_rule_at_its_boundaries(reg, password, ok):
    data = {"username": "boundary", "password": password, "role": "finance"}
    if ok:
        assert reg.run_action("user_create", CliActor(), data)["username"] == "boundary"
    else:
        with pytest.raises(ValidationFailed) as refused:
            reg.run_action("user_create", CliActor(), data)
        assert "密码须为 8–200 个字符" in refused.value.errors["password"]


@pytest.mark.parametrize("username, ok", [
    ("", False), ("a", False), ("ab", True), ("u" * 60, True), ("u" * 61, False), ("u" * 500, False),
    ("张三", True), ("with space", False), ("tab\tname", False), ("25", True),
])
def test_username_rule_at_its_boundaries(reg, username, ok):
    data = {"username": username, "password": "long-enough-1", "role": "finance"}
    if ok:
        assert reg.run_action("user_create", CliActor(), data)["username"] == username
    else:
        with pytest.raises(ValidationFailed) as refused:
            reg.run_action("user_create", CliActor(), data)
        assert refused.value.errors["username"]


@pytest.mark.parametrize("action, data", [
    ("user_password_reset", {"user": "rules", "password": "short"}),
    ("user_password_change", {"old_password": PASSWORD, "new_password": ""}),
    ("user_password_change", {"old_password": PASSWORD, "new_password": "y" * 5000}),
    ("unit_register", {"code": "ruleunit", "name": "规则单位", "username": "ruleunit", "password": "1234567"}),
])
def test_every_way_of_setting_a_password_applies_the_rule(reg, make, action, data):
    user = make.user("admin", username="rules")
    with pytest.raises(ValidationFailed):
        reg.run_action(action, user["id"], data)


def test_the_empty_password_user_cannot_exist_so_cannot_log_in(app, client, reg):
    app.config["WTF_CSRF_ENABLED"] = False
    with pytest.raises(ValidationFailed):
        reg.run_action("user_create", CliActor(), {"username": "empty", "password": "", "role": "admin"})
    assert client.post("/login", data={"username": "empty", "password": ""}).status_code == 401


def _validators(field):
    yield from field.validators
    if isinstance(field, fields.List):
        yield from _validators(field.inner)
    if isinstance(field, fields.Nested) and isinstance(field.schema, Schema):
        for inner in field.schema.fields.values():
            yield from _validators(inner)


def test_every_field_validator_in_every_action_schema_raises_instead_of_returning_false():
    """marshmallow 4 ignores a validator's return value: a lambda returning False accepts anything.
    Every validator must be one of marshmallow's (which raise) or our own raising class."""
    load_all()
    offenders = []
    for name, act in sorted(ACTIONS.items()):
        if act.schema is None:
            continue
        for key, field in act.schema().fields.items():
            for check in _validators(field):
                if not isinstance(check, validate.Validator):
                    offenders.append(f"{name}.{key}: {check!r}")
    assert offenders == []


# --- the lifecycle -------------------------------------------------------------------------------------

def login(client, username, password=PASSWORD, **kw):
    return client.post("/login", data={"username": username, "password": password}, **kw)


def test_changing_my_password_ends_my_other_sessions_and_keeps_this_one(app, make):
    user = make.user("bureau")
    here, elsewhere = app.test_client(), app.test_client()
    app.config["WTF_CSRF_ENABLED"] = False
    assert login(here, user["username"]).status_code == 302
    assert login(elsewhere, user["username"]).status_code == 302
    wrong = here.post("/account/password", data={"old_password": "not-it", "new_password": "brand-new-pass",
                                                 "new_password_confirm": "brand-new-pass"})
    assert wrong.status_code == 422 and "原密码不正确" in wrong.get_data(as_text=True)
    mismatch = here.post("/account/password", data={"old_password": PASSWORD, "new_password": "brand-new-pass",
                                                    "new_password_confirm": "brand-new-pasS"})
    assert mismatch.status_code == 422 and "两次输入的新密码不一致" in mismatch.get_data(as_text=True)
    changed = here.post("/account/password", data={"old_password": PASSWORD, "new_password": "brand-new-pass",
                                                   "new_password_confirm": "brand-new-pass"})
    assert changed.status_code == 302
    assert here.get("/account/password").status_code == 200              # this session goes on
    assert elsewhere.get("/account/password").status_code == 302          # the other one has ended
    assert login(app.test_client(), user["username"]).status_code == 401  # old password gone
    assert login(app.test_client(), user["username"], "brand-new-pass").status_code == 302


def test_a_session_cookie_stops_working_after_logout(app, make):
    app.config["WTF_CSRF_ENABLED"] = False
    user = make.user("bureau")
    browser = app.test_client()
    login(browser, user["username"])
    cookie = browser.get_cookie("session").value
    assert browser.post("/logout").status_code == 302
    replay = app.test_client()
    replay.set_cookie("session", cookie)
    assert replay.get("/account/password").status_code == 302  # sent to the login page
    assert "请先登录" in replay.get("/account/password", follow_redirects=True).get_data(as_text=True)


def test_admin_reset_ends_sessions_and_forces_a_new_password_at_next_login(app, reg, make):
    app.config["WTF_CSRF_ENABLED"] = False
    admin, user = make.user("admin"), make.user("finance")
    session = app.test_client()
    login(session, user["username"])
    reg.run_action("user_password_reset", admin["id"], {"user": user["username"], "password": "temporary-pass-9"})
    assert session.get("/account/password").status_code == 302  # ended
    fresh = app.test_client()
    first = login(fresh, user["username"], "temporary-pass-9")
    assert first.status_code == 302 and first.headers["Location"].endswith("/account/password")
    assert fresh.get("/projects").headers["Location"].endswith("/account/password")  # every page: change first
    fresh.post("/account/password", data={"old_password": "temporary-pass-9", "new_password": "my-own-secret-1",
                                          "new_password_confirm": "my-own-secret-1"})
    assert fresh.get("/projects").status_code == 200
    audit = reg.run_action("audit_log_list", admin["id"], {"entity_type": "user", "entity_id": user["id"]})
    assert [a["action"] for a in audit][:2] == ["user_password_change", "user_password_reset"]
    assert all("hash" not in str(a["after"]) and "temporary-pass-9" not in str(a) for a in audit)


def test_deactivated_user_cannot_log_in_loses_sessions_and_tokens_until_reactivated(app, client, reg, make):
    app.config["WTF_CSRF_ENABLED"] = False
    admin, user = make.user("admin"), make.user("bureau")
    token = make.token(user)
    session = app.test_client()
    login(session, user["username"])
    reg.run_action("user_deactivate", admin["id"], {"user": user["id"]})
    assert session.get("/account/password").status_code == 302
    assert login(app.test_client(), user["username"]).status_code == 401
    assert api(client, "api_token_list", {}, token).status_code == 403
    reg.run_action("user_activate", admin["id"], {"user": user["username"]})
    assert login(app.test_client(), user["username"]).status_code == 302
    assert api(client, "api_token_list", {}, token).status_code == 200
    with pytest.raises(ValidationFailed):
        reg.run_action("user_deactivate", admin["id"], {"user": admin["id"]})  # not oneself


def test_tokens_are_listed_without_their_secret_revoked_and_expire(client, reg, make):
    user, other, admin = make.user("finance"), make.user("finance"), make.user("admin")
    mine = reg.run_action("api_token_create", user["id"], {"name": "脚本", "expires_in_days": 30})
    listed = api(client, "api_token_list", {}, mine["token"]).get_json()["result"]
    assert [(t["id"], t["name"], t["state"]) for t in listed] == [(str(mine["id"]), "脚本", "active")]  # API ids are strings
    assert mine["token"] not in str(listed) and listed[0]["expires"]
    with pytest.raises(NotAuthorized):
        reg.run_action("api_token_list", other["id"], {"user": user["username"]})
    with pytest.raises(NotAuthorized):
        reg.run_action("api_token_revoke", other["id"], {"id": mine["id"]})
    assert len(reg.run_action("api_token_list", admin["id"], {"user": user["id"]})) == 1
    with reg.db.unit_of_work(write=True) as session:  # thirty days later
        session.execute(update(ApiToken).values(expires=utcnow() - timedelta(seconds=1)))
    expired = api(client, "api_token_list", {}, mine["token"])
    assert expired.status_code == 403 and "过期" in expired.get_json()["error"]["message"]
    second = reg.run_action("api_token_create", user["id"], {"name": "第二个"})
    assert api(client, "api_token_revoke", {"id": second["id"]}, second["token"]).status_code == 200
    assert api(client, "api_token_list", {}, second["token"]).status_code == 403
    states = {t["name"]: t["state"] for t in reg.run_action("api_token_list", admin["id"], {"user": user["id"]})}
    assert states == {"脚本": "expired", "第二个": "revoked"}


def test_login_and_logout_are_not_offered_by_the_api(client, make):
    make.user("admin", username="api-login")
    answer = api(client, "login", {"username": "api-login", "password": PASSWORD, "address": "1.2.3.4"})
    assert answer.status_code == 404
    assert "/api/3/action/login" not in client.get("/api/openapi.json").get_json()["paths"]


def test_cli_user_and_token_commands(cli, reg, make):
    user = make.user("finance", username="cli-user")
    assert cli("user", "passwd", "cli-user", "--password", "short").exit_code == 1
    done = cli("user", "passwd", "cli-user", "--password", "operator-set-1")
    assert done.exit_code == 0 and "下次登录须修改密码" in done.output
    assert cli("user", "deactivate", "cli-user").exit_code == 0
    assert "已停用" in cli("user", "list").output
    assert cli("user", "activate", "cli-user").exit_code == 0
    token = cli("token", "create", "cli-user", "--name", "对账", "--days", "7").output.strip()
    listed = cli("token", "list", "cli-user").output
    assert "对账" in listed and "有效" in listed and token not in listed
    token_id = listed.split("\t")[0]
    assert cli("token", "revoke", token_id).exit_code == 0
    assert "已吊销" in cli("token", "list", "cli-user").output
    with reg.db.sessions() as session:
        row = session.get(User, user["id"])
        assert row.must_change_password and row.active and row.session_generation == 2
    assert cli("user", "add", "cli-temp", "--role", "reviewer", "--password", "first-pass-12", "--temporary").exit_code == 0
    assert "cli-temp\t监督查阅用户\t\t启用（须修改密码）" in cli("user", "list").output
    missing = cli("user", "deactivate", "nobody-here")
    assert missing.exit_code == 1 and "不存在" in missing.output


def test_a_production_instance_refuses_to_start_with_demo_passwords(migrated, tmp_path, reg, make):
    from registry.app import create_app
    from registry.demo_data import DEMO_PASSWORD
    settings = {"database_url": migrated, "instance_path": str(tmp_path), "secret_key": "prod", "production": True,
                "argon2_time_cost": 1, "argon2_memory_kib": 1024}
    reg.run_action("user_create", CliActor(), {"username": "admin", "password": DEMO_PASSWORD, "role": "admin"})
    with pytest.raises(RuntimeError, match="演示密码"):
        create_app(settings)
    reg.run_action("user_password_reset", CliActor(), {"user": "admin", "password": "county-secret-1"})
    create_app(settings).extensions["registry"].db.dispose()


def test_resolving_a_missing_user_says_so(reg, make):
    admin = make.user("admin")
    with pytest.raises(NotFound):
        reg.run_action("user_deactivate", admin["id"], {"user": "no-such-user"})


def test_a_user_creates_uses_and_revokes_its_own_token_on_the_account_page(app, client, make):
    app.config["WTF_CSRF_ENABLED"] = False
    user = make.user("department", make.unit())
    page = app.test_client()
    login(page, user["username"])
    bad = page.post("/account/tokens", data={"name": "数据交换脚本", "expires_in_days": "99999"})
    assert bad.status_code == 422 and 'value="数据交换脚本"' in bad.get_data(as_text=True)
    made = page.post("/account/tokens", data={"name": "数据交换脚本", "expires_in_days": "30"}).get_data(as_text=True)
    token = made.split('<code id="new-token">')[1].split("<")[0]
    assert api(client, "api_token_list", {}, token).status_code == 200
    listed = page.get("/account/tokens").get_data(as_text=True)
    assert token not in listed and "数据交换脚本" in listed  # shown once only
    token_id = api(client, "api_token_list", {}, token).get_json()["result"][0]["id"]
    assert page.post(f"/account/tokens/{token_id}/revoke").status_code == 302
    assert api(client, "api_token_list", {}, token).status_code == 403


def test_pages_show_stored_moments_in_the_countys_time(app, reg, make):
    """The database keeps UTC; people in 云阳 read Beijing time (18:30 UTC is 02:30 the next day)."""
    app.config["WTF_CSRF_ENABLED"] = False
    user = make.user("department", make.unit())
    reg.run_action("api_token_create", CliActor(), {"user": user["username"], "name": "时间测试"})
    with reg.db.unit_of_work(write=True) as session:
        session.execute(update(ApiToken).values(created=datetime(2026, 12, 5, 18, 30),
                                                last_used=datetime(2026, 12, 6, 2, 30)))
    page = app.test_client()
    login(page, user["username"])
    listed = page.get("/account/tokens").get_data(as_text=True)
    assert "2026-12-06 02:30" in listed and "2026-12-06 10:30" in listed
    assert "2026-12-05 18:30" not in listed
