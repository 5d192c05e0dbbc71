"""Browse and edit the catalog: units → systems → resources → items, and search."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, send_from_directory, \
    url_for

from registry.catalog.store import RESOURCE_FIELDS
from registry.core.errors import RegistryError
from registry.accounts.views import login_required
from registry.web.forms import form_failed, keep_form
from registry.web.permissions import can
from registry.web.pages import run, show_or_404
from registry.web.paging import parse

bp = Blueprint("catalog", __name__)


@bp.route("/")
def home():
    from registry.web.dashboards import HOME_BY_ROLE  # each role starts on its own dashboard
    user = g.get("user")
    if user is not None and (user.role != "department" or user.unit_id) and user.role in HOME_BY_ROLE:
        return redirect(url_for(HOME_BY_ROLE[user.role]))
    return redirect(url_for("catalog.units"))


@bp.route("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico whatever the page links: answer with the site icon, not a 404."""
    return send_from_directory(current_app.static_folder, "favicon.svg", mimetype="image/svg+xml", max_age=86400)


UNIT_SORTS = {"title": "单位名称", "package_count": "信息资源数", "name": "单位代码"}
SYSTEM_SORTS = {"name": "系统名称", "status": "状态", "in_directory": "总目录"}
PACKAGE_SORTS = {"title": "信息资源名称", "sharing_type": "共享类型", "modified": "更新时间"}
ITEM_SORTS = {"position": "序号", "name": "信息项名称", "data_type": "数据类型", "data_length": "数据长度"}


@bp.route("/units")
def units():
    paging = parse(UNIT_SORTS, "title")
    rows = paging.load(lambda p: {"rows": run("organization_list", {"all_fields": True, "sort": p.sort_param,
                                                                   "limit": p.per_page, "offset": p.offset})},
                       count=lambda _: len(run("organization_list", {})))  # names only, as CKAN counts
    return render_template("units.html", units=rows["rows"], paging=paging)


def show_page(name: str, ref, prefix: str):
    """Fetches a *_show action with one page of its child list (systems, packages or items)."""
    def fetch(p):
        return show_or_404(name, ref, **p.query(f"{prefix}_rows", f"{prefix}_start", f"{prefix}_sort"))
    return fetch


@bp.route("/units/<ref>")
def unit_page(ref):
    paging = parse(SYSTEM_SORTS, "name", fragment="systems")
    unit = paging.load(show_page("organization_show", ref, "systems"), count=lambda u: u["system_count"])
    return render_template("unit.html", unit=unit, paging=paging,
                           can_write=can("system_create", {"unit": unit["id"]}))


@bp.route("/units/<ref>/systems", methods=["POST"])
@login_required
def system_create(ref):
    unit = show_or_404("organization_show", ref)
    data = {"unit": unit["id"], "name": request.form.get("name", ""),
            "description": request.form.get("description", ""),
            "status": request.form.get("status") or None, "network": request.form.get("network") or None}
    data = {k: v for k, v in data.items() if v is not None}
    try:
        system = run("system_create", data)
    except RegistryError as exc:
        return form_failed("system", exc, unit_page, ref=ref)
    flash(f"已新增信息系统“{system['title']}”", "success")
    return redirect(url_for("catalog.system_page", ref=system["name"]))


@bp.route("/systems/<ref>")
def system_page(ref):
    paging = parse(PACKAGE_SORTS, "title", fragment="resources")
    system = paging.load(show_page("group_show", ref, "packages"), count=lambda s: s["package_count"])
    return render_template("system.html", system=system, paging=paging,
                           can_write=can("package_create", {"system": system["id"]}))


def resource_form_data() -> dict:
    form = request.form
    data = {key: form.get(key, "") for key in RESOURCE_FIELDS if key != "name"}   # the slug is not on the form
    data = {k: v for k, v in data.items() if v != "" or k in ("title", "sharing_type")}
    items = []
    for name, dtype, length in zip(form.getlist("item_name"), form.getlist("item_type"), form.getlist("item_length")):
        if not name.strip() and not dtype.strip() and not length.strip():
            continue
        item = {"name": name}
        if dtype.strip():
            item["data_type"] = dtype
        if length.strip():
            item["data_length"] = length
        items.append(item)
    data["items"] = items
    return data


@bp.route("/systems/<ref>/resources/new", methods=["GET", "POST"])
@login_required
def resource_new(ref):
    system = show_or_404("group_show", ref)
    if not can("package_create", {"system": system["id"]}):
        abort(403, "只能在本单位的信息系统中登记信息资源")
    errors, values = {}, {"items": [{}, {}, {}]}
    if request.method == "POST":
        values = resource_form_data()
        try:
            package = run("package_create", {**values, "system": system["id"]})
        except RegistryError as exc:
            keep_form("resource", exc)
            errors = g.form.errors
        else:
            flash(f"已登记信息资源“{package['title']}”（{package['num_items']} 个信息项）", "success")
            return redirect(url_for("catalog.system_page", ref=system["name"]))
    return render_template("resource_form.html", system=system, values=values, errors=errors, package=None), \
        (422 if errors else 200)


@bp.route("/resources/<ref>")
def resource_page(ref):
    paging = parse(ITEM_SORTS, "position", per_page=100, max_per_page=500, fragment="items")
    package = paging.load(show_page("package_show", ref, "items"), count=lambda p: p["num_items"])
    return render_template("resource.html", package=package, paging=paging,
                           can_write=can("package_update", {"id": package["id"]}))


@bp.route("/resources/<ref>/edit", methods=["GET", "POST"])
@login_required
def resource_edit(ref):
    package = show_or_404("package_show", ref)
    system = show_or_404("group_show", package["system_id"])
    if not can("package_update", {"id": package["id"]}):
        abort(403, "只能修改本单位的信息资源目录")
    errors, values = {}, package
    if request.method == "POST":
        values = resource_form_data()
        # the form has no column for an item's own sharing type: a save keeps what the item has
        # (the version check refuses the save if someone changed it since the page was read)
        own = {i["name"]: i["sharing_type"] for i in package["items"] if i["sharing_type"]}
        for item in values["items"]:
            if item["name"].strip() in own:
                item.setdefault("sharing_type", own[item["name"].strip()])
        try:
            package = run("package_update", {**values, "id": package["id"], "system": system["id"],
                                              "version": request.form.get("version") or None})
        except RegistryError as exc:
            keep_form("resource", exc)
            errors = g.form.errors
        else:
            flash(f"已保存信息资源“{package['title']}”", "success")
            return redirect(url_for("catalog.resource_page", ref=package["name"]))
    return render_template("resource_form.html", system=system, values=values, errors=errors, package=package), \
        (422 if errors else 200)


@bp.route("/resources/<ref>/delete", methods=["POST"])
@login_required
def resource_delete(ref):
    package = show_or_404("package_show", ref)
    try:
        run("package_delete", {"id": package["id"]})
    except RegistryError as exc:
        flash(exc.message, "error")
        return redirect(url_for("catalog.resource_page", ref=ref))
    flash(f"已删除信息资源“{package['title']}”", "success")
    return redirect(url_for("catalog.system_page", ref=package["groups"][0]["name"]))


SEARCH_SORTS = {"score": "相关度", "title": "信息资源名称", "metadata_modified": "更新时间"}


@bp.route("/search")
def search():
    q = request.args.get("q", "")
    fq = request.args.get("fq", "")
    paging = parse(SEARCH_SORTS, "score", descending=True)
    if paging.sort == "score" and not q.strip():  # no query, no relevance: by name
        paging.sort, paging.descending = "title", False

    def fetch(p):
        return run("package_search", {"q": q, "fq": fq, "rows": p.per_page, "start": p.offset, "sort": p.sort_param,
                                      "facet.field": ["organization", "sharing_type", "update_cycle"]})
    try:
        found = paging.load(fetch)
    except RegistryError as exc:
        flash(exc.message, "error")
        found = {"count": 0, "results": [], "search_facets": {}}
    return render_template("search.html", q=q, fq=fq, found=found, paging=paging)
