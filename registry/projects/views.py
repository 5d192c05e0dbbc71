"""Project pages: the project list, a project's page, the declaration form, the 待办 page.

Views parse forms and call actions (catalog_views.run); every rule lives in the actions.
"""
from __future__ import annotations

import io
import tempfile
from pathlib import Path

from flask import Blueprint, abort, flash, g, redirect, render_template, request, send_file, url_for

from catalog_schema.vocabularies import PROJECT_TYPE
from registry.core.errors import NotFound, RegistryError
from registry.projects import vocab
from registry.projects.schemas import DECLARATION_FIELDS
from registry.accounts.views import login_required
from registry.web.pages import run, show_or_404
from registry.web.forms import form_failed, keep_form
from registry.web.paging import parse

bp = Blueprint("projects", __name__, template_folder="templates")
LIST_FIELDS = ("materials", "feasibility_chapters", "systems", "resources")
# Actions a project page form may post to, and the flash text after it.
PAGE_ACTIONS = {
    "project_transition": "已完成：{label}", "project_parties_set": "已保存承建和监理单位",
    "project_list_submit": "已报送项目清单", "project_list_add": "已纳入项目清单",
    "project_adjustment_create": "已登记项目调整", "project_performance_report": "已提交绩效评价报告",
    "project_problem_report": "已报告问题", "project_problem_decide": "已保存处理决定",
    "project_archive_accept": "已登记档案验收", "project_extension_request": "已提交延期验收申请",
    "project_extension_decide": "已处理延期验收申请", "project_post_evaluation": "已登记第三方后评价",
    "project_part_set": "已保存参建部门内容", "project_delete": "已删除未提交的项目申报",
}


def form_data() -> dict:
    data = {}
    for key in request.form:
        if key in ("csrf_token", "form"):
            continue
        if key in LIST_FIELDS:
            data[key] = [v for v in request.form.getlist(key) if v.strip()]
        elif request.form[key].strip() != "":
            data[key] = request.form[key]
    return data


PROJECT_SORTS = {"id": "编号", "name": "项目名称", "unit": "项目业主", "stage": "阶段", "status": "状态",
                 "estimate": "经费估算", "approved": "批复总投资"}


@bp.route("/projects")
def project_list():
    filters = {k: request.args[k] for k in ("year", "stage", "unit", "q") if request.args.get(k)}
    paging = parse(PROJECT_SORTS, "id", descending=True)
    try:
        found = paging.load(lambda p: run("project_search", {**filters, **p.query()}))
    except RegistryError as exc:
        flash(exc.message, "error")
        found = {"count": 0, "results": []}
    units = run("organization_list", {"all_fields": True, "sort": "title asc"})
    return render_template("projects/list.html", found=found, filters=filters, stages=vocab.STAGE, paging=paging,
                           unit_choices=[(u["id"], u["title"]) for u in units])


@bp.route("/projects/new", methods=["GET", "POST"])
@bp.route("/projects/<int:project_id>/edit", methods=["GET", "POST"])
@login_required
def declaration_form(project_id: int | None = None):
    project = show_or_404("project_show", project_id) if project_id else None
    defaults = dict(project or {})
    if project is None:
        defaults["unit"] = g.user.unit_id
    else:
        defaults.update(unit=project["unit_id"], predecessor=project["predecessor_id"],
                        systems=[s["id"] for s in project["systems"]])
    status = 200
    if request.method == "POST":
        values = form_data()
        try:
            if project is None:
                saved = run("project_create", values)
            else:
                saved = run("project_update", {**values, "id": project_id, "version": project["version"]})
        except RegistryError as exc:
            status = keep_form("declaration", exc)
        else:
            flash(f"已保存项目申报“{saved['name']}”", "success")
            return redirect(url_for("projects.project_page", project_id=saved["id"]))
    units = run("organization_list", {"all_fields": True, "sort": "title asc"})
    if g.user.role == "department":  # a department declares for itself and the schools and hospitals it reports for
        units = [u for u in units if u["id"] == g.user.unit_id or u.get("parent_id") == g.user.unit_id] or units
    chosen = request.form.get("unit") or defaults.get("unit") or (units[0]["id"] if units else None)
    systems = run("name_lookup", {"kind": "system", "unit": chosen, "limit": 200})["results"] if chosen else []
    projects = run("name_lookup", {"kind": "project", "unit": chosen, "limit": 200})["results"] if chosen else []
    return render_template("projects/form.html", project=project, defaults=defaults,
                           unit_choices=[(u["id"], u["title"]) for u in units],
                           systems=[(s["id"], s["label"]) for s in systems],
                           projects=[(p["id"], p["label"]) for p in projects if p["id"] != project_id],
                           project_types=PROJECT_TYPE, chapters=vocab.CHAPTER, fields=DECLARATION_FIELDS), status


@bp.route("/projects/<int:project_id>", methods=["GET"])
def project_page(project_id: int):
    project = show_or_404("project_show", project_id)
    overlap = run("project_overlap", {"id": project_id}) if project["parts"] else None
    return render_template("projects/project.html", p=project, overlap=overlap, v=vocab)


@bp.route("/projects/<int:project_id>/do/<name>", methods=["POST"])
@login_required
def project_do(project_id: int, name: str):
    if name not in PAGE_ACTIONS:
        abort(404)
    data = {**form_data(), "id": project_id}
    if name == "project_extension_decide":
        data.pop("id")
    try:
        result = run(name, data)
    except RegistryError as exc:  # the page again, the submitted form as the user filled it
        return form_failed(request.form.get("form") or name, exc, project_page, project_id=project_id)
    else:
        label = ""
        if name == "project_transition":
            from registry.projects.stages import TRANSITIONS
            label = TRANSITIONS[data["transition"]].label
        flash(PAGE_ACTIONS[name].format(label=label), "success")
        if name == "project_adjustment_create":
            flash("；".join(result["reasons"]), "success" if result["outcome"] == "filed" else "error")
        if name == "project_delete":
            return redirect(url_for("projects.project_list"))
    return redirect(url_for("projects.project_page", project_id=project_id))


@bp.route("/projects/<int:project_id>/declaration.xlsx")
def declaration_export(project_id: int):
    from registry.projects.declaration import export_declaration
    project = show_or_404("project_show", project_id)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "declaration.xlsx"
        export_declaration(project, path)
        content = io.BytesIO(path.read_bytes())
    return send_file(content, as_attachment=True, download_name=f"项目建设申报表-{project['name']}.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.route("/projects/import", methods=["GET", "POST"])
@login_required
def declaration_import():
    status = 200
    if request.method == "POST":
        data = {"upload": request.files.get("upload")}
        if request.form.get("unit"):
            data["unit"] = request.form["unit"]
        try:
            saved = run("project_import_declaration", data)
        except RegistryError as exc:
            status = keep_form("import", exc)
        else:
            flash(f"已导入项目申报“{saved['name']}”", "success")
            return redirect(url_for("projects.project_page", project_id=saved["id"]))
    units = run("organization_list", {"all_fields": True, "sort": "title asc"})
    if g.user.role == "department":
        units = [u for u in units if u["id"] == g.user.unit_id or u.get("parent_id") == g.user.unit_id]
    return render_template("projects/import.html", unit_choices=[(u["id"], u["title"]) for u in units]), status


@bp.route("/due")
@login_required
def due_page():
    data = {k: request.args[k] for k in ("role", "unit", "as_of") if request.args.get(k)}
    if request.args.get("date") and "as_of" not in data:  # /due?date=… is the same question
        data["as_of"] = request.args["date"]
    try:
        result = run("due_list", data)
    except RegistryError as exc:
        bad_day = "as_of" in getattr(exc, "errors", {})
        flash(f"查询日期“{data['as_of']}”不是有效日期，请按 2026-12-06 的格式填写" if bad_day else exc.message, "error")
        result = {"as_of": "", "role": data.get("role", ""), "unit": data.get("unit"), "overdue": [], "upcoming": [],
                  "sharing": []}
    units = run("organization_list", {"all_fields": True, "sort": "title asc"}) if g.user.role != "department" else []
    return render_template("projects/due.html", due=result, args=data,
                           unit_choices=[(u["id"], u["title"]) for u in units])


@bp.errorhandler(NotFound)
def _not_found(exc):
    abort(404)
