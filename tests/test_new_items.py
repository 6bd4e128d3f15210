"""New means not yet shown by a scan digest (issue 11, section 4); on both engines where
no older store file is involved.

Whatever stored an item (adding its feed, a scan cut short, a pkm older than this one),
the next digest shows it once, and no later digest shows it as new again.
"""

from __future__ import annotations

import json
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import DATA
from httpserver import LocalServer, Request, Response

from pkm import Pkm

pytestmark = pytest.mark.timeout(120)


# A store: a SQLite file, or the URL of a PostgreSQL database.
Store = Path | str


@pytest.fixture
def location(engine: str, tmp_path: Path, request: pytest.FixtureRequest) -> Store:
    """The test's store on its engine, not yet made."""
    if engine == "postgresql":
        return str(request.getfixturevalue("postgres_db"))
    return tmp_path / "pkm.db"


def pkm(db: Store, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pkm", "--db", str(db), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def digest(db: Store, *args: str) -> list[str]:
    """The URLs a scan digest shows (``pkm scan --json``)."""
    done = pkm(db, "scan", "--json", *args)
    assert done.returncode == 0, done.stderr
    return sorted(item["url"] for item in json.loads(done.stdout)["items"])


def rss(name: str, posts: range) -> str:
    items = "".join(
        f"<item><title>{name} post {n}</title><link>https://{name}.example/{n}</link>"
        f"<guid>https://{name}.example/{n}</guid>"
        f"<description>Post {n} of {name}, on {name}word{n}.</description></item>"
        for n in posts
    )
    return f'<rss version="2.0"><channel><title>{name}</title>{items}</channel></rss>'


def links(name: str, posts: range) -> list[str]:
    return sorted(f"https://{name}.example/{n}" for n in posts)


def test_what_adding_a_feed_fetched_shows_in_the_next_scan_once(
    local_server: LocalServer, location: Store
) -> None:
    db = location
    local_server.route("/news.rss", rss("news", range(5)), content_type="application/rss+xml")
    added = pkm(db, "feeds", "add", local_server.url("/news.rss"))
    assert added.returncode == 0, added.stderr
    morning = pkm(db, "scan")
    assert morning.returncode == 0, morning.stderr
    assert "5 new items" in morning.stdout
    for url in links("news", range(5)):
        assert url in morning.stdout
    assert digest(db) == []
    local_server.route("/news.rss", rss("news", range(6)), content_type="application/rss+xml")
    assert digest(db) == ["https://news.example/5"]
    assert digest(db) == []


# --- a scan cut short by Ctrl-C --------------------------------------------------------------

FAST = ("ant", "bee", "cat", "dog")
HANGING = ("eel", "fox", "gnu", "hen")
POSTS = range(6)


@dataclass
class Sites:
    fast: LocalServer
    hanging: LocalServer  # another host: its stalled feeds hold none of the fast ones back
    release: threading.Event


@pytest.fixture
def sites() -> Iterator[Sites]:
    release = threading.Event()

    def stalled(name: str) -> Any:
        def answer(request: Request) -> Response:
            release.wait(timeout=60)
            return Response(body=rss(name, POSTS), content_type="application/rss+xml")

        return answer

    with LocalServer() as fast, LocalServer("127.0.0.2") as hanging:
        for name in FAST:
            fast.route(f"/{name}.rss", rss(name, POSTS), content_type="application/rss+xml")
        for name in HANGING:
            hanging.handler(f"/{name}.rss", stalled(name))
        yield Sites(fast, hanging, release)
        release.set()


def stored_items(db: Store) -> int:
    with Pkm.open(db) as store:
        return int(store._conn.execute("SELECT count(*) FROM items").fetchone()[0])


def interrupted_scan(db: Store, sites: Sites) -> subprocess.CompletedProcess[str]:
    """A scan that stored the fast feeds and waits for the others, stopped by SIGINT."""
    with Pkm.open(db) as store:
        for name in FAST:
            store.add_feed(sites.fast.url(f"/{name}.rss"), fetch=False)
        for name in HANGING:
            store.add_feed(sites.hanging.url(f"/{name}.rss"), fetch=False)
    scan = subprocess.Popen(
        [sys.executable, "-m", "pkm", "--db", str(db), "scan"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while stored_items(db) < len(FAST) * len(POSTS) or len(sites.hanging.requests) < len(HANGING):
        assert scan.poll() is None, scan.communicate()
        assert time.monotonic() < deadline, "the scan did not get half-way"
        time.sleep(0.02)
    scan.send_signal(signal.SIGINT)
    out, err = scan.communicate(timeout=30)
    sites.release.set()
    assert scan.returncode == 130, (scan.returncode, err)  # stopped by the signal, quietly
    assert "Traceback" not in err, err
    assert stored_items(db) == len(FAST) * len(POSTS)
    return subprocess.CompletedProcess(scan.args, scan.returncode, out, err)


def test_items_a_cut_short_scan_stored_show_in_the_next_digest_once(
    sites: Sites, location: Store
) -> None:
    db = location
    interrupted_scan(db, sites)
    stored = sorted(url for name in FAST for url in links(name, POSTS))
    assert digest(db, "--no-fetch") == stored
    # With nothing new, --no-fetch shows the last digest again, as its help says: the same
    # items, and they stay shown.
    replay = pkm(db, "scan", "--no-fetch")
    assert replay.returncode == 0, replay.stderr
    assert f"{len(stored)} new items" in replay.stdout
    assert digest(db, "--no-fetch") == stored
    # The next real scan shows only what the cut-short one never fetched.
    assert digest(db) == sorted(url for name in HANGING for url in links(name, POSTS))
    assert digest(db) == []


def test_items_a_cut_short_scan_stored_are_found(sites: Sites, tmp_path: Path) -> None:
    db = tmp_path / "pkm.db"
    interrupted_scan(db, sites)
    for name in FAST:
        found = pkm(db, "find", f"{name}word3", "--json")
        assert found.returncode == 0, found.stderr
        assert [hit["url"] for hit in json.loads(found.stdout)] == [f"https://{name}.example/3"]


# --- a store written by an older pkm ---------------------------------------------------------


def learning_feed(posts: range) -> str:
    items = "".join(
        f"<item><title>Learning in networks, part {n}</title><link>https://learn.example/{n}</link>"
        f"<guid>https://learn.example/{n}</guid><description>Part {n}.</description></item>"
        for n in posts
    )
    return f'<rss version="2.0"><channel><title>Network Learning</title>{items}</channel></rss>'


def events_feed(entries: range) -> str:
    body = "".join(
        f"<entry><title>Hybrid event {n}</title><id>urn:events:{n}</id>"
        f'<link href="https://events.example/{n}"/>'
        f"<updated>2026-11-{10 + n:02d}T09:00:00Z</updated>"
        f"<content>Event {n}.</content></entry>"
        for n in entries
    )
    return (
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>Events</title><id>urn:events</id>'
        f"<updated>2026-11-20T08:30:00Z</updated>{body}</feed>"
    )


def test_an_upgraded_store_shows_nothing_old_as_new(
    local_server: LocalServer, tmp_path: Path
) -> None:
    db = tmp_path / "pkm.db"
    shutil.copyfile(DATA / "stores" / "0003.db", db)
    made = json.loads((DATA / "stores" / "0003.json").read_text())
    old_base = made["feeds"][0]["url"].rsplit("/", 1)[0]
    # The feeds it subscribed to, served again here (its server is long gone), each with
    # one item more than it had.
    conn = sqlite3.connect(db)
    conn.execute(
        "UPDATE feeds SET url = ? || substr(url, ?)", (local_server.base_url, len(old_base) + 1)
    )
    conn.commit()
    conn.close()
    local_server.route(
        "/learning.rss",
        learning_feed(range(1, 8)),
        content_type="application/rss+xml",
        headers={"ETag": '"learning-v2"'},
    )
    local_server.route(
        "/events.atom", events_feed(range(1, 6)), content_type="application/atom+xml"
    )
    local_server.route("/broken.rss", "oops", status=500)
    local_server.route("/gone.rss", "gone", status=410)
    before = made["entries"]
    assert digest(db) == ["https://events.example/5", "https://learn.example/7"]
    assert len(local_server.requests_to("/learning.rss")) == 1  # it was fetched, not skipped
    assert digest(db) == []
    with Pkm.open(db) as store:
        assert len(store.find("", limit=1000)) == before + 2
