"""Importing a large bookmark file: pkm side by side with buku, on the same file.

    python benchmarks/import_bench.py                 # 100,000 bookmarks, pkm 3 runs, buku 1
    python benchmarks/import_bench.py --count 10000   # a quicker run

The file is Netscape bookmark HTML as browsers and Pinboard write it: 2,000-tag
vocabulary, 1–5 tags each, a description on every third bookmark, nested folders on
some. Each run imports into an empty store in a fresh process; wall time and the peak
RSS of that process are reported. buku is looked for in benchmarks/work/buku-venv
(``python -m venv benchmarks/work/buku-venv && benchmarks/work/buku-venv/bin/pip install
buku``) or on PATH, and skipped with a note when missing.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import installed_env  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "benchmarks" / "work"
WORDS = (
    "learning network conference hybrid events knowledge social media professional blog "
    "reading list tags search filter human sense share seek keynote workshop online community "
    "practice ideeën netwerken leren kennis werk delen zoeken"
).split()


def make_file(count: int, path: Path, seed: int = 7) -> None:
    rng = random.Random(seed)
    tags = [f"{rng.choice(WORDS)}-{i}" for i in range(2000)]
    lines = [
        "<!DOCTYPE NETSCAPE-Bookmark-file-1>",
        '<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">',
        "<TITLE>Bookmarks</TITLE>",
        "<H1>Bookmarks</H1>",
        "<DL><p>",
    ]
    for i in range(count):
        if i % 1000 == 0:
            lines.append(f"<DT><H3>Folder {i // 1000}</H3>\n<DL><p>")
        chosen = ",".join(rng.sample(tags, rng.randint(1, 5)))
        title = " ".join(rng.choices(WORDS, k=rng.randint(4, 10))).capitalize()
        lines.append(
            f'<DT><A HREF="https://site{i % 5000}.example.org/post/{i}" '
            f'ADD_DATE="{1_500_000_000 + i * 300}" TAGS="{chosen}">{title}</A>'
        )
        if i % 3 == 0:
            lines.append("<DD>" + " ".join(rng.choices(WORDS, k=20)))
        if i % 1000 == 999 or i == count - 1:
            lines.append("</DL><p>")
    lines.append("</DL><p>")
    path.write_text("\n".join(lines), encoding="utf-8")


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one fresh process."""
    script = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)\n"
        "wall = time.perf_counter() - t\n"
        "if p.returncode: sys.exit(p.stderr.decode()[-500:])\n"
        "print(wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, *cmd], env=env, capture_output=True, text=True, check=True
    )
    wall, rss_kb = out.stdout.split()
    return float(wall), int(rss_kb) / 1024


def find_buku() -> str | None:
    local = WORK / "buku-venv" / "bin" / "buku"
    return str(local) if local.exists() else shutil.which("buku")


def postgres_runs(
    pkm: str, file: Path, env: dict[str, str], server: str, repeat: int
) -> list[tuple[str, float, float]]:
    """The same imports into a store on a PostgreSQL server, a fresh database each run."""
    from pg_bench import drop_database, fresh_database  # beside this script

    runs = []
    for run in range(repeat):
        url = fresh_database(server, f"pkm_import_bench_{run}")
        runs.append(timed([pkm, "--db", url, "import", str(file)], env))
        print(f"pkm on PostgreSQL run {run + 1}: {runs[-1][0]:.2f} s, {runs[-1][1]:.0f} MB")
    again = timed([pkm, "--db", url, "import", str(file)], env)
    print(f"pkm on PostgreSQL again (all merged): {again[0]:.2f} s, {again[1]:.0f} MB")
    for run in range(repeat):
        drop_database(server, f"pkm_import_bench_{run}")
    return [
        ("pkm import, PostgreSQL", statistics.median(r[0] for r in runs), max(r[1] for r in runs)),
        ("pkm import, PostgreSQL, same file again", again[0], again[1]),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3, help="pkm runs (buku runs once)")
    parser.add_argument("--no-buku", action="store_true")
    parser.add_argument(
        "--postgres",
        metavar="URL",
        default=None,
        help="also import into a fresh database per run on this PostgreSQL server",
    )
    args = parser.parse_args()

    pkm = str(Path(sys.executable).with_name("pkm"))
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        file = work / f"bookmarks-{args.count}.html"
        make_file(args.count, file)
        print(f"{file.name}: {file.stat().st_size / 1e6:.1f} MB")
        env = {**installed_env(), "HOME": str(work)}
        rows = []
        runs = []
        for run in range(args.repeat):
            db = work / f"pkm-{run}.db"
            runs.append(timed([pkm, "--db", str(db), "import", str(file)], env))
            print(f"pkm run {run + 1}: {runs[-1][0]:.2f} s, {runs[-1][1]:.0f} MB")
        again = timed([pkm, "--db", str(work / "pkm-0.db"), "import", str(file)], env)
        print(f"pkm again (all merged): {again[0]:.2f} s, {again[1]:.0f} MB")
        rows.append(("pkm import", statistics.median(r[0] for r in runs), max(r[1] for r in runs)))
        rows.append(("pkm import, same file again", again[0], again[1]))
        if args.postgres:
            rows.extend(postgres_runs(pkm, file, env, args.postgres, args.repeat))
        buku = None if args.no_buku else find_buku()
        if buku:
            buku_env = {**env, "XDG_DATA_HOME": str(work / "buku-data")}
            wall, rss = timed([buku, "--nostdin", "--tacit", "--import", str(file)], buku_env)
            print(f"buku: {wall:.2f} s, {rss:.0f} MB")
            rows.append(("buku --import", wall, rss))
        else:
            print("buku: skipped (not installed; see the module docstring)")
    print(f"\n| client ({args.count:,} bookmarks) | wall | peak RSS |\n|---|---:|---:|")
    for name, wall, rss in rows:
        print(f"| {name} | {wall:.2f} s | {rss:.0f} MB |")


if __name__ == "__main__":
    main()
