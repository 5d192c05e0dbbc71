"""Accounts, API tokens and the audit log. (The directory decision lives in registry.funding.directory.)

The account lifecycle: an administrator creates an account, resets its password (the owner must
choose a new one at the next login), deactivates and reactivates it, lists and revokes its API
tokens; every user changes its own password and manages its own tokens. A password change, reset or
deactivation ends the user's sessions (`User.session_generation`, checked on every page request).
Who may do what is written down in docs/security.md.
"""
from __future__ import annotations

from datetime import timedelta

from marshmallow import ValidationError, fields, validates_schema
from sqlalchemy import func, select

from catalog_schema.fields import MAX_DB_INT, Bool, ChineseSchema, Int, Ref, Text
from catalog_schema.schemas import Password, ReadSchema, UnitSchema, UserCreateSchema, Username
from registry.core import audit
from registry.core.actions import Context, action
from registry.core.authz import ROLE_LABELS, require_login, require_role
from registry.core.db import utcnow
from registry.core.errors import NotAuthorized, NotFound, ValidationFailed
from registry.catalog.lookup import get_unit
from registry.accounts.models import ApiToken, User
from registry.core.audit_log import AuditLog
from registry.core.security import hash_password, hash_token, new_token, verify_password

MAX_TOKEN_DAYS = 3650


def user_dict(user: User) -> dict:
    return {"id": user.id, "username": user.username, "display_name": user.display_name,
            "role": user.role, "unit_id": user.unit_id, "active": user.active,
            "must_change_password": bool(user.must_change_password)}


class UserRef(fields.Raw):
    """An account by id (a JSON integer) or by username (text, even when it is all digits).

    A text reference names a username first: the user `25` asking for `"25"` means itself, never
    the account whose id is 25 (issue 18). Authorisation always runs on the resolved account."""

    def __init__(self, label: str = "用户", **kw):
        kw.setdefault("allow_none", True)
        super().__init__(error_messages={"null": f"{label}不能为空"}, metadata={"label": label}, **kw)

    def _deserialize(self, value, attr, data, **kwargs):
        label = self.metadata["label"]
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise ValidationError(f"{label}必须是编号或用户名")
        if isinstance(value, int):
            if not 0 < value <= MAX_DB_INT:
                raise ValidationError(f"{label}编号超出范围")
            return value
        value = value.strip()
        if not value or len(value) > 100:
            raise ValidationError(f"{label}必须是编号或用户名")
        return value


def resolve_user(ctx: Context, ref, field: str = "user") -> User:
    """The one place a user reference becomes an account: an int is an id, text a username (an
    all-digit text that is nobody's username falls back to the id)."""
    user = None
    if isinstance(ref, int):
        user = ctx.session.get(User, ref)
    elif isinstance(ref, str):
        user = ctx.session.scalar(select(User).where(User.username == ref))
        if user is None and ref.isascii() and ref.isdecimal() and int(ref) <= MAX_DB_INT:
            user = ctx.session.get(User, int(ref))
    if user is None:
        raise NotFound(f"用户“{ref}”不存在")
    return user


def _target_or_self(ctx: Context, data: dict, key: str = "user") -> User:
    """The account named in `data[key]` (default: the caller's own), refused unless it is the
    caller's or the caller is an administrator. Resolved once; authorised on what was resolved."""
    require_login(ctx)
    ref = data.get(key)
    if ref in (None, ""):
        if getattr(ctx.user, "id", None) is None:
            raise ValidationFailed({key: ["请指定用户"]})
        return ctx.session.get(User, ctx.user.id)
    user = resolve_user(ctx, ref, key)
    if user.id != getattr(ctx.user, "id", None):
        require_role(ctx, "admin")
    return user


def _admin(ctx: Context, data: dict) -> None:
    require_role(ctx, "admin")


def _logged_in(ctx: Context, data: dict) -> None:
    require_login(ctx)


def create_user(ctx: Context, data: dict) -> User:
    """Shared by user_create and unit_register (the Bureau registering a unit with its account)."""
    if ctx.session.scalar(select(User.id).where(User.username == data["username"])):
        raise ValidationFailed({"username": [f"用户名“{data['username']}”已存在"]})
    unit = get_unit(ctx.session, data["unit"], "unit") if data.get("unit") else None
    user = User(username=data["username"], display_name=data.get("display_name") or data["username"],
                password_hash=hash_password(data["password"]), role=data["role"], unit=unit,
                must_change_password=bool(data.get("must_change_password")))
    ctx.session.add(user)
    ctx.session.flush()
    audit.record(ctx, "user_create", "user", user.id, None, user_dict(user), user.username)
    return user


class UserCreateInput(UserCreateSchema):
    must_change_password = Bool("首次登录须修改密码", load_default=False)


@action("user_create", auth=_admin, schema=UserCreateInput)
def user_create(ctx: Context, data: dict) -> dict:
    """Create an account; the password is stored as an argon2 hash. `must_change_password`: the
    owner must choose a new password at the first login (the admin page sets it)."""
    return user_dict(create_user(ctx, data))


class UserListSchema(ReadSchema):
    q = Text("用户名或姓名", max_length=60)
    role = Text("角色", max_length=20)
    unit = Ref("所属单位")


@action("user_list", auth=_admin, schema=UserListSchema, read_only=True)
def user_list(ctx: Context, data: dict) -> list:
    """Every account (administrators only), with its unit and how many live API tokens it has."""
    live = (select(ApiToken.user_id, func.count(ApiToken.id).label("n"))
            .where(ApiToken.revoked.is_(False), ApiToken.expires.is_(None) | (ApiToken.expires > utcnow()))
            .group_by(ApiToken.user_id).subquery())
    stmt = select(User, live.c.n).outerjoin(live, live.c.user_id == User.id).order_by(User.username)
    if data.get("q"):
        like = f"%{data['q']}%"
        stmt = stmt.where(User.username.like(like) | User.display_name.like(like))
    if data.get("role"):
        stmt = stmt.where(User.role == data["role"])
    if data.get("unit"):
        stmt = stmt.where(User.unit_id == get_unit(ctx.session, data["unit"]).id)
    return [_user_row(user, tokens or 0) for user, tokens in ctx.session.execute(stmt)]


def _user_row(user: User, tokens: int) -> dict:
    row = user_dict(user)
    row.update(unit=user.unit.name if user.unit else None, unit_code=user.unit.code if user.unit else None,
               role_label=ROLE_LABELS.get(user.role, user.role), tokens=tokens, created=user.created.isoformat(),
               password_changed=user.password_changed.isoformat() if user.password_changed else None)
    return row


class UserRefSchema(ChineseSchema):
    user = UserRef(required=True, allow_none=False)


class UserShowSchema(ReadSchema):
    user = UserRef(required=True, allow_none=False)


@action("user_show", auth=_admin, schema=UserShowSchema, read_only=True)
def user_show(ctx: Context, data: dict) -> dict:
    """One account (administrators only) with its API tokens (never the tokens themselves)."""
    user = resolve_user(ctx, data["user"])
    tokens = [token_dict(r) for r in ctx.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc()))]
    return {**_user_row(user, sum(t["state"] == "active" for t in tokens)), "api_tokens": tokens}


def _end_sessions(user: User) -> None:
    user.session_generation = (user.session_generation or 0) + 1


class PasswordChangeSchema(ChineseSchema):
    old_password = fields.String(required=True, load_only=True,
                                 error_messages={"required": "请输入原密码", "null": "请输入原密码",
                                                 "invalid": "原密码必须是文本"})
    new_password = Password("新密码")
    new_password_confirm = fields.String(load_only=True, load_default=None, allow_none=True,
                                         error_messages={"invalid": "确认密码必须是文本"})

    @validates_schema
    def _confirm(self, data, **kwargs):
        confirm = data.get("new_password_confirm")
        if confirm is not None and confirm != data.get("new_password"):
            raise ValidationError("两次输入的新密码不一致", "new_password_confirm")


@action("user_password_change", auth=_logged_in, schema=PasswordChangeSchema)
def user_password_change(ctx: Context, data: dict) -> dict:
    """Change my own password (the old one is required). Ends every other session of mine; the
    answer carries the new session generation for the session that made the change."""
    user = ctx.session.get(User, getattr(ctx.user, "id", None) or 0)
    if user is None:
        raise NotAuthorized("只有登录账号本人可以修改自己的密码")
    if len(data["old_password"]) > 1000 or not verify_password(user.password_hash, data["old_password"]):
        raise ValidationFailed({"old_password": ["原密码不正确"]})
    if data["new_password"] == data["old_password"]:
        raise ValidationFailed({"new_password": ["新密码不能与原密码相同"]})
    user.password_hash = hash_password(data["new_password"])
    user.must_change_password = False
    user.password_changed = utcnow()
    _end_sessions(user)
    audit.record(ctx, "user_password_change", "user", user.id, None, None, f"{user.username} 修改了自己的密码")
    return {**user_dict(user), "session_generation": user.session_generation}


class PasswordResetSchema(UserRefSchema):
    password = Password("新密码")
    must_change_password = Bool("首次登录须修改密码", load_default=True)


@action("user_password_reset", auth=_admin, schema=PasswordResetSchema)
def user_password_reset(ctx: Context, data: dict) -> dict:
    """An administrator sets a user's password. The user's sessions end and, unless
    `must_change_password` is false, the user must choose a new password at the next login."""
    user = resolve_user(ctx, data["user"])
    user.password_hash = hash_password(data["password"])
    user.must_change_password = bool(data["must_change_password"])
    user.password_changed = utcnow()
    _end_sessions(user)
    audit.record(ctx, "user_password_reset", "user", user.id, None,
                 {"must_change_password": user.must_change_password}, f"重置 {user.username} 的密码")
    return user_dict(user)


def _set_active(ctx: Context, data: dict, active: bool) -> dict:
    user = resolve_user(ctx, data["user"])
    if not active and user.id == getattr(ctx.user, "id", None):
        raise ValidationFailed({"user": ["不能停用自己正在使用的账号"]})
    before = user_dict(user)
    user.active = active
    if not active:
        _end_sessions(user)
    audit.record(ctx, "user_activate" if active else "user_deactivate", "user", user.id, before, user_dict(user),
                 f"{'启用' if active else '停用'}账号 {user.username}")
    return user_dict(user)


@action("user_deactivate", auth=_admin, schema=UserRefSchema)
def user_deactivate(ctx: Context, data: dict) -> dict:
    """Deactivate an account: it can no longer log in, its sessions end and its API tokens stop working
    (they are kept, and work again if the account is reactivated and they are not revoked)."""
    return _set_active(ctx, data, False)


@action("user_activate", auth=_admin, schema=UserRefSchema)
def user_activate(ctx: Context, data: dict) -> dict:
    """Reactivate a deactivated account."""
    return _set_active(ctx, data, True)


class UnitRegisterSchema(UnitSchema):
    username = Username()
    password = Password()
    display_name = Text("账号姓名", max_length=100, load_default="")


def _unit_registrar(ctx: Context, data: dict) -> None:
    require_role(ctx, "bureau")


@action("unit_register", auth=_unit_registrar, schema=UnitRegisterSchema)
def unit_register(ctx: Context, data: dict) -> dict:
    """The Bureau (or an administrator) adds a unit and its department account in one step. The
    account must choose a new password at its first login."""
    from registry.core.actions import call_action
    unit_data = {k: data[k] for k in ("code", "name", "kind", "parent", "description") if data.get(k) is not None}
    unit = call_action("unit_create", ctx, unit_data)
    user = create_user(ctx, {"username": data["username"], "password": data["password"], "role": "department",
                             "unit": unit["id"], "display_name": data.get("display_name") or data["name"],
                             "must_change_password": True})
    return {"unit": unit, "user": user_dict(user)}


class TokenCreateSchema(ChineseSchema):
    user = UserRef()
    name = Text("令牌名称", max_length=100, load_default="")
    expires_in_days = Int("有效天数", minimum=1, maximum=MAX_TOKEN_DAYS)


@action("api_token_create", auth=_logged_in, schema=TokenCreateSchema)
def api_token_create(ctx: Context, data: dict) -> dict:
    """Create an API token for myself (or, as an administrator, for any user). The token is shown
    once; only its hash is stored. `expires_in_days`: the token stops working after that many days."""
    user = _target_or_self(ctx, data)
    token = new_token()
    expires = utcnow() + timedelta(days=data["expires_in_days"]) if data.get("expires_in_days") else None
    row = ApiToken(user_id=user.id, name=data.get("name") or "", token_hash=hash_token(token), expires=expires)
    ctx.session.add(row)
    ctx.session.flush()
    audit.record(ctx, "api_token_create", "api_token", row.id, None,
                 {"user": user.username, "name": row.name, "expires": expires.isoformat() if expires else None},
                 user.username)
    return {"id": row.id, "token": token, "user": user.username, "name": row.name,
            "expires": expires.isoformat() if expires else None}


def token_dict(row: ApiToken) -> dict:
    now = utcnow()
    state = "revoked" if row.revoked else "expired" if row.expires and row.expires <= now else "active"
    return {"id": row.id, "user": row.user.username, "name": row.name, "created": row.created.isoformat(),
            "last_used": row.last_used.isoformat() if row.last_used else None,
            "expires": row.expires.isoformat() if row.expires else None, "revoked": row.revoked, "state": state}


class TokenListSchema(ReadSchema):
    user = UserRef()


@action("api_token_list", auth=_logged_in, schema=TokenListSchema, read_only=True)
def api_token_list(ctx: Context, data: dict) -> list:
    """API tokens of a user (default: mine; administrators: anyone's), newest first. Never the token
    itself: only its name, dates and state (active, expired, revoked)."""
    user = _target_or_self(ctx, data)
    rows = ctx.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc()))
    return [token_dict(r) for r in rows]


class TokenRevokeSchema(ChineseSchema):
    id = Int("令牌编号", required=True, minimum=1)


@action("api_token_revoke", auth=_logged_in, schema=TokenRevokeSchema)
def api_token_revoke(ctx: Context, data: dict) -> dict:
    """Revoke an API token: mine, or (administrators) anyone's. It stops working at once."""
    row = ctx.session.get(ApiToken, data["id"])
    if row is None:
        raise NotFound(f"API 令牌“{data['id']}”不存在")
    if row.user_id != getattr(ctx.user, "id", None):
        require_role(ctx, "admin")
    if not row.revoked:
        row.revoked = True
        audit.record(ctx, "api_token_revoke", "api_token", row.id, {"revoked": False}, {"revoked": True},
                     f"吊销 {row.user.username} 的令牌 {row.name}".strip())
    return token_dict(row)


class AuditListSchema(ChineseSchema):
    entity_type = Text("对象类型", max_length=40)
    entity_id = Int("对象编号", minimum=0)
    username = Text("操作人", max_length=60)
    limit = Int("条数", minimum=1, maximum=1000, load_default=100)
    offset = Int("起始位置", minimum=0, load_default=0)

    class Meta:
        unknown = "exclude"


def _audit_reader(ctx: Context, data: dict) -> None:
    require_role(ctx, "bureau", "reviewer", "finance")


@action("audit_log_list", auth=_audit_reader, schema=AuditListSchema, read_only=True)
def audit_log_list(ctx: Context, data: dict) -> list:
    """Audit rows, newest first, filtered by entity or user."""
    stmt = select(AuditLog).order_by(AuditLog.id.desc())
    for key in ("entity_type", "entity_id", "username"):
        if data.get(key) is not None:
            stmt = stmt.where(getattr(AuditLog, key) == data[key])
    rows = ctx.session.scalars(stmt.offset(data["offset"]).limit(data["limit"]))
    return [{"id": r.id, "at": r.at.isoformat(), "username": r.username, "action": r.action,
             "entity_type": r.entity_type, "entity_id": r.entity_id, "summary": r.summary,
             "before": r.before, "after": r.after} for r in rows]


def demo_password_accounts(reg) -> list[str]:
    """Active accounts that still log in with the demo password (a production instance refuses to
    start while there are any). Only demo account names whose password was never changed or reset
    are tried, so the check costs nothing once they are dealt with."""
    from registry.demo_data import DEMO_PASSWORD, DEMO_USERS
    from sqlalchemy import inspect
    if not inspect(reg.db.engine).has_table(User.__tablename__):  # not initialised yet: nothing to check
        return []
    names = [u["username"] for u in DEMO_USERS]
    found = []
    with reg.db.sessions() as session:
        for start in range(0, len(names), 500):
            users = session.scalars(select(User).where(User.username.in_(names[start:start + 500]),
                                                       User.active.is_(True), User.password_changed.is_(None)))
            found += [u.username for u in users if verify_password(u.password_hash, DEMO_PASSWORD)]
    return sorted(found)


def refuse_demo_passwords(reg) -> None:
    found = demo_password_accounts(reg)
    if found:
        shown = "、".join(found[:10]) + (f" 等 {len(found)} 个账号" if len(found) > 10 else "")
        raise RuntimeError(f"生产环境拒绝启动：账号 {shown} 仍在使用演示密码。请用 registry user passwd <用户名> "
                           "重置密码，或用 registry user deactivate <用户名> 停用不用的演示账号（见 docs/security.md）")
