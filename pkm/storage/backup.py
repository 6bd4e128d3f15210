"""Every stored row out, and back into an empty store, ids and all."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from pkm.errors import StoreError
from pkm.storage import dialect
from pkm.storage.db import translating, wrap_exceptions
from pkm.storage.entries import url_key

# Parents before children, so foreign keys hold while restoring. Archives and link health
# come too: without the aliases, a restored store would take an entry's old URL for a new
# page.
TABLES = (
    "people",
    "feeds",
    "subscriptions",
    "scans",
    "entries",
    "entry_states",
    "items",
    "tags",
    "saves",
    "save_tags",
    "follows",
    "mute_rules",
    "archives",
    "link_checks",
    "entry_aliases",
)
# The columns that order the rows of tables without an ``id``.
_ORDER = {
    "items": ("feed_id", "item_key"),
    "entry_states": ("person_id", "entry_id"),
    "save_tags": ("save_id", "tag_id"),
    "archives": ("entry_id",),
    "link_checks": ("entry_id",),
    "entry_aliases": ("url_key",),
}
# The text columns among them, ordered alike on both engines.
_TEXT_KEYS = {"item_key", "url_key"}


@wrap_exceptions
def columns_of(conn: sqlite3.Connection, table: str) -> list[str]:
    return dialect.columns_of(conn, table)


@wrap_exceptions
def read_table(conn: sqlite3.Connection, table: str) -> tuple[list[str], Iterator[Sequence[Any]]]:
    """The table's columns, and its rows as they are read (a reading error raised as
    StoreError too)."""
    columns = columns_of(conn, table)
    order = ", ".join(
        dialect.byte_order(conn, column) if column in _TEXT_KEYS else column
        for column in _ORDER.get(table, ("id",))
    )
    rows = dialect.stream(conn, f"SELECT {', '.join(columns)} FROM {table} ORDER BY {order}")
    return columns, _translated(conn, rows)


def _translated(conn: sqlite3.Connection, rows: Iterator[Sequence[Any]]) -> Iterator[Sequence[Any]]:
    with translating(conn):
        yield from rows


@contextmanager
def snapshot(conn: sqlite3.Connection) -> Iterator[None]:
    """One read transaction: every table as of the same moment."""
    with translating(conn):
        conn.execute(dialect.begin_snapshot(conn))
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


@wrap_exceptions
def is_empty(conn: sqlite3.Connection) -> bool:
    return not any(conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() for table in TABLES)


@wrap_exceptions
def settle_restored(conn: sqlite3.Connection) -> None:
    """Bring restored entries up to this schema's meaning of their derived columns.

    URL keys are derived from URLs, and an older pkm derived them differently
    (it dropped every fragment): they are derived again, the older entry keeping a key
    two entries now share.
    """
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
    for table in dialect.ID_TABLES:  # restored with their ids
        dialect.ids_given(conn, table)


@wrap_exceptions
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
