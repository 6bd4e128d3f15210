"""Many pkm processes at once lose nothing (issue 11, section 3), on either engine.

Each test starts real ``python -m pkm`` processes together, then waits for all of them:
every read-change-write (notes, tags, saves, imports, a scan's items) must be atomic.
"""

from __future__ import annotations

import fcntl
import html
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from httpserver import LocalServer, Request, Response

from pkm import Pkm
from pkm.storage.postgres import SCAN_LOCK

pytestmark = pytest.mark.timeout(180)


# A store: a SQLite file, or the URL of a PostgreSQL database.
Store = Path | str


def command(db: Store, *args: str) -> list[str]:
    return [sys.executable, "-m", "pkm", "--db", str(db), *args]


@dataclass
class Done:
    args: Sequence[str]
    returncode: int
    stdout: str
    stderr: str


def run_together(commands: list[list[str]]) -> list[Done]:
    """Start every command before waiting for any; their results in the same order."""
    procs = [
        subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for args in commands
    ]
    done = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        done.append(Done(proc.args, proc.returncode, out, err))  # type: ignore[arg-type]
    return done


def all_ok(results: list[Done]) -> None:
    for result in results:
        assert result.returncode == 0, (result.args, result.stderr)
        assert "Traceback" not in result.stderr, result.stderr


def query(db: Store, sql: str, *params: object) -> list[tuple[object, ...]]:
    with Pkm.open(db) as store:
        return [tuple(row) for row in store._conn.execute(sql, params).fetchall()]


def tags_of(db: Store, entry_id: int) -> set[str]:
    rows = query(
        db,
        "SELECT t.name FROM save_tags st JOIN tags t ON t.id = st.tag_id"
        " JOIN saves s ON s.id = st.save_id WHERE s.entry_id = ?",
        entry_id,
    )
    return {str(name) for (name,) in rows}


def integrity(db: Store) -> tuple[object, list[tuple[object, ...]]]:
    """SQLite's own checks of the file and its foreign keys (a PostgreSQL server
    enforces foreign keys as it writes, and has no file to check)."""
    if isinstance(db, str):
        return "ok", []
    return query(db, "PRAGMA integrity_check")[0][0], query(db, "PRAGMA foreign_key_check")


@pytest.fixture
def store(engine: str, tmp_path: Path, request: pytest.FixtureRequest) -> Store:
    """A store with one bookmark (id 1), made before the crowd arrives."""
    db: Store = (
        request.getfixturevalue("postgres_db") if engine == "postgresql" else (tmp_path / "pkm.db")
    )
    made = subprocess.run(
        command(db, "save", "https://crowd.example/page", "--no-fetch", "-t", "first"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert made.returncode == 0, made.stderr
    return db


def test_thirty_taggers_at_once_keep_every_tag_and_note(store: Store) -> None:
    runs = 30
    all_ok(
        run_together([command(store, "tag", "1", f"q{n}", "-n", f"note{n}") for n in range(runs)])
    )
    assert tags_of(store, 1) == {"first"} | {f"q{n}" for n in range(runs)}
    [(tags_text,)] = query(store, "SELECT tags_text FROM saves WHERE entry_id = 1")
    assert set(str(tags_text).split()) == tags_of(store, 1)  # the derived column kept up
    [(note,)] = query(store, "SELECT note FROM saves WHERE entry_id = 1")
    lines = str(note).split("\n")
    assert sorted(lines) == sorted(f"note{n}" for n in range(runs))  # each once, none lost
    assert integrity(store) == ("ok", [])


def test_twenty_saves_of_one_url_at_once_make_one_bookmark(store: Store) -> None:
    runs = 20
    url = "https://crowd.example/talk?utm_source=chat"
    all_ok(
        run_together(
            [command(store, "save", url, "-t", f"t{n}", "--no-fetch") for n in range(runs)]
        )
    )
    rows = query(store, "SELECT id FROM entries WHERE url LIKE 'https://crowd.example/talk%'")
    assert len(rows) == 1
    [(entry_id,)] = rows
    assert tags_of(store, int(str(entry_id))) == {f"t{n}" for n in range(runs)}
    assert query(store, "SELECT count(*) FROM entries") == [(2,)]


# --- imports beside a scan -----------------------------------------------------------------

FEEDS = 8
ITEMS = 25
PER_FILE = 400


def item_link(feed: int, n: int) -> str:
    return f"https://feed{feed}.example/posts/{n}"


def feed_xml(feed: int) -> str:
    items = "".join(
        f"<item><title>Feed {feed} post {n}</title><link>{item_link(feed, n)}</link>"
        f"<guid>{item_link(feed, n)}</guid><description>Post {n} of feed {feed}.</description>"
        "</item>"
        for n in range(ITEMS)
    )
    return f'<rss version="2.0"><channel><title>Feed {feed}</title>{items}</channel></rss>'


def bookmark_file(path: Path, name: str, urls: list[str]) -> None:
    lines = ["<!DOCTYPE NETSCAPE-Bookmark-file-1>", "<DL><p>"]
    lines += [
        f'<DT><A HREF="{html.escape(url)}" TAGS="{name}">{name} {n}</A>'
        for n, url in enumerate(urls)
    ]
    path.write_text("\n".join([*lines, "</DL>"]))


def scan_lock_held(db: Store) -> bool:
    if isinstance(db, str):  # an advisory lock's 64-bit key, as pg_locks splits it
        held = query(
            db,
            "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND classid::bigint = ? AND objid::bigint = ?",
            SCAN_LOCK >> 32,
            SCAN_LOCK & 0xFFFFFFFF,
        )
        return bool(held)
    try:
        with open(f"{db}.scan.lock", "rb") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(handle, fcntl.LOCK_UN)
            return False
    except FileNotFoundError:
        return False


@pytest.fixture
def slow_feeds() -> Iterator[tuple[LocalServer, threading.Event]]:
    """Feeds that answer slowly, the last one only once the event is set: a scan runs
    until the test lets it end, however slowly the machine starts the imports."""
    release = threading.Event()

    def held(request: Request) -> Response:
        release.wait(timeout=60)
        return Response(body=feed_xml(FEEDS - 1), content_type="application/rss+xml")

    with LocalServer() as server:
        for feed in range(FEEDS - 1):
            server.route(
                f"/{feed}.rss", feed_xml(feed), content_type="application/rss+xml", delay=0.4
            )
        server.handler(f"/{FEEDS - 1}.rss", held)
        yield server, release
        release.set()


def test_imports_beside_a_running_scan_lose_nothing(
    store: Store, slow_feeds: tuple[LocalServer, threading.Event], tmp_path: Path
) -> None:
    server, release = slow_feeds
    for feed in range(FEEDS):
        added = subprocess.run(
            command(store, "feeds", "add", server.url(f"/{feed}.rss"), "--no-fetch"),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert added.returncode == 0, added.stderr
    # Each file also holds items of the feeds being scanned: whichever comes first, the
    # bookmark and the item are one entry.
    files = {
        name: [f"https://{name}.example/{n}" for n in range(PER_FILE)]
        + [item_link(feed, n) for n in range(5)]
        for name, feed in (("alpha", 0), ("beta", 1))
    }
    for name, urls in files.items():
        bookmark_file(tmp_path / f"{name}.html", name, urls)

    scan = subprocess.Popen(
        command(store, "scan"), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 20
    while not scan_lock_held(store):
        assert scan.poll() is None and time.monotonic() < deadline, "the scan never started"
        time.sleep(0.01)
    imports = run_together([command(store, "import", str(tmp_path / f"{n}.html")) for n in files])
    scan_still_running = scan.poll() is None
    release.set()
    out, err = scan.communicate(timeout=120)
    assert scan.returncode == 0, err
    assert f"Scanned {FEEDS} feeds: {FEEDS} updated" in out
    all_ok(imports)
    assert scan_still_running, "the imports did not overlap the scan"
    for result in imports:
        # The five items merge when the scan stored them first, and are imported if not.
        imported, merged, skipped = summary(result.stdout)
        assert (imported + merged, skipped) == (PER_FILE + 5, 0), result.stdout
        assert merged <= 5, result.stdout

    entries = {str(url): int(str(i)) for i, url in query(store, "SELECT id, url FROM entries")}
    for name, urls in files.items():
        for url in urls:
            assert name in tags_of(store, entries[url]), url
    items = [item_link(feed, n) for feed in range(FEEDS) for n in range(ITEMS)]
    assert set(items) <= set(entries)
    linked = query(store, "SELECT count(DISTINCT entry_id) FROM items")
    assert linked == [(FEEDS * ITEMS,)]
    assert len(entries) == 1 + 2 * PER_FILE + FEEDS * ITEMS
    assert integrity(store) == ("ok", [])


def summary(out: str) -> tuple[int, int, int]:
    found = re.fullmatch(
        r"Imported (\d+), merged (\d+), skipped (\d+)", out.strip().splitlines()[-1]
    )
    assert found, out
    imported, merged, skipped = (int(n) for n in found.groups())
    return imported, merged, skipped
