"""The Bureau's duplicate-collection pages: findings ranked by confidence with bulk review, one finding
with its explanation and every holder, the overlap heat map, item search."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from markupsafe import Markup

from registry.core.errors import RegistryError, ValidationFailed
from registry.accounts.views import login_required
from registry.web.pages import run, show_or_404
from registry.web.charts import heat_map
from registry.web.forms import form_failed
from registry.web.paging import parse
from registry.web.permissions import can

bp = Blueprint("duplicates", __name__)
FILTERS = ("state", "kind", "role", "unit", "data_element", "min_score")
FINDING_SORTS = {"id": "编号", "kind": "类型", "element": "数据元 / 资源", "unit": "单位", "system": "信息系统",
                 "role": "角色", "state": "状态", "score": "置信度"}
ITEM_SORTS = {"relevance": "相关度", "name": "信息项", "unit": "单位", "system": "信息系统", "resource": "信息资源"}
THRESHOLD_KEY = "duplicates_min_score"


def _review_data(form) -> dict:
    """The review form as the action takes it; an unchosen decision is refused here in the page's words."""
    data = {"decision": form.get("decision", ""), "reason": form.get("reason", "")}
    if form.get("must_reuse_from"):
        data["must_reuse_from"] = form["must_reuse_from"]
    if not data["decision"]:
        raise ValidationFailed({"decision": ["请选择审核结论"]})
    return data


@bp.route("/duplicates", methods=["GET", "POST"])
@login_required
def findings():
    """Ranked by confidence (most confident first), at or above the Bureau's threshold; the Bureau
    ticks findings and confirms or dismisses them together with one reason."""
    paging = parse(FINDING_SORTS, "score", descending=True)
    filters = {k: request.args[k] for k in FILTERS if request.args.get(k)}
    # The Bureau's threshold stays set for this login until it is changed (an empty box clears it).
    if "min_score" in request.args:
        session[THRESHOLD_KEY] = request.args["min_score"].strip()[:10]
    elif session.get(THRESHOLD_KEY):
        filters["min_score"] = session[THRESHOLD_KEY]
    if request.method == "POST":
        ids = [int(i) for i in request.form.getlist("ids") if i.isascii() and i.isdigit() and len(i) < 10]
        try:
            if not ids:
                raise ValidationFailed({"message": ["请先勾选要审核的线索"]})
            result = run("duplicate_review_bulk", {"ids": ids, **_review_data(request.form)})
        except RegistryError as exc:
            return form_failed("bulk", exc, _findings_page, filters=filters, paging=paging)
        flash(f"已批量保存 {result['count']} 条线索的审核结论：{result['state_label']}", "success")
        return redirect(url_for("duplicates.findings", **filters, **paging.hidden_fields()))
    return _findings_page(filters, paging)


@bp.route("/duplicates/scan", methods=["POST"])
@login_required
def scan():
    """The Bureau starts a full scan; it runs in the background and this sends them to its status page."""
    from registry.web.job_views import start_job
    return start_job("duplicate_scan", {}, back="duplicates.findings")


def _findings_page(filters: dict, paging):
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
        try:
            result = run("duplicate_review", {"id": finding_id, **_review_data(request.form)})
        except RegistryError as exc:
            return form_failed("review", exc, _finding_page, finding_id=finding_id)
        flash(f"已保存审核结论：{result['state_label']}", "success")
        return redirect(url_for("duplicates.finding", finding_id=finding_id))
    return _finding_page(finding_id)


def _finding_page(finding_id: int):
    item = show_or_404("duplicate_show", finding_id)
    return render_template("duplicate.html", f=item)


@bp.route("/overlap")
def overlap():
    data = run("overlap_matrix", {})
    labels = [u["name"].replace("云阳县", "") for u in data["units"]]
    units = data["units"]
    findings = can("duplicate_list")   # the cells link to the findings only for who may read them
    svg = heat_map(labels, data["matrix"], confirmed=data.get("confirmed"),
                   link=(lambda i, j: url_for("duplicates.findings", unit=units[i]["code"])) if findings else None)
    return render_template("overlap.html", svg=Markup(svg), data=data, findings=findings)


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
