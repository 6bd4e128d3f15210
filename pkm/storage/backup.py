"""Every stored row out, and back into an empty store, ids and all."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from pkm.errors import StoreError

# Parents before children, so foreign keys hold while restoring.
TABLES = ("feeds", "scans", "entries", "items", "tags", "entry_tags", "mute_rules")


def columns_of(conn: sqlite3.Connection, table: str) -> list[str]:
    return [str(row[1]) for row in conn.execute(f"PRAGMA table_info({table})")]


def read_table(conn: sqlite3.Connection, table: str) -> tuple[list[str], Iterator[Sequence[Any]]]:
    columns = columns_of(conn, table)
    order = ", ".join(columns[:2]) if table in ("items", "entry_tags") else "id"
    rows = conn.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY {order}")
    return columns, rows


def is_empty(conn: sqlite3.Connection) -> bool:
    return not any(conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() for table in TABLES)


def write_table(
    conn: sqlite3.Connection, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Insert backed-up rows; columns this schema no longer has are left out."""
    if table not in TABLES:
        raise StoreError(f"backup holds an unknown table {table!r}")
    known = set(columns_of(conn, table))
    keep = [i for i, name in enumerate(columns) if name in known]
    names = ", ".join(columns[i] for i in keep)
    marks = ", ".join("?" * len(keep))
    count = 0
    sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"
    batch: list[list[Any]] = []
    for row in rows:
        if len(row) != len(columns):
            raise StoreError(f"backup row in {table} has {len(row)} values for {len(columns)}")
        batch.append([row[i] for i in keep])
        if len(batch) >= 1000:
            conn.executemany(sql, batch)
            count += len(batch)
            batch = []
    conn.executemany(sql, batch)
    return count + len(batch)
