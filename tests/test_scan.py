"""Scanning against a real local server: politeness, redirects, retirement, back-off;
on both engines (the store is the ``engine`` fixture's)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from conftest import SITE, RunCli, store_rows
from httpserver import LocalServer

from pkm import Pkm
from pkm.errors import FetchError
from pkm.scan import (
    BACKOFF_CAP_SECONDS,
    MAX_PARSE_WORKERS,
    backoff_seconds,
    parse_workers,
    scan_lock,
)

EVENTS = (SITE / "events.rss").read_bytes()


def _feed_row(feed_id: int) -> dict[str, object]:
    (row,) = store_rows("SELECT * FROM feeds WHERE id = ?", (feed_id,))
    return row


def _titled(words: str) -> list[tuple[object, object]]:
    """(id, title) of the entries whose title holds ``words`` (not a search: a scan's
    test must not hang on pkm find)."""
    rows = store_rows("SELECT id, title FROM entries ORDER BY id")
    return [(r["id"], r["title"]) for r in rows if words in str(r["title"])]


@pytest.fixture
def store(engine: str) -> Iterator[Pkm]:
    with Pkm.open() as store:
        yield store


def _subscribe(store: Pkm, url: str) -> int:
    feed, created, _ = store.add_feed(url, fetch=False)
    assert created
    return feed.id


def test_validators_are_sent_back_and_a_304_parses_nothing(
    store: Pkm, local_server: LocalServer
) -> None:
    headers = {"ETag": '"abc"', "Last-Modified": "Fri, 20 Nov 2026 08:30:00 GMT"}
    local_server.route("/f.rss", EVENTS, headers=headers, content_type="application/rss+xml")
    feed_id = _subscribe(store, local_server.url("/f.rss"))
    first = store.scan()
    assert (first.updated, len(first.new_entries)) == (1, 3)
    second = store.scan()
    assert (second.updated, second.not_modified, len(second.new_entries)) == (0, 1, 0)
    sent = local_server.requests_to("/f.rss")[-1].headers
    assert sent["If-None-Match"] == '"abc"'
    assert sent["If-Modified-Since"] == "Fri, 20 Nov 2026 08:30:00 GMT"
    row = _feed_row(feed_id)
    assert (row["etag"], row["last_status"], row["error_count"]) == ('"abc"', 304, 0)
    # A newer Last-Modified is kept even though the ETag did not change.
    newer = {"ETag": '"abc"', "Last-Modified": "Sat, 21 Nov 2026 08:30:00 GMT"}
    local_server.route("/f.rss", EVENTS, headers=newer, content_type="application/rss+xml")
    store.scan()
    assert _feed_row(feed_id)["last_modified"] == "Sat, 21 Nov 2026 08:30:00 GMT"


def test_identical_body_without_validators_is_not_parsed_again(
    store: Pkm, local_server: LocalServer
) -> None:
    local_server.route("/plain.rss", EVENTS, content_type="text/xml")
    _subscribe(store, local_server.url("/plain.rss"))
    store.scan()
    again = store.scan()
    assert (again.updated, again.not_modified) == (0, 1)


def test_changed_item_is_updated_in_place(store: Pkm, local_server: LocalServer) -> None:
    local_server.route("/f.rss", EVENTS, content_type="text/xml")
    _subscribe(store, local_server.url("/f.rss"))
    store.scan()
    [(hit, _)] = _titled("unconference format")
    changed = EVENTS.replace(b"the unconference format", b"the unconference format, revised")
    local_server.route("/f.rss", changed, content_type="text/xml")
    report = store.scan()
    assert report.updated == 1 and report.new_entries == ()
    [(again, title)] = _titled("unconference format")
    assert again == hit
    assert title == "Conference 2.0: the unconference format, revised"
    assert len(store_rows("SELECT id FROM entries")) == 3


def test_permanent_redirect_updates_the_stored_url(
    store: Pkm, local_server: LocalServer, cli: RunCli
) -> None:
    local_server.route("/new.rss", EVENTS, content_type="text/xml")
    local_server.route("/old.rss", status=301, headers={"Location": local_server.url("/new.rss")})
    feed_id = _subscribe(store, local_server.url("/old.rss"))
    result = cli("scan")
    assert result.exit_code == 0, result.stderr
    assert f"feed {feed_id} now lives at {local_server.url('/new.rss')}" in result.stdout
    assert store.feed(feed_id).url == local_server.url("/new.rss")
    store.scan()
    assert len(local_server.requests_to("/old.rss")) == 1


def test_temporary_redirect_keeps_the_url(store: Pkm, local_server: LocalServer) -> None:
    local_server.route("/new.rss", EVENTS, content_type="text/xml")
    local_server.route("/tmp.rss", status=302, headers={"Location": "/new.rss"})
    feed_id = _subscribe(store, local_server.url("/tmp.rss"))
    assert store.scan().updated == 1
    assert store.feed(feed_id).url == local_server.url("/tmp.rss")


def test_gone_retires_the_feed(store: Pkm, local_server: LocalServer, cli: RunCli) -> None:
    local_server.route("/gone.rss", status=410)
    feed_id = _subscribe(store, local_server.url("/gone.rss"))
    report = store.scan()
    assert report.failed == 1 and report.errors[0].outcome == "retired"
    assert store.feed(feed_id).status == "retired"
    store.scan(force=True)
    assert len(local_server.requests_to("/gone.rss")) == 1
    listed = cli("feeds", "list")
    assert "retired" in listed.stdout and "410" in listed.stdout


def test_retry_after_is_honoured(store: Pkm, local_server: LocalServer) -> None:
    local_server.route("/busy.rss", status=429, headers={"Retry-After": "3600"})
    feed_id = _subscribe(store, local_server.url("/busy.rss"))
    before = int(time.time())
    report = store.scan()
    assert report.failed == 1
    next_try = _feed_row(feed_id)["next_fetch_at"]
    assert isinstance(next_try, int)
    assert before + 3600 <= next_try <= int(time.time()) + 3600
    waiting = store.scan()
    assert waiting.total == 0 and waiting.skipped == 1
    assert "next try" in (waiting.errors[0].error or "")
    assert len(local_server.requests_to("/busy.rss")) == 1
    store.scan(force=True)
    assert len(local_server.requests_to("/busy.rss")) == 2


def test_failing_feed_backs_off_exponentially(store: Pkm, local_server: LocalServer) -> None:
    local_server.route("/err.rss", status=500)
    feed_id = _subscribe(store, local_server.url("/err.rss"))
    delays = []
    for _ in range(3):
        now = int(time.time())
        report = store.scan(force=True)
        assert report.errors[0].error == "HTTP 500 Internal Server Error"
        next_try = _feed_row(feed_id)["next_fetch_at"]
        assert isinstance(next_try, int)
        delays.append(next_try - now)
    assert [round(d / 60) for d in delays] == [30, 60, 120]
    assert _feed_row(feed_id)["error_count"] == 3
    assert store.feed(feed_id).status == "failing"
    # Once it works again everything is reset.
    local_server.route("/err.rss", EVENTS, content_type="text/xml")
    store.scan(force=True)
    row = _feed_row(feed_id)
    assert (row["error_count"], row["next_fetch_at"], row["last_error"]) == (0, None, None)


def test_backoff_is_capped_at_a_day() -> None:
    assert backoff_seconds(1) == 30 * 60
    assert backoff_seconds(6) == 16 * 3600
    assert backoff_seconds(7) == BACKOFF_CAP_SECONDS == backoff_seconds(500)


def test_a_second_scan_is_refused_while_one_runs(store: Pkm, cli: RunCli) -> None:
    with scan_lock(store._conn, store.path):
        result = cli("scan")
        assert cli("tags").exit_code == 0  # reading is never blocked
    assert result.exit_code == 1
    assert result.stderr == (
        "pkm: error: another scan is running on this store; try again when it has finished\n"
    )
    assert cli("scan").exit_code == 0  # the lock went with the scan holding it


def test_adding_a_url_that_is_neither_feed_nor_page(store: Pkm, local_server: LocalServer) -> None:
    local_server.route("/data.bin", b"\x00\x01\x02binary", content_type="application/octet-stream")
    local_server.route(
        "/page", "<html><head><title>x</title></head></html>", content_type="text/html"
    )
    with pytest.raises(FetchError, match="is not a feed"):
        store.add_feed(local_server.url("/data.bin"))
    with pytest.raises(FetchError, match="web page without a feed link"):
        store.add_feed(local_server.url("/page"))
    assert store.feeds() == []


def test_feeds_list_shows_health(store: Pkm, local_server: LocalServer, cli: RunCli) -> None:
    local_server.route("/f.rss", EVENTS, content_type="text/xml")
    local_server.route("/bad.rss", status=404)
    _subscribe(store, local_server.url("/f.rss"))
    _subscribe(store, local_server.url("/bad.rss"))
    store.scan()
    import json

    listed = json.loads(cli("feeds", "list", "--json").stdout)
    by_url = {f["url"]: f for f in listed}
    good, bad = by_url[local_server.url("/f.rss")], by_url[local_server.url("/bad.rss")]
    assert (good["status"], good["items"], good["errors"]) == ("ok", 3, 0)
    assert good["newest_item"] == "2026-11-20T08:30:00Z" and good["last_fetched"]
    assert (bad["status"], bad["errors"], bad["last_status"]) == ("failing", 1, 404)
    assert bad["last_error"] == "HTTP 404 Not Found"


@pytest.mark.parametrize(("cores", "workers"), [(None, 1), (1, 1), (2, 2), (64, MAX_PARSE_WORKERS)])
def test_parse_workers_follow_the_cores_up_to_a_cap(
    cores: int | None, workers: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # More workers than the scan's own process can store for would only cost memory.
    monkeypatch.setattr("os.cpu_count", lambda: cores)
    assert parse_workers() == workers
