"""Nothing lost: the store survives kills, concurrency, old schemas, full disks and mistakes.

The kill and concurrency tests run the real CLI (``python -m pkm``) against a local server
serving many feeds with a little latency, so that a scan is really writing when it is
killed or when other commands run beside it.
"""

from __future__ import annotations

import fcntl
import hashlib
import io
import json
import os
import random
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import DATA, RunCli
from httpserver import LocalServer

from pkm import Pkm
from pkm.errors import PkmError, StoreError
from pkm.storage.db import HEAD_REVISION, open_store, schema_version

pytestmark = pytest.mark.timeout(180)

STORES = DATA / "stores"
FEEDS = 16
ITEMS = 40
KILL_RUNS = 20


def pkm(db: Path, *args: str, **options: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pkm", "--db", str(db), *args],
        capture_output=True,
        text=True,
        timeout=60,
        **options,
    )


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    """The error of a failed command, checked to be one line and no traceback."""
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("pkm: error: "), result.stderr
    return lines[0]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def integrity(db: Path) -> tuple[str, list[Any]]:
    conn = sqlite3.connect(db)
    try:
        check = conn.execute("PRAGMA integrity_check").fetchone()[0]
        foreign = conn.execute("PRAGMA foreign_key_check").fetchall()
    finally:
        conn.close()
    return check, foreign


def bookmarks(db: Path) -> list[tuple[Any, ...]]:
    """Every saved entry with what the user gave it: URL, title, note, tags, when, to-read."""
    conn = sqlite3.connect(db)
    try:
        people = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'saves'").fetchone()
        sql = (
            "SELECT e.id, e.url, e.title, s.note, s.saved_at, s.to_read,"
            " (SELECT group_concat(name, ' ') FROM (SELECT t.name FROM save_tags st"
            "  JOIN tags t ON t.id = st.tag_id WHERE st.save_id = s.id ORDER BY t.name))"
            " FROM entries e JOIN saves s ON s.entry_id = e.id ORDER BY e.id"
            if people
            else "SELECT e.id, e.url, e.title, e.note, e.saved_at, e.to_read,"  # before 0007
            " (SELECT group_concat(name, ' ') FROM (SELECT t.name FROM entry_tags et"
            "  JOIN tags t ON t.id = et.tag_id WHERE et.entry_id = e.id ORDER BY t.name))"
            " FROM entries e WHERE e.saved_at IS NOT NULL ORDER BY e.id"
        )
        rows = conn.execute(sql).fetchall()
    finally:
        conn.close()
    return rows


def entry_count(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute("SELECT count(*) FROM entries").fetchone()[0])
    finally:
        conn.close()


def processes_using(db: Path) -> list[int]:
    """Processes started for this store: a scan and the parse workers it spawned (their
    command lines do not name the store, but they inherit the environment's STORE_MARK)."""
    mark = f"{STORE_MARK}={db}".encode()
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes()
            environ = (proc / "environ").read_bytes()
        except OSError:
            continue
        if str(db).encode() in cmdline.split(b"\0") or mark in environ.split(b"\0"):
            found.append(int(proc.name))
    return found


STORE_MARK = "PKM_TEST_STORE"


def wait_until_gone(db: Path, seconds: float = 5.0) -> list[int]:
    deadline = time.monotonic() + seconds
    while (left := processes_using(db)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


def scan_lock_held(db: Path) -> bool:
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


# --- a site of many feeds, and a store of bookmarks that subscribes to them ------------------


def feed_xml(n: int) -> str:
    body = "&lt;p&gt;" + "Notes on knowledge work and networks. " * 30 + "&lt;/p&gt;"
    items = "".join(
        f"<item><title>Feed {n} item {i} on knowledge work</title>"
        f"<link>https://f{n}.example/{i}</link><guid>https://f{n}.example/{i}</guid>"
        f"<description>{body}</description>"
        f"<pubDate>Fri, {1 + i % 28:02d} Nov 2026 08:30:00 GMT</pubDate></item>"
        for i in range(ITEMS)
    )
    return f'<rss version="2.0"><channel><title>Feed {n}</title>{items}</channel></rss>'


@dataclass
class Site:
    server: LocalServer
    template: Path  # subscribed to FEEDS feeds, never scanned, with bookmarks
    slow_template: Path  # subscribed to the slow feeds (a scan takes seconds)
    full_scan_seconds: float
    full_entries: int  # entries after a complete scan of the template


def _make_template(path: Path, urls: list[str]) -> None:
    with Pkm.open(path) as store:
        for url in urls:
            store.add_feed(url, fetch=False, folder="Work/Feeds")
        for i in range(12):
            # Half of them are items of the feeds too: a scan merges into those bookmarks.
            url = f"https://f{i}.example/{i}" if i % 2 == 0 else f"https://saved.example/{i}"
            store.save(
                url,
                tags=["keep", f"topic{i % 3}", "Ideeën"],
                note=f"why it matters, {i}\nsecond line",
                title=f"My title {i}",
                fetch=False,
                to_read=i % 4 == 0,
            )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("site")
    with LocalServer() as server:
        for n in range(FEEDS):
            server.route(f"/f{n}.rss", feed_xml(n), content_type="application/rss+xml", delay=0.03)
        for n in range(32):
            server.route(
                f"/slow/{n}.rss", feed_xml(n), content_type="application/rss+xml", delay=0.25
            )
            # Slower still, for a scan that other commands must overlap even on a busy machine.
            server.route(
                f"/slower/{n}.rss", feed_xml(n), content_type="application/rss+xml", delay=1.0
            )
        template = folder / "template.db"
        _make_template(template, [server.url(f"/f{n}.rss") for n in range(FEEDS)])
        slow_template = folder / "slow.db"
        _make_template(slow_template, [server.url(f"/slow/{n}.rss") for n in range(32)])
        reference = folder / "reference.db"
        shutil.copyfile(template, reference)
        started = time.monotonic()
        done = pkm(reference, "scan")
        seconds = time.monotonic() - started
        assert done.returncode == 0, done.stderr
        yield Site(server, template, slow_template, seconds, entry_count(reference))


# --- SIGKILL at random points ----------------------------------------------------------------


@pytest.mark.parametrize("run", range(KILL_RUNS))
def test_a_scan_killed_at_any_point_loses_nothing(site: Site, tmp_path: Path, run: int) -> None:
    db = tmp_path / "pkm.db"
    shutil.copyfile(site.template, db)
    before = bookmarks(db)
    assert len(before) == 12
    # Kill points spread over the whole scan (start-up included), one per slice of it.
    when = (run + random.Random(run).random()) / KILL_RUNS * site.full_scan_seconds
    scan = subprocess.Popen(
        [sys.executable, "-m", "pkm", "--db", str(db), "scan"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, STORE_MARK: str(db)},
    )
    if run == 0:  # once, while parse workers run (the test sees them), whenever they start
        deadline = time.monotonic() + 4 * site.full_scan_seconds
        while len(processes_using(db)) <= 1 and time.monotonic() < deadline:
            assert scan.poll() is None, "the scan ended before its parse workers were seen"
            time.sleep(0.005)
        assert len(processes_using(db)) > 1
    else:
        time.sleep(when)
    scan.send_signal(signal.SIGKILL)
    scan.wait(timeout=10)

    assert integrity(db) == ("ok", [])
    assert bookmarks(db) == before
    # The scan's pool workers do not outlive it (they would hold the scan lock).
    assert wait_until_gone(db) == []

    after = pkm(db, "scan")
    assert after.returncode == 0, after.stderr
    assert f"Scanned {FEEDS} feeds" in after.stdout
    assert integrity(db) == ("ok", [])
    assert bookmarks(db) == before
    assert entry_count(db) == site.full_entries  # every feed item arrived in the end


# --- two writers ---------------------------------------------------------------------------


def test_a_second_scan_is_refused_while_the_first_writes(site: Site, tmp_path: Path) -> None:
    db = tmp_path / "pkm.db"
    shutil.copyfile(site.slow_template, db)
    first = subprocess.Popen(
        [sys.executable, "-m", "pkm", "--db", str(db), "scan"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 10
        while not scan_lock_held(db):
            assert time.monotonic() < deadline and first.poll() is None
            time.sleep(0.02)
        second = pkm(db, "scan")
        assert one_line_error(second) == (
            "pkm: error: another scan is running on this store; try again when it has finished"
        )
        assert first.poll() is None  # the refusal was not because the first had finished
    finally:
        out, err = first.communicate(timeout=60)
    assert first.returncode == 0, err
    assert "Scanned 32 feeds: 32 updated" in out


def test_tag_save_and_find_work_while_a_scan_writes(
    site: Site, tmp_path: Path, cli: RunCli
) -> None:
    db = tmp_path / "pkm.db"
    shutil.copyfile(site.slow_template, db)
    conn = sqlite3.connect(db)
    conn.execute("UPDATE feeds SET url = replace(url, '/slow/', '/slower/')")
    conn.commit()
    conn.close()
    saved_ids = [row[0] for row in bookmarks(db)]
    scan = subprocess.Popen(
        [sys.executable, "-m", "pkm", "--db", str(db), "scan"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    results: list[tuple[tuple[str, ...], int, str]] = []
    counts_seen: list[int] = []
    rounds = 0
    try:
        while not scan_lock_held(db) and scan.poll() is None:
            time.sleep(0.02)
        while scan.poll() is None:
            entry_id = saved_ids[rounds % len(saved_ids)]
            commands = [
                ("tag", str(entry_id), f"during{rounds}", "--note", f"note {rounds}"),
                ("save", f"https://during.example/{rounds}", "--no-fetch", "-t", "during"),
                ("find", "knowledge"),
                ("find", "--tag", "during", "--json"),
                ("show", str(entry_id)),
                ("tags",),
            ]
            for args in commands:
                result = cli("--db", str(db), *args)
                results.append((args, result.exit_code, result.stderr))
            if rounds % 4 == 0:  # now and then as a separate program, as a user would
                for args in commands[:3]:
                    done = pkm(db, *args)
                    results.append((args, done.returncode, done.stderr))
            counts_seen.append(entry_count(db))
            rounds += 1
    finally:
        _, scan_err = scan.communicate(timeout=60)
    assert scan.returncode == 0, scan_err
    assert rounds >= 3, "the scan ended before the commands could overlap it"
    assert counts_seen[-1] > counts_seen[0], "the scan was not writing meanwhile"
    for args, code, err in results:
        assert code == 0, (args, err)
        assert "locked" not in err and "busy" not in err, (args, err)
    assert integrity(db) == ("ok", [])
    with Pkm.open(db) as store:
        assert len(store.tagged("during")) == rounds
        tags = {t.name for t in store.tags()}
        assert {f"during{r}" for r in range(rounds)} <= tags


# --- old schemas ---------------------------------------------------------------------------

STORE_FILES = sorted(STORES.glob("*.db"))


def test_there_is_a_store_for_every_revision() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from pkm.storage.db import migrations_dir

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    revisions = {r.revision for r in ScriptDirectory.from_config(config).walk_revisions()}
    assert {path.stem for path in STORE_FILES} == revisions, (
        "make one with tests/data/stores/make_store.py"
    )


@pytest.mark.parametrize("stored", STORE_FILES, ids=[p.stem for p in STORE_FILES])
def test_an_old_store_upgrades_to_head_without_loss(stored: Path, tmp_path: Path) -> None:
    expected = json.loads(stored.with_suffix(".json").read_text())
    assert stored.stat().st_size < 256_000  # small enough to keep one per revision in git
    original = digest(stored)
    db = tmp_path / "pkm.db"
    shutil.copyfile(stored, db)
    with Pkm.open(db) as store:
        assert schema_version(store._conn) == HEAD_REVISION
        for want in expected["bookmarks"]:
            entry = store.entry(want["id"])
            assert entry.url == want["url"]
            assert entry.title == want["title"]
            assert sorted(entry.tags) == want["tags"]
            assert entry.note == want["note"]
            assert entry.saved == datetime.fromisoformat(want["saved"])
            assert entry.to_read == want["to_read"]
            assert entry.feed_id == want["feed_id"]
        saved = store.find("", saved=True, limit=1000)
        assert sorted(h.entry.id for h in saved) == [b["id"] for b in expected["bookmarks"]]
        assert {t.name: t.count for t in store.tags()} == expected["tags"]
        feeds = {f.id: f for f in store.feeds()}
        assert len(feeds) == len(expected["feeds"])
        for want in expected["feeds"]:
            feed = feeds[want["id"]]
            got = {key: getattr(feed, key) for key in want if key != "id"}
            assert got == {key: value for key, value in want.items() if key != "id"}
        assert len(store.find("", limit=1000)) == expected["entries"]
        # The search index came along: notes and titles are found.
        assert [h.entry.url for h in store.find("second line")] == [
            b["url"] for b in expected["bookmarks"] if b["note"] and "Second line" in b["note"]
        ]
        # And the store takes new work.
        store.save("https://after.example/upgrade", tags=["keynote"], fetch=False)
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    for feed_id, state in expected["fetch_state"].items():
        row = conn.execute("SELECT * FROM feeds WHERE id = ?", (int(feed_id),)).fetchone()
        assert {key: row[key] for key in state} == state
    conn.close()
    assert integrity(db) == ("ok", [])
    assert digest(stored) == original  # only the copy was opened


KILLED_MIGRATION = """
import os, sys
import alembic.op
from alembic.operations import Operations

def die(*args, **kwargs):
    os._exit(9)  # as SIGKILL would, at this point of the migration

# The first migration creates tables, the later ones add columns first: let one step of
# the newest migration happen, and die at the next.
steps = []
def step(original):
    def run(*args, **kwargs):
        steps.append(1)
        if len(steps) > int(sys.argv[2]):
            die()
        return original(*args, **kwargs)
    return run

for name in ("add_column", "create_table", "create_index", "execute", "drop_column"):
    setattr(Operations, name, step(getattr(Operations, name)))

from pkm import Pkm
Pkm.open(sys.argv[1]).close()
"""


@pytest.mark.parametrize("start", ["new store", "oldest store"])
def test_a_migration_killed_halfway_leaves_a_store_that_opens(tmp_path: Path, start: str) -> None:
    db = tmp_path / "pkm.db"
    if start == "oldest store":
        shutil.copyfile(STORE_FILES[0], db)
    before = bookmarks(db) if db.exists() else []
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_MIGRATION, str(db), "1"], capture_output=True, timeout=60
    )
    assert killed.returncode == 9, killed.stderr
    again = pkm(db, "tags")
    assert again.returncode == 0, again.stderr
    assert bookmarks(db) == before


# --- read-only, full disk ------------------------------------------------------------------


@contextmanager
def read_only(path: Path) -> Iterator[None]:
    """``path`` made unwritable even for root (immutable), or skip the test."""
    if os.geteuid() != 0:
        mode = path.stat().st_mode
        path.chmod(0o555 if path.is_dir() else 0o444)
        try:
            yield
        finally:
            path.chmod(mode)
        return
    done = subprocess.run(["chattr", "+i", str(path)], capture_output=True)
    if done.returncode != 0:
        pytest.skip("cannot make a file read-only for root here (chattr +i failed)")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


COMMANDS = [
    ("tags",),
    ("find", "knowledge"),
    ("save", "https://ro.example/", "--no-fetch", "-t", "x"),
    ("tag", "1", "x"),
    ("scan",),
]
# What a read-only store still answers, and what it refuses.
READS = [
    ("tags",),
    ("find", "knowledge"),
    ("show", "1"),
    ("export", "kept"),
    ("feeds", "list"),
    ("scan", "--no-fetch"),
]
WRITES = [COMMANDS[2], COMMANDS[3], COMMANDS[4]]


def _readable_copy(site: Site, db: Path) -> dict[str, str]:
    """The template with a bookmark tagged "kept"; what the reads print on it."""
    shutil.copyfile(site.template, db)
    assert pkm(db, "tag", "1", "kept").returncode == 0
    answers = {}
    for args in READS:
        result = pkm(db, *args)
        assert result.returncode == 0, (args, result.stderr)
        answers[" ".join(args)] = result.stdout
    return answers


def _reads_and_refuses(db: Path, answers: dict[str, str]) -> None:
    for args in READS:
        result = pkm(db, *args)
        assert result.returncode == 0, (args, result.stderr)
        assert result.stdout == answers[" ".join(args)], args
    for args in WRITES:
        error = one_line_error(pkm(db, *args))
        assert "not a pkm store" not in error, error
        assert str(db) in error and "read-only" in error, error


def test_a_read_only_store_is_read_and_never_written(site: Site, tmp_path: Path) -> None:
    folder = tmp_path / "store"
    folder.mkdir()
    db = folder / "pkm.db"
    answers = _readable_copy(site, db)
    original = digest(db)
    with read_only(db):
        _reads_and_refuses(db, answers)
    assert digest(db) == original
    assert sorted(p.name for p in folder.iterdir()) == ["pkm.db"]  # no -wal, -shm or lock


def test_a_store_in_a_read_only_folder_is_read_and_never_written(
    site: Site, tmp_path: Path
) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "pkm.db"
    answers = _readable_copy(site, db)
    before = sorted(p.name for p in folder.iterdir())
    original = digest(db)
    with read_only(folder):
        _reads_and_refuses(db, answers)
    assert digest(db) == original
    assert sorted(p.name for p in folder.iterdir()) == before


def _file_size_limit(limit: int) -> Any:
    def apply() -> None:  # in the child: writes past ``limit`` bytes fail (EFBIG)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_a_full_disk_stops_a_scan_cleanly_and_the_next_scan_completes(
    site: Site, tmp_path: Path
) -> None:
    db = tmp_path / "pkm.db"
    shutil.copyfile(site.template, db)
    before = bookmarks(db)
    # Room for a few feeds' items, not for all of them.
    limit = db.stat().st_size + 200_000
    full = pkm(db, "scan", preexec_fn=_file_size_limit(limit))
    error = one_line_error(full)  # no "Task exception was never retrieved" after it
    assert str(db) in error
    assert integrity(db) == ("ok", [])
    assert bookmarks(db) == before
    assert entry_count(db) < site.full_entries
    after = pkm(db, "scan")
    assert after.returncode == 0, after.stderr
    assert entry_count(db) == site.full_entries
    assert bookmarks(db) == before


def _bookmark_file(path: Path, count: int) -> None:
    lines = ["<!DOCTYPE NETSCAPE-Bookmark-file-1>", "<DL><p>"]
    for i in range(count):
        lines.append(
            f'<DT><A HREF="https://bulk.example/{i}" ADD_DATE="1700000000" TAGS="bulk">'
            f"Bulk bookmark {i} with a title of some length</A>"
        )
        lines.append(f"<DD>A note for bookmark {i}: " + "more words " * 20)
    lines.append("</DL>")
    path.write_text("\n".join(lines))


def test_a_full_disk_during_an_import_keeps_whole_batches_only(site: Site, tmp_path: Path) -> None:
    from pkm.transfer import IMPORT_BATCH

    db = tmp_path / "pkm.db"
    shutil.copyfile(site.template, db)
    before = bookmarks(db)
    bulk = tmp_path / "bookmarks.html"
    total = 3 * IMPORT_BATCH
    _bookmark_file(bulk, total)
    # Room for about one batch in any one file (the store or its write-ahead log), never
    # for all three: measured on a copy that imports one batch.
    trial = tmp_path / "trial.db"
    shutil.copyfile(site.template, trial)
    one_batch = tmp_path / "one-batch.html"
    _bookmark_file(one_batch, IMPORT_BATCH)
    assert pkm(trial, "import", str(one_batch)).returncode == 0
    base = db.stat().st_size
    growth = trial.stat().st_size - base  # checkpointed when pkm closed it
    full = pkm(db, "import", str(bulk), preexec_fn=_file_size_limit(base + growth * 6 // 5))
    assert full.returncode == 1
    assert str(db) in one_line_error(full)
    assert integrity(db) == ("ok", [])
    imported = len(bookmarks(db)) - len(before)
    assert imported % IMPORT_BATCH == 0 and imported < total  # whole transactions only
    assert bookmarks(db)[: len(before)] == before
    again = pkm(db, "import", str(bulk))
    assert again.returncode == 0, again.stderr
    assert len(bookmarks(db)) == len(before) + total


def test_a_full_disk_during_an_import_says_so(site: Site, tmp_path: Path) -> None:
    db = tmp_path / "pkm.db"
    shutil.copyfile(site.template, db)
    bulk = tmp_path / "bookmarks.html"
    _bookmark_file(bulk, 6000)  # a batch too big for SQLite's page cache: it spills, and fails
    full = pkm(db, "import", str(bulk), preexec_fn=_file_size_limit(db.stat().st_size + 500_000))
    error = one_line_error(full)
    assert "cannot rollback" not in error, error
    assert str(db) in error


# --- not a pkm store -----------------------------------------------------------------------


def _damaged_store() -> bytes:
    data = bytearray(STORE_FILES[-1].read_bytes())
    for i in range(len(data) * 2 // 10, len(data) * 8 // 10):
        data[i] = 0x55
    return bytes(data)


NOT_STORES: list[Any] = [
    pytest.param(b"my precious notes\n", id="text file"),
    pytest.param(random.Random(1).randbytes(5000), id="random bytes"),
    pytest.param(b"\x89PNG\r\n\x1a\n" + b"\0" * 2000, id="PNG image"),
    pytest.param(
        b"SQLite format 3\x00" + random.Random(2).randbytes(8000), id="SQLite header, garbage"
    ),
    pytest.param(STORE_FILES[-1].read_bytes()[:8192], id="truncated pkm store"),
]


def _other_apps_database(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.execute("INSERT INTO notes VALUES ('keep me')")
    conn.commit()
    conn.close()


@pytest.mark.parametrize("content", [*NOT_STORES, pytest.param(None, id="another app's db")])
def test_a_file_that_is_not_a_store_is_refused_and_left_untouched(
    tmp_path: Path, content: bytes | None
) -> None:
    folder = tmp_path / "store"
    folder.mkdir()
    db = folder / "notes.db"
    if content is None:
        _other_apps_database(db)
    else:
        db.write_bytes(content)
    original = digest(db)
    for args in COMMANDS:
        error = one_line_error(pkm(db, *args))
        assert "not a pkm store" in error, error
    assert digest(db) == original
    assert sorted(p.name for p in folder.iterdir()) == ["notes.db"]


@pytest.mark.parametrize("content", NOT_STORES[3:])
def test_the_refusal_names_the_file(tmp_path: Path, content: bytes) -> None:
    db = tmp_path / "notes.db"
    db.write_bytes(content)
    assert str(db) in one_line_error(pkm(db, "tags"))


def test_a_damaged_store_is_reported_as_damaged_and_not_written(tmp_path: Path) -> None:
    db = tmp_path / "pkm.db"
    db.write_bytes(_damaged_store())
    original = digest(db)
    for args in COMMANDS:
        error = one_line_error(pkm(db, *args))
        assert "damaged" in error or "malformed" in error or "corrupt" in error, error
        assert str(db) in error
    assert digest(db) == original


def test_a_damaged_store_never_crashes_pkm(tmp_path: Path) -> None:
    db = tmp_path / "pkm.db"
    db.write_bytes(_damaged_store())
    for args in COMMANDS[:4]:
        one_line_error(pkm(db, *args))


def test_pkm_error_is_what_the_api_raises_for_a_foreign_file(tmp_path: Path) -> None:
    db = tmp_path / "notes.txt"
    db.write_text("notes")
    with pytest.raises(PkmError, match="not a pkm store"):
        Pkm.open(db)
    assert db.read_text() == "notes"


# Every use case a Python caller may try on a store it cannot trust.
API_CALLS: list[tuple[str, Any]] = [
    ("tags", lambda s: s.tags()),
    ("find words", lambda s: s.find("knowledge")),
    ("find newest", lambda s: s.find("", limit=50)),
    ("find a tag", lambda s: s.find("#kept")),
    ("related", lambda s: s.related(1)),
    ("feeds", lambda s: s.feeds()),
    ("entry", lambda s: s.entry(1, mark_read=True)),
    ("triage", lambda s: s.triage()),
    ("save", lambda s: s.save("https://api.example/", fetch=False, tags=["x"])),
    ("scan without fetching", lambda s: s.scan(fetch=False)),
    ("review", lambda s: s.review()),
    ("backup", lambda s: s.backup(io.StringIO())),
    ("mute", lambda s: s.mute("title:nothing-here")),
]


def test_the_api_raises_store_errors_never_driver_errors(tmp_path: Path) -> None:
    db = tmp_path / "pkm.db"
    db.write_bytes(_damaged_store())
    damaged = []
    for name, call in API_CALLS:
        try:
            with Pkm.open(db) as store:
                call(store)
        except sqlite3.Error as exc:
            raise AssertionError(f"{name}: the driver's {exc!r} reached the caller") from None
        except StoreError as exc:
            assert "\n" not in str(exc) and str(db) in str(exc), (name, exc)
            damaged.append(name)
        except PkmError:
            pass
    assert {"find words", "backup", "scan without fetching"} <= set(damaged), damaged


def test_a_busy_store_is_one_store_error_naming_it(tmp_path: Path) -> None:
    db = tmp_path / "pkm.db"
    with Pkm.open(db) as store:
        store.save("https://before.example/", fetch=False)
    writer = sqlite3.connect(db, isolation_level=None)
    writer.execute("BEGIN EXCLUSIVE")
    conn = open_store(db)
    conn.execute("PRAGMA busy_timeout = 0")  # the real 15 s wait is not what is tested
    try:
        with Pkm(conn, db) as store:
            assert [h.entry.url for h in store.find("")] == ["https://before.example/"]
            with pytest.raises(StoreError, match=f"^the store {db} is busy"):
                store.save("https://during.example/", fetch=False)
    finally:
        writer.execute("ROLLBACK")
        writer.close()
