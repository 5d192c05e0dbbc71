"""A long action's status page: started from its page (`start_job`), watched here until its result.

The page shows the stage, 已完成 x / y and the percentage as a bar; registry.js polls the JSON
endpoint and reloads the page when the job ends; without JavaScript a meta refresh does the same.
Who may see a job is the action `job_show`'s rule (the user who started it and administrators)."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, g, jsonify, redirect, render_template, send_file, url_for

from registry.core.errors import NotFound, RegistryError
from registry.accounts.views import login_required
from registry.web.pages import XLSX

bp = Blueprint("jobs", __name__)
FIELDS = ("state", "state_label", "finished", "label", "note", "done", "total", "percent")


def start_job(name: str, data: dict | None = None, back: str = "catalog.home"):
    """A page's POST that starts action `name` in the background: to its status page, or back with
    the reason it cannot start."""
    from registry.core import jobs
    try:
        answer = jobs.start(current_app.extensions["registry"], g.user.id, name, data)
    except RegistryError as exc:
        flash(exc.message, "error")
        return redirect(url_for(back))
    if answer["joined"]:
        flash(f"{jobs.JOB_ACTIONS[name].label}已在进行，没有再开始一次；下面是正在进行的这一次", "warning")
    return redirect(url_for("jobs.status", token=answer["token"]))


def _job(token: str) -> dict:
    try:
        return current_app.extensions["registry"].run_action("job_show", g.user.id, {"token": token[:64]})
    except NotFound:
        abort(404)


@bp.route("/jobs/<token>")
@login_required
def status(token: str):
    return render_template("job.html", job=_job(token))


@bp.route("/jobs/<token>/status.json")
@login_required
def status_json(token: str):
    job = _job(token)
    return jsonify({key: job[key] for key in FIELDS})


@bp.route("/jobs/<token>/workbook.xlsx")
@login_required
def workbook(token: str):
    """A finished export's workbook: for whoever may see the job."""
    from registry.core.jobs import workbook_path
    job = _job(token)
    path = workbook_path(current_app.extensions["registry"], job["token"])
    if not job["workbook"] or not path.exists():
        abort(404)
    return send_file(path, mimetype=XLSX, as_attachment=True, download_name=job["result"]["filename"])
