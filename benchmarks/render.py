"""Article rendering: time to turn each stored entry's HTML into terminal text.

Every entry of every feed in ../shared/corpus/feeds/ (or the folder given) is parsed by
pkm (so the HTML is the sanitized HTML pkm stores) and rendered at 80 columns by two
candidates, each entry ``--repeat`` times (the median of those is the entry's time):

- ``inscriptis``: pkm's article view as shipped (``pkm.cli.article.render_article``:
  inscriptis layout, links numbered, wrapped), plain text;
- ``markdownify+rich``: markdownify to Markdown, then Rich's Markdown renderer printed to
  an 80-column plain console, the other way the issue names.

Prints the median and the worst entry per candidate, and the largest HTML; then the end
to end time of ``pkm show ID`` piped (a fresh process each run, ``--repeat`` x 5 runs,
bytecode cached as after an install) on a store holding the corpus's median-sized and
largest entries: wall time and the CPU time (user + system) of the process, medians.
``--show-only`` skips the candidates.

    .venv/bin/python benchmarks/render.py [CORPUS_DIR] [--repeat 3] [--show-only]
"""

from __future__ import annotations

import argparse
import io
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from timing import installed_env, run_timed  # noqa: E402

from pkm.cli.article import render_article  # noqa: E402
from pkm.errors import ParseError  # noqa: E402
from pkm.parse import parse_feed  # noqa: E402

DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "feeds"


def corpus_html(folder: Path) -> tuple[int, list[tuple[str, str]]]:
    """(feeds read, [(feed file, entry HTML)]) for every entry that has HTML."""
    documents = []
    feeds = 0
    for path in sorted(folder.glob("*.xml")):
        try:
            parsed = parse_feed(path.read_bytes(), f"https://corpus.example/{path.name}")
        except ParseError:
            continue
        feeds += 1
        for entry in parsed.entries:
            source = entry.content_html or entry.summary_html
            if source:
                documents.append((path.name, source))
    return feeds, documents


def with_inscriptis(source: str) -> str:
    return render_article(source, 80).text


def with_markdownify_rich(source: str) -> str:
    from markdownify import markdownify
    from rich.console import Console
    from rich.markdown import Markdown

    buffer = io.StringIO()
    console = Console(file=buffer, width=80, color_system=None, highlight=False)
    console.print(Markdown(markdownify(source), hyperlinks=False))
    return buffer.getvalue()


CANDIDATES: dict[str, Callable[[str], str]] = {
    "inscriptis": with_inscriptis,
    "markdownify+rich": with_markdownify_rich,
}


def end_to_end(documents: list[tuple[str, str]], runs: int) -> None:
    from pkm import Pkm

    by_size = sorted(documents, key=lambda d: len(d[1]))
    chosen = {"median": by_size[len(by_size) // 2][1], "largest": by_size[-1][1]}
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "pkm.db"
        ids = {}
        with Pkm.open(db) as pkm:
            for name in chosen:
                ids[name] = pkm.save(f"https://bench.example/{name}", fetch=False).entry.id
        with sqlite3.connect(db) as conn:
            for name, source in chosen.items():
                conn.execute("UPDATE entries SET content = ? WHERE id = ?", (source, ids[name]))
        pkm = [sys.executable, "-m", "pkm", "--db", str(db)]
        commands = {
            f"pkm show, {name} entry ({len(source) / 1000:.1f} KB)": [*pkm, "show", str(ids[name])]
            for name, source in chosen.items()
        }
        # The same start-up without the article: how loaded the machine is at the time.
        commands["pkm tags (baseline: start-up, no article)"] = [*pkm, "tags"]
        env = installed_env()
        for command in commands.values():
            run_timed(command, env)  # bytecode written, store in the page cache
        for label, command in commands.items():
            times = [run_timed(command, env) for _ in range(runs)]
            wall = statistics.median(t for t, _ in times) * 1000
            cpu = statistics.median(c for _, c in times) * 1000
            print(f"{label}: median {wall:.0f} ms wall, {cpu:.0f} ms CPU over {runs} runs")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--show-only", action="store_true", help="Only time pkm show.")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        print(f"no corpus at {args.corpus}")
        return 0
    feeds, documents = corpus_html(args.corpus)
    if args.show_only:
        end_to_end(documents, args.repeat * 5)
        return 0
    sizes = [len(source) for _, source in documents]
    print(
        f"{feeds} feeds, {len(documents)} entries with HTML;"
        f" HTML median {statistics.median(sizes) / 1000:.1f} KB, largest {max(sizes) / 1000:.1f} KB"
    )
    for name, render in CANDIDATES.items():
        render(documents[0][1])  # imports and first-call set-up are not an entry's cost
        times = []
        for feed, source in documents:
            runs = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                render(source)
                runs.append(time.perf_counter() - start)
            times.append((statistics.median(runs), feed, len(source)))
        median = statistics.median(t for t, _, _ in times)
        worst, worst_feed, worst_size = max(times)
        total = sum(t for t, _, _ in times)
        print(
            f"{name:18} median {median * 1000:6.2f} ms  worst {worst * 1000:7.2f} ms"
            f" ({worst_feed}, {worst_size / 1000:.1f} KB)  all entries {total:.2f} s"
        )
    end_to_end(documents, args.repeat * 5)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
