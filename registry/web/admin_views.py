"""Administration pages: accounts (administrators) and units with their department accounts (the
Bureau). Views parse forms and call actions (user_*, api_token_*, unit_register); every change is
audited by the action; who may do what is the actions' rule (docs/security.md)."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for

from registry.core.errors import NotAuthorized, NotFound, RegistryError, ValidationFailed
from registry.accounts.views import login_required

bp = Blueprint("admin", __name__, url_prefix="/admin")
USER_ADMINS = ("admin",)
UNIT_ADMINS = ("bureau", "admin")


def run(name: str, data: dict | None = None):
    return current_app.extensions["registry"].run_action(name, g.user.id, data or {})


def page_read(name: str, data: dict | None = None):
    """A read for a page: a refusal is the 403 page, a missing record the 404 page."""
    try:
        return run(name, data)
    except NotAuthorized as exc:
        abort(403, exc.message)
    except NotFound:
        abort(404)


def form_errors(exc: RegistryError) -> dict:
    return exc.errors if isinstance(exc, ValidationFailed) else {"message": [exc.message]}


@bp.route("/")
@login_required
def index():
    if g.user.role not in UNIT_ADMINS:
        abort(403)
    return render_template("admin_index.html", may_manage_users=g.user.role in USER_ADMINS)


@bp.route("/reindex", methods=["POST"])
@login_required
def reindex():
    """Rebuild the search index in the background; this sends the user to its status page."""
    from registry.web.job_views import start_job
    return start_job("search_reindex", {}, back="admin.index")


@bp.route("/users", methods=["GET", "POST"])
@login_required
def users():
    errors, values = {}, {"role": "department", "must_change_password": True}
    if request.method == "POST":
        values = {key: request.form.get(key, "") for key in ("username", "display_name", "role", "unit", "password")}
        values["must_change_password"] = request.form.get("must_change_password") == "1"
        data = {**values, "unit": values["unit"] or None}
        try:
            created = run("user_create", data)
        except RegistryError as exc:
            errors = form_errors(exc)
        else:
            flash(f"已新增账号“{created['username']}”" + ("，首次登录须修改密码" if created["must_change_password"] else ""),
                  "success")
            return redirect(url_for("admin.user_page", user_id=created["id"]))
    rows = page_read("user_list", {key: request.args[key] for key in ("q", "role") if request.args.get(key)})
    units = run("organization_list", {"all_fields": True, "sort": "title asc"})
    values.pop("password", None)  # never sent back to the browser
    return render_template("admin_users.html", users=rows, units=units, errors=errors, values=values), \
        (422 if errors else 200)


@bp.route("/users/<int:user_id>")
@login_required
def user_page(user_id: int):
    return render_template("admin_user.html", user=page_read("user_show", {"user": user_id}), errors={})


def _user_change(user_id: int, name: str, data: dict, done: str):
    try:
        result = run(name, {"user": user_id, **data})
    except NotAuthorized as exc:
        abort(403, exc.message)
    except NotFound:
        abort(404)
    except RegistryError as exc:
        user = page_read("user_show", {"user": user_id})
        return render_template("admin_user.html", user=user, errors=form_errors(exc)), 422
    flash(done.format(username=result["username"]), "success")
    return redirect(url_for("admin.user_page", user_id=user_id))


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@login_required
def user_password(user_id: int):
    return _user_change(user_id, "user_password_reset",
                        {"password": request.form.get("password", ""),
                         "must_change_password": request.form.get("must_change_password") == "1"},
                        "已重置账号“{username}”的密码，其已登录的会话已全部退出")


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@login_required
def user_deactivate(user_id: int):
    return _user_change(user_id, "user_deactivate", {}, "已停用账号“{username}”")


@bp.route("/users/<int:user_id>/activate", methods=["POST"])
@login_required
def user_activate(user_id: int):
    return _user_change(user_id, "user_activate", {}, "已启用账号“{username}”")


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def token_revoke(token_id: int):
    try:
        token = run("api_token_revoke", {"id": token_id})
    except NotAuthorized as exc:
        abort(403, exc.message)
    except NotFound:
        abort(404)
    flash(f"已吊销账号“{token['user']}”的 API 令牌 {token['id']}", "success")
    back = request.form.get("back", "")
    return redirect(back if back.startswith("/admin/") else url_for("admin.index"))


@bp.route("/units", methods=["GET", "POST"])
@login_required
def units():
    if g.user.role not in UNIT_ADMINS:
        abort(403)
    errors, values = {}, {"kind": "department"}
    if request.method == "POST":
        values = {key: request.form.get(key, "") for key in (
            "code", "name", "kind", "parent", "description", "username", "display_name", "password")}
        data = {k: v for k, v in values.items() if v != "" or k in ("code", "name", "username", "password")}
        try:
            result = run("unit_register", data)
        except RegistryError as exc:
            errors = form_errors(exc)
        else:
            flash(f"已新增单位“{result['unit']['title']}”及其部门账号“{result['user']['username']}”"
                  "（首次登录须修改密码）", "success")
            return redirect(url_for("admin.units"))
    rows = run("organization_list", {"all_fields": True, "sort": "title asc"})
    values.pop("password", None)
    return render_template("admin_units.html", units=rows, errors=errors, values=values), (422 if errors else 200)
