"""Full text for summary-only feeds, end to end against a real local server: article pages
fetched in a scan and on demand, their main text kept (and searchable) without the page
chrome around it, failures leaving the summary, the setting in OPML and in feeds edit."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape
from pathlib import Path

import pytest
from conftest import RunCli
from httpserver import LocalServer, Request, Response

import pkm.scan
from pkm import Pkm
from pkm.fetch import Timeouts

# Words only the article bodies hold, and words only the chrome around them holds.
ARTICLES = {
    "/a/xylophone": (
        "Xylophone orchestras",
        [
            "The municipal xylophone orchestra rehearses every Thursday in the old tram depot,"
            " where the brick walls give the wooden bars a warm and surprisingly long echo.",
            "Its conductor, a retired glassblower, insists that every player tunes their own"
            " instrument by ear before rehearsal begins, a habit the orchestra calls listening.",
            "Visitors are welcome; the orchestra asks only that they sit still and clap late.",
        ],
    ),
    "/a/quasar": (
        "Quasar hunting",
        [
            "Amateur astronomers found a distant quasar by stacking four hundred exposures"
            " taken from a rooftop telescope over three winter months in the countryside.",
            "The faint smudge turned out to be light that left its galaxy billions of years"
            " ago, bent slightly by a foreground cluster that nobody had catalogued before.",
        ],
    ),
}
CHROME_WORDS = ("marmalade", "dunwich", "pricing", "bartholomew", "trending")


def article_page(title: str, paragraphs: list[str]) -> str:
    prose = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>{title} | Dunwich</title>
</head><body>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/pricing">Pricing</a></li>
<li><a href="/careers">Careers at Dunwich</a></li></ul></nav></header>
<div class="layout"><main><article><h1>{escape(title)}</h1>{prose}</article>
<section id="comments" class="comments"><h2>3 comments</h2>
<div class="comment"><p class="author">Bartholomew</p><p>Great post, reminds me of my
grandmother's marmalade kitchen.</p></div></section></main>
<aside class="sidebar"><h3>Trending</h3><ul><li><a href="/m">Marmalade for beginners</a></li>
<li><a href="/t">Trending recipes this week</a></li></ul></aside></div>
<footer><p>© 2026 Dunwich Media Group. Pricing, careers and the marmalade newsletter.</p>
</footer></body></html>"""


def feed_xml(items: list[tuple[str, str, str]]) -> str:
    """A summary-only RSS feed: (guid, link, title) items, one sentence each."""
    when = datetime(2026, 11, 20, 8, tzinfo=UTC)
    entries = "".join(
        f"<item><title>{escape(title)}</title><link>{escape(link)}</link>"
        f"<guid isPermaLink='false'>{guid}</guid>"
        f"<pubDate>{format_datetime(when - timedelta(hours=n), usegmt=True)}</pubDate>"
        f"<description>Summary of {escape(title)}, one sentence.</description></item>"
        for n, (guid, link, title) in enumerate(items)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Summaries</title><link>http://example.invalid/</link>{entries}</channel></rss>"
    )


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as local:
        for path, (title, paragraphs) in ARTICLES.items():
            local.route(path, article_page(title, paragraphs), content_type="text/html")
        local.route("/a/missing", "not here", status=404, content_type="text/html")
        local.route(
            "/a/huge",
            "<html><body><p>" + "word " * (1_000_000) + "</p></body></html>",
            content_type="text/html",
        )

        def stall(request: Request) -> Response:
            request.stopping.wait(10)
            return Response(body=b"<html>late</html>", content_type="text/html")

        local.handler("/a/stall", stall)
        yield local


@pytest.fixture(autouse=True)
def short_timeouts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pkm.scan, "TIMEOUTS", Timeouts(connect=2, read=0.5, write=2, total=1))


ITEMS = [
    ("x", "/a/xylophone", "Xylophone orchestras"),
    ("q", "/a/quasar", "Quasar hunting"),
    ("m", "/a/missing", "A page that is gone"),
    ("s", "/a/stall", "A page that stalls"),
    ("h", "/a/huge", "A page too large"),
]


def serve_feed(server: LocalServer, path: str, items: list[tuple[str, str, str]]) -> str:
    absolute = [(guid, server.url(link), title) for guid, link, title in items]
    server.route(path, feed_xml(absolute), content_type="application/rss+xml")
    return server.url(path)


def json_of(cli: RunCli, *args: str) -> object:
    result = cli(*args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def ids_found(cli: RunCli, query: str) -> list[int]:
    hits = json_of(cli, "find", query)
    assert isinstance(hits, list)
    return [hit["id"] for hit in hits]


def entry_by_title(cli: RunCli, title: str) -> dict[str, object]:
    hits = json_of(cli, "find", "--limit", "100")
    assert isinstance(hits, list)
    (hit,) = [h for h in hits if h["title"] == title]
    shown = json_of(cli, "show", str(hit["id"]))
    assert isinstance(shown, dict)
    return shown


@pytest.mark.parametrize("workers", ["thread", "processes"])
def test_a_scan_fetches_article_pages_of_a_full_text_feed(
    cli: RunCli, server: LocalServer, monkeypatch: pytest.MonkeyPatch, workers: str
) -> None:
    if workers == "processes":  # the parse-worker pool of big scans, even for two feeds
        monkeypatch.setattr(pkm.scan, "PROCESS_POOL_THRESHOLD", 1)
        monkeypatch.setattr("os.cpu_count", lambda: 2)
    url = serve_feed(server, "/news.rss", ITEMS)
    # A second full-text feed links to the same article (as tracked link): never fetched twice.
    other = serve_feed(
        server, "/other.rss", [("o", "/a/xylophone?utm_source=rss", "Xylophones again")]
    )
    for feed in (url, other):
        added = cli("feeds", "add", feed, "--full-text", "--no-fetch")
        assert added.exit_code == 0, added.stderr

    scanned = cli("scan")
    assert scanned.exit_code == 0, scanned.stderr
    assert "2 full texts fetched, 3 failed (" in scanned.stdout
    assert "HTTP 404 Not Found" in scanned.stdout
    assert "response larger than 4 MiB" in scanned.stdout
    report = json_of(cli, "scan", "--no-fetch")
    assert isinstance(report, dict) and report["feeds"]["failed"] == 0

    # The article's words are found (in both items, of two feeds, that link to it); the
    # chrome's are not, though every page carried them.
    assert len(ids_found(cli, "xylophone tram depot")) == 2
    assert len(ids_found(cli, "quasar rooftop telescope")) == 1
    for word in CHROME_WORDS:
        assert ids_found(cli, word) == [], word
    tracked = server.requests_to("/a/xylophone?utm_source=rss")
    assert len(server.requests_to("/a/xylophone") + tracked) == 1
    assert len(server.requests_to("/a/quasar")) == 1
    pages = [r for r in server.requests if r.path.startswith("/a/")]
    assert {r.headers["User-Agent"] for r in pages} == {
        server.requests_to("/news.rss")[0].headers["User-Agent"]
    }

    # Each failed page left its item stored with the feed's summary.
    for title in ("A page that is gone", "A page that stalls", "A page too large"):
        entry = entry_by_title(cli, title)
        assert entry["text"] == f"Summary of {title}, one sentence."
        assert entry["full_text_at"] is None
    shown = cli("show", str(ids_found(cli, "xylophone")[0]), "--no-pager")
    assert shown.exit_code == 0, shown.stderr
    today = datetime.now().strftime("%Y-%m-%d")
    assert f"full text  fetched {today}" in shown.stdout
    assert "retired glassblower" in shown.stdout
    assert not any(word in shown.stdout.lower() for word in CHROME_WORDS)
    summary_only = cli("show", str(ids_found(cli, "gone")[0]), "--no-pager")
    assert "full text" not in summary_only.stdout


def test_unchanged_items_are_not_fetched_again(cli: RunCli, server: LocalServer) -> None:
    url = serve_feed(server, "/news.rss", ITEMS[:2])
    assert cli("feeds", "add", url, "--full-text").exit_code == 0  # fetched at once
    assert len(server.requests_to("/a/xylophone")) == 1
    # The feed changes (a new item; no validators, so it is fetched in full again).
    serve_feed(server, "/news.rss", [*ITEMS[:2], ("m", "/a/missing", "A page that is gone")])
    scanned = cli("scan")
    assert "0 full texts fetched, 1 failed (HTTP 404 Not Found)" in scanned.stdout
    assert len(server.requests_to("/a/xylophone")) == 1
    assert len(server.requests_to("/a/quasar")) == 1
    assert len(server.requests_to("/a/missing")) == 1
    assert len(ids_found(cli, "xylophone tram depot")) == 1
    again = cli("feeds", "add", url, "--full-text")
    assert "Already subscribed" in again.stdout and "full text" not in again.stderr
    plain = serve_feed(server, "/plain.rss", ITEMS[1:2])
    assert cli("feeds", "add", plain, "--no-fetch").exit_code == 0
    late = cli("feeds", "add", plain, "--full-text")
    assert "--full-text turns it on" in late.stderr


def test_show_full_text_fetches_on_demand_and_keeps_it(cli: RunCli, server: LocalServer) -> None:
    url = serve_feed(server, "/news.rss", [ITEMS[0], ITEMS[2]])
    assert cli("feeds", "add", url).exit_code == 0
    assert server.requests_to("/a/xylophone") == []  # not a full-text feed
    (entry_id,) = ids_found(cli, "xylophone")
    assert ids_found(cli, "glassblower") == []

    shown = cli("show", str(entry_id), "--full-text", "--no-pager")
    assert shown.exit_code == 0, shown.stderr
    assert "retired glassblower" in shown.stdout and "full text  fetched" in shown.stdout
    assert ids_found(cli, "glassblower") == [entry_id]
    again = cli("show", str(entry_id), "--no-pager")
    assert "retired glassblower" in again.stdout
    assert len(server.requests_to("/a/xylophone")) == 1  # kept: not fetched again

    (gone,) = ids_found(cli, "gone")
    failed = cli("show", str(gone), "--full-text", "--no-pager")
    assert failed.exit_code != 0
    assert "HTTP 404 Not Found" in failed.stderr and "Traceback" not in failed.stderr
    assert cli("show", str(gone), "--no-pager").stdout.count("Summary of A page that is gone")


@pytest.mark.usefixtures("engine")
def test_feeds_edit(cli: RunCli, server: LocalServer) -> None:
    url = serve_feed(server, "/news.rss", ITEMS[:1])
    assert cli("feeds", "add", url, "--no-fetch", "--folder", "News").exit_code == 0
    edited = cli("feeds", "edit", url, "--full-text", "--title", "My news", "--folder", "A/B")
    assert edited.exit_code == 0, edited.stderr
    assert "full text on" in edited.stdout
    (feed,) = json_of(cli, "feeds", "list")  # type: ignore[misc]
    assert (feed["title"], feed["folder"], feed["full_text"]) == ("My news", "A/B", True)

    assert cli("feeds", "edit", "my NEWS", "--no-full-text", "--folder", "").exit_code == 0
    (feed,) = json_of(cli, "feeds", "list")  # type: ignore[misc]
    assert (feed["title"], feed["folder"], feed["full_text"]) == ("My news", None, False)

    for args in (["nowhere", "--full-text"], ["999", "--title", "x"]):
        missing = cli("feeds", "edit", *args)
        assert missing.exit_code != 0
        assert "no feed" in missing.stderr and "Traceback" not in missing.stderr
    nothing = cli("feeds", "edit", str(feed["id"]))
    assert nothing.exit_code != 0 and "nothing to change" in nothing.stderr


def test_the_setting_survives_opml_export_and_import(
    cli: RunCli, server: LocalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    full = serve_feed(server, "/full.rss", ITEMS[:1])
    plain = serve_feed(server, "/plain.rss", ITEMS[1:2])
    assert cli("feeds", "add", full, "--no-fetch", "--full-text").exit_code == 0
    assert cli("feeds", "add", plain, "--no-fetch").exit_code == 0
    exported = tmp_path / "feeds.opml"
    assert cli("feeds", "export", "-o", str(exported)).exit_code == 0
    text = exported.read_text()
    assert text.count('pkm:fullText="1"') == 1 and "xmlns:pkm=" in text

    monkeypatch.setenv("PKM_DB", str(tmp_path / "other.db"))
    assert cli("feeds", "import", str(exported)).exit_code == 0
    feeds = json_of(cli, "feeds", "list")
    assert isinstance(feeds, list)
    assert {f["url"]: f["full_text"] for f in feeds} == {full: True, plain: False}


def test_other_readers_attributes_are_ignored(
    cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opml = tmp_path / "theirs.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0" xmlns:ttrss="urn:tt-rss"'
        ' xmlns:fr="urn:freshrss"><body>'
        '<outline text="A" xmlUrl="https://a.example/feed" ttrss:fullText="1"'
        ' fr:priority="10" fullText="1" category="x"/>'
        "</body></opml>"
    )
    imported = cli("feeds", "import", str(opml))
    assert imported.exit_code == 0 and "Imported 1 feeds" in imported.stdout
    assert imported.stderr == ""
    (feed,) = json_of(cli, "feeds", "list")  # type: ignore[misc]
    assert feed["full_text"] is False


def test_review_hints_at_full_text_for_summary_only_feeds(cli: RunCli, server: LocalServer) -> None:
    url = serve_feed(server, "/news.rss", ITEMS)
    assert cli("feeds", "add", url).exit_code == 0
    (row,) = json_of(cli, "feeds", "review")  # type: ignore[misc]
    assert row["summary_only"] is True
    text = cli("feeds", "review").stdout
    assert f"pkm feeds edit {row['id']} --full-text" in text
    assert cli("feeds", "edit", str(row["id"]), "--full-text").exit_code == 0
    (row,) = json_of(cli, "feeds", "review")  # type: ignore[misc]
    assert row["summary_only"] is False
    assert "--full-text" not in cli("feeds", "review").stdout


def test_find_does_not_import_the_extractor(tmp_path: Path) -> None:
    probe = (
        "import sys; from pkm.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('loaded:' + ','.join(m for m in ('trafilatura', 'justext') if m in sys.modules))"
    )
    env = {**os.environ, "PKM_DB": str(tmp_path / "s.db")}
    for args in (["find", "anything"], ["feeds", "list"], ["scan", "--no-fetch"]):
        result = subprocess.run(
            [sys.executable, "-c", probe, *args], env=env, capture_output=True, text=True
        )
        assert result.stdout.strip().splitlines()[-1] == "loaded:", (args, result.stdout)


def test_an_article_page_is_untrusted(cli: RunCli, server: LocalServer) -> None:
    hostile = [
        "Escape \x1b[2J\x1b]0;owned\x07 sequences and [bold red]markup[/bold red] stay text,"
        " as they would in any article about terminals and the people who love them dearly.",
        "A second paragraph, long enough to be the article rather than a fragment of chrome"
        " around it, with a script after it that must never reach the store.",
    ]
    page = article_page("Terminal tricks", hostile).replace(
        "</article>", "<script>alert('stored')</script><p onclick='x()'>Clicked.</p></article>"
    )
    server.route("/a/hostile", page, content_type="text/html")
    url = serve_feed(server, "/news.rss", [("t", "/a/hostile", "Terminal tricks")])
    assert cli("feeds", "add", url, "--full-text").exit_code == 0
    (entry_id,) = ids_found(cli, "terminals")
    with Pkm.open() as store:
        entry = store.entry(entry_id)
    assert entry.full_text_at is not None
    content = entry.content or ""
    assert "<script" not in content and "alert" not in content and "onclick" not in content
    text = cli("show", str(entry_id), "--no-pager").stdout
    assert "\x1b" not in text and "\x07" not in text
    assert "[bold red]markup[/bold red]" in text


def test_pages_follow_redirects_and_respect_the_per_host_cap(
    cli: RunCli, server: LocalServer
) -> None:
    server.route("/go/xylophone", status=302, headers={"Location": "/a/xylophone"})
    paragraphs = ARTICLES["/a/quasar"][1]
    items = [("r", "/go/xylophone", "Redirected")]
    for n in range(12):
        server.route(f"/slow/{n}", article_page(f"Slow {n}", paragraphs), delay=0.2)
        items.append((f"slow{n}", f"/slow/{n}", f"Slow {n}"))
    url = serve_feed(server, "/news.rss", items)
    assert cli("feeds", "add", url, "--full-text", "--no-fetch").exit_code == 0
    server.clear()
    scanned = cli("scan")
    assert "13 full texts fetched" in scanned.stdout, scanned.stdout
    assert len(ids_found(cli, "glassblower")) == 1  # the article behind the redirect
    assert 1 < server.max_in_flight <= 4  # concurrent, but at most 4 at once on one host
