"""The schema is made only by Alembic migrations, and they match the models."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from pkm.errors import NotAStoreError, StoreError
from pkm.storage.db import HEAD_REVISION, migrations_dir, open_store, schema_version
from pkm.storage.models import Base, is_fts_table


def _script() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    return ScriptDirectory.from_config(config)


def test_head_constant_matches_the_newest_migration() -> None:
    assert _script().get_current_head() == HEAD_REVISION


def test_empty_store_upgraded_to_head_matches_the_models(db_path: Path) -> None:
    open_store(db_path).close()
    engine = create_engine(f"sqlite:///{db_path}")
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "include_name": lambda name, type_, parents: (
                    not (type_ == "table" and is_fts_table(name))
                )
            },
        )
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert diff == []


def test_store_settings(db_path: Path) -> None:
    conn = open_store(db_path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    assert schema_version(conn) == HEAD_REVISION
    conn.close()


def test_every_migration_downgrades_and_upgrades_again(db_path: Path) -> None:
    from pkm.storage.db import upgrade

    open_store(db_path).close()
    from alembic import command

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.set_main_option("sqlalchemy.url", f"sqlite:///{db_path}")
    command.downgrade(config, "base")
    conn = sqlite3.connect(db_path)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    conn.close()
    assert tables == {"alembic_version"}
    upgrade(db_path)
    open_store(db_path).close()


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
