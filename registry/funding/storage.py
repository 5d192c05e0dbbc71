"""Evidence files: stored under the instance folder with a random name, size- and type-limited.

The stored name is random so a client can never choose or guess a path; the original name is
kept only for display and download. Files are served only through the `evidence_file` action,
which checks read rights first.
"""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from marshmallow import ValidationError, fields
from werkzeug.datastructures import FileStorage

from registry.core.errors import NotFound, ValidationFailed
from registry.funding.vocab import ALLOWED_EXTENSIONS


@dataclass(frozen=True)
class LocalUpload:
    """A file on this machine named by trusted code (the CLI, the demo); the API cannot make one."""

    path: Path
    filename: str = ""


class UploadField(fields.Field):
    """An uploaded file (multipart field) or a LocalUpload; a path string from a client is refused."""

    def __init__(self, label: str = "上传文件", required: bool = False, **kw):
        if not required:
            kw.setdefault("load_default", None)
        super().__init__(required=required, allow_none=not required, metadata={"label": label},
                         error_messages={"required": "请选择要上传的文件", "null": "请选择要上传的文件"}, **kw)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, LocalUpload) or (isinstance(value, FileStorage) and value.filename):
            return value
        if isinstance(value, FileStorage) or value in ("", None):
            if self.required:
                raise ValidationError("请选择要上传的文件")
            return None
        raise ValidationError("请以文件形式上传（表单字段 upload）")


def evidence_dir(settings) -> Path:
    path = Path(settings.instance_path) / "evidence"
    path.mkdir(parents=True, exist_ok=True)
    return path


def original_name(upload) -> str:
    raw = upload.filename if isinstance(upload, FileStorage) else (upload.filename or upload.path.name)
    return os.path.basename(str(raw).replace("\\", "/"))[:200] or "file"


def save_upload(settings, upload, field: str = "upload") -> tuple[str, str, int]:
    """Store the file; returns (original name, stored name, size). Refuses a type or size not allowed."""
    name = original_name(upload)
    ext = Path(name).suffix.lower()
    if ext not in ALLOWED_EXTENSIONS:
        raise ValidationFailed({field: [f"不支持的文件类型“{ext or '无扩展名'}”，允许：{'、'.join(ALLOWED_EXTENSIONS)}"]})
    limit = settings.max_upload_mb * 1024 * 1024
    stored = secrets.token_hex(16) + ext
    target = evidence_dir(settings) / stored
    source = upload.stream if isinstance(upload, FileStorage) else open(upload.path, "rb")
    size = 0
    try:
        with open(target, "wb") as out:
            while chunk := source.read(1 << 20):
                size += len(chunk)
                if size > limit:
                    break
                out.write(chunk)
    finally:
        if not isinstance(upload, FileStorage):
            source.close()
    if size > limit:
        target.unlink(missing_ok=True)
        raise ValidationFailed({field: [f"文件超过上限 {settings.max_upload_mb} MB"]})
    if size == 0:
        target.unlink(missing_ok=True)
        raise ValidationFailed({field: ["上传的文件是空文件"]})
    return name, stored, size


def stored_path(settings, stored_name: str | None) -> Path:
    if not stored_name or "/" in stored_name or "\\" in stored_name or stored_name.startswith("."):
        raise NotFound("该证明材料没有附件")
    path = evidence_dir(settings) / stored_name
    if not path.is_file():
        raise NotFound("附件文件不存在，请联系管理员")
    return path


def remove_on_rollback(ctx, stored_name: str) -> None:
    """A file saved by an action whose transaction then rolls back must not linger."""
    from registry.core.db import on_rollback

    path = evidence_dir(ctx.settings) / stored_name
    on_rollback(ctx.session).append(lambda: path.unlink(missing_ok=True))
