"""Every stored row out, and back into an empty store, ids and all."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from pkm.errors import StoreError
from pkm.storage.entries import url_key

# Parents before children, so foreign keys hold while restoring.
TABLES = ("feeds", "scans", "entries", "items", "tags", "entry_tags", "mute_rules", "archives")


def columns_of(conn: sqlite3.Connection, table: str) -> list[str]:
    return [str(row[1]) for row in conn.execute(f"PRAGMA table_info({table})")]


def read_table(conn: sqlite3.Connection, table: str) -> tuple[list[str], Iterator[Sequence[Any]]]:
    columns = columns_of(conn, table)
    order = ", ".join(columns[:2]) if table in ("items", "entry_tags") else columns[0]
    rows = conn.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY {order}")
    return columns, rows


@contextmanager
def snapshot(conn: sqlite3.Connection) -> Iterator[None]:
    """One read transaction: every table as of the same moment."""
    conn.execute("BEGIN")
    try:
        yield
    finally:
        conn.execute("COMMIT")


def all_tables(
    conn: sqlite3.Connection,
) -> Iterator[tuple[str, list[str], Iterator[Sequence[Any]]]]:
    for table in TABLES:
        columns, rows = read_table(conn, table)
        yield table, columns, rows


def is_empty(conn: sqlite3.Connection) -> bool:
    return not any(conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() for table in TABLES)


def settle_restored(conn: sqlite3.Connection, entry_columns: Sequence[str]) -> None:
    """Bring restored entries up to this schema's meaning of their derived columns.

    A backup from before entries had ``shown_at`` held nothing unseen: all of it counts
    as shown. URL keys are derived from URLs, and an older pkm derived them differently
    (it dropped every fragment): they are derived again, the older entry keeping a key
    two entries now share.
    """
    if "shown_at" not in entry_columns:
        conn.execute("UPDATE entries SET shown_at = first_seen WHERE shown_at IS NULL")
    rows = conn.execute(
        "SELECT id, url, url_key FROM entries WHERE url_key IS NOT NULL ORDER BY id"
    ).fetchall()
    claimed: set[str] = set()
    changed: list[tuple[str | None, int]] = []
    for entry_id, url, old in rows:
        key = url_key(url)
        if key in claimed:
            key = None
        elif key is not None:
            claimed.add(key)
        if key != old:
            changed.append((key, entry_id))
    conn.executemany("UPDATE entries SET url_key = NULL WHERE id = ?", [(i,) for _, i in changed])
    conn.executemany("UPDATE entries SET url_key = ? WHERE id = ?", changed)


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
