"""Bulk inserts through the driver's executemany with plain tuples.

Scans write hundreds of thousands of rows; SQLAlchemy's per-row parameter processing costs more
than SQLite's own work there. Values must already be in the driver's form (JSON as text)."""
from __future__ import annotations

from typing import Sequence

from sqlalchemy import Table
from sqlalchemy.engine import Connection


def insert_rows(connection: Connection, table: Table, columns: Sequence[str], rows: list[tuple]) -> None:
    if not rows:
        return
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    sql = (f'INSERT INTO {table.name} ({", ".join(columns)}) '
           f'VALUES ({", ".join([mark] * len(columns))})')
    connection.exec_driver_sql(sql, rows)
