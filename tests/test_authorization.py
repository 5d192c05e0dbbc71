"""Every write action × every role: who may, who is refused (enforced in the service layer)."""
import pytest
from sqlalchemy import select

from importers.actions import LocalFile
from registry.core.actions import ACTIONS, load_all
from registry.cli import CliActor
from registry.core.errors import NotAuthorized

ROLES = ("department_own", "department_other", "bureau", "finance", "reviewer", "admin", "anonymous")


@pytest.fixture
def world(make, saved, tmp_path):
    return {**saved(f"{__name__}.world", lambda: _world(make)), "tmp_path": tmp_path}


def _world(make):
    own = make.unit()
    other = make.unit()
    system = make.system(own)
    package = make.package(system)
    users = {
        "department_own": make.user("department", own), "department_other": make.user("department", other),
        "bureau": make.user("bureau"), "finance": make.user("finance"), "reviewer": make.user("reviewer"),
        "admin": make.user("admin"),
    }
    return {"own": own, "other": other, "spare": make.unit(), "system": system, "package": package,
            "users": users}


def _workbook(tmp_path, unit):
    from tests.import_workbooks import DIBAO, form_rows, write_xlsx
    rows, merges = form_rows(resources=(DIBAO,), unit=unit["title"], lead=[["系统名称：低保管理信息系统"]])
    return write_xlsx(tmp_path / "catalog.xlsx", {"Sheet1": (rows, merges)})


def _finding(make, own, other) -> int:
    """A duplicate-collection finding: two units' systems both collect 公民身份号码."""
    for unit in (own, other):
        make.package(make.system(unit), items=("公民身份号码", "姓名"))
    make.act("duplicate_scan", {})
    return make.act("duplicate_list", {"rows": 1})["results"][0]["id"]


def payloads(w):
    """Each write action with a valid payload targeting the `own` unit's records."""
    pkg, system, own = w["package"], w["system"], w["own"]
    item_id = pkg["items"][0]["id"]
    return {
        "unit_create": {"code": "newunit", "name": "新单位"},
        "unit_update": {"id": own["id"], "code": own["code"], "name": own["title"] + "（改）"},
        "unit_patch": {"id": own["id"], "description": "说明"},
        "unit_delete": {"id": w["spare"]["id"]},
        "system_create": {"unit": own["id"], "name": "新系统"},
        "system_update": {"id": system["id"], "name": "改名系统"},
        "system_patch": {"id": system["id"], "description": "说明"},
        "system_delete": {"id": system["id"]},
        "package_create": {"system": system["id"], "title": "新资源", "sharing_type": "none"},
        "package_update": {"id": pkg["id"], "title": "改名资源", "sharing_type": "none"},
        "package_patch": {"id": pkg["id"], "update_cycle": "每月"},
        "package_delete": {"id": pkg["id"]},
        "item_create": {"resource": pkg["id"], "name": "新信息项"},
        "item_update": {"id": item_id, "name": "改名信息项"},
        "item_patch": {"id": item_id, "data_length": 20},
        "item_delete": {"id": item_id},
        "directory_decide": {"id": system["id"], "in_directory": True},
        "user_create": {"username": "someone", "password": "long-password", "role": "finance"},
        "api_token_create": {"user": "admin-target"},
        "api_token_revoke": {"id": w["target_token_id"]},
        "user_password_reset": {"user": "admin-target", "password": "temporary-pass-1"},
        "user_deactivate": {"user": "admin-target"},
        "user_activate": {"user": "admin-target"},
        "user_password_change": {"old_password": "secret-pass-1", "new_password": "changed-pass-1"},
        "unit_register": {"code": "newunit2", "name": "新单位二", "username": "newunit2", "password": "first-pass-1"},
        "logout": {},
        "login": {"username": "admin-target", "password": "secret-pass-1", "address": "127.0.0.1"},
        "duplicate_review_bulk": {"ids": [w.get("finding", 1)], "decision": "dismiss", "reason": "不是同一数据"},
        "demo_work_load": {},
        "catalog_import": {"upload": LocalFile(w.get("workbook", "")), "unit": own["id"]},
        "duplicate_scan": {},
        "search_reindex": {},
        "job_start": {"action": "duplicate_scan"},   # a page starting the scan in the background
        "duplicate_review": {"id": w.get("finding", 1), "decision": "dismiss", "reason": "不是同一数据"},
        "demo_load": {},
    }


CATALOG_WRITERS = {"department_own", "admin"}
LOGGED_IN = {"department_own", "department_other", "bureau", "finance", "reviewer", "admin"}
ALLOWED = {
    **{name: CATALOG_WRITERS for name in (
        "system_create", "system_update", "system_patch", "system_delete", "package_create",
        "package_update", "package_patch", "package_delete", "item_create", "item_update",
        "item_patch", "item_delete")},
    **{name: {"bureau", "admin"} for name in ("unit_create", "unit_update", "unit_patch", "unit_delete",
                                               "directory_decide")},
    "user_create": {"admin"},
    "api_token_create": {"admin"},  # for another user; a user may always create its own
    "api_token_revoke": {"admin"},  # another user's token; a user may always revoke its own
    "user_password_reset": {"admin"},
    "user_deactivate": {"admin"},
    "user_activate": {"admin"},
    "user_password_change": LOGGED_IN,  # one's own password
    "unit_register": {"bureau", "admin"},
    "logout": LOGGED_IN,
    "catalog_import": CATALOG_WRITERS,
    "duplicate_scan": {"bureau", "admin"},
    "search_reindex": {"bureau", "admin"},
    "job_start": {"bureau", "admin"},   # whoever may run the action (duplicate_scan here)
    "duplicate_review": {"bureau", "admin"},
    "demo_load": {"admin"},   # (an empty database only: with units it answers that it skipped)
    "demo_work_load": {"admin"},   # (the demo county's accounts only: elsewhere it answers that it skipped)
    "login": set(ROLES),      # anyone may try; the page passes the client address (internal: not in the API)
    "duplicate_review_bulk": {"bureau", "admin"},
}
ACCOUNT_MODULES = ("registry.accounts.actions", "registry.accounts.sessions")


def test_every_registered_write_action_is_in_a_role_matrix():
    """This matrix, or the funding, project or sharing one: a new write action fails here until a
    test says who may run it."""
    from tests.test_funding_authorization import ALLOWED as FUNDING
    from tests.test_projects_authorization import steps
    from tests.test_sharing_roles import ALLOWED as SHARING
    load_all()
    writes = {name for name, a in ACTIONS.items() if not a.read_only}
    projects = {name for name, _, _ in steps({"own": {"id": 1}, "system": {"id": 1}, "package": {"id": 1}}, None)}
    missing = writes - set(ALLOWED) - set(FUNDING) - set(SHARING) - projects
    assert not missing, f"write actions without a role test: {sorted(missing)}"


def test_every_action_has_an_auth_function_and_writes_have_a_schema():
    load_all()
    for name, act in ACTIONS.items():
        assert callable(act.auth), name
        assert act.read_only or act.schema is not None, name


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action_name", sorted(ALLOWED))
def test_role_may_or_may_not_run_write_action(reg, make, world, role, action_name):
    target = make.user("finance", username="admin-target")
    world["target_token_id"] = reg.run_action("api_token_create", target["id"], {})["id"]
    if action_name == "catalog_import":
        world["workbook"] = _workbook(world["tmp_path"], world["own"])
    if action_name in ("duplicate_review", "duplicate_review_bulk"):
        world["finding"] = _finding(make, world["own"], world["other"])
    data = payloads(world)[action_name]
    actor = None if role == "anonymous" else world["users"][role]["id"]
    audit_before = _audit_rows(make)
    if role in ALLOWED[action_name]:
        reg.run_action(action_name, actor, data)
        _assert_took_effect(reg, action_name, actor)
        if action_name in AUDITED:
            username = world["users"][role]["username"]
            assert any(r["action"] == AUDITED[action_name] and r["username"] == username
                       for r in _audit_rows(make)[len(audit_before):]), f"{action_name} by {role} is not in the audit log"
    else:
        with pytest.raises(NotAuthorized):
            reg.run_action(action_name, actor, data)
        assert _audit_rows(make) == audit_before, f"refused {action_name} by {role} left an audit row"


# the audit row each write leaves (the action name, or the name it is logged under)
AUDITED = {**{name: name for name in ALLOWED if name.split("_")[0] in ("unit", "system", "package", "item")},
           "directory_decide": "directory_admit", "user_create": "user_create",
           "api_token_create": "api_token_create", "catalog_import": "catalog_import",
           "duplicate_review": "duplicate_review", "duplicate_review_bulk": "duplicate_review",
           "unit_register": "unit_create"}


def _audit_rows(make) -> list[dict]:
    return list(reversed(make.act("audit_log_list", {"limit": 1000})))


def _assert_took_effect(reg, action_name, actor):
    """An allowed account action really changed the account (an action that silently did nothing
    would pass the matrix otherwise)."""
    from registry.accounts.models import ApiToken, User
    with reg.db.sessions() as session:
        target = session.scalar(select(User).where(User.username == "admin-target"))
        me = session.get(User, actor)
        if action_name == "api_token_revoke":
            assert all(t.revoked for t in session.scalars(select(ApiToken).where(ApiToken.user_id == target.id)))
        elif action_name == "user_password_reset":
            assert target.must_change_password and target.session_generation == 1
        elif action_name == "user_deactivate":
            assert target.active is False
        elif action_name in ("user_password_change", "logout"):
            assert me.session_generation == 1


def test_a_refused_write_changes_nothing(reg, make, world):
    before = reg.run_action("package_show", CliActor(), {"id": world["package"]["id"]})
    with pytest.raises(NotAuthorized):
        reg.run_action("package_patch", world["users"]["department_other"]["id"],
                       {"id": world["package"]["id"], "title": "被篡改"})
    after = reg.run_action("package_show", CliActor(), {"id": world["package"]["id"]})
    assert after == before


def test_any_user_may_create_its_own_token(reg, make):
    user = make.user("finance")
    token = reg.run_action("api_token_create", user["id"], {})
    assert token["user"] == user["username"] and token["token"].startswith("reg_")


def test_passwords_and_tokens_are_stored_hashed(reg, make):
    from sqlalchemy import select

    from registry.accounts.models import ApiToken, User
    user = make.user("bureau")
    token = make.token(user)
    with reg.db.sessions() as session:
        row = session.scalar(select(User).where(User.username == user["username"]))
        assert row.password_hash.startswith("$argon2") and "secret-pass-1" not in row.password_hash
        stored = session.scalars(select(ApiToken.token_hash)).all()
        assert token not in stored and len(stored[0]) == 64
