"""The network misbehaving in every way at once: a scan over the fault server.

Each scan runs as a real ``pkm`` process (with the scan's timeouts shortened, see RUNNER), so
that its process pool forks from a process that holds no server sockets, and so that its
peak memory can be measured.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pytest
from faultserver import FAST_TIMEOUTS, FAULTS, GOOD, Fault, install_faults
from httpserver import LocalServer

from pkm import Pkm
from pkm.fetch import Timeouts

pytestmark = pytest.mark.timeout(120)

# Peak resident memory a scan may reach, pool workers included.
MEMORY_BOUND_MIB = 250

# Runs the pkm CLI with the scan's timeouts replaced, then writes the peak RSS of the
# process and of its largest child (a pool worker) to a JSON file.
RUNNER = """
import json, resource, sys
import pkm.scan
from pkm.fetch import Timeouts
report, timeouts, *argv = sys.argv[1:]
pkm.scan.TIMEOUTS = Timeouts(**json.loads(timeouts))
sys.argv = ["pkm", *argv]
from pkm.cli import main
code = 0
try:
    main()
except SystemExit as exc:
    code = exc.code if isinstance(exc.code, int) else 1
with open("/proc/self/status") as status:
    own = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
with open(report, "w") as out:
    json.dump({"peak_kib": max(own, children)}, out)
sys.exit(code)
"""


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    seconds: float
    peak_mib: float

    def json(self) -> Any:
        assert self.code == 0, self.stderr
        return json.loads(self.stdout)


def run_pkm(db: Path, *args: str, timeouts: Timeouts = FAST_TIMEOUTS) -> Run:
    report = db.with_name(db.name + ".rss.json")
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", RUNNER, str(report), json.dumps(asdict(timeouts))]
        + ["--db", str(db), *args],
        capture_output=True,
        text=True,
        timeout=90,
    )
    seconds = time.monotonic() - started
    peak = json.loads(report.read_text())["peak_kib"] / 1024
    return Run(done.returncode, done.stdout, done.stderr, seconds, peak)


def subscribe(db: Path, urls: list[str]) -> dict[str, int]:
    with Pkm.open(db) as store:
        return {url: store.add_feed(url, fetch=False)[0].id for url in urls}


def feed_rows(db: Path) -> dict[int, sqlite3.Row]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    rows = {row["id"]: row for row in conn.execute("SELECT * FROM feeds")}
    conn.close()
    return rows


@dataclass
class FaultScan:
    server: LocalServer
    faults: list[Fault]
    db: Path
    ids: dict[str, int]  # feed id by URL
    first: Run
    first_report: dict[str, Any]
    started: float
    requests_after_first: dict[str, int]
    second: Run
    requests_after_second: dict[str, int]
    third: Run
    third_report: dict[str, Any]
    rows_after_second: dict[int, sqlite3.Row]

    def fault_id(self, fault: Fault) -> int:
        return self.ids[fault.url]


def _request_counts(server: LocalServer) -> dict[str, int]:
    counts: dict[str, int] = {}
    for request in server.requests:
        counts[request.path] = counts.get(request.path, 0) + 1
    return counts


@pytest.fixture(scope="module")
def fault_scan(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultScan]:
    """Three scans of the good feeds and every fault: first, next (not forced), forced."""
    db = tmp_path_factory.mktemp("faults") / "pkm.db"
    with LocalServer() as server:
        faults = install_faults(server)
        urls = [server.url(good.path) for good in GOOD] + [fault.url for fault in faults]
        ids = subscribe(db, urls)
        started = time.time()
        first = run_pkm(db, "scan", "--json")
        first_report = first.json()
        requests_after_first = _request_counts(server)
        second = run_pkm(db, "scan")
        requests_after_second = _request_counts(server)
        rows_after_second = feed_rows(db)
        third = run_pkm(db, "scan", "--force", "--json")
        yield FaultScan(
            server,
            faults,
            db,
            ids,
            first,
            first_report,
            started,
            requests_after_first,
            second,
            requests_after_second,
            third,
            third.json(),
            rows_after_second,
        )


def test_the_scan_finishes_within_the_deadline_and_stores_the_good_feeds(
    fault_scan: FaultScan,
) -> None:
    first = fault_scan.first
    # The slowest fault is cut by the 4 s total deadline; nothing waits for 60 s.
    assert first.seconds < FAST_TIMEOUTS.total + 10, first.seconds
    feeds = fault_scan.first_report["feeds"]
    stored = [f for f in FAULTS if f.outcome == "stored"]
    assert feeds["total"] == len(GOOD) + len(FAULTS)
    assert feeds["updated"] == len(GOOD) + len(stored)
    assert feeds["failed"] == len(FAULTS) - len(stored)
    with Pkm.open(fault_scan.db) as store:
        for good in GOOD:
            feed = store.feed(fault_scan.server.url(good.path))
            assert (feed.title, feed.status, feed.items) == (good.title, "ok", len(good.items))
            for title, url in good.items:
                entry = store._entries.by_url(url)
                assert entry is not None and entry.title == title
    new_urls = {item["url"] for item in fault_scan.first_report["items"]}
    assert {url for good in GOOD for _, url in good.items} <= new_urls


@pytest.mark.parametrize("fault", FAULTS, ids=[f.name for f in FAULTS])
def test_each_fault_gets_its_own_one_line_reason(fault_scan: FaultScan, fault: Fault) -> None:
    feed_id = fault_scan.ids[fault_scan.server.url(fault.path)]
    errors = {e["feed_id"]: e["error"] for e in fault_scan.first_report["errors"]}
    if fault.outcome == "stored":
        assert feed_id not in errors
        with Pkm.open(fault_scan.db) as store:
            feed = store.feed(feed_id)
            assert (feed.status, feed.title) == ("ok", fault.title)
            assert feed.items >= 1
        return
    reason = errors[feed_id]
    assert "\n" not in reason and "\r" not in reason
    assert fault.matches(reason), reason
    row = feed_rows(fault_scan.db)[feed_id]
    assert row["last_error"] == reason
    if fault.outcome == "retired":
        assert row["retired_at"] is not None


def test_salvaged_feeds_are_stored_without_control_characters(fault_scan: FaultScan) -> None:
    conn = sqlite3.connect(fault_scan.db)
    texts = [
        value
        for row in conn.execute("SELECT title, author, summary, content, text FROM entries")
        for value in row
        if value
    ]
    texts += [row[0] for row in conn.execute("SELECT title FROM feeds") if row[0]]
    conn.close()
    for text in texts:
        assert not any(ord(c) < 32 and c not in "\t\n" or 0x7F <= ord(c) < 0xA0 for c in text)
    with Pkm.open(fault_scan.db) as store:
        [hit] = store.find("NUL")
        assert hit.entry.title == "Item with NUL"


def test_the_scan_stays_within_its_memory_bound(fault_scan: FaultScan) -> None:
    for run in (fault_scan.first, fault_scan.second, fault_scan.third):
        assert run.peak_mib < MEMORY_BOUND_MIB, run.peak_mib


def test_the_next_scan_waits_as_the_backoff_rules_say(fault_scan: FaultScan) -> None:
    second = fault_scan.second
    assert second.code == 0, second.stderr
    counts = fault_scan.requests_after_second
    failing = [f for f in fault_scan.faults if f.outcome != "stored"]
    for fault in failing:
        # Neither a failing feed (backing off) nor a retired one is asked again ...
        assert counts.get(fault.path) == fault_scan.requests_after_first.get(fault.path), fault
    for good in GOOD:  # ... while a healthy feed is, conditionally.
        assert counts[good.path] == fault_scan.requests_after_first[good.path] + 1
    # The report lists each waiting feed once, with its reason and when it is tried again.
    lines = second.stdout.splitlines()
    assert "Failing feeds:" in lines
    for fault in failing:
        feed_id = fault_scan.fault_id(fault)
        mine = [line for line in lines if f"(feed {feed_id}):" in line]
        if fault.outcome == "retired":
            assert mine == []  # retired feeds are not tried and not nagged about
            continue
        [line] = mine
        reason = line.split(f"(feed {feed_id}): ", 1)[1]
        assert reason.endswith(")") and " (next try " in reason, line
        assert fault.matches(reason.rsplit(" (next try ", 1)[0]), line
    waiting = len([f for f in failing if f.outcome == "failed"])
    total = len(GOOD) + len([f for f in fault_scan.faults if f.outcome == "stored"])
    assert f"Scanned {total} feeds: 0 updated, {total} unchanged, 0 failed, " in second.stdout
    assert f"{waiting} waiting to retry" in second.stdout
    # Back-off: 30 minutes after a first failure, or as long as Retry-After asked.
    rows = fault_scan.rows_after_second
    for fault in failing:
        row = rows[fault_scan.fault_id(fault)]
        assert row["error_count"] == 1
        if fault.outcome == "retired":
            assert row["next_fetch_at"] is None
            continue
        wait = row["next_fetch_at"] - row["last_fetched"]
        expected = fault.retry_after or 30 * 60
        assert expected - 5 <= wait <= expected + 5, (fault.name, wait)


def test_a_forced_scan_retries_and_doubles_the_backoff(fault_scan: FaultScan) -> None:
    report = fault_scan.third_report
    errors = {e["feed_id"]: e["error"] for e in report["errors"]}
    rows = feed_rows(fault_scan.db)
    for fault in fault_scan.faults:
        feed_id = fault_scan.fault_id(fault)
        row = rows[feed_id]
        if fault.outcome == "stored":
            assert feed_id not in errors and row["error_count"] == 0
        elif fault.outcome == "retired":
            assert feed_id not in errors and row["error_count"] == 1  # retired: never again
        else:
            assert fault.matches(errors[feed_id])
            assert row["error_count"] == 2
            if fault.retry_after is None:
                wait = row["next_fetch_at"] - row["last_fetched"]
                assert 60 * 60 - 5 <= wait <= 60 * 60 + 5, (fault.name, wait)


@pytest.mark.parametrize("path", ["/bomb", "/endless", "/huge-title", "/over-cap", "/big-title"])
def test_memory_stays_bounded_for_each_big_response(
    tmp_path: Path, local_server: LocalServer, path: str
) -> None:
    install_faults(local_server)
    db = tmp_path / "pkm.db"
    subscribe(db, [local_server.url(path)])
    run = run_pkm(db, "scan", "--json")
    report = run.json()
    assert run.peak_mib < MEMORY_BOUND_MIB, run.peak_mib
    fault = next(f for f in FAULTS if f.path == path)
    if fault.outcome == "stored":
        assert report["feeds"]["updated"] == 1
    else:
        [error] = report["errors"]
        assert fault.matches(error["error"]), error
    assert run.seconds < 30
