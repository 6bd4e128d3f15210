"""Archived pages, end to end against a real local server: a saved page's text is kept,
found and shown after the page is gone; pages with no text to keep are saved with the
reason; bulk archiving runs concurrently, carries on after SIGINT or SIGKILL without
redoing finished pages, and never lets page text reach the terminal raw."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from conftest import RunCli
from faultserver import FAST_TIMEOUTS
from httpserver import LocalServer, Request
from test_full_text import ARTICLES, CHROME_WORDS, article_page, serve_feed

import pkm.scan
from pkm import Pkm

XYLOPHONE, QUASAR = "/a/xylophone", "/a/quasar"
NO_ARTICLE = """<!doctype html><html><head><title>Keynote: the future of conferences</title>
</head><body><h1>Keynote</h1><p>Slides soon.</p></body></html>"""
PAPER = [
    "Proceedings of the hybrid conference workshop on remote keynotes and hall-",
    "way tracks, with a study of forty events held in 2026 (and their attendance).",
]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
BIG = 50 * 2**20


def pdf_with_text(lines: list[str]) -> bytes:
    """A one-page PDF showing ``lines`` in Helvetica, with a correct cross-reference table."""
    shown = " ".join(
        "(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") '"
        for line in lines
    )
    stream = f"BT /F1 11 Tf 72 740 Td 14 TL {shown} ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1)
    return bytes(out + b"startxref\n%d\n%%%%EOF\n" % xref)


PDF = pdf_with_text(PAPER)
BLANK_PDF = pdf_with_text([])


def big_body(request: Request) -> None:
    """50 MB of HTML, streamed with its length, until the client hangs up."""
    assert request.wfile is not None
    head = f"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {BIG}\r\n\r\n"
    try:
        request.wfile.write(head.encode() + b"<html><body><p>")
        for _ in range(BIG // 2**20):
            if request.stopping.is_set():
                return
            request.wfile.write(b"prose " * (2**20 // 6))
    except OSError:
        pass  # the client hung up, as it should


def html_trickle(request: Request) -> None:
    """An article page sent a byte a second: never idle long enough for a read timeout."""
    body = article_page(*ARTICLES[QUASAR]).encode()
    assert request.wfile is not None
    head = f"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {len(body)}\r\n\r\n"
    try:
        request.wfile.write(head.encode() + body[:1])
        for byte in range(1, len(body)):
            if request.stopping.wait(1.0):
                return
            request.wfile.write(body[byte : byte + 1])
    except OSError:
        pass


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as local:
        for path, (title, paragraphs) in ARTICLES.items():
            local.route(path, article_page(title, paragraphs), content_type="text/html")
        local.route("/no-article", NO_ARTICLE, content_type="text/html; charset=utf-8")
        local.route("/paper.pdf", PDF, content_type="application/pdf")
        local.route("/blank.pdf", BLANK_PDF, content_type="application/pdf")
        local.route("/photo.png", PNG, content_type="image/png")
        local.handler("/big", big_body)
        local.route("/loop", status=302, headers={"Location": "/loop2"})
        local.route("/loop2", status=302, headers={"Location": "/loop"})
        local.handler("/trickle", html_trickle)
        local.route("/gone", "not here", status=404, content_type="text/html")
        yield local


@pytest.fixture(autouse=True)
def short_timeouts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pkm.scan, "TIMEOUTS", FAST_TIMEOUTS)


def json_of(cli: RunCli, *args: str) -> object:
    result = cli(*args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def found(cli: RunCli, query: str) -> list[dict[str, object]]:
    hits = json_of(cli, "find", query)
    assert isinstance(hits, list)
    return hits


def shown(cli: RunCli, entry_id: object) -> dict[str, object]:
    value = json_of(cli, "show", str(entry_id))
    assert isinstance(value, dict)
    return value


def saved_id(cli: RunCli, *args: str) -> int:
    result = json_of(cli, "save", *args)
    assert isinstance(result, dict)
    return int(result["id"])


def test_a_saved_page_is_found_and_shown_after_it_is_gone(cli: RunCli, server: LocalServer) -> None:
    url = server.url(XYLOPHONE)
    saved = cli("save", url, "--tag", "music")
    assert saved.exit_code == 0 and saved.stderr == "", saved.stderr
    assert len(server.requests_to(XYLOPHONE)) == 1  # one fetch: title and text
    server.stop()

    # Only the archived text holds these words: the hit's snippet comes from it.
    (hit,) = found(cli, "glassblower")
    assert hit["title"] == "Xylophone orchestras | Dunwich"
    assert "glassblower" in str(hit["snippet"])
    for word in CHROME_WORDS:
        if word != "dunwich":  # the site's name is in the page title, kept as the title
            assert found(cli, word) == [], word
    printed = cli("find", "glassblower")
    assert "retired glassblower" in printed.stdout

    page = cli("show", str(hit["id"]), "--no-pager")
    assert page.exit_code == 0, page.stderr
    today = datetime.now().strftime("%Y-%m-%d")
    assert f"archived  {today}" in page.stdout
    assert "tunes their own instrument" in page.stdout.replace("\n", " ")
    article = page.stdout.lower().split("archived  ", 1)[1]
    assert not any(word in article for word in CHROME_WORDS)
    details = shown(cli, hit["id"])
    archive = details["archive"]
    assert isinstance(archive, dict)
    assert archive["shown"] is True and archive["error"] is None
    assert archive["final_url"] == url and archive["content_type"] == "text/html"
    assert archive["size"] == len(article_page(*ARTICLES[XYLOPHONE]).encode())
    assert "retired glassblower" in str(details["text"])


@pytest.mark.parametrize(
    ("path", "reason", "kind"),
    [
        ("/no-article", "no article text found on the page", "text/html"),
        ("/blank.pdf", "no text found in the PDF", "application/pdf"),
        ("/photo.png", "not a web page (image/png)", "image/png"),
        ("/big", "response larger than 15 MiB", None),
        ("/loop", "redirect loop", None),
        ("/trickle", "took longer than 4 s", None),
        ("/gone", "HTTP 404 Not Found", None),
    ],
)
def test_a_page_without_text_to_keep_is_saved_with_the_reason(
    cli: RunCli, server: LocalServer, path: str, reason: str, kind: str | None, engine: str
) -> None:
    started = time.monotonic()
    result = cli("save", server.url(path), "--tag", "kept")
    assert result.exit_code == 0, result.stderr
    assert time.monotonic() - started < 10
    assert result.stderr.count("\n") == 1 and reason in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    hit = shown(cli, 1)
    assert [h["id"] for h in found(cli, "#kept")] == [1]
    archive = hit["archive"]
    assert isinstance(archive, dict)
    assert archive["error"] == reason and archive["archived_at"] is None
    assert archive["content_type"] == kind
    if kind is not None and kind != "text/html":  # what the page was is kept
        assert archive["size"] == len(BLANK_PDF if path == "/blank.pdf" else PNG)
    if path == "/no-article":
        assert hit["title"] == "Keynote: the future of conferences"


def test_a_pdf_keeps_its_text(cli: RunCli, server: LocalServer) -> None:
    saved = cli("save", server.url("/paper.pdf"))
    assert saved.exit_code == 0 and saved.stderr == "", saved.stderr
    (hit,) = found(cli, "hallway tracks")  # the line break's hyphen is gone
    assert "hallway tracks" in str(hit["snippet"])
    details = shown(cli, hit["id"])
    assert "study of forty events held in 2026" in str(details["text"]).replace("\n", " ")
    archive = details["archive"]
    assert isinstance(archive, dict)
    assert archive["content_type"] == "application/pdf" and archive["size"] == len(PDF)
    # In bulk too, in the parse workers.
    server.clear()
    assert json_of(cli, "archive", "--refresh") == {
        "archived": 1,
        "failed": 0,
        "skipped": 0,
        "reasons": {},
    }
    assert len(server.requests_to("/paper.pdf")) == 1


def test_no_archive_and_no_fetch(cli: RunCli, server: LocalServer) -> None:
    url = server.url(XYLOPHONE)
    plain = saved_id(cli, url, "--no-archive")
    assert len(server.requests_to(XYLOPHONE)) == 1  # still fetched for the title
    assert shown(cli, plain)["archive"] is None
    assert found(cli, "glassblower") == []
    bare = saved_id(cli, server.url(QUASAR), "--no-fetch")
    assert server.requests_to(QUASAR) == []
    assert shown(cli, bare)["archive"] is None
    # Saving again archives what was not archived yet, once.
    assert saved_id(cli, url) == plain
    assert [h["id"] for h in found(cli, "glassblower")] == [plain]
    assert saved_id(cli, url) == plain
    assert len(server.requests_to(XYLOPHONE)) == 2


def test_tagging_a_feed_item_archives_its_page(cli: RunCli, server: LocalServer) -> None:
    feed = serve_feed(
        server, "/news.rss", [("x", XYLOPHONE, "Xylophone orchestras"), ("q", QUASAR, "Quasar")]
    )
    assert cli("feeds", "add", feed).exit_code == 0
    (xylophone,) = found(cli, "xylophone")
    (quasar,) = found(cli, "quasar")
    assert server.requests_to(XYLOPHONE) == []
    tagged = cli("tag", str(xylophone["id"]), "music")
    assert tagged.exit_code == 0 and tagged.stderr == "", tagged.stderr
    assert len(server.requests_to(XYLOPHONE)) == 1
    page = cli("show", str(xylophone["id"]), "--no-pager")
    assert "archived  " in page.stdout and "retired glassblower" in page.stdout
    assert cli("tag", str(xylophone["id"]), "more").exit_code == 0
    assert len(server.requests_to(XYLOPHONE)) == 1  # archived once
    assert cli("tag", str(quasar["id"]), "space", "--no-archive").exit_code == 0
    assert server.requests_to(QUASAR) == []
    assert shown(cli, quasar["id"])["archive"] is None


def test_bulk_archive_counts_what_it_did(cli: RunCli, server: LocalServer, engine: str) -> None:
    paths = [XYLOPHONE, QUASAR, "/no-article", "/photo.png", "/big", "/loop", "/gone"]
    for path in paths:
        assert cli("save", server.url(path), "--no-fetch", "--tag", "batch").exit_code == 0
    server.clear()
    report = json_of(cli, "archive")
    assert report == {
        "archived": 2,
        "failed": 5,
        "skipped": 0,
        "reasons": {
            "no article text found on the page": 1,
            "not a web page (image/png)": 1,
            "response larger than 4 MiB": 1,
            "redirect loop": 1,
            "HTTP 404 Not Found": 1,
        },
    }
    assert len(found(cli, "glassblower")) == 1 and len(found(cli, "rooftop telescope")) == 1
    # Archived pages are skipped; failed ones are tried again.
    server.clear()
    again = cli("archive", "--tag", "batch")
    assert again.exit_code == 0, again.stderr
    assert "Archived 0 pages, 5 failed, 2 skipped (archived already)" in again.stdout
    assert "redirect loop" in again.stdout
    assert server.requests_to(XYLOPHONE) == [] and len(server.requests_to("/gone")) == 1
    # A refresh fetches again; a page gone since keeps the text kept before.
    server.route(XYLOPHONE, "gone", status=410, content_type="text/plain")
    refreshed = json_of(cli, "archive", "--refresh", "glassblower")
    assert refreshed == {
        "archived": 0,
        "failed": 1,
        "skipped": 0,
        "reasons": {"HTTP 410 Gone": 1},
    }
    (hit,) = found(cli, "glassblower")
    details = shown(cli, hit["id"])
    assert "retired glassblower" in str(details["text"])
    archive = details["archive"]
    assert isinstance(archive, dict) and archive["error"] == "HTTP 410 Gone"
    assert archive["archived_at"] is not None and archive["content_type"] == "text/html"
    both = cli("archive", "--missing", "--refresh")
    assert both.exit_code != 0 and "not both" in both.stderr


def test_hostile_page_text_never_reaches_the_terminal_raw(cli: RunCli, server: LocalServer) -> None:
    hostile = [
        "The \x1b[31mred\x1b[0m orchestra \x1b]0;pwned\x07 plays [bold red]loudly[/bold red]"
        " every Thursday in the old tram depot, where the brick walls give a long echo.",
        "Its conductor insists \x9b2J that every player tunes by ear \u202ebefore rehearsal,"
        " a habit the orchestra calls [link=http://evil.example]listening[/link].",
    ]
    server.route(
        "/hostile",
        article_page("Hostile \x1b[2J[blink]title[/blink]", hostile),
        content_type="text/html",
    )
    saved = cli("save", server.url("/hostile"))
    assert saved.exit_code == 0, saved.stderr
    (hit,) = found(cli, "orchestra")
    for args in (("show", str(hit["id"]), "--no-pager"), ("find", "orchestra")):
        printed = cli(*args)
        assert printed.exit_code == 0, printed.stderr
        for raw in ("\x1b", "\x07", "\x9b", "\u202e"):
            assert raw not in printed.stdout, (args, raw)
        assert "plays [bold red]loudly" in printed.stdout  # markup stays literal text


# --- interrupted bulk runs -----------------------------------------------------------------

PAGES = 40


def archived_ids(db: Path) -> set[int]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT entry_id FROM archives WHERE archived_at IS NOT NULL")
        return {int(row[0]) for row in rows}


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGKILL])
def test_an_interrupted_bulk_archive_carries_on(
    cli: RunCli, server: LocalServer, db_path: Path, stop: signal.Signals
) -> None:
    paths = {f"/p/{n}": n for n in range(PAGES)}
    title, paragraphs = ARTICLES[QUASAR]
    for path, n in paths.items():
        # Slow pages: the run is still going when it is stopped.
        server.route(path, article_page(f"{title} {n}", paragraphs), delay=0.25)
    with Pkm.open(db_path) as store:
        ids = {store.save(server.url(path), fetch=False).entry.id: path for path in paths}

    env = {**os.environ, "PKM_DB": str(db_path)}
    command = [sys.executable, "-m", "pkm", "archive"]
    run = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while len(archived_ids(db_path)) < 8 and time.monotonic() < deadline:
        time.sleep(0.05)
    run.send_signal(stop)
    _, err = run.communicate(timeout=30)
    done = archived_ids(db_path)
    assert 8 <= len(done) < PAGES
    if stop == signal.SIGINT:
        assert run.returncode == 130 and "interrupted" in err.decode(), err.decode()
        assert b"Traceback" not in err
    else:
        assert run.returncode == -signal.SIGKILL
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)

    settled = time.monotonic() + 10
    while server.in_flight and time.monotonic() < settled:  # the stopped run's requests
        time.sleep(0.05)
    server.clear()
    report = json_of(cli, "archive")
    left = PAGES - len(done)
    assert report == {"archived": left, "failed": 0, "skipped": len(done), "reasons": {}}
    for entry_id, path in ids.items():
        assert len(server.requests_to(path)) == (0 if entry_id in done else 1), path
    assert server.max_in_flight == 4  # concurrent, within the scan's cap for one host
    assert archived_ids(db_path) == set(ids)
    assert len(found(cli, "rooftop telescope")) == 20  # the default limit of find


def test_a_backup_keeps_the_archives(cli: RunCli, server: LocalServer, tmp_path: Path) -> None:
    entry_id = saved_id(cli, server.url(XYLOPHONE))
    backup = tmp_path / "backup.json"
    assert cli("backup", str(backup)).exit_code == 0
    other = str(tmp_path / "other.db")
    restored = cli("--db", other, "restore", str(backup))
    assert restored.exit_code == 0, restored.stderr
    assert [h["id"] for h in found(cli, "glassblower")] == [entry_id]
    details = json_of(cli, "--db", other, "show", str(entry_id))
    assert isinstance(details, dict) and isinstance(details["archive"], dict)
    assert details["archive"]["shown"] is True
    hits = json_of(cli, "--db", other, "find", "glassblower")
    assert isinstance(hits, list) and [h["id"] for h in hits] == [entry_id]
