"""Benchmark of `pkm archive` and of `pkm find` on a store with archived pages (issue 16).

Archive: the loopback farm of benchmarks/full_text.py (its page server, run as
``full_text.py --serve``: 32 loopback hosts 127.0.0.1 … 127.0.0.32, 50 ms latency per
request, generated article pages of 2–20 KB of prose in real-world page chrome, three
layouts). A fresh store holds 1,000 saved pages (saved with ``fetch=False``, as after an
import of browser bookmarks; not timed); then ``pkm archive --json`` is timed as a
subprocess: wall time, CPU, peak RSS of its whole process tree (sampled every 50 ms), and
what the server served (each page once). Recall and chrome leakage of the archived text
are counted against the generator's ground truth, as full_text.py does.

Find: a store of 100,000 saved bookmarks, 20,000 of them archived (1–8 KB of archived
text each, Zipf-distributed words over a vocabulary with a long tail), written straight
through pkm's storage layer (cached under benchmarks/work/archive/); then ``pkm find`` as
a subprocess, end to end, for a few query shapes: the median and p95 of 11 runs.

    .venv/bin/python benchmarks/archive_bench.py                 # both, 3 archive runs
    .venv/bin/python benchmarks/archive_bench.py --pages 100 --repeat 1 --no-find  # smoke

Full runs rewrite the "## Archive (issue 16)" section of benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import shlex
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from full_text import (  # noqa: E402
    ARTICLE_WORDS,
    ITEMS_PER_FEED,
    TOKEN,
    make_page,
    page_host,
)
from readme_section import replace_section, revision  # noqa: E402
from scan_bench import _free_port, machine, measure, wait_quiet  # noqa: E402
from search_bench import _env  # noqa: E402  (bytecode cached, as after an install)

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PKM = REPO / ".venv" / "bin" / "pkm"
SERVER = HERE / "full_text.py"
WORK = HERE / "work" / "archive"
SECTION = "## Archive (issue 16)"
BOOKMARKS = 100_000
ARCHIVED = 20_000


def find_queries(seed: int) -> list[tuple[str, ...]]:
    """Query shapes over the store's own vocabulary (the first words drawn are the most
    frequent ones)."""
    words, _ = _vocabulary(random.Random(seed))
    return [
        ("find", words[0]),  # the most common word: tens of thousands of matches, ranked
        ("find", words[20], words[40]),  # two common words
        ("find", "zorblat"),  # a rare word, only in archived text (200 entries)
        ("find", "--tag", "t1", words[5]),  # a tag and a word
        ("find", "--saved"),  # no words: newest first
    ]


# --- pkm archive on the farm ---------------------------------------------------------------


def page_urls(pages: int, port: int) -> list[str]:
    feeds = -(-pages // ITEMS_PER_FEED)
    urls = [
        f"http://{page_host(feed, item)}:{port}/post/{feed}/{item}"
        for feed in range(feeds)
        for item in range(ITEMS_PER_FEED)
    ]
    return urls[:pages]


def save_pages(db: Path, urls: list[str]) -> None:
    from pkm import Pkm

    with Pkm.open(db) as store:
        for url in urls:
            store.save(url, tags=["imported"], fetch=False)


def quality(db: Path, seed: int) -> dict[str, float]:
    """Recall and chrome leakage of the archived text, against the generator's truth."""
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT url, archived_text FROM entries").fetchall()
    conn.close()
    recalls, leaks = [], []
    for url, text in rows:
        feed, item = (int(p) for p in url.rsplit("/", 2)[1:])
        truth = make_page(seed, feed, item)
        kept = Counter(TOKEN.findall((text or "").lower()))
        recalls.append(sum((truth.article & kept).values()) / sum(truth.article.values()))
        leaks.append(sum((truth.chrome & kept).values()) / max(sum(truth.chrome.values()), 1))
    return {
        "recall_mean": statistics.fmean(recalls),
        "recall_min": min(recalls),
        "chrome_mean": statistics.fmean(leaks),
    }


def archive_once(pages: int, seed: int, latency: float, work: Path) -> dict[str, Any]:
    port = _free_port()
    feeds = -(-pages // ITEMS_PER_FEED)
    server = subprocess.Popen(
        [sys.executable, str(SERVER), "--serve", "--port", str(port), "--feeds", str(feeds)]
        + ["--seed", str(seed), "--latency", str(latency)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None and server.stdout.readline().strip() == "ready"
        db = work / "pkm.db"
        for leftover in work.glob("pkm.db*"):
            leftover.unlink()
        save_pages(db, page_urls(pages, port))
        load = os.getloadavg()[0]
        command = [str(PKM), "--db", str(db), "archive", "--json"]
        run = measure(command, _env(), work, work / "err.log")
        if run.returncode != 0:
            raise RuntimeError((work / "err.log").read_text())
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stats") as answer:
            served = json.loads(answer.read())
        conn = sqlite3.connect(db)
        archived = conn.execute(
            "SELECT count(*) FROM archives WHERE archived_at IS NOT NULL"
        ).fetchone()[0]
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        conn.close()
        return {
            "wall_s": run.wall_s,
            "peak_tree_mb": run.peak_tree_mb,
            "cpu_s": run.cpu_s,
            "archived": archived,
            "pages_served": served["pages"],
            "pages_twice": served["pages_twice"],
            "integrity_ok": float(integrity == "ok"),
            "load_before": load,
            **quality(db, seed),
        }
    finally:
        server.terminate()
        server.wait(10)


# --- pkm find on 100,000 bookmarks, 20,000 archived ------------------------------------------


def _vocabulary(rng: random.Random) -> tuple[list[str], list[float]]:
    """The prose words, then a long tail of rarer made-up ones, with Zipf weights."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    tail = {"".join(rng.choice(letters) for _ in range(rng.randint(5, 10))) for _ in range(60_000)}
    words = [*ARTICLE_WORDS, *sorted(tail - set(ARTICLE_WORDS))]
    rng.shuffle(words)
    weights = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(words))))
    return words, weights


def find_store(seed: int) -> Path:
    """The 100,000-bookmark store, built once and kept under benchmarks/work/archive/."""
    from pkm.storage.archives import ArchiveRepository
    from pkm.storage.db import open_store, transaction
    from pkm.storage.entries import EntryRepository
    from pkm.storage.tags import TagRepository
    from pkm.types import PageText

    path = WORK / f"find-{BOOKMARKS}-{ARCHIVED}-{seed}.db"
    if path.exists():
        return path
    WORK.mkdir(parents=True, exist_ok=True)
    building = path.with_name(path.name + ".building")
    for p in WORK.glob(building.name + "*"):
        p.unlink()
    rng = random.Random(seed)
    words, weights = _vocabulary(rng)
    conn = open_store(building)
    entries, tags, archives = EntryRepository(conn), TagRepository(conn), ArchiveRepository(conn)
    started = time.perf_counter()
    archived = set(rng.sample(range(BOOKMARKS), ARCHIVED))
    now = int(time.time())
    for start in range(0, BOOKMARKS, 5_000):
        with transaction(conn):
            for n in range(start, start + 5_000):
                title = " ".join(rng.choices(words, cum_weights=weights, k=rng.randint(3, 9)))
                desc = " ".join(rng.choices(words, cum_weights=weights, k=rng.randint(10, 30)))
                saved = now - rng.randint(0, 8 * 365 * 86400)
                url = f"https://site{n % 5000}.example/{n}/{title.split()[0]}"
                entry_id = entries.add_page(
                    url, title=title, description=desc, source=url.split("/")[2], now=saved
                )
                entries.mark_saved(entry_id, now=saved)
                tags.add(entry_id, [f"t{int(rng.paretovariate(1.2)) % 500}"])
                if n in archived:
                    size = rng.randint(1_000, 8_000) // 7  # words of about 7 characters
                    text = " ".join(rng.choices(words, cum_weights=weights, k=size))
                    if n % 100 == 0:
                        text += " zorblat"
                    page = PageText(url, "text/html", size * 14, f"<p>{text}</p>", text)
                    archives.store(entry_id, page, saved)
        print(f"  {start + 5_000:,} bookmarks written", file=sys.stderr)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    building.rename(path)
    for extra in WORK.glob(building.name + "*"):
        extra.unlink()
    print(f"  store built in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return path


def _library_ms(store: Path, query: tuple[str, ...], repeat: int) -> float:
    """The median of ``Pkm.find`` for the same search, in one process, store open."""
    from pkm import Pkm

    words = [w for w in query[1:] if not w.startswith("-")]
    tag = query[query.index("--tag") + 1] if "--tag" in query else None
    words = [w for w in words if w != tag]
    with Pkm.open(store) as pkm:
        samples = []
        for _ in range(repeat + 1):
            started = time.perf_counter()
            pkm.find(" ".join(words), tags=[tag] if tag else [], saved="--saved" in query)
            samples.append(time.perf_counter() - started)
    return statistics.median(samples[1:]) * 1000


def measure_find(store: Path, seed: int, repeat: int) -> list[dict[str, Any]]:
    env = _env()
    results: list[dict[str, Any]] = []
    for query in find_queries(seed):
        args = [str(PKM), "--db", str(store), *query]
        subprocess.run(args, env=env, capture_output=True, check=True)  # warm
        samples = []
        for _ in range(repeat):
            started = time.perf_counter()
            subprocess.run(args, env=env, capture_output=True, check=True)
            samples.append(time.perf_counter() - started)
        ordered = sorted(samples)
        results.append(
            {
                "command": "pkm " + shlex.join(query),
                "median_ms": statistics.median(ordered) * 1000,
                "p95_ms": ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] * 1000,
                "library_ms": _library_ms(store, query, repeat),
            }
        )
    return results


# --- the report ----------------------------------------------------------------------------


def section(runs: list[dict[str, Any]], finds: list[dict[str, Any]], args: Any) -> str:
    def med(key: str) -> float:
        return statistics.median(r[key] for r in runs)

    loads = ", ".join(f"{r['load_before']:.1f}" for r in runs)
    command = "`.venv/bin/python benchmarks/archive_bench.py`"
    find_rows = "\n".join(
        f"| `{f['command']}` | {f['median_ms']:.0f} ms | {f['p95_ms']:.0f} ms"
        f" | {f['library_ms']:.1f} ms | < 200 ms |"
        for f in finds
    )
    return f"""{SECTION}

`pkm archive` of {args.pages:,} saved pages (saved without fetching, as after an import),
on the loopback farm of `full_text.py` (32 hosts, {args.latency * 1000:g} ms latency,
generated article pages of 2–20 KB of prose in real-world page chrome, three layouts).
Median of {len(runs)} runs; {command}; {revision()}; {machine()}; the machine is shared:
its 1-minute load average before the runs was {loads}.

| | figure | target |
|---|---|---|
| wall time, {args.pages:,} pages fetched, extracted and stored | {med("wall_s"):.1f} s | < 30 s |
| peak RSS, whole process tree | {med("peak_tree_mb"):.0f} MB | < 300 MB |
| CPU (archive and its parse workers) | {med("cpu_s"):.1f} s | |
| pages archived / served / served twice | \
{med("archived"):.0f} / {med("pages_served"):.0f} / {med("pages_twice"):.0f} | \
{args.pages:,} / {args.pages:,} / 0 |
| article words kept (recall), mean / worst page | \
{med("recall_mean"):.1%} / {med("recall_min"):.1%} | |
| chrome words kept (leakage), mean | {med("chrome_mean"):.1%} | |

Each page's outcome is committed as it comes (one transaction a page, the search index
updated by its triggers); pages are fetched with the scan's caps (4 a host, 32 pages at
once) and extracted in the scan's parse workers.

`pkm find` end to end (process start to exit, output to a pipe) on a store of
{BOOKMARKS:,} saved bookmarks of which {ARCHIVED:,} are archived (1–8 KB of archived text
each, Zipf-distributed words), written straight through pkm's storage layer; median and
p95 of {args.find_repeat} runs after one warm-up, and the library call alone (other work
kept {getattr(args, "busy_before_find", 0):.1f} of the {os.cpu_count()} cores busy just before):

| command | median | p95 | `Pkm.find` in-process, median | target (end to end) |
|---|---|---|---|---|
{find_rows}

The last row is the floor: start-up, imports, opening the store and printing 20 hits, with
a search that costs under a millisecond. The rest of each end-to-end figure is the search
(the library column) and printing its snippets; archived text adds a third snippet to
each hit's row, the only change to the search path (`_pick_snippet`).
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--find", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--find-repeat", type=int, default=11)
    parser.add_argument("--readme", action=argparse.BooleanOptionalAction, default=None)
    args = parser.parse_args(argv)
    runs = []
    with tempfile.TemporaryDirectory(prefix="pkm-archive-") as work:
        for n in range(args.repeat):
            result = archive_once(args.pages, args.seed, args.latency, Path(work))
            print(f"run {n + 1}: " + json.dumps({k: round(v, 3) for k, v in result.items()}))
            runs.append(result)
    finds: list[dict[str, Any]] = []
    if args.find:
        store = find_store(args.seed)
        args.busy_before_find = wait_quiet(120)  # the machine is shared: wait for a lull
        finds = measure_find(store, args.seed, args.find_repeat)
    for found in finds:
        print(json.dumps(found))
    text = section(runs, finds, args)
    print(text)
    full = args.pages == 1000 and args.find
    if args.readme if args.readme is not None else full:
        replace_section(SECTION, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
