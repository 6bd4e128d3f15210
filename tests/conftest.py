"""Shared fixtures: an isolated environment per test, a store file, the CLI, a local site."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
from httpserver import LocalServer, local_server  # noqa: F401  (a fixture, re-exported)
from hypothesis import settings
from postgres import (  # noqa: F401  (fixtures, re-exported)
    _store_template,
    fresh_database,
    postgres_db,
    postgres_store,
)
from typer.testing import CliRunner

DATA = Path(__file__).parent / "data"

# In CI every run explores the same examples, so a red build is reproducible and a
# green one is not luck; locally, hypothesis keeps searching for new ones.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")
SITE = DATA / "site"


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test touches the user's real store or config."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("PKM_DB", str(tmp_path / "pkm.db"))
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("NO_COLOR", raising=False)
    # Each test's person is the login name's unless it says (--user, PKM_USER).
    monkeypatch.delenv("PKM_USER", raising=False)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "pkm.db"


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The test's store (``PKM_DB``, which `Pkm.open()` and the CLI read) on each engine:
    the SQLite file of :func:`isolated_env`, then a fresh PostgreSQL database."""
    if request.param == "postgresql":
        monkeypatch.setenv("PKM_DB", request.getfixturevalue("postgres_store"))
    return str(request.param)


@pytest.fixture
def other_store(engine: str, tmp_path: Path) -> Iterator[Callable[[str], str]]:
    """Makes another empty store on the test's engine, for ``--db``: a file named after
    its argument, or a fresh PostgreSQL database."""
    with ExitStack() as stack:

        def make(name: str) -> str:
            if engine == "postgresql":
                return stack.enter_context(fresh_database())
            return str(tmp_path / f"{name}.db")

        yield make


def ids_titled(words: str) -> list[int]:
    """The ids of the entries whose title holds ``words`` (any case), by id: entries found
    without pkm find."""
    rows = store_rows("SELECT id, title FROM entries ORDER BY id")
    return [int(str(r["id"])) for r in rows if words.casefold() in str(r["title"]).casefold()]


def store_rows(sql: str, params: tuple[object, ...] = ()) -> list[dict[str, object]]:
    """Rows of a query on the test's store (``PKM_DB``), on either engine, by column."""
    from pkm import Pkm

    with Pkm.open() as store:
        cursor = store._conn.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def store_write(sql: str, params: tuple[object, ...] = ()) -> None:
    """Change the test's store (``PKM_DB``) behind pkm's back, on either engine."""
    from pkm import Pkm

    with Pkm.open() as store:
        store._conn.execute(sql, params)


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str


RunCli = Callable[..., Run]


@pytest.fixture
def cli() -> RunCli:
    from pkm.cli.app import app

    runner = CliRunner()

    def run(*args: str, input: str | None = None) -> Run:
        result = runner.invoke(app, list(args), input=input)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return Run(result.exit_code, result.stdout, result.stderr)

    return run


@dataclass
class Site:
    """A small web on 127.0.0.1: three feeds (RSS 2.0, Atom, RSS 1.0) and two pages."""

    server: LocalServer

    def url(self, path: str) -> str:
        return self.server.url(path)


TALK_PAGE = """<!doctype html><html><head><title>Keynote: the future of conferences</title>
<meta property="og:description" content="Slides and video of the keynote on hybrid events.">
</head><body><h1>Keynote</h1></body></html>"""

BLOG_HOME = """<!doctype html><html><head><title>Events blog</title>
<link rel="alternate" type="application/rss+xml" title="Events RSS" href="/events.rss">
<link rel="alternate" type="application/atom+xml" title="Notes" href="feeds/notes.atom">
</head><body>Home</body></html>"""


@pytest.fixture
def site() -> Iterator[Site]:
    with LocalServer() as server:
        headers = {"ETag": '"v1"', "Last-Modified": "Sat, 21 Nov 2026 09:00:00 GMT"}
        server.route(
            "/events.rss",
            (SITE / "events.rss").read_bytes(),
            content_type="application/rss+xml",
            headers=headers,
        )
        server.route(
            "/blog/feeds/notes.atom",
            (SITE / "knowledge.atom").read_bytes(),
            content_type="application/atom+xml",
        )
        server.route(
            "/network.rdf", (SITE / "network.rdf").read_bytes(), content_type="application/rdf+xml"
        )
        server.route("/talk", TALK_PAGE, content_type="text/html; charset=utf-8")
        server.route("/blog/", BLOG_HOME, content_type="text/html; charset=utf-8")
        server.route("/broken.rss", b"<rss><channel><title>Broken", content_type="text/xml")
        yield Site(server)
