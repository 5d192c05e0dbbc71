"""Login, logout and changing my password, with a session cookie.

The cookie holds the user id and the session generation it was issued under; a page request whose
generation no longer matches the account's (after logout, a password change or reset, deactivation)
is treated as anonymous. The rules are the `login`, `logout` and `user_password_change` actions.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer

from registry.core.errors import RegistryError, ValidationFailed
from registry.accounts.models import User

bp = Blueprint("auth", __name__)
DEVICE_COOKIE = "registry_device"
DEVICE_MAX_AGE = 90 * 24 * 3600
# pages a user who must change the password may still open
PASSWORD_CHANGE_ENDPOINTS = {"auth.password", "auth.logout", "auth.login", "static"}


def load_session_user():
    user_id = session.get("user_id")
    if user_id is None:
        return None
    reg = current_app.extensions["registry"]
    with reg.db.sessions() as db:
        user = db.get(User, user_id) if isinstance(user_id, int) else None
        # a cookie without a generation was issued at generation 0 (before generations existed)
        if user is None or not user.active or session.get("gen", 0) != (user.session_generation or 0):
            session.clear()
            return None
        db.expunge(user)
        return user


def password_change_gate():
    """Before every page: an account whose password someone else chose goes to the change form."""
    user = g.get("user")
    if user is not None and user.must_change_password and request.endpoint not in PASSWORD_CHANGE_ENDPOINTS \
            and not (request.path.startswith("/api/") or request.path.startswith("/static/")):
        flash("请先修改密码：当前密码由管理员设置，须改为只有您知道的新密码后才能继续使用", "warning")
        return redirect(url_for("auth.password"))
    return None


def login_required(view):
    from functools import wraps

    @wraps(view)
    def wrapped(*args, **kwargs):
        if g.get("user") is None:
            flash("请先登录", "warning")
            return redirect(url_for("auth.login", next=request.full_path))
        return view(*args, **kwargs)
    return wrapped


def _devices() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="registry-known-device")


def known_device(username: str) -> bool:
    """Whether this browser has logged in as `username` before (a signed cookie set at login): such
    a login is not refused by the per-address limit (a shared office address under attack)."""
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw or not username:
        return False
    try:
        names = _devices().loads(raw, max_age=DEVICE_MAX_AGE)
    except BadSignature:
        return False
    return isinstance(names, list) and username in names


def _remember_device(response, username: str):
    names = []
    raw = request.cookies.get(DEVICE_COOKIE)
    if raw:
        try:
            loaded = _devices().loads(raw, max_age=DEVICE_MAX_AGE)
            names = [n for n in loaded if isinstance(n, str) and n != username] if isinstance(loaded, list) else []
        except BadSignature:
            names = []
    names = [username, *names][:5]
    response.set_cookie(DEVICE_COOKIE, _devices().dumps(names), max_age=DEVICE_MAX_AGE, httponly=True,
                        samesite="Lax", secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
    return response


@bp.route("/login", methods=["GET", "POST"])
def login():
    error, status = None, 200
    if request.method == "POST":
        reg = current_app.extensions["registry"]
        username = request.form.get("username", "").strip()
        answer = reg.run_action("login", None, {"username": username, "password": request.form.get("password", ""),
                                                "address": request.remote_addr or "-"})
        if answer["ok"]:
            session.clear()
            session["user_id"], session["gen"] = answer["user_id"], answer["session_generation"]
            flash("登录成功", "success")
            if answer["must_change_password"]:
                target = url_for("auth.password")
            else:
                target = safe_next(request.args.get("next")) or url_for("catalog.home")
            return _remember_device(redirect(target), answer["username"])
        error, status = answer["message"], answer["status"]
        headers = {"Retry-After": str(answer["retry_after"])} if status == 429 else {}
        return render_template("login.html", error=error), status, headers
    return render_template("login.html", error=error), status


@bp.route("/logout", methods=["POST"])
def logout():
    user = g.get("user")
    if user is not None:
        current_app.extensions["registry"].run_action("logout", user.id, {})
    session.clear()
    flash("已退出登录", "success")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    errors: dict = {}
    if request.method == "POST":
        data = {key: request.form.get(key, "") for key in ("old_password", "new_password", "new_password_confirm")}
        try:
            result = current_app.extensions["registry"].run_action("user_password_change", g.user.id, data)
        except ValidationFailed as exc:
            errors = exc.errors
        except RegistryError as exc:
            errors = {"message": [exc.message]}
        else:
            session["gen"] = result["session_generation"]  # this session goes on; every other one has ended
            flash("密码已修改；该账号在其他浏览器上的登录已全部退出", "success")
            return redirect(url_for("catalog.home"))
    return render_template("password.html", errors=errors), (422 if errors else 200)


@bp.route("/account/tokens", methods=["GET", "POST"])
@login_required
def tokens():
    """My API tokens: create one (shown once), see them with their state, revoke one."""
    reg = current_app.extensions["registry"]
    errors, values, created = {}, {}, None
    if request.method == "POST":
        values = {"name": request.form.get("name", ""), "expires_in_days": request.form.get("expires_in_days", "")}
        data = {k: v for k, v in values.items() if v != ""}
        try:
            created = reg.run_action("api_token_create", g.user.id, data)
        except ValidationFailed as exc:
            errors = exc.errors
        except RegistryError as exc:
            errors = {"message": [exc.message]}
        else:
            values = {}
    rows = reg.run_action("api_token_list", g.user.id, {})
    return render_template("account_tokens.html", tokens=rows, created=created, errors=errors, values=values), \
        (422 if errors else 200)


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def token_revoke(token_id: int):
    try:
        current_app.extensions["registry"].run_action("api_token_revoke", g.user.id, {"id": token_id})
    except RegistryError as exc:
        flash(exc.message, "error")
    else:
        flash(f"已吊销 API 令牌 {token_id}，使用它的程序将无法再访问", "success")
    return redirect(url_for("auth.tokens"))


def safe_next(target: str | None) -> str | None:
    r"""`target` if it is a path on this site, else None. Browsers drop tabs and newlines from a URL and
    read a backslash as a slash, so `/\t/evil.example/` or `/\evil.example` would leave the site; any
    control character, backslash, scheme or host is refused (a newline would also break the header)."""
    if not target or not target.startswith("/") or "\\" in target:
        return None
    if any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or target.startswith("//"):
        return None
    return target
