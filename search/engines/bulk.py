"""Bulk inserts through the driver's executemany with plain tuples.

Scans write hundreds of thousands of rows; SQLAlchemy's per-row parameter processing costs more
than SQLite's own work there. Values must already be in the driver's form (JSON as text)."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator, Sequence

from sqlalchemy import Table
from sqlalchemy.engine import Connection


def insert_rows(connection: Connection, table: Table, columns: Sequence[str], rows: list[tuple]) -> None:
    if not rows:
        return
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    one = f'({", ".join([mark] * len(columns))})'
    sql = f'INSERT INTO {table.name} ({", ".join(columns)}) VALUES '
    if connection.dialect.name != "sqlite":
        connection.exec_driver_sql(sql + one, rows)
        return
    # SQLite: many rows per statement. An FTS5 table kept by triggers (search_document's) writes its
    # pending terms out at every statement; one statement per row made that 3-4× the cost.
    per_statement = max(1, min(500, 30_000 // len(columns)))  # (under SQLite's 32,766 parameters)
    for start in range(0, len(rows), per_statement):
        chunk = rows[start:start + per_statement]
        connection.exec_driver_sql(sql + ", ".join([one] * len(chunk)), tuple(v for row in chunk for v in row))


@contextmanager
def indexes_built_after(connection: Connection, *tables: Table) -> Iterator[None]:
    """SQLite: drop these tables' secondary indexes for the block and build them again after it.

    Building an index from a full table is a sort; maintaining it row by row through a million
    inserts is a random B-tree write per row (the full scan's superlinear part). Inside the write
    transaction, so readers keep seeing the old indexes until commit. PostgreSQL keeps them (there
    a DROP INDEX would lock readers out of the table for the whole scan)."""
    indexes = [index for table in tables for index in table.indexes] if connection.dialect.name == "sqlite" else []
    for index in indexes:
        index.drop(connection)
    yield  # on an error the transaction rolls back, and the drops with it
    for index in indexes:
        index.create(connection)


@contextmanager
def page_cache(connection: Connection, mib: int) -> Iterator[None]:
    """SQLite: a page cache of `mib` MiB on this connection for the block (the default is 2 MiB, so
    a scan over millions of rows re-reads index pages from the OS instead of memory)."""
    if connection.dialect.name != "sqlite":
        yield
        return
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size = -{int(mib) * 1024}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {int(before)}")
