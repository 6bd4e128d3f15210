"""Differential check and timing: pkm.parse.parse_feed against plain feedparser.

Runs over ../shared/corpus/feeds/*.xml (relative to the repository root, or the folder
given as the first argument). For every feed, pkm must find at least as many entries as
feedparser, and for each of them the same title (reduced to plain text the way pkm reduces
titles) and the same link (made absolute, http/https only, as pkm keeps links). It also
checks that the fast path and the feedparser fallback agree entry for entry, and prints the
median time per feed of both parsers.

    .venv/bin/python benchmarks/parse_differential.py [CORPUS_DIR] [--repeat N]

Exit status: 0 when nothing is fewer or different, 1 otherwise, 0 with a message when the
corpus is absent.
"""

from __future__ import annotations

import argparse
import csv
import io
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import feedparser  # noqa: E402

from pkm import feedbytes  # noqa: E402
from pkm import parse as pkm_parse  # noqa: E402
from pkm.errors import ParseError  # noqa: E402
from pkm.types import ParsedFeed  # noqa: E402

DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "feeds"


@dataclass
class Row:
    name: str
    flavour: str
    mine: int
    theirs: int
    path: str
    problems: list[str] = field(default_factory=list)
    ms_mine: float = 0.0
    ms_fallback: float = 0.0
    ms_theirs: float = 0.0


def feed_url(name: str) -> str:
    return f"https://corpus.example/{name}"


def reference(body: bytes, url: str) -> Any:
    """Plain feedparser, as anyone would call it (bytes wrapped so they are not a path)."""
    return feedparser.parse(io.BytesIO(body), response_headers={"content-location": url})


def expected_link(entry: Any) -> str | None:
    """feedparser's link as pkm keeps links: absolute http(s), no link made of a non-URL guid."""
    if entry.get("guidislink") and not entry.get("links"):
        return pkm_parse._abs_url(entry.get("id"), None)
    return pkm_parse._abs_url(entry.get("link"), None)


def compare(mine: ParsedFeed, ref: Any) -> list[str]:
    """What pkm got fewer of or different from feedparser (empty when all is well)."""
    problems = []
    theirs = ref.get("entries", [])
    if len(mine.entries) < len(theirs):
        problems.append(f"fewer entries: {len(mine.entries)} < {len(theirs)}")
    for index, (ours, their) in enumerate(zip(mine.entries, theirs, strict=False)):
        title = pkm_parse._plain(their.get("title"))
        if ours.title != title:
            problems.append(f"entry {index} title {ours.title!r} != {title!r}")
        link = expected_link(their)
        if ours.url != link:
            problems.append(f"entry {index} link {ours.url!r} != {link!r}")
    return problems


def fallback_only(body: bytes, url: str) -> ParsedFeed:
    """parse_feed with the fast path switched off."""
    fast = pkm_parse._parse_fast
    pkm_parse._parse_fast = lambda body, url: None
    try:
        return pkm_parse.parse_feed(body, url)
    finally:
        pkm_parse._parse_fast = fast


def used_fast_path(body: bytes, url: str) -> bool:
    prepared = feedbytes.html_entities_to_refs(
        feedbytes.fix_encoding(feedbytes.remove_control_bytes(body))
    )
    return pkm_parse._parse_fast(prepared, url) is not None


def best_ms(func: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times) * 1000


def check_feed(path: Path, flavour: str, repeat: int) -> Row:
    body = path.read_bytes()
    url = feed_url(path.name)
    ref = reference(body, url)
    try:
        mine = pkm_parse.parse_feed(body, url)
    except ParseError as exc:
        row = Row(path.name, flavour, 0, len(ref.get("entries", [])), "error")
        if ref.get("entries"):
            row.problems.append(f"ParseError where feedparser found entries: {exc}")
        return row
    row = Row(path.name, flavour, len(mine.entries), len(ref.get("entries", [])), "fallback")
    row.problems = compare(mine, ref)
    if used_fast_path(body, url):
        row.path = "fast"
        slow = fallback_only(body, url)
        for index, (a, b) in enumerate(zip(mine.entries, slow.entries, strict=False)):
            if (a.key, a.url, a.title, a.published) != (b.key, b.url, b.title, b.published):
                row.problems.append(f"entry {index}: fast path and fallback disagree")
        if len(mine.entries) != len(slow.entries):
            row.problems.append("fast path and fallback found different entry counts")
    if repeat:
        row.ms_mine = best_ms(lambda: pkm_parse.parse_feed(body, url), repeat)
        row.ms_fallback = best_ms(lambda: fallback_only(body, url), repeat)
        row.ms_theirs = best_ms(lambda: reference(body, url), repeat)
    return row


def manifest(corpus: Path) -> dict[str, str]:
    path = corpus / "MANIFEST.tsv"
    if not path.exists():
        return {}
    with path.open(newline="", encoding="utf-8") as handle:
        return {
            row["file"]: row.get("flavour", "") for row in csv.DictReader(handle, delimiter="\t")
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--repeat", type=int, default=5, help="timing runs per feed (best of)")
    args = parser.parse_args(argv)
    files = sorted(args.corpus.glob("*.xml")) if args.corpus.is_dir() else []
    if not files:
        print(f"no corpus at {args.corpus}: nothing to compare (skipped)")
        return 0
    flavours = manifest(args.corpus)
    rows = [check_feed(path, flavours.get(path.name, "?"), args.repeat) for path in files]

    print(
        f"{'feed':44} {'flavour':17} {'pkm':>4} {'fp':>4} {'path':8} {'pkm ms':>7} "
        f"{'fallbk':>7} {'fp ms':>7}  problems"
    )
    for row in rows:
        print(
            f"{row.name[:44]:44} {row.flavour[:17]:17} {row.mine:4} {row.theirs:4} "
            f"{row.path:8} {row.ms_mine:7.2f} {row.ms_fallback:7.2f} {row.ms_theirs:7.2f}  "
            f"{len(row.problems) or ''}"
        )
    bad = [row for row in rows if row.problems]
    for row in bad:
        print(f"\n{row.name}:")
        for problem in row.problems[:10]:
            print(f"  {problem}")

    fast = sum(row.path == "fast" for row in rows)
    print(
        f"\nfeeds: {len(rows)}  fast path: {fast}  fallback: {len(rows) - fast}  "
        f"entries: pkm {sum(r.mine for r in rows)}, feedparser {sum(r.theirs for r in rows)}"
    )
    print(f"feeds where pkm has fewer or different entries than feedparser: {len(bad)}")
    if args.repeat:
        print(f"time per feed (best of {args.repeat} runs)   median ms   total ms")
        columns = [
            ("pkm parse_feed", [row.ms_mine for row in rows]),
            ("pkm, fallback path forced", [row.ms_fallback for row in rows]),
            ("feedparser.parse (defaults)", [row.ms_theirs for row in rows]),
        ]
        base = statistics.median(columns[0][1])
        for label, times in columns:
            median = statistics.median(times)
            print(f"  {label:30} {median:9.2f} {sum(times):10.0f}   {median / base:4.1f}x")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
