"""Where the store lives: ``--db`` over ``PKM_DB`` over the platform's user data dir."""

from __future__ import annotations

import os
from pathlib import Path

from pkm.errors import StoreError

ENV_VAR = "PKM_DB"
_SQLITE_PREFIXES = ("sqlite:///", "sqlite+pysqlite:///")
# As pkm.storage.postgres.URL_SCHEMES (not imported: a SQLite store loads nothing of it).
_POSTGRES_SCHEMES = ("postgresql", "postgres")


def default_store_path() -> Path:
    from platformdirs import user_data_path

    return user_data_path("pkm", appauthor=False) / "pkm.db"


def store_location(db: str | os.PathLike[str] | None = None) -> Path | str:
    """Resolve a store location: a SQLite file, given as a path or a SQLAlchemy SQLite
    URL, as its path; a PostgreSQL database (``postgresql://USER@HOST:PORT/DB``, a team
    store on a server) as its URL. Other URLs are refused with a clear error."""
    location = os.fspath(db) if db is not None else os.environ.get(ENV_VAR) or None
    if not location:
        return default_store_path()
    if "://" not in location:
        return Path(location).expanduser()
    scheme = location.split("://", 1)[0]
    if scheme.split("+", 1)[0] in _POSTGRES_SCHEMES:
        return location
    for prefix in _SQLITE_PREFIXES:
        if location.startswith(prefix):
            rest = location[len(prefix) :].split("?", 1)[0]
            if not rest or rest == ":memory:":
                raise StoreError(f"a pkm store must be a file, not {location!r}")
            return Path(rest).expanduser()
    raise StoreError(
        f"unsupported store URL {location!r}: pkm stores are SQLite files or PostgreSQL"
        f" databases ({scheme} given)"
    )
