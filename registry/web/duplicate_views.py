"""The Bureau's duplicate-collection pages: findings, review, the overlap heat map, item search."""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from markupsafe import Markup

from registry.errors import RegistryError
from registry.web.auth_views import login_required
from registry.web.catalog_views import run, show_or_404
from registry.web.charts import heat_map

bp = Blueprint("duplicates", __name__)
PAGE = 30
FILTERS = ("state", "kind", "role", "unit", "data_element")


def _page() -> int:
    value = request.args.get("page", "1")
    return max(int(value), 1) if value.isdecimal() else 1


@bp.route("/duplicates")
@login_required
def findings():
    page = _page()
    filters = {k: request.args[k] for k in FILTERS if request.args.get(k)}
    try:
        found = run("duplicate_list", {**filters, "rows": PAGE, "start": (page - 1) * PAGE})
    except RegistryError as exc:
        flash(exc.message, "error")
        found = {"count": 0, "results": []}
    return render_template("duplicates.html", found=found, filters=filters, page=page,
                           pages=max((found["count"] + PAGE - 1) // PAGE, 1))


@bp.route("/duplicates/<int:finding_id>", methods=["GET", "POST"])
@login_required
def finding(finding_id: int):
    if request.method == "POST":
        data = {"id": finding_id, "decision": request.form.get("decision", ""),
                "reason": request.form.get("reason", "")}
        if request.form.get("must_reuse_from"):
            data["must_reuse_from"] = request.form["must_reuse_from"]
        try:
            result = run("duplicate_review", data)
        except RegistryError as exc:
            flash(exc.message, "error")
        else:
            flash(f"已保存审核结论：{result['state_label']}", "success")
            return redirect(url_for("duplicates.finding", finding_id=finding_id))
    item = show_or_404("duplicate_show", finding_id)
    return render_template("duplicate.html", f=item, can_review=g.user.role in ("bureau", "admin"))


@bp.route("/overlap")
def overlap():
    data = run("overlap_matrix", {})
    labels = [u["name"].replace("云阳县", "") for u in data["units"]]
    units = data["units"]
    svg = heat_map(labels, data["matrix"], confirmed=data.get("confirmed"),
                   link=lambda i, j: url_for("duplicates.findings", unit=units[i]["code"]))
    return render_template("overlap.html", svg=Markup(svg), data=data)


@bp.route("/search/items")
def item_search():
    q = request.args.get("q", "")
    page = _page()
    try:
        found = run("item_search", {"q": q, "rows": PAGE, "start": (page - 1) * PAGE})
    except RegistryError as exc:
        flash(exc.message, "error")
        found = {"count": 0, "results": []}
    return render_template("item_search.html", q=q, found=found, page=page,
                           pages=max((found["count"] + PAGE - 1) // PAGE, 1))
