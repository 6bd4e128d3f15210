"""The full-text index's columns, and filling the index again after a migration.

A migration that changes the index recreates it empty, marks every entry unindexed and
leaves a row in ``index_rebuild``; :func:`finish_rebuild` then fills it in batches, each
its own transaction, so that an interrupted rebuild carries on where it stopped.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from pkm.storage.db import transaction
from pkm.storage.dialect import is_postgres

# In the order of the index's columns (pkm.search.BM25_WEIGHTS follows it).
INDEXED_COLUMNS = "title, text, source, archived_text"
REBUILD_BATCH = 5_000


def unindexed(conn: sqlite3.Connection) -> int:
    """The ``indexed`` value a scan or an import stores new entries with: 0 on SQLite,
    where :func:`index_pending` adds them to the index in one statement afterwards; 1 on
    PostgreSQL, whose index reads a generated column as each entry is stored (marking them
    0 and then 1 would write every new entry twice, its search document computed again:
    a 1,000-feed first scan took three times as long)."""
    return 1 if is_postgres(conn) else 0


def index_pending(conn: sqlite3.Connection) -> int:
    """Add every entry still waiting for the index to it, in one statement; the caller
    holds the transaction. (PostgreSQL's index reads a generated column: an entry is in
    it once stored.)"""
    if is_postgres(conn):
        return conn.execute("UPDATE entries SET indexed = 1 WHERE indexed = 0").rowcount
    cursor = conn.execute(
        f"INSERT INTO entries_fts(rowid, {INDEXED_COLUMNS}) SELECT id, {INDEXED_COLUMNS}"
        " FROM entries WHERE indexed = 0"
    )
    conn.execute("UPDATE entries SET indexed = 1 WHERE indexed = 0")
    return cursor.rowcount


def rebuild_pending(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM index_rebuild").fetchone() is not None


def finish_rebuild(
    conn: sqlite3.Connection, progress: Callable[[int, int], None] | None = None
) -> int:
    """Index every unindexed entry in batches, then mark the rebuild done; how many."""
    if not rebuild_pending(conn):
        return 0
    total = int(conn.execute("SELECT count(*) FROM entries WHERE indexed = 0").fetchone()[0])
    done = 0
    while True:
        with transaction(conn):
            ids = [
                int(row[0])
                for row in conn.execute(
                    "SELECT id FROM entries WHERE indexed = 0 ORDER BY id LIMIT ?",
                    (REBUILD_BATCH,),
                )
            ]
            if not ids:
                conn.execute("DELETE FROM index_rebuild")
                break
            bounds = (ids[0], ids[-1])
            conn.execute(
                f"INSERT INTO entries_fts(rowid, {INDEXED_COLUMNS}) SELECT id,"
                f" {INDEXED_COLUMNS} FROM entries WHERE indexed = 0 AND id BETWEEN ? AND ?",
                bounds,
            )
            conn.execute(
                "UPDATE entries SET indexed = 1 WHERE indexed = 0 AND id BETWEEN ? AND ?", bounds
            )
        done += len(ids)
        if progress is not None:
            progress(min(done, total), max(total, done))
    return done
