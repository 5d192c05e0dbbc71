"""CKAN's standard read actions, mapped onto the catalog: organizations are units, groups are
systems, packages (datasets) are information resources with their items as data dictionary."""
from __future__ import annotations

from marshmallow import ValidationError as MarshmallowError
from sqlalchemy import func, select

from catalog_schema import vocabularies as vocab
from catalog_schema.fields import MAX_DB_INT
from registry import __version__
from registry.core.actions import Context, action
from registry.core.names import by_pinyin
from registry.core.authz import allow_public, get_readable_resource, public_catalog_only, readable_resources
from registry.catalog.dictize import item_dict, package_dict, system_dict, unit_dict
from registry.core.errors import ValidationFailed
from registry.catalog.lookup import get_system, get_unit
from registry.catalog.models import InformationItem, InformationResource, InformationSystem, Unit
from registry.core.ordering import child_page, ordered, parse_sort, vocab_order
from search.engines.query import FACET_FIELDS, parse_search

FACET_TITLES = {"organization": "单位", "groups": "信息系统", "sharing_type": "共享类型",
                "sharing_method": "共享方式", "update_cycle": "更新周期", "format_class": "格式分类",
                "data_element": "数据元"}
SYSTEM_SORTS = ("name", "status", "in_directory")
PACKAGE_SORTS = ("title", "sharing_type", "modified", "id")
ITEM_SORTS = ("position", "name", "data_type", "data_length")


def _limit_offset(data: dict) -> tuple[int | None, int]:
    def number(key):
        value = data.get(key)
        if value in (None, ""):
            return None
        try:
            result = int(value)
        except (TypeError, ValueError, OverflowError):  # OverflowError: int(1e999)
            raise ValidationFailed({key: [f"{key} 必须是整数"]}) from None
        if result < 0:
            raise ValidationFailed({key: [f"{key} 不能为负数"]})
        if result > MAX_DB_INT:
            raise ValidationFailed({key: [f"{key} 不能大于 {MAX_DB_INT}"]})
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


def _list(ctx: Context, data: dict, model, slug, title_col, count_col, dictize) -> list:
    """Sorted and sliced in SQL (a unique tie-breaker: pages never overlap). Every unit and system is
    listed; package_count counts the resources the caller may read (anonymous: the open ones)."""
    limit, offset = _limit_offset(data)
    try:
        sort = parse_sort(str(data.get("sort") or "name asc"), ("name", "title", "package_count"), "sort")
    except MarshmallowError as exc:
        raise ValidationFailed({"sort": exc.messages}) from None
    counted = readable_resources(ctx, select(count_col.label("owner"), func.count().label("n"))
                                 .select_from(InformationResource).group_by(count_col)).subquery()
    package_count = func.coalesce(counted.c.n, 0)
    stmt = select(model, package_count).outerjoin(counted, counted.c.owner == model.id)
    stmt = ordered(stmt, sort, {"name": slug, "title": by_pinyin(title_col), "package_count": package_count}, sort, model.id)
    stmt = stmt.offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    rows = ctx.session.execute(stmt).all()
    if _truthy(data.get("all_fields")):
        return [dictize(r, n) for r, n in rows]
    return [getattr(r, slug.key) for r, _ in rows]


@action("organization_list", auth=allow_public, read_only=True)
def organization_list(ctx: Context, data: dict) -> list:
    """Units: names by default, objects with all_fields=true; sort name|title|package_count asc|desc,
    limit, offset."""
    return _list(ctx, data, Unit, Unit.code, Unit.name, InformationResource.unit_id, unit_dict)


@action("organization_show", auth=allow_public, read_only=True)
def organization_show(ctx: Context, data: dict) -> dict:
    """One unit by id or code, with its systems (all, or a page: systems_sort name|status|in_directory
    [asc|desc], systems_rows, systems_start; system_count is the total)."""
    unit = get_unit(ctx.session, data.get("id"), "id")
    sort, rows, start = child_page(data, "systems", SYSTEM_SORTS, "信息系统")
    result = unit_dict(unit, ctx.session.scalar(readable_resources(
        ctx, select(func.count()).select_from(InformationResource).where(InformationResource.unit_id == unit.id))))
    S = InformationSystem
    stmt = ordered(select(S).where(S.unit_id == unit.id), sort,
                   {"name": by_pinyin(S.name), "status": vocab_order(S.status, vocab.SYSTEM_STATUS),
                    "in_directory": S.in_directory}, ("name", False), S.id).offset(start)
    result["systems"] = [system_dict(s) for s in ctx.session.scalars(stmt if rows is None else stmt.limit(rows))]
    result["system_count"] = ctx.session.scalar(select(func.count()).select_from(S).where(S.unit_id == unit.id))
    return result


@action("group_list", auth=allow_public, read_only=True)
def group_list(ctx: Context, data: dict) -> list:
    """Information systems: names by default, objects with all_fields=true."""
    return _list(ctx, data, InformationSystem, InformationSystem.code, InformationSystem.name,
                 InformationResource.system_id, system_dict)


@action("group_show", auth=allow_public, read_only=True)
def group_show(ctx: Context, data: dict) -> dict:
    """One information system by id or code, with its resources without items (all, or a page:
    packages_sort title|sharing_type|modified [asc|desc], packages_rows, packages_start; package_count
    is the total)."""
    system = get_system(ctx.session, data.get("id"), "id")
    sort, rows, start = child_page(data, "packages", PACKAGE_SORTS, "信息资源")
    R = InformationResource
    total = ctx.session.scalar(readable_resources(ctx, select(func.count()).select_from(R).where(R.system_id == system.id)))
    result = system_dict(system, total)
    result["unit"] = unit_dict(system.unit)
    stmt = ordered(readable_resources(ctx, select(R.id, R.name, R.title, R.sharing_type, R.modified)
                                      .where(R.system_id == system.id)), sort,
                   {"title": R.title, "sharing_type": vocab_order(R.sharing_type, vocab.SHARING_TYPE),
                    "modified": R.modified, "id": R.id}, ("id", False), R.id).offset(start)
    result["packages"] = [{"id": r.id, "name": r.name, "title": r.title, "sharing_type": r.sharing_type,
                           "metadata_modified": r.modified.isoformat() if r.modified else None}
                          for r in ctx.session.execute(stmt if rows is None else stmt.limit(rows))]
    return result


@action("package_list", auth=allow_public, read_only=True)
def package_list(ctx: Context, data: dict) -> list:
    """All resource names the caller may read (anonymous: those open to the public) ordered by name;
    limit/offset when given."""
    limit, offset = _limit_offset(data)
    stmt = readable_resources(ctx, select(InformationResource.name)).order_by(InformationResource.name).offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(ctx.session.scalars(stmt))


@action("package_show", auth=allow_public, read_only=True)
def package_show(ctx: Context, data: dict) -> dict:
    """One information resource by id or name, with its items (all in their order, or a page:
    items_sort position|name|data_type|data_length [asc|desc], items_rows, items_start; num_items is
    the total). Anonymous callers: a resource not open to the public is not found."""
    resource = get_readable_resource(ctx, data.get("id"), "id")
    sort, rows, start = child_page(data, "items", ITEM_SORTS, "信息项")
    result = package_dict(resource)
    if sort is not None or rows is not None or start:
        I = InformationItem
        stmt = ordered(select(I).where(I.resource_id == resource.id), sort,
                       {"position": I.position, "name": I.name, "data_type": I.data_type,
                        "data_length": I.data_length}, ("position", False), I.id).offset(start)
        result["items"] = [item_dict(i) for i in ctx.session.scalars(stmt if rows is None else stmt.limit(rows))]
    return result


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
    """Search information resources: q, fq, rows, start, sort, facet.field (CKAN semantics).
    Anonymous callers search, count and facet only the resources open to the public."""
    from search.engines.result_cache import PACKAGES, cached_dicts
    query = parse_search(data)
    query.public_only = public_catalog_only(ctx)
    found = ctx.search.search_packages(ctx.session, query)
    labels = _facet_labels(ctx, found.facets)
    results = cached_dicts(ctx.session, PACKAGES, found.ids, lambda ids: load_packages(ctx, ids))
    if not found.count and query.q:
        from search.engines.vocabulary import suggest_terms
        suggestions = suggest_terms(query.q)  # nothing found: the closest known terms
    else:
        suggestions = []
    return {
        "count": found.count, "results": results, "sort": data.get("sort") or "", "suggestions": suggestions,
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
