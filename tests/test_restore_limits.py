"""A SQLite backup holding a value PostgreSQL cannot hold (text longer than its column, a NUL
character) is refused by a restore into PostgreSQL with a Chinese message naming the table, row and
column, and nothing is written: no row, no file."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from registry.backup import BackupRefused, backup, restore
from registry.cli import CliActor, main
from registry.funding.storage import LocalUpload
from tests.test_backup_restore import _dump, _registry, pg_url  # noqa: F401 (fixture)


def _source_with_overlong_values(tmp_path: Path):
    source = _registry(f"sqlite:///{tmp_path}/src/registry.sqlite3", tmp_path / "src")
    unit = source.run_action("unit_create", CliActor(), {"code": "u1", "name": "单位一"})
    system = source.run_action("system_create", CliActor(), {"unit": unit["id"], "name": "系统一"})
    scan = tmp_path / "验收报告.pdf"
    scan.write_bytes(b"%PDF-1.4\n" + b"x" * 1000)
    source.run_action("evidence_create", CliActor(), {"kind": "completion_acceptance", "system": system["id"],
                                                      "upload": LocalUpload(scan, scan.name)})
    source.run_action("user_create", CliActor(), {"username": "longname", "password": "Long-pass-2026",
                                                 "role": "reviewer"})
    with source.db.engine.begin() as conn:  # as an older release let them in (SQLite keeps any length)
        conn.execute(text("UPDATE user_account SET username = :u WHERE username = 'longname'"), {"u": "长" * 500})
        conn.execute(text("UPDATE unit SET name = :n WHERE code = 'u1'"), {"n": "单位\x00一"})
    return source


def test_restore_into_postgresql_refuses_values_it_cannot_hold_and_writes_nothing(tmp_path, pg_url):
    source = _source_with_overlong_values(tmp_path)
    archive = tmp_path / "b.zip"
    backup(source, archive)
    target = _registry(pg_url, tmp_path / "pg")
    with pytest.raises(BackupRefused) as caught:
        restore(target, archive)
    message = caught.value.message
    assert "未做任何改动" in message
    assert "表 user_account" in message and "字段 username" in message and "超过上限" in message
    assert "长度 500 个字符" in message
    assert "表 unit 第 1 行" in message and "字段 name" in message and "空字符" in message
    assert all(rows == [] for rows in _dump(target).values())
    assert not any(p.is_file() for p in (tmp_path / "pg").rglob("*"))

    # the command line says the same in Chinese, without a traceback
    env = {"REGISTRY_INSTANCE_PATH": str(tmp_path / "pg"), "REGISTRY_DATABASE_URL": pg_url,
           "REGISTRY_ARGON2_TIME_COST": "1", "REGISTRY_ARGON2_MEMORY_KIB": "1024"}
    done = CliRunner().invoke(main, ["restore", str(archive)], env=env)
    assert done.exit_code == 1 and "字段 username" in done.output and "Traceback" not in done.output
    for reg in (source, target):
        reg.db.dispose()


def test_the_same_backup_fixed_restores_into_postgresql_exactly_with_its_files(tmp_path, pg_url):
    source = _source_with_overlong_values(tmp_path)
    with source.db.engine.begin() as conn:
        conn.execute(text("UPDATE user_account SET username = 'longname' WHERE username LIKE '长%'"))
        conn.execute(text("UPDATE unit SET name = '单位一' WHERE code = 'u1'"))
    archive = tmp_path / "b.zip"
    manifest = backup(source, archive)
    assert manifest["files"] == 1
    target = _registry(pg_url, tmp_path / "pg")
    assert restore(target, archive) == manifest["tables"]
    assert _dump(target) == _dump(source)
    assert [p.name for p in (tmp_path / "pg" / "evidence").iterdir()] == \
        [p.name for p in (tmp_path / "src" / "evidence").iterdir()]
    for reg in (source, target):
        reg.db.dispose()
