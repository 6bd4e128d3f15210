"""`pkm check`: saved links against a real server on 127.0.0.1, each answer classified,
what is found kept across checks, and moved links taking their new URL with the old
one kept as an alias."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import RunCli
from httpserver import LocalServer, Request, Response

import pkm.linkcheck
from pkm.fetch import Timeouts
from pkm.storage.db import open_store, transaction
from pkm.storage.links import (
    FAILING_GRACE_SECONDS,
    LinkRepository,
    LinkResult,
    broken_condition,
    moved_condition,
)
from pkm.types import LinkState

DAY = 86400
PAGE = "<!doctype html><html><head><title>A page</title></head><body>Text</body></html>"


@pytest.fixture(autouse=True)
def fast_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    """A hang fails within seconds (time enough for a busy machine to answer the rest);
    the second try comes at once."""
    monkeypatch.setattr(pkm.linkcheck, "TIMEOUTS", Timeouts(connect=2, read=1.5, write=2, total=3))
    monkeypatch.setattr(pkm.linkcheck, "RETRY_DELAY", 0.0)


def check_json(cli: RunCli, *args: str) -> dict[str, dict[str, object]]:
    """``pkm check --json``, by URL."""
    result = cli("check", *args, "--json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    return {str(c["url"]): c for c in document["checks"]}


def save(cli: RunCli, url: str, *tags: str) -> int:
    args = [arg for tag in tags for arg in ("-t", tag)]
    result = cli("save", "--no-fetch", url, *args, "--json")
    assert result.exit_code == 0, result.stderr
    return int(json.loads(result.stdout)["id"])


def refused_port() -> int:
    """A loopback port nobody listens on (bound, never listening, closed)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def reset_at_once(request: Request) -> None:
    """Reset the connection (RST) without answering."""
    assert request.connection is not None
    request.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    os.close(request.connection.detach())


def never_answer(request: Request) -> None:
    request.stopping.wait(30)


def head_refused(request: Request) -> Response:
    if request.method == "HEAD":
        return Response(405, body="no HEAD here")
    return Response(200, body=PAGE, content_type="text/html")


def head_lies(request: Request) -> Response:
    if request.method == "HEAD":
        return Response(404, body="")
    return Response(200, body=PAGE, content_type="text/html")


class Flaky:
    """Fails the first ``failures`` requests with ``status``, then serves the page."""

    def __init__(self, failures: int, status: int = 503) -> None:
        self.failures = failures
        self.status = status
        self.lock = threading.Lock()

    def __call__(self, request: Request) -> Response:
        with self.lock:
            self.failures -= 1
            failing = self.failures >= 0
        if failing:
            return Response(self.status, body="try later")
        return Response(200, body=PAGE, content_type="text/html")


@pytest.fixture
def web(local_server: LocalServer) -> Iterator[LocalServer]:
    s = local_server
    s.route("/ok", PAGE, content_type="text/html")
    s.route("/new", PAGE, content_type="text/html")
    s.route("/permanent", status=301, headers={"Location": "/new"})
    s.route("/permanent-308", status=308, headers={"Location": s.url("/new")})
    s.route("/temporary", status=302, headers={"Location": "/ok"})
    s.route("/then-temporary", status=301, headers={"Location": "/temporary"})
    s.route("/moved-away", status=301, headers={"Location": "/nowhere"})
    s.route("/gone", "gone", status=410)
    s.route("/error", "oops", status=500)
    s.route("/loop", status=301, headers={"Location": "/loop"})
    s.handler("/reset", reset_at_once)
    s.handler("/hang", never_answer)
    s.handler("/head-refused", head_refused)
    s.handler("/head-lies", head_lies)
    yield s


@pytest.mark.usefixtures("engine")
def test_each_answer_is_classified(cli: RunCli, web: LocalServer) -> None:
    dead = f"http://127.0.0.1:{refused_port()}/page"
    expected = {
        web.url("/ok"): ("ok", 200, None),
        web.url("/permanent"): ("moved", 200, web.url("/new")),
        web.url("/permanent-308"): ("moved", 200, web.url("/new")),
        web.url("/temporary"): ("ok", 200, None),
        web.url("/then-temporary"): ("ok", 200, None),
        web.url("/moved-away"): ("gone", 404, None),
        web.url("/missing"): ("gone", 404, None),
        web.url("/gone"): ("gone", 410, None),
        web.url("/error"): ("failing", 500, None),
        web.url("/loop"): ("failing", None, None),
        web.url("/reset"): ("failing", None, None),
        web.url("/hang"): ("failing", None, None),
        web.url("/head-refused"): ("ok", 200, None),
        web.url("/head-lies"): ("ok", 200, None),
        dead: ("dead", None, None),
        "http://no-such-host.invalid/page": ("dead", None, None),
    }
    for url in expected:
        save(cli, url)
    found = check_json(cli)
    got = {url: (c["state"], c["status"], c["moved_to"]) for url, c in found.items()}
    assert got == expected
    reasons = {url: c["reason"] for url, c in found.items()}
    assert reasons[web.url("/gone")] == "HTTP 410 Gone"
    assert reasons[dead] == "connection refused"
    assert reasons["http://no-such-host.invalid/page"] == "host not found"
    assert reasons[web.url("/reset")] == "connection reset by server"
    assert reasons[web.url("/hang")] == "timed out after 1.5 s"
    assert reasons[web.url("/loop")] == "redirect loop"
    assert all(reasons[url] is None for url, want in expected.items() if want[0] in ("ok", "moved"))
    # HEAD first; GET only where HEAD was refused or said the page is not there.
    methods = [r.method for r in web.requests_to("/head-refused")]
    assert methods == ["HEAD", "GET"]
    assert {r.method for r in web.requests_to("/ok")} == {"HEAD"}  # also via redirects
    assert all(r.headers["User-Agent"].startswith("pkm/") for r in web.requests)


def test_failing_only_after_two_tries(cli: RunCli, local_server: LocalServer) -> None:
    local_server.handler("/once", Flaky(failures=2))  # HEAD and the first GET fail
    local_server.handler("/always", Flaky(failures=100))
    once, always = save(cli, local_server.url("/once")), save(cli, local_server.url("/always"))
    found = check_json(cli)
    assert found[local_server.url("/once")]["state"] == "ok"
    assert found[local_server.url("/always")]["state"] == "failing"
    assert found[local_server.url("/always")]["status"] == 503
    # HEAD, the GET that HEAD's 503 calls for, and the one second try: no more.
    assert [r.method for r in local_server.requests_to("/always")] == ["HEAD", "GET", "GET"]
    assert [r.method for r in local_server.requests_to("/once")] == ["HEAD", "GET", "GET"]
    assert once != always


def test_a_link_that_answers_on_the_second_try_is_not_dead(
    cli: RunCli, local_server: LocalServer
) -> None:
    url = local_server.url("/reset-first")
    resets = [1]

    def reset_first(request: Request) -> Response | None:
        if resets:
            resets.pop()
            reset_at_once(request)
            return None
        return Response(200, body=PAGE, content_type="text/html")

    local_server.handler("/reset-first", reset_first)
    save(cli, url)
    assert check_json(cli)[url]["state"] == "ok"
    assert [r.method for r in local_server.requests_to("/reset-first")] == ["HEAD", "GET"]


def test_known_validators_make_the_check_conditional(
    cli: RunCli, local_server: LocalServer, db_path: Path
) -> None:
    etag, modified = '"v7"', "Sat, 21 Nov 2026 09:00:00 GMT"
    local_server.route("/etag", PAGE, headers={"ETag": etag}, content_type="text/html")
    local_server.route("/dated", PAGE, headers={"Last-Modified": modified})
    tagged, dated = local_server.url("/etag"), local_server.url("/dated")
    save(cli, tagged)
    save(cli, dated)
    first = check_json(cli)
    assert {first[tagged]["status"], first[dated]["status"]} == {200}
    assert local_server.requests_to("/etag")[0].headers["If-None-Match"] is None
    again = check_json(cli)
    assert (again[tagged]["state"], again[tagged]["status"]) == ("ok", 304)
    assert (again[dated]["state"], again[dated]["status"]) == ("ok", 304)
    assert local_server.requests_to("/etag")[-1].headers["If-None-Match"] == etag
    assert local_server.requests_to("/dated")[-1].headers["If-Modified-Since"] == modified
    # A 304 that leaves its validators out keeps the known ones.
    with sqlite3.connect(db_path) as conn:
        kept = conn.execute("SELECT etag FROM link_checks WHERE etag IS NOT NULL").fetchall()
    assert kept == [(etag,)]


def test_broken_since_is_kept_across_checks_and_cleared_when_fixed(
    cli: RunCli, local_server: LocalServer, db_path: Path
) -> None:
    local_server.route("/page", "down", status=503)
    url = local_server.url("/page")
    entry_id = save(cli, url)
    first = check_json(cli)[url]
    assert first["state"] == "failing" and first["broken_since"] == first["checked_at"]
    # As if that check had been made 40 days ago.
    with sqlite3.connect(db_path) as conn:
        conn.execute(
            "UPDATE link_checks SET broken_since = broken_since - ?, checked_at = checked_at - ?",
            (40 * DAY, 40 * DAY),
        )
    (since,) = _column(db_path, "broken_since")
    local_server.route("/page", "gone", status=404)  # another broken state: same run
    second = check_json(cli)[url]
    assert second["state"] == "gone" and second["broken_since"] != second["checked_at"]
    assert _column(db_path, "broken_since") == [since]
    shown = cli("check")
    assert "gone" in shown.stdout and str(entry_id) in shown.stdout
    local_server.route("/page", PAGE, content_type="text/html")
    assert check_json(cli)[url]["broken_since"] is None
    assert _column(db_path, "broken_since") == [None]


def _column(db_path: Path, name: str) -> list[object]:
    with sqlite3.connect(db_path) as conn:
        return [row[0] for row in conn.execute(f"SELECT {name} FROM link_checks")]


def test_broken_and_moved_conditions(cli: RunCli, db_path: Path) -> None:
    ids = {name: save(cli, f"https://example.org/{name}") for name in "abcde"}
    names = {entry_id: name for name, entry_id in ids.items()}
    conn = open_store(db_path)
    links = LinkRepository(conn)
    t0 = 1_800_000_000

    def record(name: str, state: LinkState, now: int, moved_to: str | None = None) -> None:
        result = LinkResult(ids[name], f"https://example.org/{name}", state, None, moved_to)
        with transaction(conn):
            links.record(result, now)

    def matching(now: int) -> tuple[set[str], set[str]]:
        broken, params = broken_condition(now)
        select = "SELECT id FROM entries e WHERE "
        return (
            {names[i] for (i,) in conn.execute(select + broken, params)},
            {names[i] for (i,) in conn.execute(select + moved_condition())},
        )

    def broken_since(name: str) -> float | None:
        check = links.get(ids[name])
        assert check is not None
        return check.broken_since.timestamp() if check.broken_since else None

    record("a", "failing", t0)
    record("a", "failing", t0 + 10 * DAY)  # still the run that began at t0
    record("b", "gone", t0)
    record("c", "dead", t0)
    record("d", "moved", t0, moved_to="https://example.org/d2")
    record("e", "failing", t0 + 20 * DAY)
    assert broken_since("a") == t0
    # Gone and dead are broken at once; failing only after 30 days of it.
    assert matching(t0 + 20 * DAY) == ({"b", "c"}, {"d"})
    assert matching(t0 + FAILING_GRACE_SECONDS) == ({"a", "b", "c"}, {"d"})
    record("c", "ok", t0 + 31 * DAY)
    record("a", "gone", t0 + 31 * DAY)  # one broken state after another: the run goes on
    assert matching(t0 + 31 * DAY)[0] == {"a", "b"}
    assert broken_since("a") == t0
    assert broken_since("c") is None
    assert links.get(ids["e"]) is not None and links.get(12345) is None
    conn.close()


@pytest.mark.usefixtures("engine")
def test_update_moved_keeps_the_old_url_as_an_alias(
    cli: RunCli, web: LocalServer, tmp_path: Path
) -> None:
    old = web.url("/permanent")
    entry_id = save(cli, old, "talks")
    result = cli("check", "--update-moved")
    assert result.exit_code == 0, result.stderr
    assert f"updated {entry_id}: {old} → {web.url('/new')}" in result.stdout
    shown = json.loads(cli("show", str(entry_id), "--json").stdout)
    assert shown["url"] == web.url("/new")
    # Saving the old URL again finds the same entry, and so does importing it.
    again = json.loads(cli("save", "--no-fetch", old, "-t", "again", "--json").stdout)
    assert again["id"] == entry_id and again["merged"] is True
    bookmarks = tmp_path / "bookmarks.html"
    bookmarks.write_text(
        "<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<DL><p>\n"
        f'<DT><A HREF="{old}" TAGS="imported">Old address</A>\n</DL><p>\n'
    )
    imported = cli("import", str(bookmarks))
    assert imported.exit_code == 0, imported.stderr
    assert "Imported 0, merged 1" in imported.stdout + imported.stderr
    shown = json.loads(cli("show", str(entry_id), "--json").stdout)
    assert set(shown["tags"]) == {"talks", "again", "imported"}
    # The link now works where it is: the next check finds it ok, and nothing to update.
    after = check_json(cli, "--update-moved")
    assert after[web.url("/new")]["state"] == "ok"


@pytest.mark.usefixtures("engine")
def test_update_moved_does_not_merge_into_another_entry(cli: RunCli, web: LocalServer) -> None:
    moved = save(cli, web.url("/permanent"))
    holder = save(cli, web.url("/new"))
    result = cli("check", "--update-moved", "--json")
    updates = json.loads(result.stdout)["updates"]
    assert updates == [
        {"id": moved, "url": web.url("/permanent"), "new_url": web.url("/new"), "conflict": holder}
    ]
    shown = json.loads(cli("show", str(moved), "--json").stdout)
    assert shown["url"] == web.url("/permanent")
    text = cli("check", "--update-moved")
    assert f"not updated {moved}: {web.url('/new')} is entry {holder}'s" in text.stdout
    # No alias was made: saving the old URL still finds the moved entry, by its own URL.
    again = json.loads(cli("save", "--no-fetch", web.url("/permanent"), "--json").stdout)
    assert again["id"] == moved


@pytest.mark.usefixtures("engine")
def test_summary_lists_what_needs_care_and_exits_0(cli: RunCli, web: LocalServer) -> None:
    ok = save(cli, web.url("/ok"))
    gone = save(cli, web.url("/gone"))
    moved = save(cli, web.url("/permanent"))
    result = cli("check")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert any(line.split() == ["ok", "1"] for line in lines)
    assert any(line.split() == ["gone", "1"] for line in lines)
    assert any(line.split() == ["moved", "1"] for line in lines)
    assert any(line.split()[:3] == [str(gone), "gone", web.url("/gone")] for line in lines)
    assert any(
        line.split() == [str(moved), "moved", web.url("/permanent"), "→", web.url("/new")]
        for line in lines
    )
    assert not any(line.split()[:1] == [str(ok)] for line in lines)
    assert "Checked 3 links" in result.stdout


def test_older_than_leaves_out_recent_checks(cli: RunCli, web: LocalServer, db_path: Path) -> None:
    first, second = save(cli, web.url("/ok")), save(cli, web.url("/gone"))
    assert len(check_json(cli)) == 2
    web.clear()
    result = cli("check", "--older-than", "1d", "--json")
    document = json.loads(result.stdout)
    assert (document["checks"], document["skipped"]) == ([], 2)
    assert web.requests == []
    assert "checked more recently" in cli("check", "--older-than", "1d").stderr
    with sqlite3.connect(db_path) as conn:
        conn.execute(
            "UPDATE link_checks SET checked_at = checked_at - ? WHERE entry_id = ?",
            (2 * DAY, second),
        )
    document = json.loads(cli("check", "--older-than", "1d", "--json").stdout)
    assert [c["id"] for c in document["checks"]] == [second]
    assert document["skipped"] == 1 and first != second


def test_a_tag_or_a_query_chooses_the_links(cli: RunCli, web: LocalServer) -> None:
    save(cli, web.url("/ok"), "conference2.0")
    save(cli, web.url("/gone"), "other")
    save(cli, web.url("/error"))
    assert set(check_json(cli, "--tag", "conference2.0")) == {web.url("/ok")}
    assert set(check_json(cli, "#other")) == {web.url("/gone")}
    missing = cli("check", "--tag", "nosuchtag")
    assert missing.exit_code != 0 and "no tag 'nosuchtag'" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_only_saved_entries_are_checked(cli: RunCli, web: LocalServer, db_path: Path) -> None:
    save(cli, web.url("/ok"))
    with sqlite3.connect(db_path) as conn:  # a feed item nobody saved
        conn.execute(
            "INSERT INTO entries (url, url_key, title, first_seen, sort_date)"
            " VALUES (?, ?, 't', 0, 0)",
            (web.url("/gone"), web.url("/gone")),
        )
    assert set(check_json(cli)) == {web.url("/ok")}


def test_the_per_host_cap_holds(cli: RunCli, local_server: LocalServer) -> None:
    for i in range(12):
        local_server.route(f"/slow/{i}", PAGE, content_type="text/html", delay=0.1)
        save(cli, local_server.url(f"/slow/{i}"))
    found = check_json(cli)
    assert {c["state"] for c in found.values()} == {"ok"}
    assert 1 < local_server.max_in_flight <= pkm.linkcheck.PER_HOST


HOSTILE = "\x1b]0;pwned\x07\x1b[2J\u202eevil[bold red]loud[/bold red]"


def test_hostile_urls_and_reasons_never_reach_the_terminal_raw(
    cli: RunCli, local_server: LocalServer, db_path: Path
) -> None:
    def hostile_status_line(request: Request) -> None:
        assert request.wfile is not None
        request.wfile.write(f"HTTP/1.1 2x0 {HOSTILE}\r\nContent-Length: 0\r\n\r\n".encode())

    target = "/new%1b%5b2J%e2%80%ae[bold]"
    local_server.handler("/protocol", hostile_status_line)
    local_server.route("/redirect", status=301, headers={"Location": target})
    local_server.route(target, PAGE)
    save(cli, local_server.url("/protocol"))
    save(cli, local_server.url("/redirect"))
    hostile_id = save(cli, local_server.url("/gone"))
    with sqlite3.connect(db_path) as conn:  # a URL as a hostile import could leave it
        conn.execute(
            "UPDATE entries SET url = ? WHERE id = ?",
            (local_server.url("/gone") + HOSTILE, hostile_id),
        )
    found = check_json(cli)
    states = sorted(str(c["state"]) for c in found.values())
    assert states == ["dead", "failing", "moved"]
    reason = found[local_server.url("/protocol")]["reason"]
    assert isinstance(reason, str) and reason.startswith("protocol error")
    for args in (("check",), ("check", "--json"), ("check", "--update-moved")):
        result = cli(*args)
        assert result.exit_code == 0, result.stderr
        for raw in ("\x1b", "\x07", "\u202e", "\x9b"):
            assert raw not in result.stdout and raw not in result.stderr, (args, raw)
        if args == ("check",):
            assert "[bold red]loud[/bold red]" in result.stdout  # markup stays literal text
            assert "protocol error" in result.stdout


def test_a_backup_keeps_the_aliases_and_checks(
    cli: RunCli, web: LocalServer, tmp_path: Path
) -> None:
    old = web.url("/permanent")
    entry_id = save(cli, old)
    assert cli("check", "--update-moved").exit_code == 0
    backup = tmp_path / "backup.json"
    assert cli("backup", str(backup)).exit_code == 0
    restored = tmp_path / "restored.db"
    assert cli("--db", str(restored), "restore", str(backup)).exit_code == 0
    again = json.loads(cli("--db", str(restored), "save", "--no-fetch", old, "--json").stdout)
    assert again["id"] == entry_id and again["merged"] is True
    with sqlite3.connect(restored) as conn:
        assert conn.execute("SELECT entry_id, state FROM link_checks").fetchall() == [
            (entry_id, "ok")
        ]


# The pkm CLI with every check shared by two probe processes, however small.
SHARED = """
import sys
import pkm.linkcheck
pkm.linkcheck.PROCESS_THRESHOLD = 1
sys.argv = ["pkm", *sys.argv[1:]]
from pkm.cli import main
main()
"""


@pytest.fixture
def two_hosts() -> Iterator[tuple[LocalServer, LocalServer]]:
    with LocalServer() as first, LocalServer("127.0.0.2") as second:
        for server in (first, second):
            server.route("/fast", PAGE, content_type="text/html")
            server.route("/gone", "gone", status=410)
            server.handler("/hang", never_answer)
        yield first, second


@pytest.mark.usefixtures("engine")
def test_a_big_check_is_shared_by_probe_processes(
    cli: RunCli, two_hosts: tuple[LocalServer, LocalServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pkm.linkcheck, "PROCESS_THRESHOLD", 1)
    first, second = two_hosts
    expected = {}
    for server in two_hosts:
        for i in range(5):
            expected[server.url(f"/fast?{i}")] = "ok"
        expected[server.url("/gone")] = "gone"
    for url in expected:
        save(cli, url)
    assert {url: c["state"] for url, c in check_json(cli).items()} == expected
    assert len(first.requests) >= 6 and len(second.requests) >= 6


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL])
def test_an_interrupted_check_keeps_what_it_found(
    two_hosts: tuple[LocalServer, LocalServer], tmp_path: Path, sig: signal.Signals
) -> None:
    store = tmp_path / "check.db"
    env = {**os.environ, "PKM_DB": str(store)}
    pkm_bin = str(Path(sys.executable).parent / "pkm")
    urls = [s.url(f"/fast?{i}") for s in two_hosts for i in range(5)]
    urls += [s.url(f"/hang?{i}") for s in two_hosts for i in range(2)]
    for url in urls:
        subprocess.run(
            [pkm_bin, "save", "--no-fetch", url], env=env, check=True, capture_output=True
        )
    # The real timeouts: the hanging pages hold the check for many seconds.
    proc = subprocess.Popen(
        [sys.executable, "-c", SHARED, "check"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while _checked(store) < 10 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert proc.poll() is None, "the check should still wait for the hanging pages"
    probes = _children(proc.pid)
    assert len(probes) == 2
    proc.send_signal(sig)
    _, stderr = proc.communicate(timeout=15)
    assert b"Traceback" not in stderr
    assert _checked(store) == 10
    with sqlite3.connect(store) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        states = conn.execute("SELECT DISTINCT state FROM link_checks").fetchall()
    assert states == [("ok",)]
    # The probe processes end with their parent, even one killed outright.
    deadline = time.monotonic() + 5
    while any(Path(f"/proc/{pid}").exists() for pid in probes) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in probes if _alive(pid)]


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def _alive(pid: int) -> bool:
    """Running, as opposed to gone or a zombie nobody has reaped yet."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _checked(store: Path) -> int:
    try:
        with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as conn:
            return int(conn.execute("SELECT count(*) FROM link_checks").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def test_find_lists_broken_moved_and_archived_links(
    cli: RunCli, web: LocalServer, db_path: Path
) -> None:
    gone = save(cli, web.url("/gone"), "conference2.0")
    moved = save(cli, web.url("/permanent"), "conference2.0")
    fine = save(cli, web.url("/ok"), "conference2.0")
    failing = save(cli, web.url("/error"), "conference2.0")
    elsewhere = save(cli, web.url("/missing"), "other")
    check_json(cli)

    def ids(*query: str) -> list[int]:
        result = cli("find", *query, "--json")
        assert result.exit_code == 0, result.stderr
        return sorted(int(hit["id"]) for hit in json.loads(result.stdout))

    # Failing for less than 30 days is not broken yet.
    assert ids("is:broken") == sorted([gone, elsewhere])
    assert ids("is:broken", "#conference2.0") == [gone]
    assert ids("is:moved") == [moved]
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute(
            "UPDATE link_checks SET broken_since = broken_since - 31 * 86400 WHERE entry_id = ?",
            (failing,),
        )
        conn.execute(
            "INSERT INTO archives (entry_id, attempted_at, archived_at, content) VALUES (?, 1, 1,"
            " '<p>kept</p>')",
            (gone,),
        )
        conn.execute(
            "INSERT INTO archives (entry_id, attempted_at, error) VALUES (?, 1, 'HTTP 404')",
            (elsewhere,),
        )
    conn.close()
    assert ids("is:broken", "#conference2.0") == sorted([gone, failing])
    assert ids("is:archived") == [gone]
    assert fine not in ids("is:broken") + ids("is:moved") + ids("is:archived")
