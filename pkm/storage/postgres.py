"""Opening a team store on a PostgreSQL server: checks, migrations on demand, errors.

Imported only for a ``postgresql://`` store, so that the SQLite path never loads psycopg.
Every failure to reach or use the server is one :class:`StoreError` line that names the
server (never the password) and says what the user can do.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, cast
from urllib.parse import unquote, urlsplit

from pkm.errors import NotAStoreError, ScanInProgressError, StoreError

if TYPE_CHECKING:
    import sqlite3

    import psycopg

# The oldest release its project still supports (13 reached its end of life in 2025).
MIN_SERVER_VERSION = 140000
URL_SCHEMES = ("postgresql", "postgres")
# Keys of the session-level advisory locks pkm takes on a server (any 64-bit integers,
# fixed so that every pkm agrees): migrating a store, and a scan writing it.
MIGRATION_LOCK = 0x706B6D00_0000_0001
SCAN_LOCK = 0x706B6D00_0000_0002
# The transaction-level lock every write transaction takes first, as SQLite's BEGIN
# IMMEDIATE takes its one write lock: pkm's read-change-writes (a note appended, a tag's
# entries' tags_text, a URL looked up then saved, max(id) + 1) stay atomic with several
# writers, as on SQLite. Readers never wait for it.
WRITE_LOCK = 0x706B6D00_0000_0003
CONNECT_TIMEOUT_S = 10


def is_postgres_url(location: str) -> bool:
    return location.split("://", 1)[0].split("+", 1)[0] in URL_SCHEMES


def describe_server(url: str) -> str:
    """``user@host:port/database`` of a URL, without its password."""
    parts = urlsplit(url)
    user = f"{unquote(parts.username)}@" if parts.username else ""
    port = f":{parts.port}" if parts.port else ""
    return f"{user}{parts.hostname or 'localhost'}{port}{parts.path or '/'}"


def _driver_url(url: str) -> str:
    """The URL as libpq takes it (SQLAlchemy's ``postgresql+psycopg://`` form too)."""
    scheme, rest = url.split("://", 1)
    return f"postgresql://{rest}" if scheme.split("+", 1)[0] in URL_SCHEMES else url


def sqlalchemy_url(url: str) -> str:
    return "postgresql+psycopg://" + _driver_url(url).split("://", 1)[1]


def _connection_error(exc: Exception, where: str) -> StoreError:
    message = str(exc)
    if "password authentication failed" in message or "no password supplied" in message:
        return StoreError(f"the PostgreSQL server refused the login {where}: wrong password")
    if "does not exist" in message and "database" in message:
        return StoreError(
            f"there is no such database on the PostgreSQL server: {where} (create it first)"
        )
    if "role" in message and "does not exist" in message:
        return StoreError(f"the PostgreSQL server knows no such user: {where}")
    if "Connection refused" in message:
        return StoreError(f"cannot reach the PostgreSQL server {where}: connection refused")
    if "resolve host" in message or "translate host name" in message:
        return StoreError(f"cannot reach the PostgreSQL server {where}: host not found")
    if "timeout" in message.lower():
        return StoreError(f"cannot reach the PostgreSQL server {where}: it did not answer")
    first = re.sub(r"\s+", " ", message.split("\n", 1)[0]).strip()
    return StoreError(f"cannot open the PostgreSQL store {where}: {first}")


def check_server_version(version: int, where: str) -> None:
    if version < MIN_SERVER_VERSION:
        major = version // 10000
        raise StoreError(
            f"the PostgreSQL server {where} runs version {major}; pkm needs 14 or newer"
        )


def connect(url: str) -> psycopg.Connection[tuple[object, ...]]:
    """A connection in autocommit mode (writes take their transaction explicitly), to a
    server recent enough for pkm."""
    where = describe_server(url)
    try:
        import psycopg
    except ImportError:  # the driver is an extra: a SQLite install lacks it
        raise StoreError(
            f"the store {where} is on a PostgreSQL server, and pkm needs its driver for that:"
            " pip install 'pkm[postgres]'"
        ) from None

    try:
        conn = psycopg.connect(
            _driver_url(url),
            autocommit=True,
            connect_timeout=CONNECT_TIMEOUT_S,
            application_name="pkm",
        )
    except psycopg.Error as exc:
        raise _connection_error(exc, where) from None
    try:
        check_server_version(conn.info.server_version, where)
    except BaseException:
        conn.close()
        raise
    return conn


def schema_version(conn: psycopg.Connection[tuple[object, ...]], where: str) -> str | None:
    """The Alembic revision of the store; None for an empty database. A database whose
    tables pkm did not make is refused."""
    tables = {
        str(row[0])
        for row in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        )
    }
    if "alembic_version" not in tables:
        if tables:
            raise NotAStoreError(
                f"not a pkm store: the database {where} holds tables pkm did not make"
            )
        return None
    row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    return str(row[0]) if row else None


def _ensure_unaccent(conn: psycopg.Connection[tuple[object, ...]], url: str) -> None:
    """Search folds accents through the unaccent extension; a database without it, and
    a user who may not add it, are told what to run."""
    import psycopg

    if conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'unaccent'").fetchone():
        return
    try:
        conn.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    except psycopg.Error:
        where = describe_server(url)
        database = urlsplit(url).path.lstrip("/") or "it"
        raise StoreError(
            f"the PostgreSQL database {where} lacks the unaccent extension that pkm's search"
            f" needs: run `CREATE EXTENSION unaccent;` in {database} as a superuser (it ships"
            " with PostgreSQL's contrib modules)"
        ) from None


def open_store(
    url: str, head: str, *, create: bool = True
) -> psycopg.Connection[tuple[object, ...]]:
    """Open the store in the database at ``url``, creating (unless not ``create``) or
    upgrading its schema to ``head`` under an advisory lock (two pkm starting at once
    migrate once)."""
    where = describe_server(url)
    conn = connect(url)  # first: it says what to install when the driver is missing
    import psycopg

    try:
        version = schema_version(conn, where)
        if version is None and not create:
            raise StoreError(f"no pkm store in the PostgreSQL database {where}")
        if version != head:
            conn.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK,))
            try:
                version = schema_version(conn, where)
                if version != head:
                    _ensure_unaccent(conn, url)
                    _migrate(url, version, where)
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK,))
            if schema_version(conn, where) != head:
                raise StoreError(f"the store {where} is at an unknown schema version")
    except psycopg.Error as exc:
        conn.close()
        raise _connection_error(exc, where) from None
    except BaseException:
        conn.close()
        raise
    return conn


def _migrate(url: str, version: str | None, where: str) -> None:
    from alembic import command

    from pkm.storage.db import alembic_config

    try:
        command.upgrade(alembic_config(sqlalchemy_url(url)), "head")
    except Exception as exc:  # Alembic and the driver raise many kinds; report one line.
        if version is not None and "Can't locate revision" in str(exc):
            raise StoreError(
                f"the store {where} was made by a newer pkm (schema {version}); upgrade pkm"
            ) from None
        first = re.sub(r"\s+", " ", str(exc).split("\n", 1)[0]).strip()
        raise StoreError(f"cannot prepare the store {where}: {first}") from None


# ``INSERT INTO table (columns) VALUES (?, …)`` with nothing else: what executemany loads
# with COPY, each row a statement of its own otherwise (a 100,000-bookmark import spent
# three quarters of its time so).
_PLAIN_INSERT = re.compile(r"INSERT INTO (\w+) \(([\w\s,]+)\) VALUES \(\?(?:, \?)*\)")
# Rows a server-side cursor fetches at a time, and the names such cursors are given.
STREAM_BATCH = 2_000
_cursor_numbers = itertools.count()

# ``?`` and ``:name`` become psycopg's ``%s`` and ``%(name)s``, but not inside quoted
# strings and identifiers; every literal ``%`` is doubled, quoted or not (psycopg reads
# the whole statement). ``::`` (a cast) is left alone.
_SQL_TOKEN = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|::|\?|:([A-Za-z_]\w*)|%")


def _pyformat(match: re.Match[str]) -> str:
    token = match.group(0)
    if token == "?":
        return "%s"
    if token == "%":
        return "%%"
    if match.group(1):
        return f"%({match.group(1)})s"
    return token.replace("%", "%%")


@functools.lru_cache(maxsize=1024)
def to_pyformat(sql: str) -> str:
    """pkm's storage SQL (sqlite3's ``?`` and ``:name`` placeholders) as psycopg takes it."""
    return _SQL_TOKEN.sub(_pyformat, sql)


class PostgresConnection:
    """A psycopg connection behind the part of sqlite3's interface that pkm's storage
    uses, so that one repository serves both engines; a driver error is a StoreError
    naming the server."""

    dialect = "postgresql"

    def __init__(self, conn: psycopg.Connection[tuple[object, ...]], where: str) -> None:
        self._conn = conn
        self.where = where
        # The role the server knows this connection by: on a team store, a person's own.
        self.role = str(conn.execute("SELECT current_user").fetchone()[0])  # type: ignore[index]

    def execute(
        self, sql: str, params: Sequence[object] | Mapping[str, object] = ()
    ) -> psycopg.Cursor[tuple[object, ...]]:
        import psycopg

        try:
            if sql == "BEGIN IMMEDIATE":  # a write transaction, its lock taken up front
                self._conn.execute("BEGIN")
                return self._conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
            if not params:  # psycopg reads no placeholders then: a literal % stays one
                return self._conn.execute(sql)
            return self._conn.execute(to_pyformat(sql), params)
        except psycopg.Error as exc:
            raise self._error(exc) from None

    def executemany(
        self, sql: str, rows: Iterable[Sequence[object] | Mapping[str, object]]
    ) -> psycopg.Cursor[tuple[object, ...]]:
        import psycopg

        plain = _PLAIN_INSERT.fullmatch(sql)
        if plain is not None:  # a bulk load: COPY, not a statement per row
            columns = [name.strip() for name in plain.group(2).split(",")]
            self.copy_rows(plain.group(1), columns, cast("Iterable[Sequence[object]]", rows))
            return self._conn.cursor()
        cursor = self._conn.cursor()
        try:
            cursor.executemany(to_pyformat(sql), rows)
        except psycopg.Error as exc:
            raise self._error(exc) from None
        return cursor

    def stream(self, sql: str) -> Iterator[tuple[object, ...]]:
        """The rows of a query as they are read, a batch at a time through a server-side
        cursor (inside the caller's transaction; outside one, all at once)."""
        import psycopg

        if not self.in_transaction:
            yield from self.execute(sql)
            return
        try:
            with self._conn.cursor(name=f"pkm_stream_{next(_cursor_numbers)}") as cursor:
                cursor.itersize = STREAM_BATCH
                cursor.execute(sql)
                yield from cursor
        except psycopg.Error as exc:
            raise self._error(exc) from None

    def copy_rows(
        self, table: str, columns: Sequence[str], rows: Iterable[Sequence[object]]
    ) -> int:
        """Insert ``rows`` of ``columns`` into ``table`` with COPY, the server's bulk load;
        how many."""
        import psycopg

        count = 0
        try:
            with self._conn.cursor() as cursor:
                with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                        count += 1
        except psycopg.Error as exc:
            raise self._error(exc) from None
        return count

    @property
    def in_transaction(self) -> bool:
        from psycopg.pq import TransactionStatus

        # A connection lost mid-transaction holds none any more (UNKNOWN): nothing to roll back.
        status = self._conn.info.transaction_status
        return status in (TransactionStatus.INTRANS, TransactionStatus.INERROR)

    def close(self) -> None:
        self._conn.close()

    def _error(self, exc: Exception) -> StoreError:
        import psycopg

        first = re.sub(r"\s+", " ", str(exc).split("\n", 1)[0]).strip()
        if self._conn.closed or isinstance(exc, psycopg.OperationalError):
            return StoreError(f"lost the connection to the PostgreSQL store {self.where}: {first}")
        return StoreError(f"store error on {self.where}: {first}")


def open_connection(url: str, *, create: bool = True) -> PostgresConnection:
    """The store in the database at ``url``, opened (created, unless not ``create``, or
    upgraded as needed) as the storage layer uses it."""
    from pkm.storage.db import HEAD_REVISION

    conn = open_store(url, HEAD_REVISION, create=create)
    return PostgresConnection(conn, describe_server(url))


@contextmanager
def scan_lock(conn: sqlite3.Connection) -> Iterator[None]:
    """Held for the whole scan of a store, by its connection's session: the server
    drops it when the connection or the process ends, as the kernel drops SQLite's."""
    if not conn.execute("SELECT pg_try_advisory_lock(?)", (SCAN_LOCK,)).fetchone()[0]:
        raise ScanInProgressError(
            "another scan is running on this store; try again when it has finished"
        )
    try:
        yield
    finally:
        # A connection lost in the scan took its lock with it: the scan's own error counts.
        with suppress(StoreError):
            conn.execute("SELECT pg_advisory_unlock(?)", (SCAN_LOCK,))
