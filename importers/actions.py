"""The `catalog_import` action: an uploaded Attachment 2 workbook into the catalog.

The API (multipart field `upload`), the upload page and the CLI all run this one action, so the
same authorisation, validation and report apply everywhere.
"""
from __future__ import annotations

import os
import tempfile
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from marshmallow import ValidationError, fields
from werkzeug.datastructures import FileStorage

from catalog_schema.fields import Bool, ChineseSchema, Ref, Text
from registry.core.actions import Context, action
from registry.core.authz import public_catalog_only, require_login, require_role, require_unit_writer
from registry.accounts.models import User
from importers.catalog_import import find_unit, import_catalog, import_unit
from importers.catalog_reader import CatalogReader
from importers.problems import ImportRefused


@dataclass(frozen=True)
class LocalFile:
    """A file on this machine, named by trusted code (the CLI, the upload page after saving it).

    The API can never produce one: a path string sent by a client is refused by `Upload`.
    """

    path: Path
    filename: str = ""


@dataclass(frozen=True)
class ParsedFile(LocalFile):
    """A staged upload already parsed before the write transaction (`parse_before_writing`), with
    the unit and system it was parsed for: the import uses the parse only if they still hold."""

    reader: CatalogReader | None = None
    unit_name: str | None = None
    system: str | None = None


PARSE_FIRST_BYTES = 2 * 1024 * 1024   # larger files stream under the write lock (bounded memory)


class Upload(fields.Field):
    def __init__(self, **kw):
        super().__init__(required=True, error_messages={"required": "请选择要上传的文件", "null": "请选择要上传的文件"},
                         metadata={"label": "上传文件"}, **kw)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, LocalFile) or (isinstance(value, FileStorage) and value.filename):
            return value
        raise ValidationError("请以文件形式上传 Excel 工作簿（.xlsx、.xls）或 CSV 文件（表单字段 upload）")


class CatalogImportSchema(ChineseSchema):
    upload = Upload()
    unit = Ref("单位")
    system = Text("系统名称", max_length=200)
    dry_run = Bool("仅校验不写入", load_default=False)
    replace = Bool("删除文件中没有的信息资源和信息项", load_default=False)


def _auth_catalog_import(ctx: Context, data: dict) -> None:
    """The rule of every catalog write: a department its own unit, the administrator any unit."""
    require_login(ctx)
    if data.get("unit") not in (None, ""):
        require_unit_writer(ctx, find_unit(ctx.session, data["unit"]).id)
    elif ctx.user.role != "department":
        require_role(ctx, "department")


@contextmanager
def parse_before_writing(registry, actor, data: dict | None) -> Iterator[dict | None]:
    """Stage the upload and, for a small file, parse it before the write transaction opens.

    SQLite has one writer at a time, and reading a workbook is most of an import's time (16 of
    19 ms for a 100-item sheet): parsed here, the write lock is held only for the writes. The caller
    is authorised first (a read transaction), so nobody can make the server parse files unasked."""
    upload = (data or {}).get("upload")
    staged = isinstance(upload, LocalFile) or (isinstance(upload, FileStorage) and upload.filename)
    if not staged or isinstance(upload, ParsedFile):
        yield data
        return
    max_bytes = registry.settings.max_upload_mb * 1024 * 1024
    with registry.db.unit_of_work() as session:
        ctx = registry.context(session, session.get(User, actor) if isinstance(actor, int) else actor)
        _auth_catalog_import(ctx, data)
        unit = import_unit(ctx, data.get("unit"))
        unit_name = unit.name if unit is not None else None
    with staged_upload(upload, max_bytes) as (path, filename):
        reader = None
        if path.stat().st_size <= PARSE_FIRST_BYTES:
            reader = CatalogReader(path, filename, unit=unit_name, system=data.get("system"),
                                   max_bytes=max_bytes).prefetch()
        yield {**data, "upload": ParsedFile(path, filename, reader, unit_name, data.get("system"))}


@action("catalog_import", auth=_auth_catalog_import, schema=CatalogImportSchema, prepare=parse_before_writing)
def catalog_import(ctx: Context, data: dict) -> dict:
    """Import an information-resource catalog (Attachment 2) from .xlsx, .xls or .csv.

    Fields: upload (the file), unit (code; default: the user's unit), system (name, used when the
    file does not name its system), dry_run (validate and report only), replace (also delete
    resources and items that the file no longer lists). Returns the counts created / updated /
    unchanged / would_delete; problems come back as a Validation Error with a `problems` list of
    {sheet, row, column, value, reason}.
    """
    upload = data["upload"]
    parsed = upload if isinstance(upload, ParsedFile) and upload.system == data.get("system") else None
    with staged_upload(upload, ctx.settings.max_upload_mb * 1024 * 1024) as (path, filename):
        return import_catalog(ctx, path, filename, unit=data.get("unit"), system=data.get("system"),
                              dry_run=data["dry_run"], replace=data["replace"], parsed=parsed)


@contextmanager
def staged_upload(upload, max_bytes: int) -> Iterator[tuple[Path, str]]:
    """A path to read the upload from; an uploaded stream is copied (up to the limit) and removed.
    Staging, parsing and importing happen inside one of the process's few upload slots."""
    if isinstance(upload, LocalFile):
        with upload_slot(upload.filename or Path(upload.path).name):
            yield Path(upload.path), upload.filename or Path(upload.path).name
        return
    filename = os.path.basename(upload.filename.replace("\\", "/"))
    with upload_slot(filename):
        yield from _staged_stream(upload, filename, max_bytes)


# At most this many uploads are staged and parsed at once per process; the others wait their turn (a
# parse is CPU-bound: more at once would only slow every request the process serves), then are refused.
MAX_PARALLEL_UPLOADS = 2
UPLOAD_WAIT_SECONDS = 60
_UPLOAD_SLOTS = threading.BoundedSemaphore(MAX_PARALLEL_UPLOADS)
_holding = threading.local()


@contextmanager
def upload_slot(filename: str) -> Iterator[None]:
    if getattr(_holding, "slot", False):  # re-entered by the same request (an import staging its parse)
        yield
        return
    if not _UPLOAD_SLOTS.acquire(timeout=UPLOAD_WAIT_SECONDS):
        raise ImportRefused("服务器正在处理其他上传文件，请稍后再试", filename)
    _holding.slot = True
    try:
        yield
    finally:
        _holding.slot = False
        _UPLOAD_SLOTS.release()


def _staged_stream(upload, filename: str, max_bytes: int) -> Iterator[tuple[Path, str]]:
    handle = tempfile.NamedTemporaryFile(suffix=Path(filename).suffix.lower()[:8], delete=False)
    try:
        with handle:
            copied = _copy_limited(upload.stream, handle, max_bytes)
        if copied > max_bytes:
            raise ImportRefused(f"文件超过上限 {max_bytes / 1024 / 1024:g} MB，未读取", filename)
        yield Path(handle.name), filename
    finally:
        os.unlink(handle.name)


def _copy_limited(source, target, max_bytes: int) -> int:
    copied = 0
    while chunk := source.read(1 << 20):
        copied += len(chunk)
        if copied > max_bytes:
            return copied
        target.write(chunk)
    return copied



# ---- export ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ExportTarget:
    """Where `catalog_export` writes: a path or an open binary file, named by trusted code (the CLI,
    the export page). The API can never produce one."""

    file: object


class _Target(fields.Field):
    def __init__(self, **kw):
        super().__init__(required=True, error_messages={"required": "缺少导出目标"}, metadata={"label": "导出目标"}, **kw)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, ExportTarget):
            return value
        raise ValidationError("导出目标只能由命令行或导出页面指定")


class CatalogExportSchema(ChineseSchema):
    unit = Ref("单位")
    system = Ref("信息系统")
    out = _Target()


def _export_reader(ctx: Context, data: dict) -> None:
    return None   # as package_search: anonymous callers get the public catalog (see catalog_export)


def export_summary(counts: dict) -> str:
    """`catalog_export`'s result in words (the CLI and the job status page)."""
    return (f"已导出 {counts['units']} 个单位、{counts['systems']} 个系统、{counts['resources']} 项信息资源、"
            f"{counts['items']} 个信息项")


@action("catalog_export", auth=_export_reader, schema=CatalogExportSchema, read_only=True)
def catalog_export(ctx: Context, data: dict) -> dict:
    """The catalog of a unit, a system or the county in the Attachment 2 layout (CLI and export page).
    Anonymous callers: only the resources open to the public."""
    from importers.catalog_export import export_catalog, export_filename
    scope = {"unit": data.get("unit"), "system": data.get("system")}
    filename = export_filename(ctx.session, **scope)
    return {**export_catalog(ctx.session, data["out"].file, public_only=public_catalog_only(ctx), **scope,
                             progress=ctx.progress), "filename": filename}
