"""A store on either engine through the whole CLI: tags, several pkm at once, and (on
PostgreSQL) a connection lost in the middle of an import."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from conftest import RunCli, store_rows
from httpserver import LocalServer

from pkm import Pkm
from pkm.transfer import IMPORT_BATCH


def _json(cli: RunCli, *args: str) -> object:
    result = cli(*args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def _netscape(path: Path, count: int, *, host: str = "a.example", tag: str = "bulk") -> Path:
    lines = ["<!DOCTYPE NETSCAPE-Bookmark-file-1>", "<DL><p>"]
    lines += [
        f'<DT><A HREF="https://{host}/page/{i}" ADD_DATE="1600000000" TAGS="{tag}">Page {i}</A>'
        for i in range(count)
    ]
    path.write_text("\n".join([*lines, "</DL><p>", ""]))
    return path


def _pkm(*args: str) -> subprocess.Popen[str]:
    """The real pkm in its own process, on the test's store (``PKM_DB``)."""
    return subprocess.Popen(
        [sys.executable, "-m", "pkm", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )


@pytest.mark.usefixtures("engine")
def test_tags_are_listed_renamed_merged_and_deleted(cli: RunCli) -> None:
    for url, tags in (
        ("https://a.example/1", ["Zebra", "apple"]),
        ("https://a.example/2", ["apple", "Beta"]),
        ("https://a.example/3", ["beta-two"]),
    ):
        args = [arg for tag in tags for arg in ("-t", tag)]
        assert cli("save", url, "--no-fetch", *args).exit_code == 0
    by_name = _json(cli, "tags")
    assert by_name == [
        {"name": "apple", "count": 2},
        {"name": "Beta", "count": 1},
        {"name": "beta-two", "count": 1},
        {"name": "Zebra", "count": 1},
    ]
    by_count = _json(cli, "tags", "--sort", "count")
    assert isinstance(by_count, list) and by_count[0] == {"name": "apple", "count": 2}
    merged = cli("tags", "rename", "beta-two", "BETA")
    assert merged.exit_code == 0, merged.stderr
    shown = _json(cli, "show", "3")
    assert isinstance(shown, dict) and shown["tags"] == ["Beta"]
    assert cli("tags", "rename", "apple", "Apples").exit_code == 0
    shown = _json(cli, "show", "1")
    assert isinstance(shown, dict) and shown["tags"] == ["Apples", "Zebra"]
    deleted = cli("tags", "delete", "beta")
    assert deleted.exit_code == 0, deleted.stderr
    assert _json(cli, "tags") == [{"name": "Apples", "count": 2}, {"name": "Zebra", "count": 1}]
    assert cli("tags", "rename", "no-such-tag", "x").exit_code == 1


@pytest.mark.usefixtures("engine")
def test_imports_running_at_once_give_every_bookmark_its_own_id(tmp_path: Path) -> None:
    files = [
        _netscape(tmp_path / f"{n}.html", 3000, host=f"h{n}.example", tag=f"t{n}") for n in range(3)
    ]
    # One store opened first: three new pkm at once would race to make it on SQLite.
    assert subprocess.run([sys.executable, "-m", "pkm", "tags"], check=False).returncode == 0
    runs = [_pkm("import", str(file)) for file in files]
    results = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0], results
    assert all("Imported 3000, merged 0" in out for out, _ in results)
    rows = store_rows("SELECT id, url FROM entries")
    assert len(rows) == 9000 and len({row["id"] for row in rows}) == 9000
    assert sorted(int(str(row["id"])) for row in rows) == list(range(1, 9001))


def _count(url: str, table: str) -> int:
    """How many rows ``table`` of the store at ``url`` holds (none while pkm makes it)."""
    with psycopg.connect(url) as conn:
        try:
            row = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
        except psycopg.errors.UndefinedTable:
            return 0
        return int(row[0]) if row else 0


def test_a_connection_lost_mid_import_is_one_line_and_keeps_committed_batches(
    postgres_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    total = 12 * IMPORT_BATCH
    big = _netscape(tmp_path / "big.html", total)
    monkeypatch.setenv("PKM_DB", postgres_db)
    run = _pkm("import", str(big))
    deadline = time.monotonic() + 120
    try:
        while _count(postgres_db, "entries") < IMPORT_BATCH:
            assert run.poll() is None and time.monotonic() < deadline, run.communicate()
            time.sleep(0.05)
        _end_pkm_sessions(postgres_db)
        out, err = run.communicate(timeout=60)
    finally:
        run.kill()
    assert run.returncode == 1, (out, err)
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("pkm: error: lost the connection to the PostgreSQL store postgres@")
    assert "pkm-test" not in err  # the password stays out
    kept = _count(postgres_db, "entries")
    assert 0 < kept < total and kept % IMPORT_BATCH == 0  # whole batches, each committed
    again = _pkm("import", str(big))
    out, err = again.communicate(timeout=300)
    assert again.returncode == 0, err
    assert f"Imported {total - kept}, merged {kept}, skipped 0" in out
    assert _count(postgres_db, "entries") == total


def _feed(number: int) -> str:
    items = "".join(
        f"<item><title>Post {number}-{n}</title><link>https://f{number}.example/{n}</link></item>"
        for n in range(20)
    )
    return f'<rss version="2.0"><channel><title>F{number}</title>{items}</channel></rss>'


def _end_pkm_sessions(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as admin:
        ended = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND application_name = 'pkm'",
            (url.rsplit("/", 1)[1],),
        ).fetchall()
    assert ended == [(True,)]


def test_a_connection_lost_mid_scan_is_one_line_and_keeps_the_feeds_stored(
    postgres_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PKM_DB", postgres_db)
    feeds = 10
    with LocalServer() as server:
        with Pkm.open() as store:
            for n in range(feeds):  # answering one after another: the scan is cut midway
                url = server.url(f"/{n}.rss")
                server.route(f"/{n}.rss", _feed(n), content_type="text/xml", delay=0.3 * n)
                assert store.add_feed(url, fetch=False).created
        run = _pkm("scan")
        try:
            deadline = time.monotonic() + 60
            while _count(postgres_db, "items") < 40:
                assert run.poll() is None and time.monotonic() < deadline, run.communicate()
                time.sleep(0.05)
            _end_pkm_sessions(postgres_db)
            out, err = run.communicate(timeout=60)
        finally:
            run.kill()
        assert run.returncode == 1, (out, err)
        assert err.count("\n") == 1 and "Traceback" not in err
        assert err.startswith("pkm: error: lost the connection to the PostgreSQL store postgres@")
        kept = _count(postgres_db, "items")
        assert 40 <= kept < 20 * feeds and kept % 20 == 0  # whole feeds, each committed
        again = _pkm("scan")
        out, err = again.communicate(timeout=120)
        assert again.returncode == 0, err
    assert _count(postgres_db, "items") == 20 * feeds
