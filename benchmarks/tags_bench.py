"""`pkm tags` on a store of 200,000 entries, 40,000 of them saved with 1-5 of 2,000 tags.

    python benchmarks/tags_bench.py [--repeat 21]

The store is built once (through pkm's schema, rows written with one executemany per
table: the listing reads tags, saves and save_tags, not how they got there) and cached under
benchmarks/work/tags/. Each run is a fresh ``pkm --db STORE tags`` process, piped and on
a pseudo-terminal (where Rich prints the styles); median and p95 go to README.md.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from readme_section import replace_section, revision  # noqa: E402
from search_bench import _run_on_terminal, _stats  # noqa: E402
from timing import installed_env, run_timed, timed  # noqa: E402

WORK = Path(__file__).resolve().parent / "work" / "tags"
PKM_BIN = Path(sys.executable).with_name("pkm")
ENTRIES, TAGS, SAVED_EVERY = 200_000, 2_000, 5
HEADING = "## pkm tags on 200,000 entries"


def build(path: Path) -> None:
    from pkm.api import Pkm
    from pkm.people import current_name

    Pkm.open(path).close()
    rng = random.Random(1)
    conn = sqlite3.connect(path)
    with conn:
        # The saves are the person the benchmark's pkm runs as.
        conn.execute(
            "INSERT INTO people (id, name, created_at) VALUES (1, ?, 0)", (current_name(),)
        )
        conn.executemany(
            "INSERT INTO tags (id, name, key) VALUES (?, ?, ?)",
            [(i, f"topic-{i}", f"topic-{i}") for i in range(1, TAGS + 1)],
        )
        entries, saves, links = [], [], set()
        for i in range(1, ENTRIES + 1):
            url = f"https://h{i % 977}.example/{i}"
            entries.append((i, url, url, f"Entry {i}", i, i))
            if i % SAVED_EVERY == 0:
                tags = {max(1, int(TAGS ** rng.random())) for _ in range(rng.randint(1, 5))}
                saves.append((i, i, i, " ".join(f"topic-{t}" for t in sorted(tags))))
                links.update((i, t) for t in tags)  # Zipf-like: small ids are common
        conn.executemany(
            "INSERT INTO entries (id, url, url_key, title, first_seen, sort_date)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            entries,
        )
        conn.executemany(
            "INSERT INTO saves (id, person_id, entry_id, saved_at, tags_text)"
            " VALUES (?, 1, ?, ?, ?)",
            saves,
        )
        conn.executemany("INSERT INTO save_tags (save_id, tag_id) VALUES (?, ?)", sorted(links))
    conn.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=21)
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    store = WORK / f"tags-{ENTRIES}.db"
    if not store.exists():
        build(store)
    env = installed_env()
    env["COLUMNS"] = "120"
    command = [str(PKM_BIN), "--db", str(store), "tags"]
    subprocess.run(command, env=env, capture_output=True, check=True)  # warm, bytecode written
    runs: dict[str, list[tuple[float, float]]] = {"piped": [], "terminal": []}
    for _ in range(args.repeat):
        runs["piped"].append(run_timed(command, env))
        runs["terminal"].append(timed(lambda: _run_on_terminal(command, env)))
    rows = []
    for output, samples in runs.items():
        wall, cpu = _stats([w for w, _ in samples]), _stats([c for _, c in samples])
        rows.append(
            f"| {output} | {wall['median'] * 1000:.0f} ms | {wall['p95'] * 1000:.0f} ms"
            f" | {cpu['median'] * 1000:.0f} ms | {cpu['p95'] * 1000:.0f} ms |"
        )
    table = "\n".join(rows)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    text = f"""{HEADING}

Reproduce: `python benchmarks/tags_bench.py` (builds the store once, ~1 min).

{ENTRIES:,} entries, every {SAVED_EVERY}th saved with 1–5 of {TAGS:,} tags (Zipf-like),
so the listing prints {TAGS:,} lines. A fresh `pkm --db STORE tags` per run, {args.repeat}
runs; pkm at {revision()}; load average {load} when it ended.

| output | wall, median | wall, p95 | CPU (user + system), median | CPU, p95 |
|---|---|---|---|---|
{table}

Target (issue 12): under 200 ms piped. The count groups the person's `save_tags` rows by
tag id and names the groups after (about 50 ms here; grouping the joined names took
twice that); the rest is start-up (Python and pkm's imports, ~30 ms of it creating
pkm's frozen dataclasses; no Typer, Rich or SQLAlchemy when piped) and printing, which is
one write of the whole listing.
"""
    replace_section(HEADING, text)
    print(text)


if __name__ == "__main__":
    main()
