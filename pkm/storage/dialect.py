"""The SQL fragments in which SQLite and PostgreSQL differ, in one place.

Storage writes one statement for both engines where the SQL standard allows it
(``ON CONFLICT``, ``RETURNING``, ``CASE``); what remains, each engine's own way of
saying the same thing, is chosen here from the connection's ``dialect``
(:class:`pkm.storage.db.Connection` says ``sqlite``, the PostgreSQL connection
``postgresql``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from pkm.storage.postgres import PostgresConnection

# A newline as an SQL string literal: both engines take it between quotes as it is.
NEWLINE = "'\n'"
# Tables whose ids come from a sequence on PostgreSQL (SERIAL) and are given explicitly
# by imports, scans and restores.
ID_TABLES = (
    "feeds",
    "subscriptions",
    "scans",
    "entries",
    "tags",
    "people",
    "saves",
    "follows",
    "mute_rules",
)


SQLITE = "sqlite"
POSTGRESQL = "postgresql"


def dialect_of(conn: object) -> str:
    """The SQL dialect of a connection: sqlite3's own have no ``dialect``."""
    return str(getattr(conn, "dialect", SQLITE))


def is_postgres(conn: sqlite3.Connection) -> bool:
    return dialect_of(conn) == POSTGRESQL


def contains(conn: sqlite3.Connection, haystack: str, needle: str) -> str:
    """A condition: the text ``needle`` occurs in ``haystack`` (both SQL expressions)."""
    function = "strpos" if is_postgres(conn) else "instr"
    return f"{function}({haystack}, {needle}) > 0"


def byte_order(conn: sqlite3.Connection, expression: str) -> str:
    """``expression`` ordered by code point, as SQLite orders text, whatever the
    PostgreSQL database's collation (en_US would order "a-b" and "ab" otherwise)."""
    return f'{expression} COLLATE "C"' if is_postgres(conn) else expression


def like(conn: sqlite3.Connection) -> str:
    """SQLite's LIKE ignores the case of ASCII letters; PostgreSQL's needs ILIKE to."""
    return like_operator(dialect_of(conn))


def like_operator(dialect: str) -> str:
    return "ILIKE" if dialect == POSTGRESQL else "LIKE"


def joined_words(conn: sqlite3.Connection, column: str, order: str) -> str:
    """An aggregate: the values of ``column`` joined by spaces in ``order`` (SQLite
    takes them in the order its subquery gives them)."""
    if is_postgres(conn):
        return f"string_agg({column}, ' ' ORDER BY {byte_order(conn, order)})"
    return f"group_concat({column}, ' ')"


def begin_snapshot(conn: sqlite3.Connection) -> str:
    """The statement opening a read transaction in which every query sees the same
    moment (PostgreSQL's default isolation gives each statement its own)."""
    if is_postgres(conn):
        return "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
    return "BEGIN"


def columns_of(conn: sqlite3.Connection, table: str) -> list[str]:
    """The stored columns of ``table``, in the table's order (PostgreSQL's generated
    search column is derived, never written)."""
    if is_postgres(conn):
        rows = conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ?"
            " AND table_schema = current_schema() AND is_generated = 'NEVER'"
            " ORDER BY ordinal_position",
            (table,),
        )
        return [str(row[0]) for row in rows]
    return [str(row[1]) for row in conn.execute(f"PRAGMA table_info({table})")]


def stream(conn: sqlite3.Connection, sql: str) -> Iterator[Sequence[Any]]:
    """The rows of a query as they are read, never all held at once (sqlite3's cursor
    reads as it goes; on PostgreSQL, a server-side cursor inside the transaction)."""
    if is_postgres(conn):
        return cast("PostgresConnection", conn).stream(sql)
    return conn.execute(sql)


def first_free_id(conn: sqlite3.Connection, table: str) -> int:
    """The id after the highest in ``table``, for rows given their ids explicitly; call
    inside the write transaction that inserts them (one writer at a time, on both
    engines: see pkm.storage.postgres.WRITE_LOCK), then :func:`ids_given`."""
    return int(conn.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchone()[0])


def ids_given(conn: sqlite3.Connection, table: str) -> None:
    """After rows were inserted with explicit ids: PostgreSQL's sequence of ``table``
    moves past them, so a row inserted without an id gets a free one."""
    if is_postgres(conn):
        conn.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
            f" coalesce(max(id), 0) + 1, false) FROM {table}"
        )
