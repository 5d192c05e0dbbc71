"""Who may do what. Enforced in the service layer (actions' auth functions), never in views.

Reads of the catalog are public (it is a catalog, and CKAN clients read anonymously); every
write needs a user whose role allows it, and a department writes only its own unit's records.
"""
from __future__ import annotations

from registry.errors import NotAuthorized

ROLE_LABELS = {"department": "部门用户", "bureau": "大数据局", "finance": "财政局",
               "reviewer": "监督查阅用户", "admin": "管理员"}


def require_login(ctx) -> None:
    if ctx.user is None:
        raise NotAuthorized("请先登录或在请求头 Authorization 中提供 API 令牌")


def require_role(ctx, *roles: str) -> None:
    require_login(ctx)
    if ctx.user.role not in roles and ctx.user.role != "admin":
        allowed = "、".join(ROLE_LABELS[r] for r in roles)
        raise NotAuthorized(f"{ROLE_LABELS.get(ctx.user.role, ctx.user.role)}无权执行此操作（仅限{allowed}）")


def require_unit_writer(ctx, unit_id: int) -> None:
    """A department user writes only its own unit's catalog; admin writes any."""
    require_login(ctx)
    user = ctx.user
    if user.role == "admin":
        return
    if user.role != "department":
        raise NotAuthorized(f"{ROLE_LABELS.get(user.role, user.role)}不能修改部门的信息资源目录")
    if user.unit_id != unit_id:
        raise NotAuthorized("只能修改本单位的信息系统和信息资源目录")


def allow_public(ctx, data) -> None:
    """Auth function of public read actions."""
    return None
