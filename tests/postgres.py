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
def fresh_database(template: str | None = None) -> Iterator[str]:
    """A database of its own on the test server (a copy of ``template``, else empty),
    dropped afterwards; its URL."""
    import psycopg

    url = server_url()
    name = f"pkm_t{os.getpid()}_{next(_numbers)}"
    copy = f" TEMPLATE {template}" if template else ""
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name}{copy}")
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


@pytest.fixture(scope="session")
def _store_template() -> Iterator[str]:
    """A database migrated once to pkm's schema, which each store of a test copies
    (CREATE DATABASE … TEMPLATE takes milliseconds; migrating takes a second or two)."""
    from pkm.storage import postgres
    from pkm.storage.db import HEAD_REVISION

    with fresh_database() as url:
        postgres.open_store(url, HEAD_REVISION).close()
        yield urlsplit(url).path.lstrip("/")


@pytest.fixture
def postgres_store(_store_template: str) -> Iterator[str]:
    """The URL of an empty pkm store at this pkm's schema, dropped after the test."""
    with fresh_database(_store_template) as url:
        yield url


def sqlalchemy_url(url: str) -> str:
    """The URL SQLAlchemy (and so Alembic) takes for psycopg 3."""
    scheme, rest = url.split("://", 1)
    return f"postgresql+psycopg://{rest}" if scheme in ("postgresql", "postgres") else url
