"""Logging in and out, as actions: the login page passes the form and the client address, the rules
(throttling, timing, session generation) live here.

Throttling (settings `login_free_failures`, `login_backoff_seconds`, `login_backoff_max_seconds`): failed
logins are counted per (account name as typed, client address). After the free failures each further
one makes that pair wait twice as long as the last (30 s, 60 s, … up to 15 minutes by default); a
correct password from another address still works, so nobody can lock an account out by guessing
from elsewhere. An unknown name is counted, hashed against and answered exactly like a known one.
The per-address limit across all names is registry.core.ratelimit.
"""
from __future__ import annotations

import hashlib
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Iterator

from marshmallow import fields
from sqlalchemy import delete, select

from catalog_schema.fields import ChineseSchema
from registry.core.actions import Context, action
from registry.core.authz import require_login
from registry.core.db import utcnow
from registry.accounts.models import LoginThrottle, User
from registry.core.security import verify_dummy, verify_password

WRONG = "用户名或密码错误"
MAX_PASSWORD = 1000  # longer than any valid password (200): refused without hashing megabytes
FORGET_AFTER = timedelta(days=1)


class LoginSchema(ChineseSchema):
    username = fields.String(required=True)
    password = fields.String(required=True, load_only=True)
    address = fields.String(load_default="-")
    checked = fields.Raw(load_default=None)  # a _Checked from check_before_writing; anything else is ignored


@dataclass(frozen=True)
class _Checked:
    """The password verdict reached before the write transaction (argon2 takes tens of milliseconds,
    and on SQLite the write transaction holds the one writer lock: logins must not queue edits)."""

    username: str
    password: str
    address: str
    password_hash: str | None  # the hash the verdict was reached against (None: no such account)
    good: bool


@contextmanager
def check_before_writing(registry, actor, data: dict | None) -> Iterator[dict | None]:
    data = dict(data or {})
    username, password, address = data.get("username"), data.get("password"), data.get("address", "-")
    if not all(isinstance(v, str) for v in (username, password, address)):
        yield data  # the schema reports it
        return
    username = username.strip()
    with registry.db.unit_of_work() as session:
        row = session.get(LoginThrottle, throttle_key(username, address))
        if row is not None and row.blocked_until is not None and row.blocked_until > utcnow():
            yield data  # refused in the transaction without hashing anything
            return
        user = session.scalar(select(User).where(User.username == username)) if len(username) <= 100 else None
        stored = user.password_hash if user is not None else None
    data["checked"] = _Checked(username, password, address, stored, _verify(stored, password))
    yield data


def _verify(stored: str | None, password: str) -> bool:
    if len(password) > MAX_PASSWORD:
        return False
    if stored is None:
        return verify_dummy(password)
    return verify_password(stored, password)


def _anyone(ctx: Context, data: dict) -> None:
    return None


def throttle_key(username: str, address: str) -> str:
    return hashlib.sha256(f"{username}\x00{address}".encode()).hexdigest()


@action("login", auth=_anyone, schema=LoginSchema, internal=True, prepare=check_before_writing)
def login(ctx: Context, data: dict) -> dict:
    """Check a username and password from one client address. Answers `ok` with the session
    generation to put in the cookie, or a refusal (401 wrong, 429 throttled) whose failure count is
    committed: a refusal is an answer, not an error, so the transaction keeps it."""
    now = utcnow()
    username, password = data["username"].strip(), data["password"]
    key = throttle_key(username, data["address"])
    row = ctx.session.get(LoginThrottle, key)
    if row is not None and row.blocked_until is not None and row.blocked_until > now:
        wait = max(1, int((row.blocked_until - now).total_seconds() + 0.999))
        return {"ok": False, "status": 429, "retry_after": wait,
                "message": f"登录失败次数过多，请 {_duration(wait)}后再试"}
    user = ctx.session.scalar(select(User).where(User.username == username)) if len(username) <= 100 else None
    stored = user.password_hash if user is not None else None
    checked = data.get("checked")
    if isinstance(checked, _Checked) and (checked.username, checked.password, checked.address,
                                          checked.password_hash) == (username, password, data["address"], stored):
        good = checked.good  # verified before the transaction, against the hash still stored
    else:
        good = _verify(stored, password)
    if not good:
        _count_failure(ctx, key, row, now)
        return {"ok": False, "status": 401, "message": WRONG}
    if row is not None:
        ctx.session.delete(row)
    if not user.active:
        return {"ok": False, "status": 401, "message": "该账号已停用，请联系系统管理员"}
    return {"ok": True, "user_id": user.id, "username": user.username,
            "session_generation": user.session_generation or 0,
            "must_change_password": bool(user.must_change_password)}


def _count_failure(ctx: Context, key: str, row: LoginThrottle | None, now) -> None:
    settings = ctx.settings
    if row is None:
        row = LoginThrottle(key=key, failures=0)
        ctx.session.add(row)
    row.failures += 1
    row.last_failure = now
    over = row.failures - settings.login_free_failures
    if over >= 0:
        seconds = min(settings.login_backoff_max_seconds, settings.login_backoff_seconds * 2 ** min(over, 30))
        row.blocked_until = now + timedelta(seconds=seconds)
    ctx.session.flush()
    ctx.session.execute(delete(LoginThrottle).where(LoginThrottle.last_failure < now - FORGET_AFTER,
                                                    LoginThrottle.key != key))


def _duration(seconds: int) -> str:
    return f"{seconds} 秒" if seconds < 120 else f"{round(seconds / 60)} 分钟"


class LogoutSchema(ChineseSchema):
    pass


def _logged_in(ctx: Context, data: dict) -> None:
    require_login(ctx)


@action("logout", auth=_logged_in, schema=LogoutSchema, internal=True)
def logout(ctx: Context, data: dict) -> dict:
    """End my sessions: every session cookie issued to me before now stops working."""
    user = ctx.session.get(User, ctx.user.id)
    user.session_generation = (user.session_generation or 0) + 1
    return {"ok": True}
