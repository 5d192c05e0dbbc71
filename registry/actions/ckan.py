"""CKAN's standard read actions, mapped onto the catalog: organizations are units, groups are
systems, packages (datasets) are information resources with their items as data dictionary."""
from __future__ import annotations

from sqlalchemy import func, select

from registry import __version__
from registry.actions.base import Context, action
from registry.authz import allow_public
from registry.dictize import package_dict, system_dict, unit_dict
from registry.errors import ValidationFailed
from registry.lookup import get_resource, get_system, get_unit
from registry.models import InformationItem, InformationResource, InformationSystem, Unit
from search.query import FACET_FIELDS, parse_search

FACET_TITLES = {"organization": "单位", "groups": "信息系统", "sharing_type": "共享类型",
                "sharing_method": "共享方式", "update_cycle": "更新周期", "format_class": "格式分类",
                "data_element": "数据元"}


def _limit_offset(data: dict) -> tuple[int | None, int]:
    def number(key):
        value = data.get(key)
        if value in (None, ""):
            return None
        try:
            result = int(value)
        except (TypeError, ValueError):
            raise ValidationFailed({key: [f"{key} 必须是整数"]}) from None
        if result < 0:
            raise ValidationFailed({key: [f"{key} 不能为负数"]})
        return result
    return number("limit"), number("offset") or 0


def _truthy(value) -> bool:
    return str(value).lower() in ("1", "true", "yes", "on")


@action("status_show", auth=allow_public, read_only=True)
def status_show(ctx: Context, data: dict) -> dict:
    """Site information, as CKAN clients expect it."""
    settings = ctx.settings
    return {"site_title": settings.site_title if settings else "", "site_description": "政务信息资源目录与共享登记",
            "site_url": settings.site_url if settings else "", "locale_default": "zh_Hans_CN",
            "ckan_version": "2.10.0", "registry_version": __version__, "extensions": [],
            "search_backend": ctx.search.name if ctx.search else "embedded"}


def _counts(ctx: Context, column) -> dict[int, int]:
    return dict(ctx.session.execute(select(column, func.count()).group_by(column)).all())


def _list(ctx: Context, data: dict, model, slug, title_col, count_col, dictize) -> list:
    limit, offset = _limit_offset(data)
    sort = str(data.get("sort") or "name asc").split()
    sort_key, descending = sort[0], len(sort) > 1 and sort[1].lower() == "desc"
    counts = _counts(ctx, count_col)
    rows = list(ctx.session.scalars(select(model)))
    keys = {"name": lambda r: getattr(r, slug.key), "title": lambda r: getattr(r, title_col.key),
            "package_count": lambda r: counts.get(r.id, 0)}
    if sort_key not in keys:
        raise ValidationFailed({"sort": ["sort 只能是 name、title 或 package_count"]})
    rows.sort(key=lambda r: (keys[sort_key](r), r.id), reverse=descending)
    rows = rows[offset: offset + limit if limit is not None else None]
    if _truthy(data.get("all_fields")):
        return [dictize(r, counts.get(r.id, 0)) for r in rows]
    return [getattr(r, slug.key) for r in rows]


@action("organization_list", auth=allow_public, read_only=True)
def organization_list(ctx: Context, data: dict) -> list:
    """Units: names by default, objects with all_fields=true."""
    return _list(ctx, data, Unit, Unit.code, Unit.name, InformationResource.unit_id, unit_dict)


@action("organization_show", auth=allow_public, read_only=True)
def organization_show(ctx: Context, data: dict) -> dict:
    """One unit by id or code, with its systems."""
    unit = get_unit(ctx.session, data.get("id"), "id")
    result = unit_dict(unit, ctx.session.scalar(
        select(func.count()).select_from(InformationResource).where(InformationResource.unit_id == unit.id)))
    result["systems"] = [system_dict(s) for s in unit.systems]
    return result


@action("group_list", auth=allow_public, read_only=True)
def group_list(ctx: Context, data: dict) -> list:
    """Information systems: names by default, objects with all_fields=true."""
    return _list(ctx, data, InformationSystem, InformationSystem.code, InformationSystem.name,
                 InformationResource.system_id, system_dict)


@action("group_show", auth=allow_public, read_only=True)
def group_show(ctx: Context, data: dict) -> dict:
    """One information system by id or code, with its resources (without items)."""
    system = get_system(ctx.session, data.get("id"), "id")
    result = system_dict(system, len(system.resources))
    result["unit"] = unit_dict(system.unit)
    result["packages"] = [{"id": r.id, "name": r.name, "title": r.title, "sharing_type": r.sharing_type}
                          for r in system.resources]
    return result


@action("package_list", auth=allow_public, read_only=True)
def package_list(ctx: Context, data: dict) -> list:
    """All resource names ordered by name; limit/offset when given."""
    limit, offset = _limit_offset(data)
    stmt = select(InformationResource.name).order_by(InformationResource.name).offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(ctx.session.scalars(stmt))


@action("package_show", auth=allow_public, read_only=True)
def package_show(ctx: Context, data: dict) -> dict:
    """One information resource by id or name, with its items."""
    return package_dict(get_resource(ctx.session, data.get("id"), "id"))


def load_packages(ctx: Context, ids: list[int]) -> list[dict]:
    """Full package dicts for search results, in the given order, from Core rows."""
    if not ids:
        return []
    R, U, S, I = (InformationResource.__table__, Unit.__table__, InformationSystem.__table__,
                  InformationItem.__table__)
    resources = {r.id: r for r in ctx.session.execute(select(R).where(R.c.id.in_(ids)))}
    units = {u.id: u for u in ctx.session.execute(
        select(U).where(U.c.id.in_({r.unit_id for r in resources.values()})))}
    systems = {s.id: s for s in ctx.session.execute(
        select(S).where(S.c.id.in_({r.system_id for r in resources.values()})))}
    items: dict[int, list] = {i: [] for i in resources}
    for item in ctx.session.execute(select(I).where(I.c.resource_id.in_(ids)).order_by(I.c.position, I.c.id)):
        items[item.resource_id].append(item)
    return [package_dict(resources[i], items[i], units[resources[i].unit_id], systems[resources[i].system_id])
            for i in ids if i in resources]


@action("package_search", auth=allow_public, read_only=True)
def package_search(ctx: Context, data: dict) -> dict:
    """Search information resources: q, fq, rows, start, sort, facet.field (CKAN semantics)."""
    query = parse_search(data)
    found = ctx.search.search_packages(ctx.session, query)
    labels = _facet_labels(ctx, found.facets)
    return {
        "count": found.count, "results": load_packages(ctx, found.ids), "sort": data.get("sort") or "",
        "facets": found.facets,
        "search_facets": {f: {"title": FACET_TITLES[f], "items": [
            {"name": v, "display_name": labels.get((f, v), v), "count": n} for v, n in values.items()]}
            for f, values in found.facets.items()},
    }


def _facet_labels(ctx: Context, facets: dict[str, dict[str, int]]) -> dict[tuple[str, str], str]:
    from catalog_schema import vocabularies as vocab
    labels = {}
    for field, values in facets.items():
        if field == "organization":
            rows = ctx.session.execute(select(Unit.code, Unit.name).where(Unit.code.in_(list(values))))
            labels.update({(field, c): n for c, n in rows})
        elif field == "groups":
            rows = ctx.session.execute(select(InformationSystem.code, InformationSystem.name)
                                       .where(InformationSystem.code.in_(list(values))))
            labels.update({(field, c): n for c, n in rows})
        elif field in vocab.ALL:
            labels.update({(field, v): vocab.ALL[field].label_of(v) for v in values})
    return labels


assert set(FACET_TITLES) == set(FACET_FIELDS)
