"""Pages: upload a catalog workbook, see what it did or what is wrong with it; templates; exports.

The upload page runs the `catalog_import` action like the API and the CLI. On problems it keeps
an annotated copy of the user's workbook under the instance folder, in a directory with a
random name, and serves it only to the user who uploaded it.
"""
from __future__ import annotations

import json
import re
import secrets
import shutil
import tempfile
import time
from pathlib import Path

from flask import Blueprint, abort, current_app, g, render_template, request, send_file, url_for

from registry.core.errors import RegistryError
from registry.accounts.views import login_required
from registry.web.pages import XLSX

bp = Blueprint("imports", __name__)
KEEP_SECONDS = 24 * 3600
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def _registry():
    return current_app.extensions["registry"]


def _imports_dir() -> Path:
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _form_context(error: str | None = None, values: dict | None = None) -> dict:
    user = g.user
    reg = _registry()
    units, systems = [], []
    if user.role == "department":
        systems = reg.run_action("organization_show", user.id, {"id": user.unit_id})["systems"]
    else:
        units = reg.run_action("organization_list", user.id, {"all_fields": True, "sort": "name asc"})
    limit = reg.settings.max_upload_mb
    return {"error": error, "values": values or {}, "units": units, "systems": systems, "max_mb": limit}


@bp.route("/import/catalog", methods=["GET"])
@login_required
def upload():
    return render_template("import_upload.html", **_form_context(values={"unit": request.args.get("unit", "")}))


@bp.errorhandler(413)
def _too_large(exc):
    """Werkzeug refuses a body over the limit before anything reads it (the CSRF check reads the
    form first); say so on the upload page, naming the limit."""
    from registry.accounts.views import load_session_user
    from registry.web.errors import html_error
    g.user = g.get("user") or load_session_user()
    if g.user is None:
        return html_error(413, exc)
    limit = _registry().settings.max_upload_mb
    return render_template("import_upload.html", **_form_context(
        f"文件超过上限 {limit} MB，未读取。请拆分后分别上传")), 413


@bp.route("/import/catalog", methods=["POST"])
@login_required
def upload_post():
    values = {k: request.form.get(k, "").strip() for k in ("unit", "system")}
    values.update(dry_run=bool(request.form.get("dry_run")), replace=bool(request.form.get("replace")))
    upload_file = request.files.get("upload")
    if upload_file is None or not upload_file.filename:
        return render_template("import_upload.html", **_form_context("请选择要上传的文件", values)), 422
    _forget_old_uploads()
    token = secrets.token_urlsafe(18)
    folder = _imports_dir() / token
    folder.mkdir()
    filename = Path(upload_file.filename.replace("\\", "/")).name or "upload"
    source = folder / ("upload" + Path(filename).suffix.lower()[:8])
    upload_file.save(source)
    return _run_import(token, folder, source, filename, values)


def _run_import(token: str, folder: Path, source: Path, filename: str, values: dict):
    from importers.actions import LocalFile
    from importers.problems import ImportFailed, ImportRefused
    data = {"upload": LocalFile(source, filename), "dry_run": values["dry_run"], "replace": values["replace"]}
    data.update({k: values[k] for k in ("unit", "system") if values[k]})
    try:
        report = _registry().run_action("catalog_import", g.user.id, data)
    except ImportFailed as exc:
        provided = getattr(exc, "already_provided", [])
        _annotate(folder, source, filename, exc.problems, provided)
        source.unlink()
        return render_template("import_result.html", report=None, problems=exc.problems, filename=filename,
                               message=exc.message, annotated_url=url_for("imports.annotated", token=token),
                               notices=exc.notices, provided=provided), 422
    except ImportRefused as exc:
        shutil.rmtree(folder)
        return render_template("import_upload.html", **_form_context(exc.message, values)), 422
    except RegistryError as exc:
        shutil.rmtree(folder)
        return render_template("import_upload.html", **_form_context(exc.message, values)), exc.status
    provided = report.get("already_provided") or []
    annotated_url = None
    if provided:   # the workbook back with the items another unit provides marked (warn before collecting)
        _annotate(folder, source, filename, [], provided)
        source.unlink()
        annotated_url = url_for("imports.annotated", token=token)
    else:
        shutil.rmtree(folder)
    return render_template("import_result.html", report=report, problems=[], filename=filename, message=None,
                           annotated_url=annotated_url, notices=report["notices"], provided=provided)


def _annotate(folder: Path, source: Path, filename: str, problems, provided=()) -> Path:
    from importers.annotate import annotate, annotated_name
    out = annotate(source, filename, problems, folder / "annotated.xlsx", provided)
    (folder / "owner.json").write_text(json.dumps({"user_id": g.user.id, "filename": annotated_name(filename)},
                                                  ensure_ascii=False))
    return out


def _forget_old_uploads() -> None:
    cutoff = time.time() - KEEP_SECONDS
    for entry in _imports_dir().iterdir():
        if entry.is_dir() and entry.stat().st_mtime < cutoff:
            shutil.rmtree(entry, ignore_errors=True)


@bp.route("/import/annotated/<token>")
@login_required
def annotated(token: str):
    """The annotated copy: only for the user who uploaded the file (anyone else: not found)."""
    if not _TOKEN.match(token):
        abort(404)
    folder = _imports_dir() / token
    try:
        owner = json.loads((folder / "owner.json").read_text())
    except (OSError, ValueError):
        abort(404)
    if owner.get("user_id") != g.user.id or not (folder / "annotated.xlsx").exists():
        abort(404)
    return send_file(folder / "annotated.xlsx", mimetype=XLSX, as_attachment=True, download_name=owner["filename"])


@bp.route("/import/template/<kind>.xlsx")
def template(kind: str):
    """Blank templates: 附件2 信息资源目录 (catalog) and 附件1 项目建设申报表 (declaration)."""
    handle = tempfile.TemporaryFile(suffix=".xlsx")
    if kind == "catalog":
        from importers.catalog_template import write_catalog_template
        write_catalog_template(handle, system_name=request.args.get("system", "")[:200])
        name = "信息资源目录模板.xlsx"
    elif kind == "declaration":
        from importers.declaration_form import write_declaration
        write_declaration({}, handle)
        name = "项目建设申报表.xlsx"
    else:
        abort(404)
    handle.seek(0)
    return send_file(handle, mimetype=XLSX, as_attachment=True, download_name=name)


@bp.route("/export/catalog.xlsx")
def export_catalog():
    """The catalog of a unit (?unit=code), a system (?system=code) or the county, in Attachment 2 layout."""
    from importers.actions import ExportTarget
    unit, system = request.args.get("unit") or None, request.args.get("system") or None
    handle = tempfile.TemporaryFile(suffix=".xlsx")
    try:
        user = g.get("user")
        name = _registry().run_action("catalog_export", user.id if user else None,
                                      {"unit": unit, "system": system, "out": ExportTarget(handle)})["filename"]
    except RegistryError:
        handle.close()
        abort(404)
    handle.seek(0)
    return send_file(handle, mimetype=XLSX, as_attachment=True, download_name=name)


@bp.route("/export/catalog", methods=["POST"])
@login_required
def export_catalog_job():
    """A large export in the background: the status page shows its progress, then offers the workbook."""
    from registry.web.job_views import start_job
    scope = {k: request.form[k] for k in ("unit", "system") if request.form.get(k)}
    return start_job("catalog_export", scope)
