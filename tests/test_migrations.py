"""The schema is made only by Alembic migrations, and they match the models."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from postgres import sqlalchemy_url
from sqlalchemy import create_engine, inspect

from pkm.errors import NotAStoreError, StoreError
from pkm.storage.db import (
    HEAD_REVISION,
    alembic_config,
    migrations_dir,
    open_store,
    schema_version,
)
from pkm.storage.models import Base, is_search_object


def _script() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    return ScriptDirectory.from_config(config)


def test_head_constant_matches_the_newest_migration() -> None:
    assert _script().get_current_head() == HEAD_REVISION


@pytest.fixture(params=["sqlite", "postgresql"])
def migrated(request: pytest.FixtureRequest, db_path: Path) -> str:
    """The SQLAlchemy URL of an empty store of each engine, upgraded to head."""
    if request.param == "sqlite":
        open_store(db_path).close()
        return f"sqlite:///{db_path}"
    url = sqlalchemy_url(request.getfixturevalue("postgres_db"))
    command.upgrade(alembic_config(url), "head")
    return url


def _schema_difference(url: str) -> list[object]:
    engine = create_engine(url)
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"include_name": lambda name, type_, parents: not is_search_object(name, type_)},
        )
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    return list(diff)


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    names = set(inspect(engine).get_table_names())
    engine.dispose()
    return names


def test_empty_store_upgraded_to_head_matches_the_models(migrated: str) -> None:
    assert _schema_difference(migrated) == []


def test_store_settings(db_path: Path) -> None:
    conn = open_store(db_path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    assert schema_version(conn) == HEAD_REVISION
    conn.close()


def test_every_migration_downgrades_and_upgrades_again(migrated: str) -> None:
    config = alembic_config(migrated)
    command.downgrade(config, "base")
    assert _tables(migrated) == {"alembic_version"}
    command.upgrade(config, "head")
    assert _schema_difference(migrated) == []
    assert {"entries", "archives", "link_checks", "entry_aliases"} <= _tables(migrated)


def test_a_foreign_sqlite_database_is_refused_untouched(tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.execute("INSERT INTO notes VALUES ('keep me')")
    conn.commit()
    conn.close()
    before = other.read_bytes()
    with pytest.raises(NotAStoreError):
        open_store(other)
    assert other.read_bytes() == before


def test_a_store_from_a_newer_pkm_is_refused(db_path: Path) -> None:
    open_store(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="newer pkm"):
        open_store(db_path)
