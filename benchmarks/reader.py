"""Benchmark of `pkm read` (issue 15): first screen, next item, memory.

Builds stores (cached under benchmarks/work/reader/) of N unread feed items spread over
1,000 feeds in 20 folders, each item with a title and a ~120-word HTML summary, written
through pkm's own storage layer as scans would write them. Then:

- first screen from the command line: ``python -m pkm read`` on a real pseudo-terminal
  (80x24 and 200x60), from the start of the process until the status line is drawn;
- next item: in Textual's headless driver (200x60), the time from pressing ``n`` (next
  unread: the item is marked read in the store and its article laid out and drawn) until
  the screen is idle again, over many presses; and on the pseudo-terminal, from writing
  ``n`` until the next item's title is on the screen;
- memory: the peak RSS of a process that opens the reader (headless) on the store and
  reads 20 items.

    .venv/bin/python benchmarks/reader.py                # 10,000 items, memory at 100,000
    .venv/bin/python benchmarks/reader.py --quick        # 2,000 items, a smoke run

Non-quick runs rewrite the "## Reader" section of benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import fcntl
import hashlib
import os
import platform
import pty
import random
import re
import statistics
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

from readme_section import replace_section, revision  # beside this script
from timing import installed_env

HERE = Path(__file__).resolve().parent
WORK = HERE / "work" / "reader"
FEEDS = 1_000
WORDS = (
    "hybrid events learning network practice knowledge conference keynote session remote"
    " community social bookmarking reading sense making workplace team meeting online"
    " research notes ideas curation feed story work manager skills digital platform"
).split()
_ANSI = re.compile(rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")


def build(items: int) -> Path:
    """A store of ``items`` unread items over FEEDS feeds (cached)."""
    from datetime import UTC, datetime, timedelta

    from pkm import Pkm
    from pkm.storage.db import transaction
    from pkm.storage.entries import EntryRepository
    from pkm.storage.feeds import FeedRepository
    from pkm.storage.scans import ScanRepository
    from pkm.types import ParsedEntry

    path = WORK / f"reader-{items}.db"
    if path.exists():
        return path
    WORK.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    for leftover in WORK.glob(partial.name + "*"):
        leftover.unlink()
    rng = random.Random(15)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    with Pkm.open(partial) as pkm:
        conn = pkm._conn  # the benchmark writes as a scan does, through the storage layer
        with transaction(conn):
            feeds = FeedRepository(conn)
            feed_ids = [
                feeds.add(
                    f"https://feed{n}.example/rss",
                    title=f"Feed {n:04d} {rng.choice(WORDS).title()}",
                    folder=f"Folder {n % 20:02d}",
                )[0]
                for n in range(FEEDS)
            ]
            scan_id = ScanRepository(conn).start(int(time.time()), FEEDS)
        entries = EntryRepository(conn)
        per_feed = items // FEEDS
        for feed_n, feed_id in enumerate(feed_ids):
            batch = []
            for i in range(per_feed):
                words = " ".join(rng.choice(WORDS) for _ in range(120))
                title = f"Item {i} of feed {feed_n}: {' '.join(rng.sample(WORDS, 5))}"
                html = (
                    f'<p>{words}</p><p><a href="https://feed{feed_n}.example/{i}/more">more</a></p>'
                )
                batch.append(
                    ParsedEntry(
                        key=f"guid:{feed_n}-{i}",
                        url=f"https://feed{feed_n}.example/{i}",
                        title=title,
                        author=None,
                        summary_html=html,
                        content_html=None,
                        text=words,
                        published=start + timedelta(minutes=rng.randrange(40_000)),
                        updated=None,
                        content_hash=hashlib.sha1(title.encode()).hexdigest(),
                    )
                )
            with transaction(conn):
                entries.store_items(
                    feed_id, f"feed{feed_n}.example", batch, int(time.time()), scan_id
                )
                if feed_n % 50 == 49 or feed_n == FEEDS - 1:
                    entries.index_pending()
    partial.rename(path)
    return path


class Terminal:
    def __init__(self, args: list[str], size: tuple[int, int]) -> None:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
        env = {**installed_env(), "TERM": "xterm-256color"}
        env.pop("COLUMNS", None)
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pkm", *args], stdin=slave, stdout=slave, stderr=slave, env=env
        )
        os.close(slave)
        self.master = master
        self.raw = bytearray()

    def wait_for(self, text: bytes, timeout: float = 60) -> float:
        """Read until ``text`` is on screen; the time it appeared (perf_counter)."""
        deadline = time.perf_counter() + timeout
        seen = len(self.raw)
        while time.perf_counter() < deadline:
            self.raw += os.read(self.master, 1 << 16)
            if text in _ANSI.sub(b"", bytes(self.raw[max(seen - 200, 0) :])):
                return time.perf_counter()
        raise TimeoutError(text)

    def cpu(self) -> float:
        """The CPU seconds (user + system) the process has used so far: unlike wall time,
        what the shared machine's other work does not inflate."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def close(self) -> None:
        os.write(self.master, b"q")
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self.master)


def reset_read(db: Path) -> None:
    import sqlite3

    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE entry_states SET read_at = NULL")


def listing_titles(db: Path) -> list[str]:
    from pkm import Pkm

    with Pkm.open(db) as pkm:
        return [s.entry.title or "" for s in pkm.triage().stories]


def first_screen(db: Path, size: tuple[int, int], repeat: int) -> tuple[list[float], list[float]]:
    """Wall times and CPU times from the start of ``pkm read`` to its first screen (after
    one run not counted, which writes the bytecode as an install would have)."""
    times, cpu = [], []
    for _ in range(repeat + 1):
        term = Terminal(["--db", str(db), "read"], size)
        times.append(term.wait_for(b"unread of") - term.started)
        cpu.append(term.cpu())
        term.close()
    return times[1:], cpu[1:]


def next_item_terminal(db: Path, presses: int) -> tuple[list[float], list[float]]:
    reset_read(db)
    titles = listing_titles(db)
    term = Terminal(["--db", str(db), "read"], (200, 60))
    term.wait_for(b"unread of")
    times, cpu = [], []
    for title in titles[:presses]:
        sent, used = time.perf_counter(), term.cpu()
        os.write(term.master, b"n")
        times.append(term.wait_for(title[:40].encode()) - sent)
        cpu.append(term.cpu() - used)
    term.close()
    reset_read(db)
    return times, cpu


def next_item_headless(db: Path, presses: int) -> list[float]:
    from pkm import Pkm
    from pkm.cli.reader.app import Reader

    reset_read(db)

    async def go() -> list[float]:
        with Pkm.open(db) as pkm:
            app = Reader(pkm)
            async with app.run_test(size=(200, 60)) as pilot:
                await pilot.pause()
                times = []
                for _ in range(presses):
                    # The action `n` is bound to, then its frame drawn at once (pause(0)):
                    # pilot.press() would add the pilot's own waits for an idle CPU, in
                    # steps of 20 ms (~80 ms a press here), which is not the reader's time.
                    start = time.perf_counter()
                    await app.run_action("next_unread(1)", app.screen)
                    await pilot.pause(0)
                    times.append(time.perf_counter() - start)
                    await pilot.pause()  # settled before the next one, not timed
                return times

    try:
        return asyncio.run(go())
    finally:
        reset_read(db)


MEMORY_SCRIPT = """
import asyncio, resource, sys, time
from pkm import Pkm
from pkm.cli.reader.app import Reader

async def go():
    with Pkm.open(sys.argv[1]) as pkm:
        start = time.perf_counter()
        app = Reader(pkm)
        async with app.run_test(size=(200, 60)) as pilot:
            await pilot.pause()
            first = time.perf_counter() - start
            for _ in range(20):
                await pilot.press("n")
            await pilot.pause()
    return first

first = asyncio.run(go())
print(first, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def memory(db: Path) -> tuple[float, float]:
    reset_read(db)
    out = subprocess.run(
        [sys.executable, "-c", MEMORY_SCRIPT, str(db)], capture_output=True, text=True, check=True
    ).stdout.split()
    reset_read(db)
    return float(out[0]), int(out[1]) / 1024


def ms(values: list[float]) -> str:
    values = sorted(values)
    p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
    return f"{statistics.median(values) * 1000:.0f} ms (p95 {p95 * 1000:.0f} ms)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    items, big = (2_000, 10_000) if args.quick else (10_000, 100_000)
    db, big_db = build(items), build(big)
    small, small_cpu = first_screen(db, (80, 24), args.repeat)
    large, large_cpu = first_screen(db, (200, 60), args.repeat)
    headless = next_item_headless(db, 100)
    terminal, terminal_cpu = next_item_terminal(db, 30)
    mem_first, mem = memory(big_db)
    small_mem_first, small_mem = memory(db)
    load = os.getloadavg()[0]
    rows = [
        ("first screen, `pkm read` on a pty, 80x24", ms(small), ms(small_cpu), "0.8 s"),
        ("first screen, `pkm read` on a pty, 200x60", ms(large), ms(large_cpu), "0.8 s"),
        (
            "next unread (`n`'s action and its frame), headless, 100 times",
            ms(headless),
            "",
            "50 ms",
        ),
        (
            "next unread (`n`), pty, until its title is drawn",
            ms(terminal),
            ms(terminal_cpu),
            "50 ms",
        ),
        (f"peak memory, {items:,} unread, headless, 20 items read", f"{small_mem:.0f} MB", "", ""),
        (f"peak memory, {big:,} unread, headless, 20 items read", f"{mem:.0f} MB", "", "250 MB"),
        (f"all {big:,} listed, headless, in process", f"{mem_first:.1f} s", "", ""),
    ]
    table = "\n".join(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows)
    text = f"""## Reader (issue 15: pkm read)

`benchmarks/reader.py` builds stores of {items:,} and {big:,} unread items over {FEEDS:,}
feeds in 20 folders (~120-word HTML summaries, written through pkm's storage layer as scans
would), then times `pkm read` on a real pseudo-terminal and in Textual's headless driver.
The list is virtual (one row of stories per line drawn, not one widget per item), so
memory grows with the stories themselves, not with widgets.

Reproduce (building the stores takes a few minutes once):

    .venv/bin/python benchmarks/reader.py

| measure ({items:,} unread unless said) | wall time, median | CPU time of pkm, median | target |
|---|---:|---:|---:|
{table}

Measured at {revision()} on {platform.machine()}, Python {platform.python_version()},
load average {load:.1f} (a shared 2-core machine: wall times are inflated by the other
work on it, often twice over; the CPU time of the pkm process is not).

The first screen is drawn from the first 200 items; the rest of the list is read right
after it (10,000 Entry objects and the digest's folding cost about half a second here).
Most of the first screen's time is start-up: Python and pkm's imports (no Typer) and
importing Textual (0.25-0.4 s). "Next unread" covers marking the item read in the store
(one transaction), laying the article out and Textual drawing it; the headless row times
the action `n` is bound to and its frame drawn at once (through `pilot.press` the pilot's
own waits for an idle CPU, in steps of 20 ms, would be most of it).
"""
    print(text)
    if not args.quick:
        replace_section("## Reader (issue 15: pkm read)", text)


if __name__ == "__main__":
    main()
