"""Pages for finance (budget upload, match review, reports) and the Bureau (directory, evidence).

Views parse forms and call actions as the logged-in user; every rule and right is in the actions.
"""
from __future__ import annotations

import io

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, send_file, url_for

from registry.core.errors import RegistryError
from registry.funding import export, storage
from registry.funding.vocab import EVIDENCE_RESULT, KINDS
from registry.accounts.views import login_required
from registry.web.pages import XLSX, call_or_abort, run
from registry.web.forms import form_failed
from registry.web.paging import back_args, parse
from registry.web.permissions import can
from registry.core import clock

bp = Blueprint("funding", __name__, template_folder="templates")


def _year() -> int:
    value = request.values.get("year", "")
    return int(value) if value.isdecimal() and 2000 <= int(value) <= 2100 else clock.today().year + 1


DIRECTORY_SORTS = {"unit": "单位", "name": "信息系统", "in_directory": "是否在总目录", "directory_date": "决定日期",
                   "status": "状态"}
RUN_SORTS = {"id": "编号", "year": "预算年度", "filename": "文件", "uploaded_by": "上传人"}
LINE_SORTS = {"row": "行", "unit": "申报单位", "system": "申报系统名称", "amount": "金额", "state": "匹配的总目录系统",
              "confidence": "匹配度"}


@bp.route("/directory")
@login_required
def directory():
    filters = {k: request.args[k] for k in ("unit", "in_directory", "status", "q") if request.args.get(k)}
    missing = request.args.get("missing") == "1"
    paging = parse(DIRECTORY_SORTS, "unit", per_page=50)
    found = paging.load(lambda p: call_or_abort("directory_list", {**filters, "missing": missing, **p.query()}))
    units = run("organization_list", {"all_fields": True, "sort": "title asc"})
    return render_template("funding/directory.html", found=found, filters=filters, missing=missing, units=units,
                           paging=paging)


@bp.route("/directory.xlsx")
@login_required
def directory_export():
    filters = {k: request.args[k] for k in ("unit", "in_directory", "status", "q") if request.args.get(k)}
    found = call_or_abort("directory_list", {**filters, "missing": request.args.get("missing") == "1", "rows": 20000})
    stream = io.BytesIO()
    export.write_directory(found["results"], stream)
    stream.seek(0)
    return send_file(stream, mimetype=XLSX, as_attachment=True, download_name="政务信息系统总目录.xlsx")


@bp.route("/funding/systems/<ref>")
@login_required
def system_page(ref):
    year = _year()
    decision = call_or_abort("funding_check", {"system": ref, "year": year})
    evidence = call_or_abort("evidence_list", {"system": decision["system_id"]})["results"]
    history = call_or_abort("directory_history", {"id": decision["system_id"]})
    system = call_or_abort("group_show", {"id": decision["system_id"]})
    kinds = [k for k in KINDS.values() if can("evidence_create", {"system": decision["system_id"], "kind": k.code})]
    into = run("name_lookup", {"kind": "system", "unit": decision["unit_id"], "limit": 200})["results"]
    return render_template("funding/system.html", d=decision, evidence=evidence, history=history, system=system,
                           year=year, may_file=bool(kinds), results=EVIDENCE_RESULT,
                           kind_choices=[(k.code, f"{k.label}（第{k.article}条）") for k in kinds],
                           is_bureau=can("directory_admit", {"id": decision["system_id"]}),
                           may_close=can("evidence_close", {}),
                           into_choices=[(s["id"], s["label"]) for s in into if s["id"] != decision["system_id"]])


@bp.route("/funding/systems/<ref>/evidence", methods=["POST"])
@login_required
def evidence_create(ref):
    form = request.form
    data = {k: form.get(k) for k in ("kind", "result", "issued_on", "valid_from", "valid_until", "reference", "note",
                                     "resource") if form.get(k)}
    data["system"] = ref
    upload = request.files.get("upload")
    if upload is not None and upload.filename:
        data["upload"] = upload
    try:
        row = run("evidence_create", data)
    except RegistryError as exc:
        return form_failed("evidence", exc, system_page, ref=ref)
    flash(f"已登记{row['kind_label']}（{row['result_label']}）", "success")
    return redirect(url_for("funding.system_page", ref=ref, year=_year()))


@bp.route("/funding/evidence/<int:evidence_id>/close", methods=["POST"])
@login_required
def evidence_close(evidence_id: int):
    try:
        row = run("evidence_close", {"id": evidence_id, "closed_on": request.form.get("closed_on") or None,
                                     "note": request.form.get("note", "")})
    except RegistryError as exc:
        flash(exc.message, "error")
        return redirect(request.referrer or url_for("funding.directory"))
    flash(f"已关闭{row['kind_label']}", "success")
    return redirect(url_for("funding.system_page", ref=row["system_id"]) if row["system_id"] else url_for("funding.directory"))


@bp.route("/funding/evidence/<int:evidence_id>/file")
@login_required
def evidence_file(evidence_id: int):
    info = call_or_abort("evidence_file", {"id": evidence_id})
    path = storage.stored_path(current_app.extensions["registry"].settings, info["stored_name"])
    return send_file(path, as_attachment=True, download_name=info["file_name"])


@bp.route("/funding/systems/<ref>/directory", methods=["POST"])
@login_required
def directory_change(ref):
    kind = request.form.get("kind", "")
    if kind not in ("admit", "retire", "merge"):
        abort(400)
    data = {"id": ref, "decided_on": request.form.get("decided_on") or None, "reason": request.form.get("reason", "")}
    if kind == "merge" and request.form.get("into", "").strip():  # none chosen: the action says it is required
        data["into"] = request.form["into"]
    try:
        result = run(f"directory_{kind}", data)
    except RegistryError as exc:
        return form_failed("directory", exc, system_page, ref=ref)
    flash(f"已{result['event']['kind_label']}：{result['title']}", "success")
    return redirect(url_for("funding.system_page", ref=ref))


@bp.route("/funding/report.xlsx")
@login_required
def report_export():
    year = _year()
    report = call_or_abort("funding_report", {"year": year})
    stream = io.BytesIO()
    export.write_funding_report(report["results"], report["summary"], stream, year)
    stream.seek(0)
    return send_file(stream, mimetype=XLSX, as_attachment=True, download_name=f"{year}年度运维经费审核.xlsx")


def _runs_page(problems=None, status: int = 200):
    paging = parse(RUN_SORTS, "id", descending=True)
    runs = paging.load(lambda p: call_or_abort("budget_run_search", p.query()))
    return render_template("funding/budget_runs.html", runs=runs["results"], paging=paging, year=_year(),
                           problems=problems or []), status


@bp.route("/funding/budget", methods=["GET", "POST"])
@login_required
def budget_runs():
    if request.method == "POST":
        data = {"year": request.form.get("year", ""), "upload": request.files.get("upload")}
        try:
            result = run("budget_upload", data)
        except RegistryError as exc:
            flash(exc.message, "error")
            return _runs_page([p.as_dict() for p in getattr(exc, "problems", [])], 422)
        flash(f"已读取 {result['line_count']} 行并与总目录匹配，请核对待确认的匹配", "success")
        return redirect(url_for("funding.budget_run", run_id=result["id"]))
    return _runs_page()


@bp.route("/funding/budget/<int:run_id>")
@login_required
def budget_run(run_id: int):
    paging = parse(LINE_SORTS, "row", per_page=50, fragment="lines")
    report = paging.load(lambda p: call_or_abort("budget_report", {"run": run_id, **p.query()}))
    return render_template("funding/budget_run.html", report=report, paging=paging,
                           can_confirm=g.user.role in ("finance", "admin"),
                           min_score=request.args.get("min_score", type=int) or 90)


@bp.route("/funding/budget/lines/<int:line_id>/confirm", methods=["POST"])
@login_required
def budget_confirm(line_id: int):
    choice = request.form.get("system", "")
    data = {"line": line_id, "not_in_directory": choice == "none"}
    if choice and choice != "none":
        data["system"] = choice
    try:
        run("budget_confirm", data)
    except RegistryError as exc:
        flash(exc.message, "error")
    else:
        flash("已保存匹配确认", "success")
    return redirect(url_for("funding.budget_run", run_id=request.form.get("run", type=int) or 0,
                            **back_args(request.form)) + f"#line-{line_id}")


@bp.route("/funding/budget/<int:run_id>/confirm-bulk", methods=["POST"])
@login_required
def budget_confirm_bulk(run_id: int):
    data = {"run": run_id, "min_score": request.form.get("min_score", ""),
            "include_matched": request.form.get("include_matched") == "1", "reason": request.form.get("reason", "")}
    try:
        result = run("budget_confirm_bulk", data)
    except RegistryError as exc:
        flash(exc.message, "error")
    else:
        flash(f"已批量确认 {result['confirmed']} 行（得分不低于 {result['min_score']}）", "success")
    return redirect(url_for("funding.budget_run", run_id=run_id, min_score=request.form.get("min_score", ""),
                            **back_args(request.form)))


@bp.route("/funding/budget/<int:run_id>/report.xlsx")
@login_required
def budget_export(run_id: int):
    report = call_or_abort("budget_report", {"run": run_id})
    stream = io.BytesIO()
    export.write_budget_report(report["lines"], report["summary"], stream, report["year"])
    stream.seek(0)
    return send_file(stream, mimetype=XLSX, as_attachment=True,
                     download_name=f"{report['year']}年度运维经费预算审核（清单{run_id}）.xlsx")
