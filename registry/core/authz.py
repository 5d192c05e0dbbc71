"""Who may do what. Enforced in the service layer (actions' auth functions), never in views.

An anonymous caller reads only the public catalog: the resources marked 向社会开放
(`open_to_public`) and their items, with every count over those alone; a closed resource named to
it answers as if it did not exist (docs/security.md, "What an anonymous visitor may read"). Every
logged-in role reads the whole catalog. Every write needs a user whose role allows it, and a
department writes only its own unit's records.
"""
from __future__ import annotations

from registry.core.errors import NotAuthorized

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


def public_catalog_only(ctx) -> bool:
    """Whether `ctx` reads only the public catalog (resources open to the public): anonymous callers."""
    return ctx.user is None


def readable_resources(ctx, stmt, open_column=None):
    """`stmt` narrowed to the resources `ctx` may read (`open_column`: the open_to_public column of
    the resource table in `stmt`, InformationResource's by default)."""
    if not public_catalog_only(ctx):
        return stmt
    if open_column is None:
        from registry.catalog.models import InformationResource
        open_column = InformationResource.open_to_public
    return stmt.where(open_column.is_(True))


def readable_by_resource(ctx, resource_id) -> list:
    """The conditions that narrow rows of another table (`resource_id`: its column naming the
    resource) to the resources `ctx` may read; none when it reads every one. Use: `.where(*…)`."""
    if not public_catalog_only(ctx):
        return []
    from sqlalchemy import select

    from registry.catalog.models import InformationResource
    return [resource_id.in_(select(InformationResource.id).where(InformationResource.open_to_public.is_(True)))]


def get_readable_resource(ctx, ref, field: str = "id"):
    """The resource `ref` names, if `ctx` may read it; a closed resource asked for anonymously is
    "not found", word for word as a missing one (its existence is not confirmed)."""
    from registry.core.errors import NotFound
    from registry.catalog.lookup import get_resource
    resource = get_resource(ctx.session, ref, field)
    if public_catalog_only(ctx) and not resource.open_to_public:
        raise NotFound(f"信息资源“{ref}”不存在")
    return resource
