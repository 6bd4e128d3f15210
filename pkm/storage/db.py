"""Opening a store: file checks, pragmas, schema version, migrations on demand; and the
one edge where driver errors become :class:`~pkm.errors.StoreError`.

The schema version is read with one cheap query; Alembic (about a second to
import) is loaded only when the store is new or older than this pkm.

Nothing outside ``pkm.storage`` sees a ``sqlite3.Error``: every public method of a
:class:`Repository` and every storage function the rest of pkm calls is wrapped by
:func:`wrap_exceptions` (generators and context managers translate inside, with
:func:`translating`), which turns the driver's error into one line naming the store
(:func:`describe_error`), as lemon24/reader's storage does.
"""

from __future__ import annotations

import fcntl
import functools
import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from types import FunctionType
from typing import TYPE_CHECKING, Any, ParamSpec, Protocol, TypeVar

from pkm.errors import NotAStoreError, StoreError
from pkm.storage.dialect import is_postgres

if TYPE_CHECKING:
    from alembic.config import Config

P = ParamSpec("P")
R = TypeVar("R")


# What the use cases are handed to write with: each call opens one write transaction.
Write = Callable[[], AbstractContextManager[object]]


class SqlCursor(Protocol):
    def fetchone(self) -> Any: ...
    def __iter__(self) -> Iterator[Any]: ...
    def close(self) -> None: ...


class SqlConnection(Protocol):
    """What both engines' connections offer (sqlite3's, and PostgresConnection)."""

    def execute(self, sql: str, params: Sequence[Any] = ..., /) -> SqlCursor: ...


class Connection(sqlite3.Connection):
    """A connection to a pkm store; it knows the store's file, which error messages name.
    (The modules outside pkm.storage name the connection by this type, not the driver;
    a PostgreSQL store's :class:`~pkm.storage.postgres.PostgresConnection` serves the
    same part of its interface, and says ``postgresql``.)"""

    path: Path | None = None
    dialect = "sqlite"


def describe_error(exc: sqlite3.Error, path: Path | None) -> str:
    """One line for a driver error, naming the store and what the user can do."""
    store = f"the store {path}" if path else "the store"
    message = str(exc)
    if "locked" in message or "busy" in message:
        return f"{store} is busy (another pkm is writing); try again"
    if "readonly" in message:
        return f"{store} is read-only"
    if "full" in message:
        return f"no space left for {store}"
    if "disk I/O" in message:
        return f"cannot write {store} (disk I/O error; is the disk full?)"
    code = getattr(exc, "sqlite_errorname", "")
    if code in ("SQLITE_CORRUPT", "SQLITE_NOTADB") or any(
        sign in message for sign in ("malformed", "vtable constructor failed", "not a database")
    ):
        return f"{store} is damaged; restore it from a backup (pkm restore)"
    return f"store error on {path}: {message}" if path else f"store error: {message}"


def _store_error(exc: sqlite3.Error, holder: object) -> StoreError:
    """``exc`` as a StoreError; ``holder`` is a connection or a repository holding one."""
    conn = getattr(holder, "_conn", holder)
    return StoreError(describe_error(exc, getattr(conn, "path", None)))


def wrap_exceptions(func: Callable[P, R]) -> Callable[P, R]:
    """``func``, raising a driver error as StoreError; its first argument is the
    connection, or (a method) a repository holding it as ``_conn``."""

    @functools.wraps(func)
    def call(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except sqlite3.Error as exc:
            raise _store_error(exc, args[0]) from None

    return call


@contextmanager
def translating(conn: sqlite3.Connection) -> Iterator[None]:
    """A driver error inside the block is raised as StoreError."""
    try:
        yield
    except sqlite3.Error as exc:
        raise _store_error(exc, conn) from None


class Repository:
    """What the rest of pkm reads and writes the store through: every public method of a
    subclass is wrapped by :func:`wrap_exceptions`."""

    _conn: sqlite3.Connection

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        for name, value in list(vars(cls).items()):
            if isinstance(value, FunctionType) and not name.startswith("_"):
                setattr(cls, name, wrap_exceptions(value))


# The newest migration in migrations/versions; tests/test_migrations.py keeps it honest.
HEAD_REVISION = "0008"
BUSY_TIMEOUT_MS = 15_000
_SQLITE_MAGIC = b"SQLite format 3\x00"


def migrations_dir() -> Path:
    """Shipped inside the wheel as pkm/_migrations; in a checkout, beside the package."""
    here = Path(__file__).resolve().parent.parent
    shipped = here / "_migrations"
    return shipped if shipped.is_dir() else here.parent / "migrations"


def _check_file(path: Path) -> bool:
    """Whether the store can be written; raises when it cannot even be read."""
    if path.is_dir():
        raise StoreError(f"store path is a directory: {path}")
    if not path.exists():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            reason = exc.strerror or exc
            raise StoreError(f"cannot create the store folder {path.parent}: {reason}") from None
        if not os.access(path.parent, os.W_OK):
            raise StoreError(f"cannot write the store folder {path.parent}")
        return True
    if not os.access(path, os.R_OK):
        raise StoreError(f"store is not readable: {path}")
    # WAL mode writes -wal and -shm files beside the store: the folder must be writable too.
    writable = os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)
    if path.stat().st_size == 0:
        if not writable:
            raise StoreError(f"store is empty and read-only: {path}")
        return True
    with path.open("rb") as handle:
        header = handle.read(len(_SQLITE_MAGIC))
    if header != _SQLITE_MAGIC:
        raise NotAStoreError(f"not a pkm store (not an SQLite database): {path}")
    return writable


def _read_only_uri(path: Path) -> str:
    """A read-only store is opened as immutable (no -shm or lock files, which a read-only
    folder could not hold), unless a write-ahead log holds changes not yet in the file."""
    wal = Path(f"{path}-wal")
    immutable = not (wal.exists() and wal.stat().st_size > 0)
    return f"{path.resolve().as_uri()}?mode=ro{'&immutable=1' if immutable else ''}"


def connect(path: Path) -> tuple[Connection, bool]:
    """A connection in autocommit mode (writes go through :func:`transaction`), and
    whether it is read-only: a store pkm may not write is still read.

    The file is checked to be a pkm store (or new) before anything is written to it,
    so a foreign file given by mistake is left exactly as it was.
    """
    writable = _check_file(path)
    try:
        conn = sqlite3.connect(
            path if writable else _read_only_uri(path),
            timeout=BUSY_TIMEOUT_MS / 1000,
            isolation_level=None,
            uri=not writable,
            factory=Connection,
        )
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open store {path}: {exc}") from None
    conn.path = path
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        schema_version(conn)
        if not writable:
            return conn, True
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = NORMAL")
    except NotAStoreError as exc:
        conn.close()
        raise NotAStoreError(f"{exc}: {path}") from None
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise NotAStoreError(f"cannot open store {path}: {exc}") from None
    except BaseException:
        conn.close()
        raise
    if mode != "wal":
        conn.close()
        raise StoreError(f"cannot use write-ahead logging on {path} (journal mode {mode})")
    return conn, False


@wrap_exceptions
def schema_version(conn: sqlite3.Connection) -> str | None:
    """The Alembic revision of the store; None for an empty store.

    A database with tables but no Alembic version table was not made by pkm.
    """
    if is_postgres(conn):  # opened by pkm.storage.postgres, which checked what it holds
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        return str(row[0]) if row else None
    try:
        row = conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
        ).fetchone()
        if row is None:
            if conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                raise NotAStoreError("not a pkm store: it holds tables pkm did not make")
            return None
        version = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as exc:
        raise NotAStoreError(f"not a pkm store: {exc}") from None
    return str(version[0]) if version else None


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    # A sidecar file: locking the database file itself would let our close()
    # drop SQLite's own POSIX locks on it.
    with open(f"{path}.lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def alembic_config(url: str) -> Config:
    """pkm's migrations, pointed at the database at the SQLAlchemy ``url``."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.set_main_option("sqlalchemy.url", url)
    return config


def upgrade(path: Path, revision: str = "head") -> None:
    """Bring the store at ``path`` to ``revision`` with Alembic."""
    from alembic import command

    command.upgrade(alembic_config(f"sqlite:///{path}"), revision)


def open_store(path: Path) -> Connection:
    """Open (creating or upgrading as needed) the store at ``path``; see :func:`open_any`."""
    conn, read_only = open_any(path)
    if read_only:
        conn.close()
        raise StoreError(f"store is read-only: {path}")
    return conn


def open_any(
    path: Path, progress: Callable[[int, int], None] | None = None
) -> tuple[Connection, bool]:
    """Open the store at ``path``, and whether it is read-only; a writable store is
    created or upgraded as needed, a read-only one must be at this pkm's schema.

    When a migration left the search index to be filled again, it is filled here,
    reporting ``(done, total)`` entries to ``progress``.
    """
    from pkm.storage import fts_index  # here: it builds on this module's transaction()

    conn, read_only = connect(path)
    try:
        version = schema_version(conn)
        if read_only and version != HEAD_REVISION:
            raise StoreError(
                f"store {path} is read-only and at schema {version}, older than this pkm's"
                f" {HEAD_REVISION}: make it writable once so that pkm can upgrade it"
            )
        if version != HEAD_REVISION:
            with _file_lock(path):
                version = schema_version(conn)
                if version != HEAD_REVISION:
                    _migrate(path, version)
            if schema_version(conn) != HEAD_REVISION:
                raise StoreError(f"store {path} is at an unknown schema version")
        if read_only and fts_index.rebuild_pending(conn):
            raise StoreError(
                f"store {path} is read-only and its search index is still to be rebuilt:"
                " make it writable once so that pkm can finish it"
            )
        if not read_only:
            fts_index.finish_rebuild(conn, progress)
    except sqlite3.Error as exc:
        conn.close()
        raise StoreError(describe_error(exc, path)) from None
    except BaseException:
        conn.close()
        raise
    return conn, read_only


def _migrate(path: Path, version: str | None) -> None:
    try:
        upgrade(path)
    except Exception as exc:  # Alembic and the driver raise many kinds; report one line.
        if version is not None and "Can't locate revision" in str(exc):
            raise StoreError(
                f"store {path} was made by a newer pkm (schema {version}); upgrade pkm"
            ) from None
        driver_error = getattr(exc, "orig", None)  # what SQLAlchemy wrapped
        if isinstance(driver_error, sqlite3.Error):
            raise StoreError(describe_error(driver_error, path)) from None
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise StoreError(f"cannot prepare store {path}: {reason}") from None


def close(conn: sqlite3.Connection) -> None:
    """Close the store's connection (SQLite may refuse, e.g. from another thread)."""
    with translating(conn):
        conn.close()


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction, taken up front so a busy store waits instead of failing later."""
    with translating(conn):
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            # After some failures (a full disk) SQLite has rolled back already.
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")


@contextmanager
def checkpoints_every(conn: sqlite3.Connection, pages: int) -> Iterator[None]:
    """While the block runs, SQLite copies its write-ahead log into the store every
    ``pages`` pages; after it, at the usual interval, and once at once (as far as
    readers allow). PostgreSQL's server checkpoints by itself."""
    if is_postgres(conn):
        yield
        return
    with translating(conn):
        default = int(conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0])
        conn.execute(f"PRAGMA wal_autocheckpoint = {int(pages)}")
        try:
            yield
        finally:
            conn.execute(f"PRAGMA wal_autocheckpoint = {default}")
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
