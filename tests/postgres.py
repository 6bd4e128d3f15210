"""A fresh PostgreSQL database per test, on the server named by ``PKM_TEST_POSTGRES``.

The server is the one `.ci/run` starts (`.ci/postgres start DIR PORT` prints its URL).
Without the variable the PostgreSQL half of the suite is skipped, except under CI,
where a missing server is a failure: a green CI must have run both engines.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import pytest

_numbers = itertools.count()


def server_url() -> str:
    url = os.environ.get("PKM_TEST_POSTGRES")
    if url:
        return url
    if os.environ.get("CI"):
        pytest.fail("PKM_TEST_POSTGRES is not set: CI must run the suite on PostgreSQL too")
    pytest.skip("PostgreSQL: set PKM_TEST_POSTGRES to a server URL (see .ci/postgres)")


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


@contextmanager
def fresh_database() -> Iterator[str]:
    """The URL of an empty database on the test server, dropped at the end."""
    import psycopg

    url = server_url()
    name = f"pkm_t{os.getpid()}_{next(_numbers)}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name}")
    try:
        yield _with_database(url, name)
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def postgres_db() -> Iterator[str]:
    """The URL of an empty database, dropped after the test."""
    with fresh_database() as url:
        yield url


def sqlalchemy_url(url: str) -> str:
    """The URL SQLAlchemy (and so Alembic) takes for psycopg 3."""
    scheme, rest = url.split("://", 1)
    return f"postgresql+psycopg://{rest}" if scheme in ("postgresql", "postgres") else url
