"""Benchmark of a full-text scan: summary-only feeds whose items link to article pages.

A server runs in its own process on 32 loopback addresses (127.0.0.1 … 127.0.0.32, the
same port on each) with an added latency per request. It serves 100 summary-only RSS feeds
(10 items each, one sentence of summary) and, for each item, a generated article page:
2–20 KB of prose inside page chrome as real sites have it (a header with navigation, a
cookie banner, a sidebar of popular posts and a newsletter box, a comment thread, a footer
of link columns), in three layouts: semantic HTML5 (article, aside, footer), a news page
with related-links and ad boxes inside the article body, and a "div soup" with nothing but
class names to go by. Prose and chrome draw on disjoint vocabularies, so the generator
knows which word came from where.

One run: a fresh store subscribed to the feeds from OPML with ``pkm:fullText="1"`` (not
timed), then ``pkm scan`` timed as a subprocess: wall time, pages per second, peak RSS of
its whole process tree (sampled every 50 ms). Then each entry's stored content is compared
with its page's ground truth: recall (share of the article's words kept) and chrome
leakage (share of the chrome's words kept), counted word by word, function words aside.

    .venv/bin/python benchmarks/full_text.py                 # 100 feeds x 10 items, 3 runs
    .venv/bin/python benchmarks/full_text.py --feeds 10 --repeat 1   # smoke run

Non-smoke runs rewrite the "## Full-text scan (issue 14)" section of benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import html
import json
import os
import random
import re
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import urllib.request
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from readme_section import replace_section, revision  # noqa: E402
from scan_bench import HOSTS, WORDS, _free_port, machine, measure  # noqa: E402

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PKM = REPO / ".venv" / "bin" / "pkm"
SECTION = "## Full-text scan (issue 14)"
ITEMS_PER_FEED = 10

# Words both prose and chrome use; never counted.
FUNCTION = set(
    """the of and to in is that for it as was with be by on not he this are or his from at
    which but have an they you were her she there been one all we their has would when what
    more if no out so said who can about up them some could him into its then two like only
    other these may over any after also did many before must through back where much your
    way well down should because each just those how too very see here between both being
    under never same another while might us off since again once upon every does got until
    always though yet far why let per among often ever thus itself either quite shall whose
    ago am i a our my me""".split()
)
ARTICLE_WORDS = sorted({w for w in WORDS if w not in FUNCTION and w.isalpha()})
CHROME_WORDS = sorted(
    {
        w
        for w in """subscribe newsletter cookies consent accept preferences pricing careers
        login signup sitemap trending popular sponsored advertisement copyright reserved
        rights terms imprint contact press partners affiliates podcast webinar shop cart
        checkout wishlist rewards coupon discount promo deals giveaway share tweet pin
        upvote downvote reply replies permalink flag moderator avatar username joined
        awesome lol thanks agree disagree cheers bookmark followers following notifications
        settings profile dashboard logout menu toggle search archives categories tags
        calendar feedback accessibility cookie banner dismiss manage vendors tracking
        analytics personalised marketing inbox weekly digest unsubscribe spam editors picks
        featured recommended readers favourite comments guidelines community report abuse
        download app store badge social facebook instagram linkedin youtube mastodon rss
        atom widget sidebar footer header hamburger breadcrumb homepage""".split()
        if w not in WORDS and w not in FUNCTION
    }
)
assert not set(ARTICLE_WORDS) & set(CHROME_WORDS)
TOKEN = re.compile(r"[a-z]+")


# --- generation: a function of (seed, feed, item) only -------------------------------------


def _sentence(rng: random.Random, vocabulary: list[str], lo: int, hi: int) -> str:
    words = [
        rng.choice(vocabulary) if rng.random() < 0.6 else rng.choice(sorted(FUNCTION))
        for _ in range(rng.randint(lo, hi))
    ]
    words[0] = words[0].capitalize()
    return " ".join(words) + rng.choice("....?!")


def _paragraph(rng: random.Random, vocabulary: list[str], sentences: int) -> str:
    return " ".join(_sentence(rng, vocabulary, 8, 24) for _ in range(sentences))


def _links(rng: random.Random, count: int, words: int) -> str:
    return "".join(
        f'<li><a href="/{rng.choice(CHROME_WORDS)}/{n}">'
        f"{' '.join(rng.choice(CHROME_WORDS) for _ in range(words)).capitalize()}</a></li>"
        for n in range(count)
    )


@dataclass(frozen=True)
class Page:
    html: bytes
    article: Counter[str]  # the prose's words (function words aside): what must be kept
    chrome: Counter[str]  # the chrome's words: what must not


def _counted(text: str, vocabulary: set[str]) -> Counter[str]:
    return Counter(t for t in TOKEN.findall(text.lower()) if t in vocabulary)


def make_page(seed: int, feed: int, item: int) -> Page:
    rng = random.Random(f"page:{seed}:{feed}:{item}")
    size = rng.randint(2_000, 20_000)
    title = _sentence(rng, ARTICLE_WORDS, 4, 9).rstrip(".?!")
    blocks: list[str] = []
    prose: list[str] = []
    length = 0
    while length < size:
        roll = rng.random()
        if roll < 0.12 and blocks:
            heading = _sentence(rng, ARTICLE_WORDS, 3, 7).rstrip(".?!")
            blocks.append(f"<h2>{heading}</h2>")
            prose.append(heading)
        elif roll < 0.2:
            items = [_sentence(rng, ARTICLE_WORDS, 5, 12) for _ in range(rng.randint(3, 6))]
            blocks.append("<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>")
            prose.extend(items)
        else:
            text = _paragraph(rng, ARTICLE_WORDS, rng.randint(2, 6))
            if rng.random() < 0.3:  # a link inside the prose, as articles have
                cut = text.find(" ", len(text) // 2)
                word = rng.choice(ARTICLE_WORDS)
                text = f'{text[:cut]} <a href="/ref/{length}">{word}</a>{text[cut:]}'
            blocks.append(f"<p>{text}</p>")
            prose.append(re.sub(r"<[^>]+>", " ", text))
        length = sum(len(p) for p in prose)
    comments = "".join(
        f'<li class="comment" id="comment-{n}"><article class="comment-body">'
        f'<footer class="comment-meta"><span class="fn">{rng.choice(CHROME_WORDS)}</span>'
        f' <a href="#comment-{n}">permalink</a></footer>'
        f'<div class="comment-content"><p>{_paragraph(rng, CHROME_WORDS, rng.randint(1, 3))}'
        f'</p></div><a class="comment-reply-link" href="#reply">Reply</a></article></li>'
        for n in range(rng.randint(0, 6))
    )
    chrome_parts = {
        "header": f'<header class="site-header"><a class="logo" href="/">Dailies</a>'
        f'<nav class="main-navigation"><ul>{_links(rng, 8, 1)}</ul></nav></header>',
        "cookie": f'<div class="cookie-banner" id="cookie-consent"><p>'
        f"{_paragraph(rng, CHROME_WORDS, 2)}</p><button>Accept</button></div>",
        "sidebar": f'<aside class="sidebar widget-area"><section class="widget">'
        f"<h3>Popular</h3><ul>{_links(rng, 6, 4)}</ul></section>"
        f'<section class="widget newsletter"><h3>Newsletter</h3><p>'
        f"{_paragraph(rng, CHROME_WORDS, 2)}</p></section></aside>",
        "comments": f'<section id="comments" class="comments-area"><h2 class="comments-title">'
        f'Comments</h2><ol class="comment-list">{comments}</ol></section>',
        "footer": f'<footer class="site-footer"><div class="footer-links"><ul>'
        f"{_links(rng, 12, 2)}</ul></div><p>Copyright 2026 Dailies. All rights reserved."
        f"</p></footer>",
    }
    template = rng.choice(("semantic", "news", "divsoup"))
    if template == "news":  # boxes of related links and ads inside the article's body
        chrome_parts["inline"] = (
            f'<div class="related-inline"><h4>Related</h4><ul>{_links(rng, 3, 5)}</ul></div>'
            f'<div class="ad-slot"><span>Advertisement</span> {_sentence(rng, CHROME_WORDS, 6, 10)}'
            "</div>"
        )
        blocks.insert(len(blocks) // 2, chrome_parts["inline"])
    body = "".join(blocks)
    if template == "divsoup":  # no semantic elements at all: only classes to go by
        page = f"""<!doctype html><html><head><meta charset="utf-8"><title>{title}</title>
</head><body><div class="top">{chrome_parts["cookie"]}<div class="nav-wrapper">
{chrome_parts["header"].replace("header", "div").replace("nav", "div")}</div></div>
<div class="container"><div class="row"><div class="col-md-8 content-wrapper">
<div class="post-title"><h1>{title}</h1></div><div class="post-body">{body}</div>
<div class="disqus">{chrome_parts["comments"].replace("section", "div")}</div></div>
<div class="col-md-4">{chrome_parts["sidebar"].replace("aside", "div")}</div></div></div>
<div class="bottom">{chrome_parts["footer"].replace("footer", "div")}</div></body></html>"""
    else:
        page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{title} | Dailies</title><meta name="viewport" content="width=device-width">
</head><body class="post-template">{chrome_parts["cookie"]}{chrome_parts["header"]}
<div id="page" class="site"><main id="main" class="site-main"><article class="post">
<header class="entry-header"><h1 class="entry-title">{title}</h1>
<time datetime="2026-11-{1 + item:02d}">November {1 + item}, 2026</time></header>
<div class="entry-content">{body}</div></article>{chrome_parts["comments"]}</main>
{chrome_parts["sidebar"]}</div>{chrome_parts["footer"]}</body></html>"""
    chrome_text = re.sub(r"<[^>]+>", " ", "".join(chrome_parts.values()))
    return Page(
        html=page.encode(),
        article=_counted(" ".join(prose), set(ARTICLE_WORDS)),
        chrome=_counted(chrome_text, set(CHROME_WORDS)),
    )


def page_host(feed: int, item: int) -> str:
    return HOSTS[(feed * ITEMS_PER_FEED + item) % len(HOSTS)]


def feed_xml(seed: int, feed: int, port: int) -> bytes:
    rng = random.Random(f"feed:{seed}:{feed}")
    items = "".join(
        f"<item><title>Story {feed}-{item}</title>"
        f"<link>http://{page_host(feed, item)}:{port}/post/{feed}/{item}</link>"
        f"<guid isPermaLink='false'>story-{feed}-{item}</guid>"
        f"<pubDate>Sun, {1 + item:02d} Nov 2026 08:00:00 GMT</pubDate>"
        f"<description>{html.escape(_sentence(rng, ARTICLE_WORDS, 8, 14))}</description></item>"
        for item in range(ITEMS_PER_FEED)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Summaries {feed}</title><link>http://{HOSTS[feed % len(HOSTS)]}/</link>"
        f"{items}</channel></rss>"
    ).encode()


# --- the server ----------------------------------------------------------------------------


class Server:
    def __init__(self, seed: int, feeds: int, latency: float, port: int) -> None:
        self.seed, self.feeds, self.latency, self.port = seed, feeds, latency, port
        self.stats: Counter[str] = Counter()
        # Made before the scan starts: generating them as asked took CPU from the scan.
        self.pages = {
            (feed, item): make_page(seed, feed, item).html
            for feed in range(feeds)
            for item in range(ITEMS_PER_FEED)
        }
        self.feed_bodies = [feed_xml(seed, feed, port) for feed in range(feeds)]

    def respond(self, path: str) -> tuple[int, str, bytes]:
        parts = path.strip("/").split("/")
        try:
            if parts[0] == "feed" and len(parts) == 2:
                feed = int(parts[1].removesuffix(".xml"))
                if feed < self.feeds:
                    self.stats["feeds"] += 1
                    return 200, "application/rss+xml", self.feed_bodies[feed]
            key = (int(parts[1]), int(parts[2])) if len(parts) == 3 else None
            if parts[0] == "post" and key in self.pages:
                self.stats["pages"] += 1
                self.stats[f"page {parts[1]}/{parts[2]}"] += 1
                return 200, "text/html; charset=utf-8", self.pages[key]
        except ValueError:
            pass
        return 404, "text/plain", b"not found"

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
                target = head.split(" ", 2)[1]
                if target.startswith("/_stats"):
                    status, kind = 200, "application/json"
                    body = json.dumps(
                        {
                            "pages": self.stats["pages"],
                            "feeds": self.stats["feeds"],
                            "pages_twice": sum(
                                1 for k, v in self.stats.items() if k.startswith("page ") and v > 1
                            ),
                        }
                    ).encode()
                else:
                    await asyncio.sleep(self.latency)
                    status, kind, body = self.respond(target)
                writer.write(
                    (
                        f"HTTP/1.1 {status} {'OK' if status == 200 else 'Not Found'}\r\n"
                        f"Content-Type: {kind}\r\nContent-Length: {len(body)}\r\n"
                        "Connection: keep-alive\r\n\r\n"
                    ).encode()
                    + body
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, IndexError):
            pass
        finally:
            writer.close()


async def serve(seed: int, feeds: int, latency: float, port: int) -> None:
    server = Server(seed, feeds, latency, port)
    listeners = [await asyncio.start_server(server.handle, host, port) for host in HOSTS]
    print("ready", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=3600)
    for listener in listeners:
        listener.close()


# --- one run -------------------------------------------------------------------------------


def write_opml(path: Path, feeds: int, port: int) -> None:
    outlines = "".join(
        f'<outline type="rss" text="Summaries {i}" pkm:fullText="1"'
        f' xmlUrl="http://{HOSTS[i % len(HOSTS)]}:{port}/feed/{i}.xml"/>'
        for i in range(feeds)
    )
    path.write_text(
        '<?xml version="1.0"?><opml version="2.0"'
        ' xmlns:pkm="https://github.com/pkm-tool/pkm/opml">'
        f"<head><title>bench</title></head><body>{outlines}</body></opml>"
    )


def quality(db: Path, seed: int) -> dict[str, float]:
    """Recall and chrome leakage of the stored content, against the generator's truth."""
    from pkm.parse import html_text

    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT url, content, full_text_at FROM entries").fetchall()
    conn.close()
    recalls, leaks = [], []
    for url, content, fetched in rows:
        feed, item = (int(p) for p in url.rsplit("/", 2)[1:])
        truth = make_page(seed, feed, item)
        kept = Counter(TOKEN.findall(html_text(content or "").lower())) if fetched else Counter()
        recalls.append(sum((truth.article & kept).values()) / sum(truth.article.values()))
        leaks.append(sum((truth.chrome & kept).values()) / max(sum(truth.chrome.values()), 1))
    return {
        "entries": len(rows),
        "recall_mean": statistics.fmean(recalls),
        "recall_min": min(recalls),
        "pages_recall_95": sum(r >= 0.95 for r in recalls) / len(recalls),
        "chrome_mean": statistics.fmean(leaks),
        "chrome_max": max(leaks),
    }


def run_once(feeds: int, seed: int, latency: float, work: Path) -> dict[str, Any]:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", "--port", str(port), "--feeds", str(feeds)]
        + ["--seed", str(seed), "--latency", str(latency)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None and server.stdout.readline().strip() == "ready"
        db = work / "pkm.db"
        for leftover in work.glob("pkm.db*"):
            leftover.unlink()
        opml = work / "feeds.opml"
        write_opml(opml, feeds, port)
        subprocess.run(
            [str(PKM), "--db", str(db), "feeds", "import", str(opml)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        load = os.getloadavg()[0]  # other work on the machine (shared, 2 cores)
        command = [str(PKM), "--db", str(db), "scan", "--json"]
        run = measure(command, dict(os.environ), work, work / "err.log")
        if run.returncode != 0:
            raise RuntimeError((work / "err.log").read_text())
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stats") as answer:
            served = json.loads(answer.read())
        conn = sqlite3.connect(db)
        fetched = conn.execute(
            "SELECT count(*) FROM entries WHERE full_text_at IS NOT NULL"
        ).fetchone()[0]
        conn.close()
        return {
            "wall_s": run.wall_s,
            "peak_tree_mb": run.peak_tree_mb,
            "cpu_s": run.cpu_s,
            "pages_served": served["pages"],
            "pages_twice": served["pages_twice"],
            "full_texts": fetched,
            "pages_per_s": fetched / run.wall_s,
            "load_before": load,
            **quality(db, seed),
        }
    finally:
        server.terminate()
        server.wait(10)


def section(runs: list[dict[str, Any]], args: argparse.Namespace) -> str:
    def med(key: str) -> float:
        return statistics.median(r[key] for r in runs)

    pages = args.feeds * ITEMS_PER_FEED
    loads = ", ".join(f"{r['load_before']:.1f}" for r in runs)
    command = "`.venv/bin/python benchmarks/full_text.py`" + (
        f" `--repeat {args.repeat}`" if args.repeat != 3 else ""
    )
    return f"""{SECTION}

{args.feeds} summary-only feeds × {ITEMS_PER_FEED} new items, each linking to a generated
article page (2–20 KB of prose inside a header with navigation, a cookie banner, a sidebar,
a comment thread and a footer; a third of the pages with link and ad boxes inside the
article, a third with no semantic elements at all), served on 32 loopback hosts with
{args.latency * 1000:g} ms latency; one `pkm scan` of a fresh store whose feeds are all
full-text (from OPML). Median of {len(runs)} runs; {command}; {revision()};
{machine()}; the machine is shared: its 1-minute load average before the runs was {loads}.

| | figure | target |
|---|---|---|
| wall time, {pages:,} pages fetched and extracted | {med("wall_s"):.1f} s | < 35 s |
| pages per second | {med("pages_per_s"):.0f} | |
| peak RSS, whole process tree | {med("peak_tree_mb"):.0f} MB | < 300 MB |
| CPU (scan and its parse workers) | {med("cpu_s"):.1f} s | |
| full texts stored / pages served / pages served twice | \
{med("full_texts"):.0f} / {med("pages_served"):.0f} / {med("pages_twice"):.0f} | \
{pages:,} / {pages:,} / 0 |
| article words kept (recall), mean / worst page | \
{med("recall_mean"):.1%} / {med("recall_min"):.1%} | ≥ 95% |
| pages with recall ≥ 95% | {med("pages_recall_95"):.1%} | |
| chrome words kept (leakage), mean / worst page | \
{med("chrome_mean"):.1%} / {med("chrome_max"):.1%} | ≤ 5% |

Recall and leakage are counted word by word (function words aside) over each entry's stored
content against the generator's ground truth; prose and chrome use disjoint vocabularies.
Extraction is trafilatura's (`pkm/fulltext.py`), in the scan's parse workers.
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--readme", action=argparse.BooleanOptionalAction, default=None)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        asyncio.run(serve(args.seed, args.feeds, args.latency, args.port))
        return 0
    runs = []
    with tempfile.TemporaryDirectory(prefix="pkm-full-text-") as work:
        for n in range(args.repeat):
            result = run_once(args.feeds, args.seed, args.latency, Path(work))
            print(f"run {n + 1}: " + json.dumps({k: round(v, 3) for k, v in result.items()}))
            runs.append(result)
    text = section(runs, args)
    print(text)
    if args.readme if args.readme is not None else args.feeds == 100:
        replace_section(SECTION, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
