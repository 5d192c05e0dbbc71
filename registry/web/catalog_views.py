"""Browse and edit the catalog: units → systems → resources → items, and search."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for

from registry.authz import can_write_unit
from registry.errors import NotFound, RegistryError, ValidationFailed
from registry.web.auth_views import login_required

bp = Blueprint("catalog", __name__)
PAGE_SIZE = 20


def run(name: str, data: dict | None = None):
    user = g.get("user")
    return current_app.extensions["registry"].run_action(name, user.id if user else None, data or {})


def call_or_abort(name: str, data: dict):
    """Run an action for a page: a missing record is a 404 page, a refusal a 403 page."""
    from registry.errors import NotAuthorized
    try:
        return run(name, data)
    except NotFound:
        abort(404)
    except NotAuthorized as exc:
        abort(403, exc.message)


def show_or_404(name: str, ref):
    try:
        return run(name, {"id": ref})
    except NotFound:
        abort(404)


@bp.route("/")
def home():
    from registry.web.dashboards import HOME_BY_ROLE  # each role starts on its own dashboard
    user = g.get("user")
    if user is not None and (user.role != "department" or user.unit_id) and user.role in HOME_BY_ROLE:
        return redirect(url_for(HOME_BY_ROLE[user.role]))
    return redirect(url_for("catalog.units"))


@bp.route("/units")
def units():
    rows = run("organization_list", {"all_fields": True, "sort": request.args.get("sort", "name asc")})
    return render_template("units.html", units=rows)


@bp.route("/units/<ref>")
def unit_page(ref):
    unit = show_or_404("organization_show", ref)
    return render_template("unit.html", unit=unit, can_write=can_write_unit(g.get("user"), unit["id"]))


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
    except ValidationFailed as exc:
        flash(exc.message, "error")
        return redirect(url_for("catalog.unit_page", ref=ref))
    flash(f"已新增信息系统“{system['title']}”", "success")
    return redirect(url_for("catalog.system_page", ref=system["name"]))


@bp.route("/systems/<ref>")
def system_page(ref):
    system = show_or_404("group_show", ref)
    return render_template("system.html", system=system, can_write=can_write_unit(g.get("user"), system["unit_id"]))


def resource_form_data() -> dict:
    form = request.form
    data = {key: form.get(key, "") for key in (
        "title", "resource_code", "format_class", "format_type", "sharing_type", "sharing_method",
        "open_to_public", "open_conditions", "update_cycle", "description")}
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
    errors, values = {}, {"items": [{}, {}, {}]}
    if request.method == "POST":
        values = resource_form_data()
        try:
            package = run("package_create", {**values, "system": system["id"]})
        except ValidationFailed as exc:
            errors = exc.errors
        except RegistryError as exc:
            errors = {"message": [exc.message]}
        else:
            flash(f"已登记信息资源“{package['title']}”（{package['num_items']} 个信息项）", "success")
            return redirect(url_for("catalog.system_page", ref=system["name"]))
    return render_template("resource_form.html", system=system, values=values, errors=errors, package=None), \
        (422 if errors else 200)


@bp.route("/resources/<ref>")
def resource_page(ref):
    package = show_or_404("package_show", ref)
    return render_template("resource.html", package=package,
                           can_write=can_write_unit(g.get("user"), package["owner_org"]))


@bp.route("/resources/<ref>/edit", methods=["GET", "POST"])
@login_required
def resource_edit(ref):
    package = show_or_404("package_show", ref)
    system = show_or_404("group_show", package["system_id"])
    errors, values = {}, package
    if request.method == "POST":
        values = resource_form_data()
        try:
            package = run("package_update", {**values, "id": package["id"], "system": system["id"],
                                              "version": request.form.get("version") or None})
        except ValidationFailed as exc:
            errors = exc.errors
        except RegistryError as exc:
            errors = {"message": [exc.message]}
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


@bp.route("/search")
def search():
    q = request.args.get("q", "")
    page = max(int(request.args.get("page", "1") or 1) if request.args.get("page", "1").isdecimal() else 1, 1)
    fq = request.args.get("fq", "")
    try:
        found = run("package_search", {"q": q, "fq": fq, "rows": PAGE_SIZE, "start": (page - 1) * PAGE_SIZE,
                                       "facet.field": ["organization", "sharing_type", "update_cycle"]})
    except RegistryError as exc:
        flash(exc.message, "error")
        found = {"count": 0, "results": [], "search_facets": {}}
    pages = (found["count"] + PAGE_SIZE - 1) // PAGE_SIZE
    return render_template("search.html", q=q, fq=fq, found=found, page=page, pages=pages)
