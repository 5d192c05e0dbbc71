"""A loaded database saved once per session and put back per test, instead of loading it again.

`DatabaseSnapshot.take(reg, folder)` saves what the suite's database holds now; `restore(reg)` makes
the database hold exactly that again (every table, row ids, id sequences, FTS indexes), with a new
search version token (as a fresh load would write) and the stored upload files present.

- SQLite: the online backup API, page for page, into a file and back (the file-copy way, safe
  under the engine's open connections).
- PostgreSQL: each table copied into a schema of the snapshot's own (`suite_snapshot_N`; the first
  snapshot of a run drops those an earlier run left) and back after `tests.conftest.empty_database`
  emptied the tables; sequences set back to their saved values.

Only the database and the instance folder's `evidence/` files are saved; a snapshot is for the
embedded search backend (an external engine's index is not part of it).
"""
from __future__ import annotations

import itertools
import shutil
import sqlite3
import uuid
from pathlib import Path

from sqlalchemy import text

from registry.core.db import Base

PREFIX = "suite_snapshot_"
_numbers = itertools.count(1)


def _tables() -> list[str]:
    return [t.name for t in Base.metadata.sorted_tables]


class DatabaseSnapshot:
    def __init__(self, dialect: str, folder: Path, schema: str = "", sequences: list[tuple[str, int, bool]] = ()):
        self.dialect = dialect
        self.folder = folder
        self.schema = schema
        self.sequences = list(sequences)

    # -- taking ---------------------------------------------------------------------------------
    @classmethod
    def take(cls, reg, folder: Path) -> "DatabaseSnapshot":
        engine = reg.db.engine
        folder.mkdir(parents=True, exist_ok=True)
        evidence = Path(reg.settings.instance_path) / "evidence"
        if evidence.is_dir():
            shutil.copytree(evidence, folder / "evidence", dirs_exist_ok=True)
        if engine.dialect.name == "sqlite":
            with engine.connect() as conn:
                target = sqlite3.connect(folder / "snapshot.sqlite3")
                try:
                    conn.connection.dbapi_connection.backup(target)
                finally:
                    target.close()
            return cls("sqlite", folder)
        number = next(_numbers)
        schema = f"{PREFIX}{number}"
        with engine.begin() as conn:
            stale = conn.execute(text("SELECT nspname FROM pg_namespace WHERE starts_with(nspname, :prefix)"),
                                 {"prefix": PREFIX}).scalars().all() if number == 1 else [schema]
            for name in stale:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            for table in _tables():
                conn.execute(text(f'CREATE TABLE "{schema}"."{table}" AS TABLE public."{table}"'))
            serials = conn.execute(text(
                "SELECT pg_get_serial_sequence(format('%I', c.relname), a.attname) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_attribute a ON a.attrelid = c.oid "
                "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped "
                "AND pg_get_serial_sequence(format('%I', c.relname), a.attname) IS NOT NULL")).scalars().all()
            sequences = []
            for seq in serials:
                last, called = conn.execute(text(f"SELECT last_value, is_called FROM {seq}")).one()
                sequences.append((seq, last, called))
        return cls("postgresql", folder, schema, sequences)

    # -- putting back ---------------------------------------------------------------------------
    def restore(self, reg) -> None:
        engine = reg.db.engine
        if self.dialect == "sqlite":
            with engine.connect() as conn:
                source = sqlite3.connect(self.folder / "snapshot.sqlite3")
                try:
                    source.backup(conn.connection.dbapi_connection)
                finally:
                    source.close()
        else:
            from tests.conftest import empty_database
            empty_database(engine)
            with engine.begin() as conn:
                for table in _tables():
                    conn.execute(text(f'INSERT INTO public."{table}" SELECT * FROM "{self.schema}"."{table}"'))
                for seq, last, called in self.sequences:
                    conn.execute(text("SELECT setval(:seq, :last, :called)"),
                                 {"seq": seq, "last": last, "called": called})
        with engine.begin() as conn:   # as a fresh load: a new index version, no cached result reused
            conn.execute(text("UPDATE search_version SET token = :token"), {"token": uuid.uuid4().hex})
        saved = self.folder / "evidence"
        if saved.is_dir():
            shutil.copytree(saved, Path(reg.settings.instance_path) / "evidence", dirs_exist_ok=True)
