"""Benchmark of the morning scan: pkm side by side with newsboat and reader.

A feed server runs in its own process on 32 loopback addresses (127.0.0.1 … 127.0.0.32,
one listener each, same port), with an added latency per request, HTTP/1.1 keep-alive,
ETag/Last-Modified and 304 answers to matching conditional requests. It serves
deterministic (seeded) generated feeds: RSS 2.0, Atom and RSS 1.0, 10–48 items each,
titles, summaries and 1.6–10 KB HTML bodies; 1,000 feeds are about 28,500 items, 99 MB.

For each feed count N and each client, three phases are timed:

a. first scan into an empty store (a fresh store each run; the subscribing is not timed),
b. a repeat scan with nothing changed,
c. a scan after 10% of the N feeds gained 1–3 new items (new body, ETag, Last-Modified).

Each run is one fresh subprocess: wall time, peak RSS of its process tree (summed over the
tree, sampled every 50 ms; the largest single process's ru_maxrss is kept in the JSON too),
and the requests the server answered 200 vs 304. Medians over the runs are reported.

    .venv/bin/python benchmarks/scan_bench.py                 # N=200,1000, 3 runs per cell
    .venv/bin/python benchmarks/scan_bench.py --quick         # smoke run: 100 feeds, 1 run
    .venv/bin/python benchmarks/scan_bench.py --clients pkm --feeds 1000 --repeat 5
    .venv/bin/python benchmarks/scan_bench.py --install-peers # apt/pip install the peers

Peers: newsboat (Debian package) and reader (PyPI, in its own venv under
benchmarks/work/reader-venv). A peer that is not installed is skipped, saying why, unless
--install-peers is given. A cell (client, N, phase) is repeated up to --repeat times, but
not beyond --cell-budget seconds of measured time, so the slow peers run once at N=1000.
Non-quick runs rewrite the "## Scan (issue: fetching)" section of benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import email.utils
import gzip
import hashlib
import json
import os
import platform
import random
import re
import shlex
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from html import escape as html_escape
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from pg_bench import count, database_url, fresh_database  # beside this script
from readme_section import replace_section, revision  # beside this script

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORK = HERE / "work"

README = HERE / "README.md"
SECTION = "## Scan (issue: fetching)"
READER_VENV = WORK / "reader-venv"
HOSTS = [f"127.0.0.{i}" for i in range(1, 33)]
PAGE = os.sysconf("SC_PAGE_SIZE")

# ---------------------------------------------------------------------------------------
# Feed generation: deterministic, a function of (seed, feed index, version) only.
# ---------------------------------------------------------------------------------------

WORDS = """
the of and to in is that for it as was with be by on not he this are or his from at
which but have an they you were her she there been one all we their has would when what
more if no out so said who can about up them some could him into its then two time like
only other new these may over first any after also made did many before must through back
years where much your way well down should because each just those people how too little
state good very make world still own see men work long get here between both life being
under never day same another know while last might us great old year off come since
against go came right used take three states himself few house use during without again
place around however home small found thought went say part once general high upon school
every don does got united left number course war until always away something fact though
water less public put think almost hand enough far took head yet government system better
set told nothing night end why called did eyes find going look asked later knew point next
program city business give group toward young days let room president side social given
present several order national possible rather second face per among form important often
things looking early white case john become large big need four within felt along children
saw best church ever least power development light thing seemed family interest want
members mind country area others done turned although open god service certain kind problem
began different door thus help sense means whole matter perhaps itself york times law human
line above name example action company hands local show whether five history gave today
either act feet across taken past quite anyone having seen death experience body half
really week field word free already information tell together college shall money period
held keep sure probably real behind miss political air question making office brought
whose special heard major problems ago became federal moment study available known result
street economic boy position reason change south board individual job areas society west
close turn love community true court force full seems am front far cost policy feed reader
parser release kernel compiler database network latency cache protocol server client query
""".split()
TOPICS = """rust python linux sqlite postgres kernel llvm wasm http tls dns ipv6 zfs btrfs
emacs vim git docker kubernetes nginx redis kafka spark numpy pandas arrow parquet gpu
compiler garbage-collector scheduler allocator async coroutines regex unicode fonts
typography privacy security cryptography hashing consensus raft paxos crdt""".split()
ENTITIES = ["&amp;", "&mdash;", "&eacute;", "&#8217;", "&nbsp;", "&hellip;", "&copy;", "&lt;"]
FORMATS = ("rss2", "atom", "rss1")
EPOCH = dt.datetime(2026, 9, 1, tzinfo=dt.UTC)


def _sentence(rng: random.Random, words: int) -> str:
    chosen = [rng.choice(WORDS) for _ in range(words)]
    chosen[0] = chosen[0].capitalize()
    return " ".join(chosen) + rng.choice(".....?!")


def _rich_sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 20))]
    words[0] = words[0].capitalize()
    roll = rng.random()
    k = rng.randrange(1, len(words))
    if roll < 0.25:
        slug = "-".join(rng.choice(WORDS) for _ in range(3))
        host = rng.choice(TOPICS)
        words[k] = f'<a href="https://{host}.example.com/{slug}?ref=feed&amp;p={k}">{words[k]}</a>'
    elif roll < 0.40:
        words[k] = f"<em>{words[k]}</em>"
    elif roll < 0.50:
        words[k] = f"<strong>{words[k]}</strong>"
    elif roll < 0.58:
        words[k] = f"<code>{rng.choice(TOPICS)}_{words[k]}()</code>"
    if rng.random() < 0.3:
        words.insert(rng.randrange(1, len(words)), rng.choice(ENTITIES))
    return " ".join(words) + rng.choice(".....?!")


class FeedGenerator:
    """Builds feed documents; unchanged items are byte-identical across versions."""

    def __init__(self, seed: int, pool_size: int = 3000) -> None:
        self.seed = seed
        rng = random.Random(f"pool:{seed}")
        self.pool: list[str] = []
        for _ in range(pool_size):
            text = " ".join(_rich_sentence(rng) for _ in range(rng.randint(2, 6)))
            roll = rng.random()
            if roll < 0.08:
                items = "".join(f"<li>{_sentence(rng, rng.randint(4, 10))}</li>" for _ in range(4))
                self.pool.append(f"<ul>{items}</ul>")
            elif roll < 0.13:
                self.pool.append(f"<blockquote><p>{text}</p></blockquote>")
            elif roll < 0.17:
                code = html_escape(
                    f"for x in {rng.choice(TOPICS)}:\n    if x < 3 and x > 1:\n        yield x\n"
                )
                self.pool.append(f"<pre><code>{code}</code></pre>")
            elif roll < 0.22:
                self.pool.append(f"<h2>{_sentence(rng, rng.randint(3, 7))[:-1]}</h2>")
            else:
                self.pool.append(f"<p>{text}</p>")

    # -- per-feed facts -----------------------------------------------------------------

    def feed_rng(self, index: int) -> random.Random:
        return random.Random(f"feed:{self.seed}:{index}")

    def feed_format(self, index: int) -> str:
        roll = self.feed_rng(index).random()
        return "rss2" if roll < 0.6 else "atom" if roll < 0.9 else "rss1"

    def path(self, index: int) -> str:
        name = {"rss2": "feed.xml", "atom": "atom.xml", "rss1": "index.rdf"}
        return f"/f/{index}/{name[self.feed_format(index)]}"

    def url(self, index: int, port: int) -> str:
        return f"http://{HOSTS[index % len(HOSTS)]}:{port}{self.path(index)}"

    def window(self, index: int) -> int:
        rng = self.feed_rng(index)
        rng.random()
        return rng.randint(10, 48)

    def added(self, index: int, version: int) -> int:
        """Items the feed gains going from version-1 to version."""
        return random.Random(f"add:{self.seed}:{index}:{version}").randint(1, 3)

    def first_seq(self, index: int, version: int) -> int:
        return sum(self.added(index, v) for v in range(1, version + 1))

    def validators(self, index: int) -> str:
        """Which validators the feed's server sends: both, etag or lastmod."""
        roll = random.Random(f"val:{self.seed}:{index}").random()
        return "both" if roll < 0.7 else "etag" if roll < 0.85 else "lastmod"

    def item_time(self, index: int, seq: int) -> dt.datetime:
        hours = 1 + index % 72  # one item every 1 h … 3 days, per feed
        return EPOCH + dt.timedelta(hours=hours * seq, minutes=index % 60)

    # -- documents ----------------------------------------------------------------------

    def item(self, index: int, seq: int) -> dict[str, str]:
        rng = random.Random(f"item:{self.seed}:{index}:{seq}")
        title = _sentence(rng, rng.randint(4, 10))[:-1]
        if rng.random() < 0.15:
            title += f" & {rng.choice(TOPICS)}"
        if rng.random() < 0.1:
            title = f"{title} \u2019{rng.choice(TOPICS)}\u2019"
        summary = " ".join(_sentence(rng, rng.randint(8, 18)) for _ in range(rng.randint(1, 3)))
        target = 1600 + int(8400 * rng.random() ** 8)
        parts: list[str] = []
        size = 0
        while size < target:
            para = self.pool[rng.randrange(len(self.pool))]
            parts.append(para)
            size += len(para)
        slug = "-".join(title.lower().split()[:5]).replace("&", "and")
        slug = re.sub(r"[^a-z0-9-]", "", slug)
        return {
            "title": title,
            "summary": summary,
            "body": "\n".join(parts),
            "link": f"https://site{index}.example.org/{2026}/{slug}-{seq}",
            "guid": f"tag:site{index}.example.org,2026:post-{seq}",
            "author": f"{rng.choice(WORDS).capitalize()} {rng.choice(WORDS).capitalize()}",
            "category": rng.choice(TOPICS),
        }

    def render(self, index: int, version: int) -> tuple[bytes, dt.datetime]:
        """The feed document at a version, and its newest item's time."""
        fmt = self.feed_format(index)
        start = self.first_seq(index, version)
        seqs = list(range(start + self.window(index) - 1, start - 1, -1))  # newest first
        items = [(seq, self.item(index, seq), self.item_time(index, seq)) for seq in seqs]
        newest = items[0][2]
        site = f"https://site{index}.example.org/"
        title = f"Site {index}: notes on {TOPICS[index % len(TOPICS)]} & more"
        out: list[str] = ['<?xml version="1.0" encoding="utf-8"?>\n']
        if fmt == "rss2":
            out.append(
                '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"'
                ' xmlns:dc="http://purl.org/dc/elements/1.1/"'
                ' xmlns:atom="http://www.w3.org/2005/Atom"><channel>\n'
                f"<title>{xml_escape(title)}</title><link>{site}</link>"
                f"<description>Writing about {TOPICS[index % len(TOPICS)]}</description>"
                f"<language>en</language>"
                f"<lastBuildDate>{email.utils.format_datetime(newest)}</lastBuildDate>\n"
            )
            permalink = index % 2 == 0
            for _seq, it, when in items:
                guid = (
                    f"<guid>{it['link']}</guid>"
                    if permalink
                    else f'<guid isPermaLink="false">{it["guid"]}</guid>'
                )
                out.append(
                    f"<item><title>{xml_escape(it['title'])}</title><link>{it['link']}</link>"
                    f"{guid}<pubDate>{email.utils.format_datetime(when)}</pubDate>"
                    f"<dc:creator>{it['author']}</dc:creator>"
                    f"<category>{it['category']}</category>"
                    f"<description>{xml_escape(it['summary'])}</description>"
                    f"<content:encoded><![CDATA[{it['body']}]]></content:encoded></item>\n"
                )
            out.append("</channel></rss>\n")
        elif fmt == "atom":
            out.append(
                '<feed xmlns="http://www.w3.org/2005/Atom">\n'
                f"<title>{xml_escape(title)}</title>"
                f'<link rel="alternate" href="{site}"/>'
                f"<id>{site}</id><updated>{newest.isoformat()}</updated>\n"
            )
            for _seq, it, when in items:
                out.append(
                    f"<entry><title>{xml_escape(it['title'])}</title>"
                    f'<link rel="alternate" href="{it["link"]}"/>'
                    f"<id>{it['guid']}</id><published>{when.isoformat()}</published>"
                    f"<updated>{when.isoformat()}</updated>"
                    f"<author><name>{it['author']}</name></author>"
                    f'<category term="{it["category"]}"/>'
                    f"<summary>{xml_escape(it['summary'])}</summary>"
                    f'<content type="html">{xml_escape(it["body"])}</content></entry>\n'
                )
            out.append("</feed>\n")
        else:
            out.append(
                '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
                ' xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/"'
                ' xmlns:content="http://purl.org/rss/1.0/modules/content/">\n'
                f'<channel rdf:about="{site}"><title>{xml_escape(title)}</title>'
                f"<link>{site}</link><description>RSS 1.0 feed</description>"
                f"<items><rdf:Seq>"
                + "".join(f'<rdf:li rdf:resource="{it["link"]}"/>' for _, it, _ in items)
                + "</rdf:Seq></items></channel>\n"
            )
            for _seq, it, when in items:
                out.append(
                    f'<item rdf:about="{it["link"]}"><title>{xml_escape(it["title"])}</title>'
                    f"<link>{it['link']}</link><dc:date>{when.isoformat()}</dc:date>"
                    f"<dc:creator>{it['author']}</dc:creator>"
                    f"<dc:subject>{it['category']}</dc:subject>"
                    f"<description>{xml_escape(it['summary'])}</description>"
                    f"<content:encoded>{xml_escape(it['body'])}</content:encoded></item>\n"
                )
            out.append("</rdf:RDF>\n")
        return "".join(out).encode(), newest


# ---------------------------------------------------------------------------------------
# The feed server (runs in its own process: `scan_bench.py --serve ...`).
# ---------------------------------------------------------------------------------------

CONTENT_TYPES = {
    "rss2": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
    "rss1": "application/rdf+xml; charset=utf-8",
}


@dataclass
class ServedFeed:
    version: int
    body: bytes
    gzipped: bytes | None
    etag: str | None
    last_modified: str | None
    modified_ts: float
    content_type: str


class FeedServer:
    def __init__(self, gen: FeedGenerator, count: int, latency: float, use_gzip: bool) -> None:
        self.gen = gen
        self.count = count
        self.latency = latency
        self.use_gzip = use_gzip
        self.feeds: dict[int, ServedFeed] = {}
        self.by_path: dict[str, int] = {gen.path(i): i for i in range(count)}
        self.stats: Counter[str] = Counter()
        self.in_flight = 0
        self.connections = 0
        self.cpu_mark = time.process_time()
        self.wall_mark = time.monotonic()
        for i in range(count):
            self.feeds[i] = self._build(i, 0)

    def _build(self, index: int, version: int) -> ServedFeed:
        body, newest = self.gen.render(index, version)  # ~1 ms a feed: no disk cache
        kind = self.gen.validators(index)
        digest = hashlib.sha1(body).hexdigest()[:20]
        etag = None
        if kind in ("both", "etag"):
            etag = f'W/"{digest}"' if index % 4 == 1 else f'"{digest}"'
        last_modified = None
        if kind in ("both", "lastmod"):
            last_modified = email.utils.format_datetime(newest, usegmt=True)
        return ServedFeed(
            version=version,
            body=body,
            gzipped=gzip.compress(body, 6, mtime=0) if self.use_gzip else None,
            etag=etag,
            last_modified=last_modified,
            modified_ts=newest.timestamp(),
            content_type=CONTENT_TYPES[self.gen.feed_format(index)],
        )

    # -- control ------------------------------------------------------------------------

    def control(self, action: str, query: dict[str, str]) -> dict[str, Any]:
        if action == "stats":
            return {
                "status": dict(self.stats),
                "cpu_s": round(time.process_time() - self.cpu_mark, 3),
                "wall_s": round(time.monotonic() - self.wall_mark, 3),
                "max_in_flight": self.stats.get("max_in_flight", 0),
            }
        if action == "zero":
            self.stats.clear()
            self.cpu_mark = time.process_time()
            self.wall_mark = time.monotonic()
            return {"ok": True}
        if action == "reset":
            for i, feed in self.feeds.items():
                if feed.version != 0:
                    self.feeds[i] = self._build(i, 0)
            self.stats.clear()
            return {"ok": True}
        if action == "change":
            n = int(query["n"])
            round_ = int(query["round"])
            chosen = change_set(self.gen.seed, n, round_, float(query.get("fraction", "0.1")))
            new_items = 0
            for i in chosen:
                version = self.feeds[i].version + 1
                self.feeds[i] = self._build(i, version)
                new_items += self.gen.added(i, version)
            return {"changed": len(chosen), "new_items": new_items}
        if action == "items":
            n = int(query["n"])
            return {
                "items": sum(self.gen.window(i) for i in range(n)),
                "bytes": sum(len(self.feeds[i].body) for i in range(n)),
            }
        return {"error": f"unknown action {action}"}

    # -- HTTP ---------------------------------------------------------------------------

    def respond_feed(self, path: str, headers: dict[str, str]) -> tuple[int, list[str], bytes]:
        index = self.by_path.get(path)
        if index is None:
            return 404, ["Content-Type: text/plain"], b"not found\n"
        feed = self.feeds[index]
        validators: list[str] = []
        if feed.etag:
            validators.append(f"ETag: {feed.etag}")
        if feed.last_modified:
            validators.append(f"Last-Modified: {feed.last_modified}")
        if _not_modified(feed, headers):
            return 304, validators, b""
        extra = [f"Content-Type: {feed.content_type}", "Cache-Control: max-age=300", *validators]
        body = feed.body
        if feed.gzipped is not None and "gzip" in headers.get("accept-encoding", ""):
            body = feed.gzipped
            extra += ["Content-Encoding: gzip", "Vary: Accept-Encoding"]
            self.stats["gzip"] += 1
        return 200, extra, body

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.stats["connections"] += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, target, version = lines[0].split(" ", 2)
                headers: dict[str, str] = {}
                for line in lines[1:]:
                    name, sep, value = line.partition(":")
                    if sep:
                        headers[name.strip().lower()] = value.strip()
                length = int(headers.get("content-length") or 0)
                if length:
                    await reader.readexactly(length)
                path, _, query_string = target.partition("?")
                if path.startswith("/_ctl/"):
                    query = dict(p.split("=", 1) for p in query_string.split("&") if "=" in p)
                    payload = json.dumps(self.control(path[6:], query)).encode()
                    status, extra, body = 200, ["Content-Type: application/json"], payload
                else:
                    self.in_flight += 1
                    self.stats["max_in_flight"] = max(self.stats["max_in_flight"], self.in_flight)
                    try:
                        await asyncio.sleep(self.latency)
                        status, extra, body = self.respond_feed(path, headers)
                    finally:
                        self.in_flight -= 1
                    self.stats[str(status)] += 1
                    self.stats["bytes"] += len(body)
                conn = headers.get("connection", "").lower()
                keep = conn != "close" if version == "HTTP/1.1" else conn == "keep-alive"
                reason = {200: "OK", 304: "Not Modified", 404: "Not Found"}[status]
                out = [
                    f"HTTP/1.1 {status} {reason}",
                    "Server: scan-bench",
                    f"Date: {email.utils.formatdate(usegmt=True)}",
                    *extra,
                    f"Connection: {'keep-alive' if keep else 'close'}",
                ]
                if status != 304:
                    out.append(f"Content-Length: {len(body)}")
                writer.write(("\r\n".join(out) + "\r\n\r\n").encode("latin-1"))
                if method != "HEAD" and status != 304:
                    writer.write(body)
                await writer.drain()
                if not keep:
                    break
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        except ValueError:  # malformed request line
            pass
        finally:
            self.connections -= 1
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()


def _not_modified(feed: ServedFeed, headers: dict[str, str]) -> bool:
    inm = headers.get("if-none-match")
    if inm is not None:  # RFC 9110: If-None-Match wins over If-Modified-Since
        if feed.etag is None:
            return False
        if inm.strip() == "*":
            return True
        mine = feed.etag.removeprefix("W/")
        return any(tag.strip().removeprefix("W/") == mine for tag in inm.split(","))
    ims = headers.get("if-modified-since")
    if ims is not None and feed.last_modified is not None:
        try:
            since = email.utils.parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            since = since.replace(tzinfo=dt.UTC)
        return feed.modified_ts <= since.timestamp()
    return False


def change_set(seed: int, n: int, round_: int, fraction: float) -> list[int]:
    return sorted(random.Random(f"change:{seed}:{n}:{round_}").sample(range(n), int(n * fraction)))


async def _serve_main(args: argparse.Namespace) -> None:
    started = time.monotonic()
    gen = FeedGenerator(args.seed)
    server = FeedServer(gen, args.count, args.latency, args.gzip)
    built = time.monotonic() - started
    port = args.port or _free_port()
    listeners: list[asyncio.Server] = []
    for attempt in range(20):  # one listener per address, all on the same port
        try:
            for host in HOSTS:
                listeners.append(
                    await asyncio.start_server(server.handle, host, port, backlog=1024)
                )
            break
        except OSError:
            for listener in listeners:
                listener.close()
            listeners.clear()
            if attempt == 19:
                raise
            port = _free_port()
    print(json.dumps({"port": port, "build_s": round(built, 2)}), flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    # Stop on our own too, whatever happens to the parent: bounded in time.
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=args.max_lifetime)
    for listener in listeners:
        listener.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class ServerProcess:
    def __init__(self, count: int, seed: int, latency: float, use_gzip: bool) -> None:
        cmd = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--serve",
            "--count",
            str(count),
            "--seed",
            str(seed),
            "--latency",
            str(latency),
            "--port",
            str(_free_port()),
            "--max-lifetime",
            "7200",
        ]
        if use_gzip:
            cmd.append("--gzip")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("feed server failed to start")
        info = json.loads(line)
        self.port: int = info["port"]
        self.build_s: float = info["build_s"]

    def ctl(self, action: str, **query: object) -> dict[str, Any]:
        qs = "&".join(f"{k}={v}" for k, v in query.items())
        url = f"http://127.0.0.1:{self.port}/_ctl/{action}?{qs}"
        with urllib.request.urlopen(url, timeout=120) as response:
            result: dict[str, Any] = json.loads(response.read())
            return result

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


# ---------------------------------------------------------------------------------------
# Measuring one client run.
# ---------------------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as handle:
                found.extend(int(c) for c in handle.read().split())
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return found


def _rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as handle:
            return int(handle.read().split()[1]) * PAGE
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return 0


def tree_rss(root: int) -> int:
    total = 0
    todo = [root]
    seen: set[int] = set()
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        total += _rss_bytes(pid)
        todo.extend(_children(pid))
    return total


@dataclass
class Run:
    wall_s: float
    peak_tree_mb: float
    maxrss_mb: float
    returncode: int
    cpu_s: float  # user + system of the client and its (waited-for) children
    machine_busy_cores: float  # all CPUs' busy time over the run / wall time
    status: dict[str, int] = field(default_factory=dict)
    server_cpu_s: float = 0.0
    max_in_flight: int = 0
    bytes_sent: int = 0
    gzip_served: int = 0
    items: int | None = None

    @property
    def other_load(self) -> float:
        """Cores busy with neither the client nor the feed server: other work on the machine."""
        own = (self.cpu_s + self.server_cpu_s) / self.wall_s
        return max(self.machine_busy_cores - own, 0.0)

    @property
    def ok(self) -> int:
        return self.status.get("200", 0)

    @property
    def not_modified(self) -> int:
        return self.status.get("304", 0)


def _busy_seconds() -> float:
    """CPU seconds all cores have spent busy since boot (idle and iowait excluded)."""
    with open("/proc/stat") as handle:
        fields = [int(v) for v in handle.readline().split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def wait_quiet(limit: float, threshold: float = 0.3) -> float:
    """Wait up to ``limit`` seconds for the machine to be idle (busy below ``threshold``
    cores over one second); returns the busy cores last seen."""
    deadline = time.monotonic() + limit
    while True:
        busy = _busy_seconds()
        time.sleep(1.0)
        cores = _busy_seconds() - busy
        if cores < threshold or time.monotonic() >= deadline:
            return cores
        time.sleep(4.0)


def measure(cmd: Sequence[str], env: dict[str, str], cwd: Path, log: Path) -> Run:
    with open(log, "wb") as err, open(os.devnull, "wb") as devnull:
        busy = _busy_seconds()
        started = time.perf_counter()
        proc = subprocess.Popen(list(cmd), stdout=devnull, stderr=err, env=env, cwd=cwd)
        peak = 0
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, tree_rss(proc.pid))
                done.wait(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        busy = _busy_seconds() - busy
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
    return Run(
        wall_s=wall,
        peak_tree_mb=peak / 2**20,
        maxrss_mb=usage.ru_maxrss / 1024,
        returncode=proc.returncode,
        cpu_s=usage.ru_utime + usage.ru_stime,
        machine_busy_cores=busy / wall,
    )


def _count(db: Path, sql: str) -> int | None:
    try:
        with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
            value: int = conn.execute(sql).fetchone()[0]
            return value
    except sqlite3.Error:
        return None


def _remove_store(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal", ".lock", ".scan.lock"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


# ---------------------------------------------------------------------------------------
# Clients.
# ---------------------------------------------------------------------------------------


class Client:
    name = ""
    version = ""

    def __init__(self, root: Path) -> None:
        self.dir = root / self.name
        self.env = dict(os.environ)
        self.env.update(
            HOME=str(self.dir / "home"),
            XDG_CONFIG_HOME=str(self.dir / "home" / ".config"),
            XDG_DATA_HOME=str(self.dir / "home" / ".local" / "share"),
            XDG_CACHE_HOME=str(self.dir / "home" / ".cache"),
            NO_COLOR="1",
        )

    def available(self) -> str | None:
        """None when usable, else why not."""
        raise NotImplementedError

    def install(self) -> None:
        raise NotImplementedError

    def fresh(self, urls: list[str], opml: Path) -> None:
        """An empty store subscribed to the feeds (not timed)."""
        raise NotImplementedError

    def scan_cmd(self) -> list[str]:
        raise NotImplementedError

    def items(self) -> int | None:
        raise NotImplementedError

    def _prepare_dir(self) -> None:
        (self.dir / "home").mkdir(parents=True, exist_ok=True)


class Pkm(Client):
    name = "pkm"

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.exe = REPO / ".venv" / "bin" / "pkm"
        self.db = self.dir / "pkm.db"

    def available(self) -> str | None:
        if not self.exe.exists():
            return f"{self.exe} not found (install pkm into .venv: pip install -e .)"
        out = subprocess.run([str(self.exe), "--version"], capture_output=True, text=True)
        self.version = out.stdout.strip().split()[-1] if out.returncode == 0 else "?"
        return None

    def install(self) -> None:
        pass

    def fresh(self, urls: list[str], opml: Path) -> None:
        self._prepare_dir()
        _remove_store(self.db)
        subprocess.run(
            [str(self.exe), "--db", str(self.db), "feeds", "import", str(opml)],
            check=True,
            env=self.env,
            cwd=self.dir,
            stdout=subprocess.DEVNULL,
        )

    def scan_cmd(self) -> list[str]:
        return [str(self.exe), "--db", str(self.db), "scan", "--json"]

    def items(self) -> int | None:
        return _count(self.db, "SELECT count(*) FROM items")


class PkmPostgres(Pkm):
    """pkm with its store in a fresh database on a PostgreSQL server (``--postgres``)."""

    name = "pkm-pg"
    database = "pkm_scan_bench"

    def __init__(self, root: Path, server: str) -> None:
        super().__init__(root)
        self.server = server
        self.url = database_url(server, self.database)

    def fresh(self, urls: list[str], opml: Path) -> None:
        self._prepare_dir()
        fresh_database(self.server, self.database)
        subprocess.run(
            [str(self.exe), "--db", self.url, "feeds", "import", str(opml)],
            check=True,
            env=self.env,
            cwd=self.dir,
            stdout=subprocess.DEVNULL,
        )

    def scan_cmd(self) -> list[str]:
        return [str(self.exe), "--db", self.url, "scan", "--json"]

    def items(self) -> int | None:
        return count(self.url, "SELECT count(*) FROM items")


class Newsboat(Client):
    name = "newsboat"

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.cache = self.dir / "cache.db"

    def available(self) -> str | None:
        exe = shutil.which("newsboat")
        if exe is None:
            return "newsboat is not installed (apt-get install newsboat, or --install-peers)"
        out = subprocess.run([exe, "--version"], capture_output=True, text=True)
        self.version = out.stdout.split()[1] if out.stdout else "?"
        return None

    def install(self) -> None:
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "newsboat"], check=True, env=env)

    def fresh(self, urls: list[str], opml: Path) -> None:
        self._prepare_dir()
        _remove_store(self.cache)
        (self.dir / "urls").write_text("".join(f"{u}\n" for u in urls))
        (self.dir / "config").write_text("reload-threads 32\n")

    def scan_cmd(self) -> list[str]:
        return ["newsboat", "-x", "reload", "-u", "urls", "-c", "cache.db", "-C", "config"]

    def items(self) -> int | None:
        return _count(self.cache, "SELECT count(*) FROM rss_item")


READER_ADD = """
import sys
from reader import make_reader
reader = make_reader(sys.argv[1])
for line in open(sys.argv[2]):
    if line.strip():
        reader.add_feed(line.strip())
reader.close()
"""


READER_CHECK = "import reader, reader._vendor.feedparser, click; print(reader.__version__)"


class Reader(Client):
    name = "reader"

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.python = READER_VENV / "bin" / "python"
        self.db = self.dir / "reader.sqlite"

    def available(self) -> str | None:
        if not self.python.exists():
            return f"no venv at {READER_VENV} (python -m venv it; pip install 'reader[cli]')"
        out = subprocess.run(
            [str(self.python), "-c", READER_CHECK],
            capture_output=True,
            text=True,
        )
        if out.returncode != 0:
            return f"reader[cli] (with sgmllib3k) is not importable in {READER_VENV}"
        self.version = out.stdout.strip()
        return None

    def install(self) -> None:
        if not self.python.exists():
            subprocess.run([sys.executable, "-m", "venv", str(READER_VENV)], check=True)
        # reader's vendored feedparser imports sgmllib; not every index resolves it.
        pip = [str(self.python), "-m", "pip", "install", "-q", "reader[cli]", "sgmllib3k"]
        subprocess.run(pip, check=True)

    def fresh(self, urls: list[str], opml: Path) -> None:
        self._prepare_dir()
        _remove_store(self.db)
        (self.dir / "urls").write_text("".join(f"{u}\n" for u in urls))
        subprocess.run(
            [str(self.python), "-c", READER_ADD, str(self.db), "urls"],
            check=True,
            env=self.env,
            cwd=self.dir,
        )

    def scan_cmd(self) -> list[str]:
        return [
            str(self.python),
            "-m",
            "reader",
            "--db",
            str(self.db),
            "update",
            "--no-scheduled",
            "--workers",
            "32",
        ]

    def items(self) -> int | None:
        return _count(self.db, "SELECT count(*) FROM entries")


CLIENTS: dict[str, Callable[[Path], Client]] = {
    "pkm": Pkm,
    "newsboat": Newsboat,
    "reader": Reader,
}

# ---------------------------------------------------------------------------------------
# The benchmark.
# ---------------------------------------------------------------------------------------

PHASES = {
    "first": "a. first scan, empty store",
    "unchanged": "b. nothing changed",
    "changed10": "c. 10% of feeds changed",
}


@dataclass
class Cell:
    client: str
    feeds: int
    phase: str
    runs: list[Run] = field(default_factory=list)
    expected_items: int | None = None

    def median(self, attr: str) -> float:
        return float(statistics.median(getattr(r, attr) for r in self.runs))


def write_opml(path: Path, urls: list[str]) -> None:
    outlines = "\n".join(
        f'    <outline type="rss" text="Feed {i}" xmlUrl="{xml_escape(u)}"/>'
        for i, u in enumerate(urls)
    )
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<opml version="2.0"><head>'
        "<title>scan bench</title></head><body>\n"
        f'  <outline text="bench">\n{outlines}\n  </outline>\n</body></opml>\n'
    )


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_cell(
    client: Client,
    server: ServerProcess,
    cell: Cell,
    repeat: int,
    budget: float,
    before: Callable[[int], None],
    wait: float = 0.0,
) -> None:
    spent = 0.0
    for attempt in range(repeat):
        if attempt and spent + cell.runs[-1].wall_s > budget:
            break
        before(attempt)
        if wait:
            cores = wait_quiet(wait)
            if cores >= 0.3:
                _say(f"  (machine still busy: {cores:.2f} cores; measuring anyway)")
        server.ctl("zero")
        log = client.dir / f"{cell.feeds}-{cell.phase}-{attempt}.log"
        run = measure(client.scan_cmd(), client.env, client.dir, log)
        stats = server.ctl("stats")
        run.status = {k: v for k, v in stats["status"].items() if k.isdigit()}
        run.bytes_sent = stats["status"].get("bytes", 0)
        run.gzip_served = stats["status"].get("gzip", 0)
        run.server_cpu_s = stats["cpu_s"]
        run.max_in_flight = stats["max_in_flight"]
        run.items = client.items()
        cell.runs.append(run)
        spent += run.wall_s
        note = ""
        if run.returncode != 0:
            tail = log.read_text(errors="replace").strip().splitlines()[-3:]
            note = f"  EXIT {run.returncode}: " + " | ".join(tail)
        _say(
            f"  {client.name:8} N={cell.feeds:<5} {cell.phase:9} run {attempt + 1}: "
            f"{run.wall_s:7.2f} s  tree {run.peak_tree_mb:6.1f} MB  "
            f"200={run.ok} 304={run.not_modified}  items={run.items}"
            f"  cpu {run.cpu_s:.1f} s, server cpu {run.server_cpu_s:.2f} s, "
            f"max in flight {run.max_in_flight}, other load {run.other_load:.2f}{note}"
        )


def bench_client(
    client: Client, server: ServerProcess, gen: FeedGenerator, n: int, args: argparse.Namespace
) -> list[Cell]:
    urls = [gen.url(i, server.port) for i in range(n)]
    opml = WORK / f"scan-{n}.opml"
    write_opml(opml, urls)
    server.ctl("reset")
    window_items = server.ctl("items", n=n)["items"]
    first = Cell(client.name, n, "first", expected_items=window_items)

    def fresh(_: int) -> None:
        client.fresh(urls, opml)

    quiet = args.wait_quiet
    run_cell(client, server, first, args.repeat, args.cell_budget, fresh, quiet)
    unchanged = Cell(client.name, n, "unchanged", expected_items=window_items)
    run_cell(client, server, unchanged, args.repeat, args.cell_budget, lambda _: None, quiet)
    changed = Cell(client.name, n, "changed10")
    expected = [window_items]

    def bump(attempt: int) -> None:
        expected[0] += server.ctl("change", n=n, round=attempt)["new_items"]
        changed.expected_items = expected[0]

    run_cell(client, server, changed, args.repeat, args.cell_budget, bump, quiet)
    return [first, unchanged, changed]


def markdown_table(cells: list[Cell]) -> str:
    """Median wall and CPU time; every run's wall time and 200/304 counts too, since they can
    differ (newsboat sends no conditional request right after a first scan, but does later).
    "other load": cores that other work on the machine kept busy meanwhile (median)."""
    rows = [
        "| client | feeds | phase | wall (median) | runs (s) | client CPU | peak RSS, tree "
        "| 200 / 304 | items stored | other load |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for c in cells:
        if not c.runs:
            continue
        last = c.runs[-1]
        failed = sum(r.returncode != 0 for r in c.runs)
        items = f"{last.items:,}" if last.items is not None else "?"
        if c.expected_items is not None and last.items != c.expected_items:
            items += f" (expected {c.expected_items:,})"
        wall = f"{c.median('wall_s'):.2f} s" + (f" ({failed} failed)" if failed else "")
        each = ", ".join(f"{r.wall_s:.1f}" for r in c.runs)
        answers = dict.fromkeys((r.ok, r.not_modified) for r in c.runs)  # in run order
        status = ", ".join(f"{ok} / {nm}" for ok, nm in answers)
        rows.append(
            f"| {c.client} | {c.feeds} | {PHASES[c.phase]} | {wall} | {each} | "
            f"{c.median('cpu_s'):.1f} s | {max(r.peak_tree_mb for r in c.runs):.0f} MB | "
            f"{status} | {items} | {c.median('other_load'):.2f} |"
        )
    return "\n".join(rows)


def update_readme(text: str) -> None:
    replace_section(SECTION, text)


def readme_section(results: dict[str, Any], cells: list[Cell]) -> str:
    meta = results["meta"]
    args = argparse.Namespace(**results["settings"])
    versions = ", ".join(f"{name} {v}" for name, v in results["versions"].items())
    cmds = "\n".join(f"{name}: {shlex.join(cmd)}" for name, cmd in results["commands"].items())
    cmds = cmds.replace(f"{REPO}/", "")  # paths relative to the repository
    return f"""{SECTION}

`benchmarks/scan_bench.py` times the morning scan of pkm against two peers on the same
generated feeds, served from loopback by a feed server in its own process.

Reproduce (about 10–15 minutes; `--quick` is a one-minute smoke run):

    {meta["command"]}

- **Feeds**: deterministic (seed {args.seed}); 60% RSS 2.0, 30% Atom, 10% RSS 1.0; 10–48
  items each with title, summary and a 1.6–10 KB HTML body (median 2 KB; paragraphs, lists,
  code, links, entities). {meta["sizes"]}
- **Server**: stdlib asyncio HTTP/1.1 with keep-alive on 32 addresses 127.0.0.1…127.0.0.32
  (feed *i* on address *i* mod 32), {args.latency * 1000:.0f} ms added to every request,
  {"gzip when asked, " if args.gzip else "no compression, "}ETag (strong or weak) and/or
  Last-Modified per feed (70% both, 15% only ETag, 15% only Last-Modified), 304 to a
  matching If-None-Match / If-Modified-Since. It used at most {meta["server_load"]:.0%} of one
  core during any run, so it is not the bottleneck.
- **Phases**: a. first scan into an empty store (a fresh store for each run; subscribing is
  not timed); b. repeat scan, nothing changed; c. 10% of the feeds gained 1–3 items each
  (new body and validators) before each run. Each run is a fresh process; wall time is the
  median over the runs, a cell stops repeating past {args.cell_budget:.0f} s of measured
  time. Peak RSS is the sum over the client's process tree (pkm's parse workers included),
  sampled every 50 ms, the maximum over the runs. Client CPU is user + system time of the
  process and its children (median). 200 / 304 are the server's answers, per distinct
  outcome in run order; "items stored" is counted in the client's own database after the
  last run. "Other load" is the cores kept busy by anything but the client and the server
  (median): kernel work charged to no process (loopback traffic, disk writeback; a few
  tenths in first scans) and other jobs on this shared machine, which with 2 cores slow
  every client (runs waited up to `--wait-quiet` seconds for an idle machine).
- **Machine**: {meta["machine"]}; {meta["date"]}. Versions: {versions}; pkm at
  {meta.get("revision", "?")}.

Timed commands (run in each client's own directory under `benchmarks/work/scan/`):

```
{cmds}
```

Untimed setup: `pkm --db pkm.db feeds import scan-N.opml`; newsboat gets a `urls` file and
a `config` with `reload-threads 32`; reader gets its feeds through `make_reader(db).add_feed(url)`
in its venv (`{READER_VENV.relative_to(REPO)}`, `pip install 'reader[cli]'`).

{markdown_table(cells)}

Measured here earlier at 1,000 feeds (figures given with the task, not by this script):
newsboat 2.21 (32 threads) first 40.0 s / 87 MB, nothing changed 82.1 s (no conditional
requests), 10% changed 46.0 s; reader 3.26 (32 workers) first 108 s / 53 MB, nothing changed
5.4 s (all 304), 10% changed 18.5 s. pkm's targets at 1,000 feeds: first ≤ ~13 s, nothing
changed ≤ ~1.8 s with 100% 304, 10% changed ≤ ~6 s, peak RSS < 200 MB.
"""


def machine() -> str:
    cpu = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB, Python {platform.python_version()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", default="200,1000", help="comma-separated feed counts")
    parser.add_argument("--repeat", type=int, default=3, help="runs per cell, at most")
    parser.add_argument("--clients", default="pkm,newsboat,reader")
    parser.add_argument("--quick", action="store_true", help="100 feeds, 1 run: a smoke run")
    parser.add_argument(
        "--install-peers",
        action="store_true",
        help="install newsboat (apt-get) and reader (venv) if missing",
    )
    parser.add_argument(
        "--cell-budget",
        type=float,
        default=75.0,
        help="stop repeating a cell past this many measured seconds",
    )
    parser.add_argument(
        "--wait-quiet",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="before each run, wait up to this long for other load on the machine to stop",
    )
    parser.add_argument(
        "--postgres",
        default=None,
        metavar="URL",
        help="also run pkm on this PostgreSQL server (client pkm-pg, a fresh database per run)",
    )
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per request")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--gzip", action="store_true", help="serve gzip when asked")
    parser.add_argument(
        "--readme",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="rewrite the README section (default: unless --quick)",
    )
    parser.add_argument("--json", type=Path, default=None, help="write all runs here")
    parser.add_argument(
        "--readme-from",
        type=Path,
        default=None,
        metavar="JSON",
        help="only rewrite the README section from a saved run's JSON",
    )
    # The feed server, started by the benchmark itself.
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, default=1000, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--max-lifetime", type=float, default=7200, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.serve:
        asyncio.run(_serve_main(args))
        return 0

    if args.readme_from is not None:
        return readme_from(args.readme_from)
    if args.quick:
        args.feeds, args.repeat = "100", 1
    sizes = sorted({int(n) for n in args.feeds.split(",")})
    readme = (not args.quick) if args.readme is None else args.readme
    gen = FeedGenerator(args.seed, pool_size=1)

    clients: list[Client] = []
    root = WORK / "scan"
    factories = dict(CLIENTS)
    names = args.clients.split(",")
    if args.postgres:
        factories["pkm-pg"] = lambda root: PkmPostgres(root, args.postgres)
        names.append("pkm-pg")
    for name in names:
        if name not in factories:
            parser.error(f"unknown client {name!r}; choose from {', '.join(CLIENTS)}")
        client = factories[name](root)
        why = client.available()
        if why and args.install_peers and name != "pkm":
            _say(f"installing {name} …")
            client.install()
            why = client.available()
        if why:
            _say(f"skipping {name}: {why}")
            continue
        shutil.rmtree(client.dir, ignore_errors=True)
        clients.append(client)
    if not clients:
        _say("no client to run")
        return 1

    _say(f"starting the feed server ({max(sizes)} feeds, seed {args.seed}) …")
    server = ServerProcess(max(sizes), args.seed, args.latency, args.gzip)
    cells: list[Cell] = []
    size_notes: list[str] = []
    try:
        _say(f"  port {server.port}, feeds built in {server.build_s:.1f} s")
        for n in sizes:
            info = server.ctl("items", n=n)
            note = f"{n} feeds: {info['items']:,} items, {info['bytes'] / 1e6:.0f} MB."
            size_notes.append(note)
            _say(note)
            for client in clients:
                cells.extend(bench_client(client, server, gen, n, args))
    finally:
        server.close()

    print(markdown_table(cells))
    command = "python benchmarks/scan_bench.py " + " ".join(
        shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:])
    )
    meta = {
        "command": command.strip(),
        "sizes": " ".join(size_notes),
        "machine": machine(),
        "date": dt.date.today().isoformat(),
        "server_load": max((r.server_cpu_s / r.wall_s for c in cells for r in c.runs), default=0),
        "revision": revision(),
    }
    results = {
        "meta": meta,
        "settings": {k: getattr(args, k) for k in SETTINGS},
        "commands": {c.name: c.scan_cmd() for c in clients},
        "versions": {c.name: c.version for c in clients},
        "cells": [
            {
                **{k: v for k, v in asdict(c).items() if k != "runs"},
                "runs": [{**asdict(r), "other_load": r.other_load} for r in c.runs],
            }
            for c in cells
        ],
    }
    out = args.json or WORK / "scan_bench.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1))
    _say(f"runs written to {out}")
    if readme:
        update_readme(readme_section(results, cells))
        _say(f"updated {README}")
    return 0


SETTINGS = ("seed", "latency", "gzip", "cell_budget", "repeat")


def load_cells(results: dict[str, Any]) -> list[Cell]:
    cells = []
    for raw in results["cells"]:
        runs = [Run(**{k: v for k, v in r.items() if k != "other_load"}) for r in raw.pop("runs")]
        cells.append(Cell(**raw, runs=runs))
    return cells


def readme_from(path: Path) -> int:
    """Rewrite the README section from a saved run, without measuring again."""
    results = json.loads(path.read_text())
    defaults = {"seed": 1, "latency": 0.05, "gzip": False, "cell_budget": 75.0, "repeat": 3}
    results["settings"] = {**defaults, **results.get("settings", {})}
    cells = load_cells(results)
    print(markdown_table(cells))
    update_readme(readme_section(results, cells))
    _say(f"updated {README} from {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
