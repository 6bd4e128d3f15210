"""Benchmark of `pkm check`: 10,000 saved URLs on a loopback farm.

A page server runs in its own process on 32 loopback addresses (127.0.0.2 … 127.0.0.33,
one listener each, same port), HTTP/1.1 with keep-alive, 50 ms added to every request.
Page *i* lives on address *i* mod 32 and answers (by *i* mod 100): 88% 200 with an ETag,
4% 301 to a page that answers 200, 2% 302 to one, 3% 404, 1% 410, 1% 500, 1% 405 to
HEAD and 200 to GET. The saved entries come from a Netscape bookmark file imported into a
fresh store (not timed).

Two runs are timed, each a fresh `pkm check` process with stdout to /dev/null: the first
check of the store, and a second one, where the pages that gave an ETag answer 304.
Wall time, peak RSS of the process tree (sampled every 50 ms), and the server's answers.

    .venv/bin/python benchmarks/check_bench.py              # 10,000 URLs, updates README
    .venv/bin/python benchmarks/check_bench.py --count 1000 --no-readme   # a smoke run

Non-smoke runs rewrite the "## Link check (issue 16)" section of benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

from readme_section import replace_section, revision  # beside this script
from scan_bench import measure, wait_quiet

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SECTION = "## Link check (issue 16)"
HOSTS = [f"127.0.0.{i}" for i in range(2, 34)]
TARGET_S = 20.0

REASONS = {200: "OK", 301: "Moved Permanently", 302: "Found", 304: "Not Modified"}
REASONS |= {404: "Not Found", 405: "Method Not Allowed", 410: "Gone", 500: "Server Error"}


# What page i is, by i mod 100: the same in the server and in the expected counts.
MIX = (
    ("ok", 88),
    ("moved", 4),
    ("temporary", 2),
    ("gone404", 3),
    ("gone410", 1),
    ("error", 1),
    ("nohead", 1),
)
KINDS = [name for name, share in MIX for _ in range(share)]


def kind(index: int) -> str:
    return KINDS[index % len(KINDS)]


EXPECTED_STATE = {
    "ok": "ok",
    "moved": "moved",
    "temporary": "ok",
    "gone404": "gone",
    "gone410": "gone",
    "error": "failing",
    "nohead": "ok",
}


# --- the page server -----------------------------------------------------------------


class Farm:
    def __init__(self, latency: float) -> None:
        self.latency = latency
        self.stats: Counter[str] = Counter()
        self.in_flight = 0

    def answer(self, method: str, path: str, headers: dict[str, str]) -> tuple[int, list[str]]:
        parts = path.strip("/").split("/")
        if len(parts) < 2 or parts[0] != "page" or not parts[1].isdigit():
            return 404, []
        index = int(parts[1])
        if len(parts) == 3:  # a redirect's target
            return 200, [f'ETag: "t{index}"']
        page = kind(index)
        if page == "moved":
            return 301, [f"Location: /page/{index}/new"]
        if page == "temporary":
            return 302, [f"Location: /page/{index}/here"]
        if page in ("gone404", "gone410"):
            return (404 if page == "gone404" else 410), []
        if page == "error":
            return 500, []
        if page == "nohead" and method == "HEAD":
            return 405, ["Allow: GET"]
        etag = f'"p{index}"'
        if headers.get("if-none-match") == etag:
            return 304, [f"ETag: {etag}"]
        return 200, [f"ETag: {etag}"]

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, target, _ = lines[0].split(" ", 2)
                headers = {}
                for line in lines[1:]:
                    name, sep, value = line.partition(":")
                    if sep:
                        headers[name.strip().lower()] = value.strip()
                if target.startswith("/_stats"):
                    body = json.dumps(dict(self.stats)).encode()
                    status, extra = 200, ["Content-Type: application/json"]
                else:
                    self.in_flight += 1
                    self.stats["max_in_flight"] = max(self.stats["max_in_flight"], self.in_flight)
                    try:
                        await asyncio.sleep(self.latency)
                    finally:
                        self.in_flight -= 1
                    status, extra = self.answer(method, target, headers)
                    self.stats[f"{method} {status}"] += 1
                    body = b"" if status == 304 else b"<html><body>page</body></html>" * 40
                out = [f"HTTP/1.1 {status} {REASONS.get(status, 'X')}", *extra]
                if status != 304:
                    out += ["Content-Type: text/html", f"Content-Length: {len(body)}"]
                writer.write(("\r\n".join(out) + "\r\n\r\n").encode("latin-1"))
                if method != "HEAD" and status != 304:
                    writer.write(body)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, ValueError):
            pass
        finally:
            writer.close()


async def serve(port: int, latency: float) -> None:
    farm = Farm(latency)
    listeners = [
        await asyncio.start_server(farm.handle, host, port, backlog=1024) for host in HOSTS
    ]
    print(json.dumps({"port": port}), flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=3600)
    for listener in listeners:
        listener.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOSTS[0], 0))
        port: int = probe.getsockname()[1]
        return port


def stats(port: int) -> dict[str, int]:
    with urllib.request.urlopen(f"http://{HOSTS[0]}:{port}/_stats", timeout=30) as response:
        result: dict[str, int] = json.loads(response.read())
        return result


# --- the run -------------------------------------------------------------------------


def bookmarks(path: Path, port: int, count: int) -> None:
    lines = ["<!DOCTYPE NETSCAPE-Bookmark-file-1>", "<DL><p>"]
    for i in range(count):
        url = f"http://{HOSTS[i % len(HOSTS)]}:{port}/page/{i}"
        lines.append(f'<DT><A HREF="{url}" ADD_DATE="1764000000" TAGS="bench">Page {i}</A>')
    lines.append("</DL><p>")
    path.write_text("\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--no-readme", action="store_true")
    parser.add_argument(
        "--wait-quiet", type=float, default=60.0, help="wait up to this long for an idle machine"
    )
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        asyncio.run(serve(args.serve, args.latency))
        return 0
    pkm = str(REPO / ".venv" / "bin" / "pkm")
    args.load = os.getloadavg()[0]
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(port), "--latency", str(args.latency)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        server.stdout.readline()
        with tempfile.TemporaryDirectory(prefix="check-bench-") as work:
            store = Path(work) / "pkm.db"
            env = {**os.environ, "PKM_DB": str(store)}
            env.pop("http_proxy", None)
            file = Path(work) / "bookmarks.html"
            bookmarks(file, port, args.count)
            subprocess.run([pkm, "import", str(file)], env=env, check=True, capture_output=True)
            runs: list[dict[str, Any]] = []
            for label in ("first check", "second check (304s)"):
                busy = wait_quiet(args.wait_quiet) if args.wait_quiet else 0.0
                before = stats(port)
                run = measure([pkm, "check"], env, Path(work), Path(work) / "stderr.log")
                after = stats(port)
                answers = {k: after.get(k, 0) - before.get(k, 0) for k in after if " " in k}
                runs.append(
                    {
                        "label": label,
                        "wall_s": round(run.wall_s, 2),
                        "peak_mb": round(run.peak_tree_mb),
                        "cpu_s": round(run.cpu_s, 2),
                        "rc": run.returncode,
                        "busy_before": round(busy, 1),
                        "other_load": round(
                            max(run.machine_busy_cores - run.cpu_s / run.wall_s, 0), 1
                        ),
                        "answers": {k: v for k, v in sorted(answers.items()) if v},
                    }
                )
                print(json.dumps(runs[-1]), flush=True)
            with contextlib.closing(sqlite3.connect(store)) as conn:
                states = dict(conn.execute("SELECT state, count(*) FROM link_checks GROUP BY 1"))
            expected = Counter(EXPECTED_STATE[kind(i)] for i in range(args.count))
            print(json.dumps({"states": states, "expected": dict(expected)}), flush=True)
            max_in_flight = stats(port).get("max_in_flight", 0)
    finally:
        server.terminate()
        server.wait(10)
    if not args.no_readme:
        replace_section(SECTION, section(args, runs, states, dict(expected), max_in_flight))
    return 0 if states == dict(expected) else 1


def section(
    args: argparse.Namespace,
    runs: list[dict[str, Any]],
    states: dict[str, int],
    expected: dict[str, int],
    max_in_flight: int,
) -> str:
    rows = "\n".join(
        f"| {r['label']} | {r['wall_s']:.2f} s | {r['peak_mb']} MB | {r['cpu_s']:.2f} s |"
        f" {r['other_load']:.1f} cores |"
        f" {', '.join(f'{k}: {v:,}' for k, v in r['answers'].items())} |"
        for r in runs
    )
    verdict = "met" if all(r["wall_s"] < TARGET_S for r in runs) else "NOT met"
    found = ", ".join(f"{state} {states.get(state, 0):,}" for state in sorted(expected))
    return f"""{SECTION}

`benchmarks/check_bench.py` times `pkm check` over {args.count:,} saved URLs on a loopback
farm: 32 addresses 127.0.0.2…127.0.0.33 (page *i* on address *i* mod 32), asyncio HTTP/1.1
with keep-alive, {args.latency * 1000:.0f} ms added to every request. By *i* mod 100: 88% 200
with an ETag, 4% 301 to a working page, 2% 302 to one, 3% 404, 1% 410, 1% 500, 1% 405 to
HEAD (200 to GET). The entries are imported from a bookmark file (not timed); each run is a
fresh process, stdout to /dev/null (no progress bar).

Reproduce (about a minute):

    .venv/bin/python benchmarks/check_bench.py --wait-quiet {args.wait_quiet:g}

| run | wall | peak RSS (tree) | CPU | other load | server answers |
|---|---:|---:|---:|---:|---|
{rows}

States found: {found}, as the farm serves them. At most {max_in_flight} requests were in
flight at once (the cap is 128 overall, 4 per host). The 500s cost three requests each
(HEAD, GET, and the second try a second later). HTTP through httpx costs about a
millisecond of CPU a request here, so a check of this size is shared by two forked probe
processes (hosts dealt between them; the parent records what they send), which is why the
peak RSS counts three processes; on one core the first check took 23 s.

"Other load" is the cores kept busy by anything but pkm during the run: the farm server
(about a third of a core) and other jobs on this shared machine (each run first waited up
to {args.wait_quiet:.0f} s for it to be idle). CPU is pkm's, probe processes included.

Machine: {os.cpu_count()} cores, Python {platform.python_version()}; load average
{args.load:.1f} when the runs began; {time.strftime("%Y-%m-%d")}; pkm at {revision()}.
Target: under {TARGET_S:.0f} s ({verdict}).
"""


if __name__ == "__main__":
    sys.exit(main())
