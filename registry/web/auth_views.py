"""Login and logout with a session cookie."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from sqlalchemy import select

from registry.db import utcnow
from registry.models import User
from registry.security import verify_password

bp = Blueprint("auth", __name__)
MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)


def load_session_user():
    user_id = session.get("user_id")
    if user_id is None:
        return None
    reg = current_app.extensions["registry"]
    with reg.db.sessions() as db:
        user = db.get(User, user_id)
        if user is None or not user.active:
            session.clear()
            return None
        db.expunge(user)
        return user


def login_required(view):
    from functools import wraps

    @wraps(view)
    def wrapped(*args, **kwargs):
        if g.get("user") is None:
            flash("请先登录", "warning")
            return redirect(url_for("auth.login", next=request.full_path))
        return view(*args, **kwargs)
    return wrapped


@bp.route("/login", methods=["GET", "POST"])
def login():
    error = None
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        password = request.form.get("password", "")
        error = _check_login(username, password)
        if error is None:
            flash("登录成功", "success")
            return redirect(safe_next(request.args.get("next")) or url_for("catalog.home"))
    return render_template("login.html", error=error), (401 if error else 200)


def _check_login(username: str, password: str) -> str | None:
    reg = current_app.extensions["registry"]
    with reg.db.unit_of_work(write=True) as db:  # counts failures / clears the lockout
        user = db.scalar(select(User).where(User.username == username))
        if user is None or not user.active:
            return "用户名或密码错误"
        now = utcnow()
        if user.locked_until and user.locked_until > now:
            return "登录失败次数过多，账号已暂时锁定，请 15 分钟后再试"
        if not verify_password(user.password_hash, password):
            user.failed_logins += 1
            if user.failed_logins >= MAX_FAILURES:
                user.locked_until, user.failed_logins = now + LOCKOUT, 0
            return "用户名或密码错误"
        user.failed_logins, user.locked_until = 0, None
        session.clear()
        session["user_id"] = user.id
        return None


@bp.route("/logout", methods=["POST"])
def logout():
    session.clear()
    flash("已退出登录", "success")
    return redirect(url_for("auth.login"))


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
