"""Alembic environment: runs pkm's migrations against one SQLite store."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import Connection, create_engine, event, pool

from pkm.storage.models import Base, is_search_object


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Leave the search index (raw SQL in the migrations) out of autogenerate comparisons."""
    return not is_search_object(name, type_)


def run_migrations() -> None:
    config = context.config
    url = config.get_main_option("sqlalchemy.url")
    if url is None:
        raise RuntimeError("sqlalchemy.url is not set")
    engine = create_engine(url, poolclass=pool.NullPool)

    # Every migration runs in one transaction (the DDL of both engines is transactional),
    # so a migration interrupted halfway leaves the store as it was, not half upgraded.
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _no_implicit_transactions(dbapi_connection: Any, record: object) -> None:
            dbapi_connection.isolation_level = None

        @event.listens_for(engine, "begin")
        def _begin_immediate(connection: Connection) -> None:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=True,
            include_name=include_name,
            transactional_ddl=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations()
