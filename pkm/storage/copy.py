"""A whole store copied into an empty one, on either engine, ids and all.

What is copied is what a backup holds: the tables of :data:`pkm.storage.backup.TABLES`,
each with the columns the source table has (and the target knows), read in one
snapshot of the source and written in one transaction of the target, so that a copy
interrupted leaves the target as empty as it was. PostgreSQL is loaded with COPY,
SQLite with batched inserts; afterwards the target's id sequences continue above the
copied ids and its search index holds every copied entry (an entry the source had yet to
index included, as a restore does).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, cast

from pkm.storage.backup import TABLES, columns_of, read_table, snapshot
from pkm.storage.db import transaction, wrap_exceptions
from pkm.storage.dialect import ids_given, is_postgres
from pkm.storage.fts_index import index_pending

if TYPE_CHECKING:
    from pkm.storage.postgres import PostgresConnection

# Rows per batched insert on SQLite, and between two reports of progress.
BATCH = 2_000
# On SQLite, entries are written as not yet indexed, which the full-text triggers pass
# over, and indexed all at once afterwards: four times faster than row by row.
UNINDEXED = ("entries", "indexed", 0)


def copy_store(
    source: sqlite3.Connection,
    target: sqlite3.Connection,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, int]:
    """Copy every table of ``source`` into the empty ``target``; rows copied per table.
    ``progress`` hears ``(rows done, rows in all)``."""
    counts: dict[str, int] = {}
    with snapshot(source):
        total = sum(_count(source, table) for table in TABLES)
        done = 0

        def advance(rows: int) -> None:
            nonlocal done
            done += rows
            if progress is not None:
                progress(done, total)

        with transaction(target):
            for table in TABLES:
                columns, rows = read_table(source, table)
                counts[table] = _write(target, table, columns, rows, advance)
                if "id" in columns:
                    ids_given(target, table)
            index_pending(target)
    return counts


@wrap_exceptions
def _count(conn: sqlite3.Connection, table: str) -> int:
    return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


@wrap_exceptions
def _write(
    conn: sqlite3.Connection,
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    advance: Callable[[int], None],
) -> int:
    """Insert the source's ``rows`` of ``columns``; those the target lacks are left out."""
    known = set(columns_of(conn, table))
    keep = [i for i, name in enumerate(columns) if name in known]
    names = [columns[i] for i in keep]
    if is_postgres(conn):
        picked = (tuple(row[i] for i in keep) for row in rows)
        server = cast("PostgresConnection", conn)
        return server.copy_rows(table, names, _reporting(picked, advance))
    deferred_table, column, unindexed = UNINDEXED
    at = names.index(column) if table == deferred_table and column in names else -1
    picked = (tuple(unindexed if n == at else row[i] for n, i in enumerate(keep)) for row in rows)
    sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
    count = 0
    for batch in _batches(picked):
        conn.executemany(sql, batch)
        count += len(batch)
        advance(len(batch))
    return count


def _batches(rows: Iterable[tuple[Any, ...]]) -> Iterator[list[tuple[Any, ...]]]:
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _reporting(rows: Iterable[tuple[Any, ...]], advance: Callable[[int], None]) -> Iterator[Any]:
    """``rows`` as they are, telling ``advance`` of every batch of them taken."""
    for batch in _batches(rows):
        yield from batch
        advance(len(batch))
