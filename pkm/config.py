"""Where the store lives: ``--db`` over ``PKM_DB`` over the platform's user data dir."""

from __future__ import annotations

import os
from pathlib import Path

from pkm.errors import StoreError

ENV_VAR = "PKM_DB"
_SQLITE_PREFIXES = ("sqlite:///", "sqlite+pysqlite:///")


def default_store_path() -> Path:
    from platformdirs import user_data_path

    return user_data_path("pkm", appauthor=False) / "pkm.db"


def store_path(db: str | os.PathLike[str] | None = None) -> Path:
    """Resolve a store location given as a file path or a SQLAlchemy SQLite URL.

    pkm's search needs SQLite's FTS5, so other databases are refused with a clear error.
    """
    location = os.fspath(db) if db is not None else os.environ.get(ENV_VAR) or None
    if not location:
        return default_store_path()
    if "://" in location:
        for prefix in _SQLITE_PREFIXES:
            if location.startswith(prefix):
                rest = location[len(prefix) :].split("?", 1)[0]
                if not rest or rest == ":memory:":
                    raise StoreError(f"a pkm store must be a file, not {location!r}")
                return Path(rest).expanduser()
        scheme = location.split("://", 1)[0]
        raise StoreError(
            f"unsupported store URL {location!r}: pkm stores are SQLite ({scheme} given)"
        )
    return Path(location).expanduser()
