"""Engine, sessions and the declarative base.

Operations only flush; the boundary (a request, a CLI command, one whole import) commits once
through `unit_of_work`, which rolls back unless the block finished.
"""
from __future__ import annotations

from contextlib import contextmanager, nullcontext
from datetime import datetime, timezone
from typing import Annotated, Iterator, Sequence

try:
    import fcntl
except ImportError:  # not on Windows: SQLite's busy handler alone orders the writers there
    fcntl = None  # type: ignore[assignment]

from sqlalchemy import JSON, DateTime, MetaData, String, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, mapped_column, sessionmaker

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


intpk = Annotated[int, mapped_column(primary_key=True)]
str100 = Annotated[str, mapped_column(String(100))]
str200 = Annotated[str, mapped_column(String(200))]
created_at = Annotated[datetime, mapped_column(DateTime, default=utcnow, nullable=False)]
json_value = Annotated[dict, mapped_column(JSON)]


def in_chunks(values: Sequence, size: int = 900) -> Iterator[Sequence]:
    """Slices of at most `size` values, for `IN (...)` lists: SQLite builds before 3.32 bind at most
    999 parameters per statement; PostgreSQL takes any size."""
    for start in range(0, len(values), size):
        yield values[start:start + size]


def make_engine(url: str, pool_size: int = 10, max_overflow: int = 20) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        _configure_sqlite(engine)
        return engine
    # pool_timeout: a request waiting this long for a connection fails instead of hanging
    return create_engine(url, pool_pre_ping=True, pool_size=pool_size, max_overflow=max_overflow, pool_timeout=30)


def _configure_sqlite(engine: Engine) -> None:
    """WAL and foreign keys; and pysqlite's documented hooks so SAVEPOINT works (tests use it)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        from registry.core.names import sqlite_collation
        dbapi_connection.create_collation("pinyin", sqlite_collation)  # names in pinyin order (registry.core.names)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # A write transaction takes the write lock up front (waiting up to busy_timeout): a deferred
        # one that reads, then writes after another writer committed, fails "database is locked".
        # Reads stay deferred so they never wait for a writer.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE_OPTION) else "BEGIN")


WRITE_OPTION = "registry_write"
AFTER_COMMIT, ON_ROLLBACK = "registry_after_commit", "registry_on_rollback"


def after_commit(session: Session) -> list:
    """The unit of work's one list of work to do once its transaction committed (index writes to
    an external engine, mail): run in order by `Database.unit_of_work`, never on a rollback."""
    return session.info.setdefault(AFTER_COMMIT, [])


def on_rollback(session: Session) -> list:
    """Work that undoes a side effect outside the database (a stored file) if the unit of work
    rolls back."""
    return session.info.setdefault(ON_ROLLBACK, [])


def _run(hooks: list) -> None:
    for hook in hooks:
        hook()


class Database:
    """One engine and session factory per application."""

    def __init__(self, url: str, pool_size: int = 10, max_overflow: int = 20):
        self.url = url
        self.engine = make_engine(url, pool_size, max_overflow)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.write_sessions = sessionmaker(self.engine.execution_options(**{WRITE_OPTION: True}),
                                           expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def unit_of_work(self, write: bool = False) -> Iterator[Session]:
        """`write`: the block writes (SQLite: BEGIN IMMEDIATE, so writers queue instead of failing)."""
        with self._writer_turn() if write else nullcontext():
            session = (self.write_sessions if write else self.sessions)()
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                _run(session.info.pop(ON_ROLLBACK, []))
                raise
            finally:
                session.close()
        # After the writer's turn: a hook (the search engine's indexing) may wait on a server and
        # may write in a unit of work of its own.
        _run(session.info.pop(AFTER_COMMIT, []))

    @contextmanager
    def _writer_turn(self) -> Iterator[None]:
        """SQLite file databases: writers of every process and thread queue on an OS file lock first.

        SQLite's own busy handler polls with sleeps growing to 100 ms, so under write load a waiting
        writer wakes long after the lock is free (a convoy: 120 ms median for a 3 ms edit on the load
        benchmark). The kernel hands a released flock to the next waiter at once. The database's own
        lock still guards everything; this only orders the queue."""
        path = self.engine.url.database if self.is_sqlite else None
        if not path or path == ":memory:" or fcntl is None:
            yield
            return
        with open(f"{path}-writer.lock", "a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def dispose(self) -> None:
        self.engine.dispose()
