"""Accounts, API tokens and the audit log. (The directory decision lives in registry.funding.directory.)"""
from __future__ import annotations

from sqlalchemy import select

from catalog_schema.fields import ChineseSchema, Int, Ref, Text
from catalog_schema.schemas import UserCreateSchema
from registry import audit
from registry.actions.base import Context, action
from registry.authz import require_login, require_role
from registry.errors import ValidationFailed
from registry.lookup import get_unit
from registry.models import ApiToken, AuditLog, User
from registry.security import hash_password, hash_token, new_token


def user_dict(user: User) -> dict:
    return {"id": user.id, "username": user.username, "display_name": user.display_name,
            "role": user.role, "unit_id": user.unit_id, "active": user.active}


def _admin(ctx: Context, data: dict) -> None:
    require_role(ctx, "admin")


@action("user_create", auth=_admin, schema=UserCreateSchema)
def user_create(ctx: Context, data: dict) -> dict:
    """Create an account; the password is stored as an argon2 hash."""
    if ctx.session.scalar(select(User.id).where(User.username == data["username"])):
        raise ValidationFailed({"username": [f"用户名“{data['username']}”已存在"]})
    unit = get_unit(ctx.session, data["unit"], "unit") if data.get("unit") else None
    user = User(username=data["username"], display_name=data.get("display_name") or data["username"],
                password_hash=hash_password(data["password"]), role=data["role"], unit=unit)
    ctx.session.add(user)
    ctx.session.flush()
    audit.record(ctx, "user_create", "user", user.id, None, user_dict(user), user.username)
    return user_dict(user)


class TokenCreateSchema(ChineseSchema):
    user = Ref("用户")
    name = Text("令牌名称", max_length=100, load_default="")


def _token_auth(ctx: Context, data: dict) -> None:
    require_login(ctx)
    if data.get("user") not in (None, "", ctx.user.id, ctx.user.username):
        require_role(ctx, "admin")


@action("api_token_create", auth=_token_auth, schema=TokenCreateSchema)
def api_token_create(ctx: Context, data: dict) -> dict:
    """Create an API token. The token is shown once; only its hash is stored."""
    user = ctx.user
    if data.get("user") not in (None, ""):
        ref = data["user"]
        user = ctx.session.get(User, ref) if isinstance(ref, int) else \
            ctx.session.scalar(select(User).where(User.username == ref))
        if user is None:
            raise ValidationFailed({"user": [f"用户“{ref}”不存在"]})
    token = new_token()
    row = ApiToken(user_id=user.id, name=data.get("name") or "", token_hash=hash_token(token))
    ctx.session.add(row)
    ctx.session.flush()
    audit.record(ctx, "api_token_create", "api_token", row.id, None,
                 {"user": user.username, "name": row.name}, user.username)
    return {"id": row.id, "token": token, "user": user.username, "name": row.name}


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
