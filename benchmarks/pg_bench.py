"""The benchmarks' stores on a PostgreSQL server: one fresh database per run.

``--postgres URL`` names a server (any database on it, e.g. the URL `.ci/postgres start`
prints); each run gets a database of its own there, dropped and made again, so that runs
do not share their tables, their caches' contents or their statistics.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit


def database_url(server: str, name: str) -> str:
    """The URL of the database ``name`` on the server of ``server``."""
    return urlunsplit(urlsplit(server)._replace(path=f"/{name}"))


def fresh_database(server: str, name: str) -> str:
    """An empty database ``name`` (dropped first if it was there); its URL."""
    import psycopg

    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {name}")
    return database_url(server, name)


def drop_database(server: str, name: str) -> None:
    import psycopg

    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def count(url: str, sql: str) -> int | None:
    """One number a query on the database at ``url`` gives; None when it fails."""
    import psycopg

    try:
        with psycopg.connect(url) as conn:
            row = conn.execute(sql).fetchone()
    except psycopg.Error:
        return None
    return int(row[0]) if row else None
