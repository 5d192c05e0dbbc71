"""Backup and restore in a portable form: SQLite ↔ PostgreSQL both ways.

The archive is a zip file:
- `tables/<table>.jsonl`: every row of every mapped table as one JSON object per line, tables in
  dependency order, rows in primary-key order, all read inside ONE snapshot transaction
  (PostgreSQL REPEATABLE READ; SQLite's WAL read transaction), so the dump is consistent;
- `files/…`: the uploaded files under the instance folder (evidence, imports), not the SQLite
  database itself nor the instance's secret key;
- `manifest.json`: format version, schema revision(s), row count per table and the SHA-256 of every
  other member. Restore verifies every checksum before it writes anything.

Restore writes into an EMPTY instance only (schema migrated first), in one transaction: rows of a
self-referencing table go in with those references empty and get them in a second pass, and
PostgreSQL's id sequences are moved past the restored ids.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import zipfile
from datetime import date, datetime, time, timezone
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import Callable, Iterator

from sqlalchemy import Date, DateTime, Integer, LargeBinary, Numeric, String, Table, Time, func, insert, select, text, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from registry.core.db import Base
from registry.core.errors import RegistryError
from registry.core.plugins_models import import_all_models

FORMAT = "registry-backup/1"
BATCH = 500
SKIP_FILES = ("secret_key",)
SKIP_DIRS = ("backups",)  # earlier archives kept in the instance folder are not copied into new ones
SKIP_SUFFIXES = (".sqlite3", ".sqlite3-wal", ".sqlite3-shm", ".sqlite3-journal", ".tmp")


class BackupRefused(RegistryError):
    """A restore that must not happen (damaged archive, non-empty target, other schema)."""

    status = 409


def tables() -> list[Table]:
    import_all_models()
    return list(Base.metadata.sorted_tables)


# ---- backup ---------------------------------------------------------------------------------------

def backup(reg, out: Path | str, progress: Callable[[str], None] = lambda _m: None) -> dict:
    """Write the archive to `out` (atomically: a temporary file renamed at the end). Returns the manifest."""
    out = Path(out)
    partial = out.with_name(out.name + ".partial")
    manifest: dict = {"format": FORMAT, "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                      "source_dialect": reg.db.engine.dialect.name, "tables": {}, "checksums": {}}
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with _snapshot(reg.db.engine) as conn:
            manifest["schema_revisions"] = schema_revisions(conn)
            for table in tables():
                count, digest = _write_member(archive, f"tables/{table.name}.jsonl", _table_lines(conn, table))
                manifest["tables"][table.name] = count
                manifest["checksums"][f"tables/{table.name}.jsonl"] = digest
                progress(f"{table.name}: {count} 行")
        instance = Path(reg.settings.instance_path)
        files = 0
        for path in _instance_files(instance, reg.settings.resolved_database_url()):
            name = "files/" + path.relative_to(instance).as_posix()
            manifest["checksums"][name] = _write_file(archive, name, path)
            files += 1
        manifest["files"] = files
        progress(f"上传文件：{files} 个")
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True))
    os.replace(partial, out)
    return manifest


class _snapshot:
    """One read transaction over the whole dump (REPEATABLE READ on PostgreSQL)."""

    def __init__(self, engine):
        self.engine = engine

    def __enter__(self) -> Connection:
        self.conn = self.engine.connect()
        if self.engine.dialect.name == "postgresql":
            self.conn = self.conn.execution_options(isolation_level="REPEATABLE READ")
        self.trans = self.conn.begin()
        return self.conn

    def __exit__(self, *exc):
        self.trans.rollback()  # read only
        self.conn.close()


def schema_revisions(conn: Connection) -> list[str]:
    return sorted(conn.scalars(text("SELECT version_num FROM alembic_version")))


def _table_lines(conn: Connection, table: Table) -> Iterator[bytes]:
    order = list(table.primary_key.columns) or list(table.columns)
    result = conn.execution_options(stream_results=True, yield_per=BATCH).execute(select(table).order_by(*order))
    for row in result.mappings():
        yield (json.dumps({k: _dump_value(v) for k, v in row.items()}, ensure_ascii=False, sort_keys=True)
               + "\n").encode("utf-8")


def _dump_value(value):
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (bytes, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def _write_member(archive: zipfile.ZipFile, name: str, lines: Iterator[bytes]) -> tuple[int, str]:
    digest, count = hashlib.sha256(), 0
    with archive.open(name, "w", force_zip64=True) as member:
        for line in lines:
            member.write(line)
            digest.update(line)
            count += 1
    return count, digest.hexdigest()


def _write_file(archive: zipfile.ZipFile, name: str, path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source, archive.open(name, "w", force_zip64=True) as member:
        while chunk := source.read(1 << 20):
            member.write(chunk)
            digest.update(chunk)
    return digest.hexdigest()


def _instance_files(instance: Path, database_url: str) -> list[Path]:
    if not instance.is_dir():
        return []
    database = Path(database_url.split("///", 1)[1]).resolve() if database_url.startswith("sqlite:///") else None
    found = []
    for path in sorted(instance.rglob("*")):
        if not path.is_file() or path.is_symlink() or path.name in SKIP_FILES or path.name.endswith(SKIP_SUFFIXES) \
                or path.relative_to(instance).parts[0] in SKIP_DIRS:
            continue
        if database is not None and path.resolve().name.startswith(database.name):
            continue
        found.append(path)
    return found


# ---- restore --------------------------------------------------------------------------------------

def verify(archive_path: Path | str) -> dict:
    """The manifest, after checking every member's SHA-256; refuses a damaged or altered archive."""
    try:
        archive = zipfile.ZipFile(archive_path)
    except (OSError, zipfile.BadZipFile):
        raise BackupRefused("无法读取备份文件：不是有效的备份压缩包") from None
    with archive:
        try:
            manifest = json.loads(archive.read("manifest.json"))
        except (KeyError, ValueError):
            raise BackupRefused("备份文件缺少有效的清单（manifest.json），无法恢复") from None
        if manifest.get("format") != FORMAT:
            raise BackupRefused(f"备份格式“{manifest.get('format')}”不受支持（需要 {FORMAT}）")
        members = set(archive.namelist()) - {"manifest.json"}
        listed = set(manifest.get("checksums", {}))
        if members != listed:
            raise BackupRefused("备份文件内容与清单不一致（有多出或缺少的文件），可能已被改动，拒绝恢复")
        for name, expected in manifest["checksums"].items():
            digest = hashlib.sha256()
            with archive.open(name) as member:
                while chunk := member.read(1 << 20):
                    digest.update(chunk)
            if digest.hexdigest() != expected:
                raise BackupRefused(f"备份文件已损坏或被改动：{name} 的校验和不符，拒绝恢复")
    return manifest


def restore(reg, archive_path: Path | str, progress: Callable[[str], None] = lambda _m: None) -> dict:
    """Bring the archive into this (empty, migrated) instance. Returns the restored row counts."""
    manifest = verify(archive_path)
    engine = reg.db.engine
    with engine.connect() as conn:
        here = schema_revisions(conn)
    if here != manifest["schema_revisions"]:
        raise BackupRefused(f"数据库结构版本不一致：备份为 {', '.join(manifest['schema_revisions'])}，"
                            f"本实例为 {', '.join(here)}；请先将两边升级到同一版本")
    _refuse_non_empty(engine)
    instance = Path(reg.settings.instance_path)
    _refuse_existing_files(instance, manifest)
    counts: dict[str, int] = {}
    problems: list[str] = []  # values this database cannot hold: once one is found, nothing more is written
    with zipfile.ZipFile(archive_path) as archive, engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA defer_foreign_keys=ON")
        for table in tables():
            name = f"tables/{table.name}.jsonl"
            if name not in manifest["checksums"]:
                raise BackupRefused(f"备份中没有表 {table.name}：备份与本实例的程序版本不一致")
            try:
                counts[table.name] = _restore_table(conn, table, archive, name, problems)
            except DBAPIError as exc:
                reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else exc.__class__.__name__
                raise BackupRefused(f"恢复表 {table.name} 时数据库拒绝写入（{reason}），未做任何改动") from None
            if counts[table.name] != manifest["tables"][table.name]:
                raise BackupRefused(f"表 {table.name} 的行数与清单不符，拒绝恢复")
            progress(f"{table.name}: {counts[table.name]} 行")
        if problems:
            shown = "；".join(problems[:MAX_PROBLEMS_SHOWN])
            more = f"；另有 {len(problems) - MAX_PROBLEMS_SHOWN} 处" if len(problems) > MAX_PROBLEMS_SHOWN else ""
            raise BackupRefused(f"备份中有 {len(problems)} 个值超出本数据库的限制，未做任何改动：{shown}{more}。"
                                "请在原实例中改正这些值后重新备份")
        if engine.dialect.name == "postgresql":
            _fix_sequences(conn)
    _restore_files(archive_path, instance, manifest)
    return counts


def _refuse_non_empty(engine) -> None:
    with engine.connect() as conn:
        for table in tables():
            rows = conn.scalar(select(func.count()).select_from(table))
            if rows:
                raise BackupRefused(f"目标实例不是空的（表 {table.name} 已有 {rows} 行）：恢复只能写入新建的空实例")


def _refuse_existing_files(instance: Path, manifest: dict) -> None:
    for name in manifest["checksums"]:
        if name.startswith("files/") and (instance / _safe_relative(name)).exists():
            raise BackupRefused(f"目标实例已有上传文件 {name[6:]}：恢复只能写入新建的空实例")


def _restore_table(conn: Connection, table: Table, archive: zipfile.ZipFile, name: str, problems: list[str]) -> int:
    """Insert the member's rows (in batches); a value the target cannot hold is added to `problems`
    instead, and from then on rows are only checked, not written (the caller rolls back)."""
    checks = _value_checks(conn, table)
    self_refs = [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]
    stamped = [c.name for c in table.columns if c.onupdate is not None]  # kept as dumped in the 2nd pass
    pk = list(table.primary_key.columns)
    converters = {c.name: _loader(c.type) for c in table.columns}
    later: list[dict] = []
    batch: list[dict] = []
    count = 0
    with archive.open(name) as member:
        for raw in member:
            row = {k: converters[k](v) if v is not None and k in converters else v for k, v in json.loads(raw).items()}
            for column, check in checks:
                reason = check(row.get(column))
                if reason:
                    key = "、".join(f"{c.name}={row.get(c.name)}" for c in pk)
                    problems.append(f"表 {table.name} 第 {count + 1} 行（{key}）字段 {column}：{reason}")
            if problems:
                count += 1
                continue
            if self_refs and any(row.get(c) is not None for c in self_refs):
                later.append({**{c.name: row[c.name] for c in pk}, **{c: row[c] for c in self_refs + stamped}})
                row.update({c: None for c in self_refs})
            batch.append(row)
            count += 1
            if len(batch) >= BATCH:
                conn.execute(insert(table), batch)
                batch = []
    if batch and not problems:
        conn.execute(insert(table), batch)
    if problems:
        return count
    for values in later:  # references within the table, once every row exists
        where = [c == values[c.name] for c in pk]
        conn.execute(update(table).where(*where).values({c: values[c] for c in self_refs + stamped}))
    return count


MAX_PROBLEMS_SHOWN = 10


def _value_checks(conn: Connection, table: Table) -> list[tuple[str, Callable]]:
    """(column, value → reason or None) for what this database refuses and SQLite keeps: text longer
    than its column (SQLite does not enforce VARCHAR lengths) and NUL characters (PostgreSQL)."""
    if conn.dialect.name == "sqlite":
        return []
    checks: list[tuple[str, Callable]] = []
    for column in table.columns:
        length = getattr(column.type, "length", None)
        if not isinstance(column.type, String):
            continue

        def check(value, length=length):
            if not isinstance(value, str):
                return None
            if length and len(value) > length:
                return f"长度 {len(value)} 个字符，超过上限 {length}"
            if "\x00" in value:
                return "含有空字符（\\0），PostgreSQL 不能保存"
            return None
        checks.append((column.name, check))
    return checks


def _loader(kind) -> Callable:
    if isinstance(kind, DateTime):
        return datetime.fromisoformat
    if isinstance(kind, Date):
        return date.fromisoformat
    if isinstance(kind, Time):
        return time.fromisoformat
    if isinstance(kind, LargeBinary):
        return base64.b64decode
    if isinstance(kind, Numeric) and getattr(kind, "asdecimal", False):
        return Decimal
    return lambda value: value


def _fix_sequences(conn: Connection) -> None:
    """Move each id sequence past the restored ids, so the next insert does not collide."""
    for table in tables():
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or not isinstance(pk[0].type, Integer):
            continue
        sequence = conn.scalar(text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": pk[0].name})
        if sequence:
            conn.execute(text(f'SELECT setval(:s, COALESCE((SELECT MAX("{pk[0].name}") FROM "{table.name}"), 0) + 1, false)'),
                         {"s": sequence})


def _safe_relative(name: str) -> Path:
    relative = PurePosixPath(name[len("files/"):])
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        raise BackupRefused(f"备份中的文件名不安全：{name}")
    return Path(*relative.parts)


def _restore_files(archive_path, instance: Path, manifest: dict) -> None:
    with zipfile.ZipFile(archive_path) as archive:
        for name in manifest["checksums"]:
            if not name.startswith("files/"):
                continue
            target = instance / _safe_relative(name)
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(name) as source, target.open("xb") as sink:
                shutil.copyfileobj(source, sink, 1 << 20)
