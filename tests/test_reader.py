"""pkm read: the interactive triage, driven key by key, checked in the store afterwards.

The headless tests run the real app (Textual's pilot) on a real SQLite store filled by a
real scan of feeds served on 127.0.0.1; the terminal tests run ``python -m pkm read`` on
a pseudo-terminal, as a user would.
"""

from __future__ import annotations

import asyncio
import io
import os
import sqlite3
import sys
from collections.abc import Awaitable, Callable, Iterator
from textual.pilot import Pilot
from dataclasses import dataclass
from pathlib import Path

import pytest
from httpserver import LocalServer
from rich.console import Console

from pkm import Pkm
from pkm.cli.reader.app import FULL_TEXT_MISSING, Reader

HOSTILE_TITLE = "[bold red]Pwned[/] \x1b[31mred\x1b[0m \x1b]0;evil title\x07 :smile:"
HOSTILE_BODY = (
    "<p>[link=https://evil.example]click[/link] \x1b[2J\x1b[H cleared"
    " \x1b]8;;https://evil.example\x1b\\hidden\x1b]8;;\x1b\\ [/] end</p>"
)


def _rss(title: str, items: list[tuple[str, str, str, str]]) -> bytes:
    """An RSS feed; each item is (guid, title, pubDate, HTML content)."""
    body = "".join(
        f"<item><title><![CDATA[{t}]]></title><link>https://{title.split()[0].lower()}.example/{g}"
        f"</link><guid>{g}</guid><pubDate>{d}</pubDate>"
        f"<description><![CDATA[{html}]]></description></item>"
        for g, t, d, html in items
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title><link>https://example.org/</link>{body}</channel></rss>"
    ).encode()


LINKS = (
    '<p>See <a href="https://example.org/one">one</a>, <a href="https://example.org/two">two</a>'
    ' and <a href="https://example.org/three">three</a>.</p>'
)
LONG = "".join(f"<p>Paragraph {n} of a long article about hybrid events.</p>" for n in range(80))
EVENTS = [
    ("e1", "Hybrid events: what we learned", "Fri, 20 Nov 2026 09:00:00 GMT", LINKS),
    ("e2", "A long read on conferences", "Thu, 19 Nov 2026 09:00:00 GMT", LONG),
    ("e3", "Shared story", "Wed, 18 Nov 2026 09:00:00 GMT", "<p>Told by the events blog.</p>"),
    ("e4", "Sponsored: buy our tickets", "Tue, 17 Nov 2026 09:00:00 GMT", "<p>Ad.</p>"),
]
NETWORK = [
    ("n1", "Networks of practice", "Fri, 20 Nov 2026 08:00:00 GMT", "<p>Networks.</p>"),
    ("n2", "Shared story", "Wed, 18 Nov 2026 10:00:00 GMT", "<p>Told by the network.</p>"),
]
HOSTILE = [("h1", HOSTILE_TITLE, "Fri, 20 Nov 2026 07:00:00 GMT", HOSTILE_BODY)]


@dataclass
class Store:
    db: Path
    ids: dict[str, int]  # title -> entry id


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    db = tmp_path / "pkm.db"
    with LocalServer() as server:
        server.route("/events.rss", _rss("Events blog", EVENTS), content_type="text/xml")
        server.route("/network.rss", _rss("Network notes", NETWORK), content_type="text/xml")
        server.route("/hostile.rss", _rss("Hostile feed", HOSTILE), content_type="text/xml")
        with Pkm.open(db) as pkm:
            pkm.add_feed(server.url("/events.rss"), folder="Learning")
            pkm.add_feed(server.url("/network.rss"), folder="Learning")
            pkm.add_feed(server.url("/hostile.rss"))
            pkm.mute('title:"sponsored"')
            pkm.save("https://example.org/kept", tags=["keynote"], fetch=False)
            pkm.save("https://example.org/kept2", tags=["keynote", "events"], fetch=False)
            ids = {hit.entry.title or "": hit.entry.id for hit in pkm.find("", limit=100)}
    yield Store(db, ids)


def read_state(db: Path) -> dict[int, tuple[bool, bool, str | None, str | None]]:
    """Every entry: (read, saved, tags, note), straight from the file."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT id, read_at, saved_at, tags_text, note FROM entries")
        return {r[0]: (r[1] is not None, r[2] is not None, r[3], r[4]) for r in rows}


def screen_text(app: Reader) -> str:
    """What the terminal shows, as plain text (the way Textual's own screenshots do it)."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), record=True)
    console.print(app.screen._compositor.render_update(full=True))
    return console.export_text()


Script = Callable[[Reader, "Pilot"], Awaitable[None]]


def drive(
    db: Path,
    *keys: str,
    size: tuple[int, int] = (80, 24),
    query: str | None = None,
    include_read: bool = False,
) -> str:
    """Run the reader headless, press ``keys``, and return the last screen."""

    async def go() -> str:
        with Pkm.open(db) as pkm:
            app = Reader(pkm, query=query, include_read=include_read)
            async with app.run_test(size=size) as pilot:
                await pilot.pause()
                for key in keys:
                    await pilot.press(key)
                    await pilot.pause()
                return screen_text(app)

    return asyncio.run(go())

