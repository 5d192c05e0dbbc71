"""The Bureau's duplicate-collection pages: findings, review, the overlap heat map, item search."""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from markupsafe import Markup

from registry.errors import RegistryError
from registry.web.auth_views import login_required
from registry.web.catalog_views import run, show_or_404
from registry.web.charts import heat_map
from registry.web.paging import parse

bp = Blueprint("duplicates", __name__)
FILTERS = ("state", "kind", "role", "unit", "data_element")
FINDING_SORTS = {"id": "编号", "kind": "类型", "element": "数据元 / 资源", "unit": "单位", "system": "信息系统",
                 "role": "角色", "state": "状态"}
ITEM_SORTS = {"relevance": "相关度", "name": "信息项", "unit": "单位", "system": "信息系统", "resource": "信息资源"}


@bp.route("/duplicates")
@login_required
def findings():
    paging = parse(FINDING_SORTS, "kind")
    filters = {k: request.args[k] for k in FILTERS if request.args.get(k)}
    try:
        found = paging.load(lambda p: run("duplicate_list", {**filters, **p.query()}))
    except RegistryError as exc:
        flash(exc.message, "error")
        found = {"count": 0, "results": []}
    return render_template("duplicates.html", found=found, filters=filters, paging=paging)


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
    paging = parse(ITEM_SORTS, "relevance")
    try:
        found = paging.load(lambda p: run("item_search", {"q": q, **p.query()}))
    except RegistryError as exc:
        flash(exc.message, "error")
        found = {"count": 0, "results": []}
    return render_template("item_search.html", q=q, found=found, paging=paging)
