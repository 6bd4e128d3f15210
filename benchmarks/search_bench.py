"""Benchmark of `pkm find` at a million entries, side by side with buku.

Builds (once, cached under benchmarks/work/search/) a pkm store of 1,000,000 feed entries
from 2,000 feeds plus 100,000 saved bookmarks, with generated but realistic text: Zipf-
distributed words from English, Dutch, German and French stop words, a shared topical
vocabulary with accented words ("ideeën", "événements") and a long tail of 200,000 rarer
words; summaries of ~60 words and, for a quarter of the items, full bodies of ~400 words;
bookmarks with 1–5 tags from a 2,000-tag vocabulary (Zipf), a description, and a note on
30% of them. 90,000 bookmarks are pages saved by URL, 10,000 are feed entries that were
tagged. Everything is written through pkm's own storage layer (FeedRepository.add,
EntryRepository.store_items / add_page / mark_saved, TagRepository.add, the migration's
FTS5 triggers), in transactions of a few thousand rows, as a long run of scans would.

The same 100,000 bookmarks (URL, title, tags, description + note) are loaded into buku
(PyPI, in its own venv under benchmarks/work/buku-venv) through its BukuDb.add_rec API.

Then, for every query shape, the median and p95 of:

- the library call: ``Pkm.find(...)`` in one process, store open and warm;
- end to end: ``pkm find ...`` as a subprocess (process start, imports, opening the store,
  printing included; bytecode cached as in a normal install);
- buku end to end (``buku --nostdin --np -s WORD`` / ``-t TAG``, output to a pipe) and
  buku's own search methods in-process, on its 100,000 bookmarks.

    .venv/bin/python benchmarks/search_bench.py               # full run (build ~15-25 min once)
    .venv/bin/python benchmarks/search_bench.py --quick       # 20k entries, a smoke run
    .venv/bin/python benchmarks/search_bench.py --no-buku --repeat 31

Non-quick runs rewrite the "## Search" section of benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import hashlib
import itertools
import json
import math
import multiprocessing
import os
import platform
import random
import re
import shlex
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pg_bench import count, database_url, fresh_database  # beside this script
from readme_section import replace_section, revision  # beside this script

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / "work" / "search"
BUKU_VENV = HERE / "work" / "buku-venv"

README = HERE / "README.md"
SECTION = "## Search"
VENV_PY = ROOT / ".venv" / "bin" / "python"
PKM_BIN = ROOT / ".venv" / "bin" / "pkm"
CORPUS_VERSION = 4  # bump when the generated corpus changes (invalidates the cache)
END = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)  # the corpus' "today"
SPAN_DAYS = 5 * 365

sys.path.insert(0, str(ROOT))

# --- vocabulary -----------------------------------------------------------------------

STOP = {
    "en": "the of and to a in is that for it on with as was at by this be are from or an have"
    " not but they which one you all were we her his their has more been can there if will would"
    " about so what when who no out up into than them its also only other some new just like",
    "nl": "de het een en van in is op te dat die voor met zijn niet aan er als ook om maar bij"
    " dan nog wel uit door over naar tot worden meer geen zo wat heeft deze kan hun was wordt al"
    " je we ze hij zij nu toch waar hoe",
    "de": "der die das und in zu den von ist mit sich des auf für nicht ein eine als auch es an"
    " werden aus er hat dass sie nach bei um am noch wie einem über so zum war haben nur oder aber"
    " vor zur bis mehr durch man wir ich",
    "fr": "le la les de des du un une et à en est que qui dans pour pas sur au plus par ne se ce"
    " il elle nous vous avec sont ont été mais comme ou son sa ses leur aux cette être fait on"
    " très tout aussi",
}
TOPICAL = {
    "en": "learning network networks knowledge conference conferences event events hybrid online"
    " community communities workshop keynote speaker research data python software design"
    " management leadership strategy innovation education teachers students social media blog"
    " article podcast video remote work team teams collaboration sensemaking sharing curation"
    " personal practice organisation organization future digital technology tools platform open"
    " source web feeds reading writing notes ideas thinking complexity systems change culture"
    " workplace trust experts expertise connections conversation insight insights story stories"
    " question questions answer problem solving creativity habit habits library archive search"
    " bookmarks tagging serendipity attention focus productivity meeting meetings unconference"
    " facilitation agenda session sessions panel attendees venue travel climate energy policy"
    " government economy markets startup investment security privacy cloud database performance"
    " rust javascript language languages translation history science health",
    "nl": "netwerk netwerken kennis leren onderwijs bijeenkomst evenement evenementen ideeën idee"
    " samenwerking gemeenschap organisatie verandering werk medewerkers toekomst onderzoek docent"
    " studenten digitale technologie kennisdeling vakmanschap lezen schrijven vragen gesprek"
    " gesprekken inzicht verhalen overheid gemeente zorg klimaat energie beleid bibliotheek"
    " praktijk leiderschap vernieuwing deelnemers sprekers werkvorm congres",
    "de": "netzwerk netzwerke wissen lernen veranstaltung veranstaltungen konferenz zusammenarbeit"
    " gemeinschaft straße bildung forschung ideen zukunft arbeit mitarbeiter führung wandel"
    " digitalisierung künstliche intelligenz überblick erfahrung erfahrungen gespräch fragen"
    " lösungen gesellschaft politik wirtschaft unternehmen schule hochschule studierende",
    "fr": "réseau réseaux connaissance connaissances apprentissage conférence événement événements"
    " idées idée collaboration communauté organisation changement travail avenir recherche"
    " numérique éducation enseignant étudiants lecture écriture questions réponse échanges"
    " société politique économie entreprise école université participants intervenants",
}
# Collocations, so that phrases have something to find.
PHRASES = {
    "en": (
        "hybrid events",
        "open source",
        "knowledge management",
        "machine learning",
        "personal knowledge management",
        "social media",
        "remote work",
        "climate change",
    ),
    "nl": ("hybride evenementen", "open source", "kennis delen", "leven lang leren"),
    "de": ("künstliche intelligenz", "open source", "lebenslanges lernen"),
    "fr": ("intelligence artificielle", "open source", "gestion des connaissances"),
}
LANGS = ("en", "nl", "de", "fr")
LANG_WEIGHTS = (0.5, 0.2, 0.15, 0.15)
SYLLABLES = (
    "ka ro mi ne ta lo vi su pe da ri mo ba le ti no sa ve gu fo ha ju ke lu ma ni po ra se to"
    " va wi ze bri cla dre fla gro pla sta tre vel mar ton lin ber gen dor wal sen tus vik"
    " nor hel "
).split()
ACCENTED = ("é", "ë", "ü", "ö", "è", "ï", "ä", "ç")
TAIL_WORDS = 200_000
REAL_TAGS = (
    "conference2.0 python learning networks events hybrid keynote pkm knowledge-management"
    " ideeën netwerken leren onderwijs Rust javascript sqlite search reading-list to-read"
    " research design leadership community unconference facilitation remote-work podcasts"
    " video tools productivity writing notes sensemaking curation education climate energy"
    " policy privacy security cloud data AI machine-learning history science health travel"
    " événements Veranstaltungen workshop meetings culture innovation strategy"
).split()


def _tail_words(seed: int) -> list[str]:
    rng = random.Random(seed)
    seen: set[str] = set()
    words: list[str] = []
    while len(words) < TAIL_WORDS:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 2, 3, 3, 3, 4))))
        if rng.random() < 0.04:  # some foreign-looking words carry diacritics
            i = rng.randrange(len(word))
            word = word[:i] + rng.choice(ACCENTED) + word[i + 1 :]
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


def _zipf(n: int, s: float = 1.0) -> list[float]:
    weights = [1.0 / (r**s) for r in range(1, n + 1)]
    total = sum(weights)
    return [w / total for w in weights]


@dataclass
class Sampler:
    """Words of one language: a population with cumulative weights (bisect sampling)."""

    population: list[str]
    cum: list[float]

    def words(self, rng: random.Random, k: int) -> list[str]:
        return rng.choices(self.population, cum_weights=self.cum, k=k)


def _sampler(lang: str, tail: list[str], stop_w: float, topical_w: float) -> Sampler:
    """One Zipf curve (s=1) over the language's words: its stop words first, then its topical
    words (with some English loanwords) interleaved with the tail from rank 100 on, every
    fourth rank; ``stop_w``/``topical_w`` reweight those classes (titles use fewer stop words).
    """
    topical = TOPICAL[lang].split()
    if lang != "en":  # loanwords: some English terms of the trade
        topical += TOPICAL["en"].split()[40:100]
    stop = STOP[lang].split()
    population: list[str] = list(stop)
    kinds: list[float] = [stop_w] * len(stop)
    rest = iter(tail)
    while len(population) < 100:
        population.append(next(rest))
        kinds.append(1.0)
    for word in topical:
        population.append(word)
        kinds.append(topical_w)
        for _ in range(3):
            population.append(next(rest))
            kinds.append(1.0)
    population += rest
    kinds += [1.0] * (len(population) - len(kinds))
    weights = [k / r for r, k in enumerate(kinds, 1)]
    return Sampler(population, list(itertools.accumulate(weights)))


class Corpus:
    """Deterministic generated text; every method takes its own ``random.Random``."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        tail = _tail_words(seed)
        self.tail = tail
        self.body = {lang: _sampler(lang, tail, 1.0, 1.0) for lang in LANGS}
        self.heading = {lang: _sampler(lang, tail, 0.2, 4.0) for lang in LANGS}
        rng = random.Random(seed + 1)
        self.sites = [self._host(rng) for _ in range(5_000)]
        self.site_cum = list(itertools.accumulate(_zipf(len(self.sites), 0.9)))
        self.tags = self._tag_vocabulary(rng)
        self.tag_cum = list(itertools.accumulate(_zipf(len(self.tags), 1.0)))
        self.people = [
            f"{w1.capitalize()} {w2.capitalize()}"
            for w1, w2 in zip(tail[5000:5400], tail[9000:9400], strict=True)
        ]

    def _host(self, rng: random.Random) -> str:
        name = "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 3))))
        sub = rng.choice(("", "", "", "www.", "blog.", "news."))
        return sub + name + rng.choice((".com", ".org", ".nl", ".de", ".fr", ".net", ".io"))

    def _tag_vocabulary(self, rng: random.Random) -> list[str]:
        tags = list(REAL_TAGS)
        keys = {t.casefold() for t in tags}
        pool = [w for lang in LANGS for w in TOPICAL[lang].split()] + self.tail[:3000]
        while len(tags) < 2_000:
            word = rng.choice(pool)
            if rng.random() < 0.3:
                word = f"{word}-{rng.choice(pool)}"
            if word.casefold() not in keys:
                keys.add(word.casefold())
                tags.append(word)
        # Keep the named tags at known ranks: conference2.0 about 30th, python 1st.
        tags.remove("conference2.0")
        tags.insert(29, "conference2.0")
        return tags

    def lang(self, rng: random.Random) -> str:
        return rng.choices(LANGS, LANG_WEIGHTS)[0]

    def title(self, rng: random.Random, lang: str) -> str:
        words = self.heading[lang].words(rng, rng.randint(4, 11))
        return " ".join(words).capitalize()

    def sentences(self, rng: random.Random, lang: str, n_words: int) -> str:
        words = self.body[lang].words(rng, n_words)
        out: list[str] = []
        i = 0
        while i < len(words):
            size = rng.randint(7, 22)
            chunk = words[i : i + size]
            if rng.random() < 0.08:
                chunk.insert(rng.randrange(len(chunk) + 1), rng.choice(PHRASES[lang]))
            out.append(" ".join(chunk).capitalize() + ".")
            i += size
        return " ".join(out)

    def site(self, rng: random.Random) -> str:
        return self.sites[bisect.bisect(self.site_cum, rng.random() * self.site_cum[-1])]

    def tag_list(self, rng: random.Random) -> list[str]:
        n = rng.choice((1, 1, 2, 2, 3, 3, 3, 4, 5))
        picked: list[str] = []
        for _ in range(n * 2):
            tag = self.tags[bisect.bisect(self.tag_cum, rng.random() * self.tag_cum[-1])]
            if tag not in picked:
                picked.append(tag)
            if len(picked) == n:
                break
        return picked


def _slug(title: str) -> str:
    ascii_ = title.encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_).strip("-")[:60] or "item"


def _when(rng: random.Random, span_days: int = SPAN_DAYS) -> dt.datetime:
    return END - dt.timedelta(seconds=rng.randrange(span_days * 86_400))


# --- worker: one feed's items ---------------------------------------------------------

_CORPUS: Corpus | None = None


def _init_worker(seed: int) -> None:
    global _CORPUS
    _CORPUS = Corpus(seed)


def feed_items(job: tuple[int, int, str, int]) -> tuple[int, list[Any]]:
    """The ParsedEntry items of one feed (in a worker process)."""
    from pkm.types import ParsedEntry

    feed_index, count, host, seed = job
    corpus = _CORPUS
    assert corpus is not None
    rng = random.Random(seed * 1_000_003 + feed_index)
    lang = corpus.lang(rng)
    items = []
    for n in range(count):
        title = corpus.title(rng, lang)
        published = _when(rng)
        if rng.random() < 0.25:  # a full-content feed item
            n_words = min(3000, int(rng.lognormvariate(math.log(400), 0.6)))
            body = corpus.sentences(rng, lang, n_words)
            summary_html = None
            content_html = "<p>" + body.replace(". ", ".</p><p>", 3) + "</p>"
        else:
            n_words = min(400, max(8, int(rng.lognormvariate(math.log(60), 0.5))))
            body = corpus.sentences(rng, lang, n_words)
            summary_html = f"<p>{body}</p>"
            content_html = None
        url = f"https://{host}/{published:%Y/%m}/{_slug(title)}-{feed_index}-{n}"
        digest = hashlib.sha256(f"{title}\x1f{url}\x1f{body}".encode()).hexdigest()
        items.append(
            ParsedEntry(
                key=f"guid:{url}",
                url=url,
                title=title,
                author=rng.choice(corpus.people),
                summary_html=summary_html,
                content_html=content_html,
                text=body,
                published=published,
                updated=published,
                content_hash=digest,
            )
        )
    return feed_index, items


# --- building the stores ---------------------------------------------------------------


def _log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _feed_counts(rng: random.Random, total: int, feeds: int) -> list[int]:
    """Items per feed: skewed (a few prolific feeds), summing to ``total``."""
    weights = [rng.paretovariate(1.5) for _ in range(feeds)]
    scale = total / sum(weights)
    counts = [max(1, int(w * scale)) for w in weights]
    counts = [min(c, total // 20 or 1) for c in counts]
    i = 0
    while sum(counts) < total:
        counts[i % feeds] += 1
        i += 1
    while sum(counts) > total:
        j = max(range(feeds), key=counts.__getitem__)
        counts[j] -= sum(counts) - total if counts[j] > sum(counts) - total else counts[j] - 1
    return counts


def _feed_title(rng: random.Random, corpus: Corpus, index: int) -> str:
    if index == 0:
        return "Harold Jarche"
    if rng.random() < 0.5:
        return rng.choice(corpus.people)
    lang = corpus.lang(rng)
    words = corpus.heading[lang].words(rng, rng.randint(1, 3))
    return " ".join(w.capitalize() for w in words) + rng.choice((" Blog", " News", "", " Notes"))


def store_paths(n_entries: int, n_bookmarks: int, seed: int) -> tuple[Path, Path, Path]:
    stem = f"{n_entries}-{n_bookmarks}-s{seed}-v{CORPUS_VERSION}"
    return WORK / f"pkm-{stem}.db", WORK / f"bookmarks-{stem}.jsonl", WORK / f"buku-{stem}.db"


def bookmarks_store_path(n_entries: int, n_bookmarks: int, seed: int) -> Path:
    return WORK / f"pkm-bookmarks-{n_entries}-{n_bookmarks}-s{seed}-v{CORPUS_VERSION}.db"


def build_pkm(
    path: Path, jsonl: Path, n_entries: int, n_bookmarks: int, seed: int, workers: int
) -> dict[str, Any]:
    """Build the pkm store through its storage layer; write the bookmarks for buku."""
    from pkm.storage.db import open_store, transaction
    from pkm.storage.entries import EntryRepository
    from pkm.storage.feeds import FeedRepository
    from pkm.storage.tags import TagRepository

    WORK.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".building")
    for p in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm"), Path(f"{tmp}.lock")):
        p.unlink(missing_ok=True)
    started = time.perf_counter()
    conn = open_store(tmp)  # creates the schema with pkm's Alembic migrations
    conn.execute("PRAGMA cache_size = -262144")  # 256 MB page cache while loading
    feeds, entries, tags = FeedRepository(conn), EntryRepository(conn), TagRepository(conn)
    index_pending = getattr(entries, "index_pending", lambda: 0)
    corpus = Corpus(seed)
    rng = random.Random(seed + 2)
    n_feeds = min(2_000, max(10, n_entries // 500))
    counts = _feed_counts(rng, n_entries, n_feeds)
    now = int(END.timestamp())
    feed_rows: list[tuple[int, str, str]] = []
    with transaction(conn):
        for i in range(n_feeds):
            host = corpus.sites[i % len(corpus.sites)]
            title = _feed_title(rng, corpus, i)
            feed_id, _ = feeds.add(
                f"https://{host}/feed-{i}.xml", title=title, folder=rng.choice(("A", "B", None))
            )
            feed_rows.append((feed_id, title, host))
        scan_id = int(
            conn.execute(
                "INSERT INTO scans (started_at, finished_at, total) VALUES (?, ?, ?)",
                (now, now, n_feeds),
            ).lastrowid
            or 0
        )
    jobs = [(i, counts[i], feed_rows[i][2], seed) for i in range(n_feeds)]
    done = committed = 0
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(workers, initializer=_init_worker, initargs=(seed,)) as pool:
        conn.execute("BEGIN IMMEDIATE")
        for index, items in pool.imap_unordered(feed_items, jobs, chunksize=1):
            feed_id, title, host = feed_rows[index]
            entries.store_items(feed_id, f"{title} {host}", items, now, scan_id)
            done += len(items)
            if done - committed >= 5_000:
                index_pending()  # as each scan does at its end (no-op before deferred indexing)
                conn.execute("COMMIT")
                conn.execute("BEGIN IMMEDIATE")
                if done // 100_000 != committed // 100_000:
                    rate = done / (time.perf_counter() - started)
                    _log(f"  {done:,} feed entries ({rate:,.0f}/s)")
                committed = done
        index_pending()
        conn.execute("COMMIT")
    _log(f"feed entries stored in {time.perf_counter() - started:.0f} s")

    brng = random.Random(seed + 7)
    pages = n_bookmarks * 9 // 10
    with jsonl.open("w") as out:
        conn.execute("BEGIN IMMEDIATE")
        for i in range(pages):
            lang = corpus.lang(brng)
            host = corpus.site(brng)
            title = corpus.title(brng, lang)
            desc = corpus.sentences(brng, lang, brng.randint(12, 60))
            note = (
                corpus.sentences(brng, lang, brng.randint(5, 25)) if brng.random() < 0.3 else None
            )
            tag_names = corpus.tag_list(brng)
            saved = int(_when(brng, 8 * 365).timestamp())
            url = f"https://{host}/{_slug(title)}-{i}"
            entry_id = entries.add_page(url, title=title, description=desc, source=host, now=saved)
            entries.mark_saved(entry_id, now=saved, note=note, to_read=brng.random() < 0.1)
            tags.add(entry_id, tag_names)
            out.write(json.dumps([url, title, tag_names, desc + (f"\n{note}" if note else "")]))
            out.write("\n")
            if i % 5_000 == 4_999:
                conn.execute("COMMIT")
                conn.execute("BEGIN IMMEDIATE")
        picked = brng.sample(range(1, n_entries + 1), n_bookmarks - pages)
        for entry_id in picked:
            lang = corpus.lang(brng)
            note = (
                corpus.sentences(brng, lang, brng.randint(5, 25)) if brng.random() < 0.3 else None
            )
            tag_names = corpus.tag_list(brng)
            saved = int(_when(brng, 5 * 365).timestamp())
            entries.mark_saved(entry_id, now=saved, note=note)
            tags.add(entry_id, tag_names)
            url, title, text = conn.execute(
                "SELECT url, title, text FROM entries WHERE id = ?", (entry_id,)
            ).fetchone()
            out.write(json.dumps([url, title, tag_names, text + (f"\n{note}" if note else "")]))
            out.write("\n")
        conn.execute("COMMIT")
    build_s = time.perf_counter() - started
    _log(f"bookmarks stored; total build {build_s:.0f} s")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    Path(f"{tmp}.lock").unlink(missing_ok=True)
    tmp.rename(path)
    meta = {"build_s": round(build_s), "workers": workers}
    path.with_suffix(".json").write_text(json.dumps(meta))
    return meta


def build_pkm_bookmarks(jsonl: Path, path: Path, seed: int) -> dict[str, Any]:
    """A pkm store of just the bookmarks buku gets (for the like-for-like comparison)."""
    from pkm.storage.db import open_store, transaction
    from pkm.storage.entries import EntryRepository
    from pkm.storage.tags import TagRepository
    from pkm.urls import host_of

    tmp = path.with_name(path.name + ".building")
    for p in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm"), Path(f"{tmp}.lock")):
        p.unlink(missing_ok=True)
    started = time.perf_counter()
    conn = open_store(tmp)
    entries, tags = EntryRepository(conn), TagRepository(conn)
    rng = random.Random(seed + 11)
    with jsonl.open() as lines, transaction(conn):
        for line in lines:
            url, title, tag_names, desc = json.loads(line)
            saved = int(_when(rng, 8 * 365).timestamp())
            entry_id = entries.add_page(
                url, title=title, description=desc, source=host_of(url), now=saved
            )
            entries.mark_saved(entry_id, now=saved)
            tags.add(entry_id, tag_names)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    Path(f"{tmp}.lock").unlink(missing_ok=True)
    tmp.rename(path)
    meta = {"build_s": round(time.perf_counter() - started)}
    path.with_suffix(".json").write_text(json.dumps(meta))
    return meta


BUKU_LOAD = r"""
import json, sys, time
from buku import BukuDb
db = BukuDb(dbfile=sys.argv[1])
started = time.perf_counter()
with open(sys.argv[2]) as f:
    for i, line in enumerate(f):
        url, title, tags, desc = json.loads(line)
        db.add_rec(url, title, "," + ",".join(tags) + ",", desc, delay_commit=True, fetch=False)
        if i % 10000 == 9999:
            db.conn.commit()
db.conn.commit()
print(time.perf_counter() - started)
"""


def build_buku(jsonl: Path, path: Path) -> dict[str, Any]:
    tmp = path.with_name(path.name + ".building")
    tmp.unlink(missing_ok=True)
    python = BUKU_VENV / "bin" / "python"
    started = time.perf_counter()
    out = subprocess.run(
        [str(python), "-c", BUKU_LOAD, str(tmp), str(jsonl)],
        check=True,
        capture_output=True,
        text=True,
    )
    tmp.rename(path)
    meta = {
        "load_s": round(time.perf_counter() - started),
        "add_rec_s": float(out.stdout.split()[-1]),
    }
    path.with_suffix(".json").write_text(json.dumps(meta))
    return meta


def ensure_buku(install: bool) -> str | None:
    """buku's version, installing it into its own venv when asked; None if unavailable."""
    python = BUKU_VENV / "bin" / "python"
    if not python.exists() and install:
        subprocess.run([sys.executable, "-m", "venv", str(BUKU_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "buku"], check=True)
    if not python.exists():
        return None
    out = subprocess.run(
        [str(BUKU_VENV / "bin" / "buku"), "--nostdin", "--version"], capture_output=True, text=True
    )
    return out.stdout.strip() or None


# --- measuring ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Shape:
    """One query shape: the same question asked of pkm (library, CLI) and of buku."""

    name: str
    query: str  # pkm query text
    options: tuple[str, ...] = ()  # pkm CLI options
    buku: tuple[str, ...] | None = None  # buku CLI arguments, None when buku has no equivalent
    buku_api: tuple[str, list[str]] | None = None  # ("keyword"|"tag", words)
    headline: bool = True  # one of the five shapes the issue asks for


SHAPES = (
    Shape("one word", "netwerk", buku=("-s", "netwerk"), buku_api=("keyword", ["netwerk"])),
    Shape(
        "one common word",
        "learning",
        buku=("-s", "learning"),
        buku_api=("keyword", ["learning"]),
    ),
    Shape(
        "two words",
        "knowledge management",
        buku=("-S", "knowledge", "management"),
        buku_api=("all", ["knowledge", "management"]),
    ),
    Shape(
        "phrase",
        '"hybrid events"',
        buku=("-s", "hybrid events"),
        buku_api=("keyword", ["hybrid events"]),
    ),
    Shape(
        "tag listing",
        "#conference2.0",
        buku=("-t", "conference2.0"),
        buku_api=("tag", ["conference2.0"]),
    ),
    Shape("big tag listing", "#python", buku=("-t", "python"), buku_api=("tag", ["python"])),
    Shape("query + tag", "learning #conference2.0"),
    Shape("prefix", "netwerk*", headline=False),
    Shape("short prefix", "net*", headline=False),
    Shape("rare site", "site:sapenor.net", headline=False),
    Shape("accents", "ideeën", headline=False),
    Shape("newest, no words", "", headline=False),
    Shape("saved only", "netwerk", ("--saved",), headline=False),
)


def _stats(samples: Sequence[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]
    return {"median": statistics.median(ordered), "p95": p95, "n": len(ordered)}


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # a normal install has its bytecode cached
    env.pop("PKM_DB", None)
    env["COLUMNS"] = "120"
    return env


def measure_library(
    store: Path | str, repeat: int, shapes: Sequence[Shape] = SHAPES, related: bool = True
) -> dict[str, dict[str, Any]]:
    from pkm import Pkm

    results: dict[str, dict[str, Any]] = {}
    with Pkm.open(store) as pkm:
        for shape in shapes:
            saved = "--saved" in shape.options
            pkm.find(shape.query, saved=saved)  # warm the page cache
            samples = []
            hits: Any = []
            for _ in range(repeat):
                started = time.perf_counter()
                hits = pkm.find(shape.query, saved=saved)
                samples.append(time.perf_counter() - started)
            results[shape.name] = {
                **_stats(samples),
                "hits": len(hits),
                "ranked": getattr(hits, "ranked", None),
            }
        if not related:
            return results
        entry = pkm.find("#conference2.0", limit=1)[0].entry.id
        pkm.related(entry)
        samples = []
        for _ in range(repeat):
            started = time.perf_counter()
            pkm.related(entry)
            samples.append(time.perf_counter() - started)
        results["related"] = {**_stats(samples), "entry": entry}
    return results


def measure_cli(
    store: Path | str, repeat: int, shapes: Sequence[Shape] = SHAPES
) -> dict[str, dict[str, Any]]:
    results: dict[str, dict[str, Any]] = {}
    env = _env()
    for shape in shapes:
        args = [str(PKM_BIN), "--db", str(store), "find", *shape.options]
        args += [shape.query] if shape.query else []
        out = subprocess.run(args, env=env, capture_output=True, check=True)  # warm
        samples = []
        for _ in range(repeat):
            started = time.perf_counter()
            subprocess.run(args, env=env, capture_output=True, check=True)
            samples.append(time.perf_counter() - started)
        results[shape.name] = {
            **_stats(samples),
            "command": shlex.join(args[1:]),
            "bytes": len(out.stdout),
        }
    return results


def _run_on_terminal(args: list[str], env: dict[str, str]) -> None:
    """Run with stdout on a pseudo-terminal (what a user at a terminal gets), drained."""
    import pty
    import threading

    main_fd, sub_fd = pty.openpty()

    def drain() -> None:
        try:
            while os.read(main_fd, 65536):
                pass
        except OSError:
            pass

    reader = threading.Thread(target=drain)
    reader.start()
    try:
        subprocess.run(args, env=env, stdout=sub_fd, stderr=subprocess.DEVNULL, check=True)
    finally:
        os.close(sub_fd)
        reader.join()
        os.close(main_fd)


def measure_terminal(store: Path, repeat: int) -> dict[str, dict[str, Any]]:
    """A few shapes with stdout on a terminal: Rich styles and highlights included."""
    env = {**_env(), "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    results: dict[str, dict[str, Any]] = {}
    for shape in SHAPES[:5]:
        args = [str(PKM_BIN), "--db", str(store), "find", *shape.options, shape.query]
        _run_on_terminal(args, env)
        samples = []
        for _ in range(repeat):
            started = time.perf_counter()
            _run_on_terminal(args, env)
            samples.append(time.perf_counter() - started)
        results[shape.name] = _stats(samples)
    return results


def measure_startup(repeat: int) -> dict[str, dict[str, float]]:
    """What a CLI pays before doing anything: the figures the issue quotes, re-measured."""
    env = _env()
    probes = {
        "python -c pass": "pass",
        "import typer": "import typer",
        "import sqlalchemy.orm": "import sqlalchemy.orm",
        "import alembic.command": "import alembic.command",
    }
    results = {}
    for name, code in probes.items():
        subprocess.run([str(VENV_PY), "-c", code], env=env, check=True)
        samples = []
        for _ in range(repeat):
            started = time.perf_counter()
            subprocess.run([str(VENV_PY), "-c", code], env=env, check=True)
            samples.append(time.perf_counter() - started)
        results[name] = _stats(samples)
    return results


def import_costs(store: Path) -> dict[str, Any]:
    """``python -X importtime -m pkm find …``: the total and the biggest top-level imports."""
    env = _env()
    out = subprocess.run(
        [str(VENV_PY), "-X", "importtime", "-m", "pkm", "--db", str(store), "find", "learning"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    top: list[tuple[float, str]] = []
    modules: set[str] = set()
    for line in out.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if not match:
            continue
        modules.add(match.group(4).strip())
        if len(match.group(3)) == 1:  # imported at the top level
            top.append((int(match.group(2)) / 1000, match.group(4)))
    top.sort(reverse=True)
    heavy = sorted(
        m for m in ("sqlalchemy", "alembic", "httpx", "feedparser", "lxml") if m in modules
    )
    return {
        "total_ms": round(sum(ms for ms, _ in top), 1),
        "top": [(name, round(ms, 1)) for ms, name in top[:8]],
        "heavy_imported": heavy,
    }


BUKU_MEASURE = r"""
import json, sys, time, statistics
from buku import BukuDb
db = BukuDb(dbfile=sys.argv[1])
shapes = json.loads(sys.argv[2]); repeat = int(sys.argv[3])
out = {}
for name, (kind, words) in shapes.items():
    def run():
        if kind == "tag":
            return db.search_by_tag(words[0])
        return db.searchdb(words, all_keywords=(kind == "all"))
    hits = run()
    samples = []
    for _ in range(repeat):
        t = time.perf_counter(); run(); samples.append(time.perf_counter() - t)
    out[name] = {"samples": samples, "hits": len(hits)}
print(json.dumps(out))
"""


def measure_buku(db: Path, repeat: int) -> dict[str, dict[str, Any]]:
    buku = str(BUKU_VENV / "bin" / "buku")
    env = _env()
    env["XDG_DATA_HOME"] = str(WORK / "buku-home")  # buku never touches a real profile
    results: dict[str, dict[str, Any]] = {}
    shapes = {s.name: s.buku_api for s in SHAPES if s.buku_api is not None}
    api = subprocess.run(
        [
            str(BUKU_VENV / "bin" / "python"),
            "-c",
            BUKU_MEASURE,
            str(db),
            json.dumps(shapes),
            str(max(5, repeat // 4)),
        ],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    library = json.loads(api.stdout)
    for shape in SHAPES:
        if shape.buku is None:
            continue
        args = [buku, "--nostdin", "--db", str(db), "--np", "--nc", *shape.buku]
        out = subprocess.run(args, env=env, capture_output=True, check=True)  # warm
        samples = []
        for _ in range(max(5, repeat // 4)):
            started = time.perf_counter()
            subprocess.run(args, env=env, capture_output=True, check=True)
            samples.append(time.perf_counter() - started)
        results[shape.name] = {
            "cli": _stats(samples),
            "library": _stats(library[shape.name]["samples"]),
            "hits": library[shape.name]["hits"],
            "command": shlex.join(["buku", *args[1:]]),
            "bytes": len(out.stdout),
        }
    return results


def index_size(store: Path) -> dict[str, float]:
    conn = sqlite3.connect(store)
    try:
        fts = conn.execute(
            "SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'entries_fts%'"
        ).fetchone()[0]
        text = conn.execute(
            "SELECT sum("
            + " + ".join(
                f"coalesce(length(CAST({c} AS BLOB)), 0)"
                for c in ("title", "tags_text", "note", "text", "source")
            )
            + ") FROM entries"
        ).fetchone()[0]
        total = Path(store).stat().st_size
        entries = conn.execute("SELECT count(*) FROM entries").fetchone()[0]
        saved = conn.execute("SELECT count(*) FROM entries WHERE saved_at IS NOT NULL").fetchone()[
            0
        ]
        counts = {
            q: conn.execute(
                "SELECT count(*) FROM entries_fts WHERE entries_fts MATCH ?", (q,)
            ).fetchone()[0]
            for q in ('"netwerk"', '"learning"', '"knowledge" AND "management"', '"hybrid events"')
        }
    finally:
        conn.close()
    return {
        "fts_mb": fts / 1e6,
        "text_mb": text / 1e6,
        "ratio": fts / text,
        "file_mb": total / 1e6,
        "entries": entries,
        "saved": saved,
        "matches": counts,
    }


def _load() -> str:
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


# --- report ------------------------------------------------------------------------------


def _ms(value: float) -> str:
    ms = value * 1000
    return f"{ms:,.0f} ms" if ms >= 100 else f"{ms:.1f} ms"


def _x(slow: float, fast: float) -> str:
    return f"{slow / fast:,.0f}×"


def readme_section(r: dict[str, Any]) -> str:
    lib, cli, size, meta = r["library"], r["cli"], r["size"], r["meta"]
    rows = []
    term = r.get("terminal", {})
    for shape in SHAPES:
        lr, cr = lib[shape.name], cli[shape.name]
        ranked = f" (newest {lr['ranked']:,} ranked)" if lr.get("ranked") else ""
        query = shape.query or "(none)"
        query += "".join(f" {o}" for o in shape.options)
        on_terminal = _ms(term[shape.name]["median"]) if shape.name in term else ""
        rows.append(
            f"| {shape.name}{'' if shape.headline else ' *'} | `{query}` | {_ms(lr['median'])} |"
            f" {_ms(lr['p95'])} | {_ms(cr['median'])} | {_ms(cr['p95'])} | {on_terminal} |"
            f" {lr['hits']}{ranked} |"
        )
    rel = lib["related"]
    rows.append(
        f"| related * | `pkm related {rel['entry']}` | {_ms(rel['median'])} | {_ms(rel['p95'])}"
        " | | | | |"
    )
    buku_rows = []
    same_lib, same_cli = r.get("same_library", {}), r.get("same_cli", {})
    for name, b in r.get("buku", {}).items():
        if name not in same_lib:
            continue
        buku_rows.append(
            f"| {name} | `{b['command'].split(' --np --nc ', 1)[1]}` | {b['hits']:,} |"
            f" {_ms(b['cli']['median'])} | {_ms(b['library']['median'])} |"
            f" {_ms(same_cli[name]['median'])} | {_ms(same_lib[name]['median'])} |"
            f" {_x(b['cli']['median'], same_cli[name]['median'])} |"
            f" {_x(b['library']['median'], same_lib[name]['median'])} |"
            f" {_x(b['library']['median'], lib[name]['median'])} |"
        )
    startup = "\n".join(f"| `{k}` | {_ms(v['median'])} |" for k, v in r["startup"].items())
    imports = ", ".join(f"{name} {ms:.0f} ms" for name, ms in r["imports"]["top"])
    heavy = ", ".join(r["imports"]["heavy_imported"]) or "none"
    matches = ", ".join(f"{q} {n:,}" for q, n in size["matches"].items())
    buku_table = (
        "| shape | buku arguments | buku hits | buku CLI | buku API | pkm CLI | pkm library |"
        " CLI speed-up | library speed-up | library speed-up, full pkm store |\n"
        "|---|---|---|---|---|---|---|---|---|---|\n" + "\n".join(buku_rows)
        if buku_rows
        else "(buku was not run)"
    )
    return f"""{SECTION}

`benchmarks/search_bench.py` builds a store of {size["entries"]:,} entries ({meta["feed_entries"]:,}
feed entries from 2,000 feeds and {meta["bookmarks"]:,} saved bookmarks) and times `pkm find` on
it, in process and end to end, against buku on the same bookmarks.

Reproduce (the stores are built once and cached under `benchmarks/work/search/`; building
took {meta["build_s"] / 60:.0f} min here; a measuring run takes about 10 minutes):

    {meta["command"]}

- **Corpus**: deterministic (seed {meta["seed"]}). Zipf-distributed words (one curve per
  language: its stop words, then its topical words with English loanwords interleaved with a
  tail of 200,000 generated words) in English, Dutch, German and French; collocations such
  as "hybrid events" and "open source" so phrases have matches; titles lean to topical words.
  Feed items: a ~60-word summary or (a quarter of them) a ~400-word body, with an HTML copy as
  a feed would give it; 2,000 feeds of skewed size. Bookmarks: 90% pages saved by URL with a
  12–60-word description, 10% tagged feed entries; 1–5 tags from a 2,000-tag Zipf vocabulary
  (`#python` is the biggest tag, `#conference2.0` about the 30th), a note on 30%.
  Matches for a few queries: {matches}.
- **Loading** goes through pkm's storage layer (`FeedRepository.add`,
  `EntryRepository.store_items`, `add_page`, `mark_saved`, `TagRepository.add`), so the FTS5
  index is filled by the migration's triggers as in use. Store file {size["file_mb"]:,.0f} MB.
- **Index size**: the FTS5 tables take {size["fts_mb"]:,.0f} MB for {size["text_mb"]:,.0f} MB of
  indexed text (title, tags, note, plain text of summary and content, feed title and host):
  **{size["ratio"]:.2f}×** (target: under 2×).
- **Timing**: each shape is run {meta["repeat"]} times after one warm-up, store in the OS page
  cache. Library: `Pkm.find()` in one process (store already open). Piped CLI: a fresh
  `pkm --db STORE find …` subprocess with output to a pipe (start-up, imports, opening the
  store, printing 20 results; bytecode cached as after an install). Terminal CLI: the same
  with stdout on a pseudo-terminal, so Rich prints styles and highlights. Median and p95.
- **Machine**: {meta["machine"]}; Python {meta["python"]}, SQLite {meta["sqlite"]}; pkm at
  {meta.get("revision", "?")}. Load average {meta["load_before"]} before, {meta["load_after"]}
  after (other engineers' jobs share it).

| shape | query | library median | library p95 | piped CLI median | piped CLI p95 \
| terminal CLI median | hits |
|---|---|---|---|---|---|---|---|
{chr(10).join(rows)}

\\* not one of the issue's five shapes. Targets: library under 50 ms, CLI under 200 ms (median).

A query that matches more than {meta["window"]:,} entries (half that for two
words, a third for three or more) ranks the newest window of them exactly and stops
there when that gives enough hits: "(newest N ranked)" above; `SearchHits.ranked` says
so and `pkm find` prints a note. BM25 inside FTS5 costs 1–2 µs a match and word:
ranking all 131,000 matches of `learning` took about 150 ms here. Filters that leave too
few hits in the newest window make pkm rank the next one, and so on.

**buku {meta["buku_version"]}** on the same {meta["bookmarks"]:,} bookmarks (URL, title, tags,
description + note), loaded through `BukuDb.add_rec` ({meta["buku_load_s"]:.0f} s with commits
every 10,000; the issue's 226 s was `buku -i` of an HTML file). buku matches substrings
(so `netwerk` also finds "netwerken") in URL, title, tags and description and prints every
hit (`-S`: all words); pkm prints the best 20. The pkm columns are a pkm store holding just
those bookmarks (loaded from the same file through `add_page`, `mark_saved`,
`TagRepository.add`); the last column compares buku's API with pkm's library call on the
{size["entries"]:,}-entry store.

{buku_table}

Start-up costs before a CLI does anything (medians, same runs):

| command | median |
|---|---|
{startup}

`python -X importtime -m pkm find learning`: {r["imports"]["total_ms"]:.0f} ms of imports in
all (importtime inflates them); the biggest top-level ones: {imports}. Of SQLAlchemy,
Alembic, httpx, feedparser and lxml it imports: {heavy}.

Where the CLI time goes: `pkm find` with no words spends
{_ms(lib["newest, no words"]["median"])} in the library and
{_ms(cli["newest, no words"]["median"])} in all, so the rest is start-up: Python and
pkm's own modules (with `dataclasses`, `typing`, `re` and `sqlite3`, which alone take about
30 ms here). `pkm find` reads its usual forms without Typer (`pkm/cli/quick.py`; Typer and
building its command tree cost about 40 ms more) and prints without Rich when its output
is not a terminal. pkm pins Typer below 0.29, which imports pydantic for every command
(about 60-90 ms more here).

Known slow cases, both outside the five shapes: a prefix of two or three letters (`net*`)
makes FTS5 merge the doclists of every word it starts (measured on a copy of the store, a
prefix index `prefix='2 3'` takes `net*` and `co*` to about 25 ms, for an index of 1.5× the
text instead of 0.71×); and a `site:` with few entries is found by scanning the `url_key`
index, as no index knows URL hosts (a common site is found in tens of ms by testing URLs
newest first).
"""


def update_readme(text: str) -> None:
    replace_section(SECTION, text)


def postgres_store(server: str, store: Path) -> tuple[str, float | None]:
    """The SQLite ``store`` copied (once; the database is kept) into a database of its
    own on the PostgreSQL ``server`` with `pkm copy`; its URL, and the copy's seconds
    (None when an earlier run's copy was there)."""
    name = "pkm_search_" + re.sub(r"\W", "_", store.stem).lower()
    url = database_url(server, name)
    copied = count(url, "SELECT count(*) FROM entries WHERE saved_at IS NOT NULL")
    if copied:
        return url, None
    fresh_database(server, name)
    started = time.perf_counter()
    subprocess.run([str(PKM_BIN), "copy", str(store), url], env=_env(), check=True)
    subprocess.run([str(VENV_PY), "-c", _ANALYZE, url], check=True)
    return url, time.perf_counter() - started


# After a bulk load PostgreSQL's planner needs fresh statistics (autovacuum would get
# there, minutes later); a VACUUM also sets the visibility map for index-only scans.
_ANALYZE = (
    "import sys, psycopg; psycopg.connect(sys.argv[1], autocommit=True).execute('VACUUM ANALYZE')"
)


def postgres_side_by_side(server: str, store: Path, args: argparse.Namespace) -> dict[str, Any]:
    """The library and ``pkm find`` medians on SQLite and on PostgreSQL, same store."""
    url, copy_s = postgres_store(server, store)
    _log(f"PostgreSQL store {url.rsplit('/', 1)[-1]} (copied in {copy_s or 0:.0f} s)")
    results: dict[str, Any] = {"copy_s": copy_s, "load_before": _load()}
    for engine, where in (("sqlite", store), ("postgresql", url)):
        _log(f"{engine}: library calls, pkm find subprocesses")
        results[engine] = {
            "library": measure_library(where, args.repeat),
            "cli": measure_cli(where, args.repeat),
        }
    results["load_after"] = _load()
    return results


def postgres_table(results: dict[str, Any]) -> str:
    sqlite, pg = results["sqlite"], results["postgresql"]
    lines = [
        "| shape | SQLite library | PostgreSQL library | SQLite `pkm find`"
        " | PostgreSQL `pkm find` |",
        "|---|---:|---:|---:|---:|",
    ]
    for name in sqlite["library"]:
        cli = [_ms(r["cli"][name]["median"]) if name in r["cli"] else "–" for r in (sqlite, pg)]
        lines.append(
            f"| {name} | {_ms(sqlite['library'][name]['median'])}"
            f" | {_ms(pg['library'][name]['median'])} | {cli[0]} | {cli[1]} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=1_000_000, help="feed entries")
    parser.add_argument("--bookmarks", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=21, help="runs per shape")
    parser.add_argument("--workers", type=int, default=2, help="text-generating processes")
    parser.add_argument("--quick", action="store_true", help="20k entries, 2k bookmarks, 5 runs")
    parser.add_argument("--no-buku", action="store_true")
    parser.add_argument("--install-buku", action="store_true", help="pip install buku if needed")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached stores")
    parser.add_argument("--readme", action="store_true", help="write README even when --quick")
    parser.add_argument(
        "--postgres",
        metavar="URL",
        default=None,
        help="instead: the library and pkm find on SQLite and on this PostgreSQL server"
        " side by side (the store copied there once with pkm copy; README not touched)",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.entries, args.bookmarks, args.repeat = 20_000, 2_000, 5
    from pkm.search import RANK_WINDOW

    store, jsonl, buku_db = store_paths(args.entries, args.bookmarks, args.seed)
    if args.rebuild or not store.exists():
        _log(f"building {store.name} (once; cached)")
        build_pkm(store, jsonl, args.entries, args.bookmarks, args.seed, args.workers)
    if args.postgres:
        side = postgres_side_by_side(args.postgres, store, args)
        side["meta"] = {
            "command": shlex.join(
                ["python", "benchmarks/search_bench.py", *(argv or sys.argv[1:])]
            ),
            "feed_entries": args.entries,
            "bookmarks": args.bookmarks,
            "repeat": args.repeat,
            "revision": revision(),
        }
        (WORK / "search_bench_pg.json").write_text(json.dumps(side, indent=2, default=str))
        print(postgres_table(side))
        return
    build = json.loads(store.with_suffix(".json").read_text())
    buku_version = None if args.no_buku else ensure_buku(args.install_buku)
    if buku_version and (args.rebuild or not buku_db.exists()):
        _log(f"loading buku {buku_db.name}")
        build_buku(jsonl, buku_db)
    load_before = _load()
    _log("index size")
    results: dict[str, Any] = {"size": index_size(store)}
    _log("library calls")
    results["library"] = measure_library(store, args.repeat)
    _log("pkm find subprocesses")
    results["cli"] = measure_cli(store, args.repeat)
    _log("pkm find on a terminal")
    results["terminal"] = measure_terminal(store, args.repeat)
    _log("start-up and imports")
    results["startup"] = measure_startup(args.repeat)
    results["imports"] = import_costs(store)
    if buku_version:
        _log("buku")
        results["buku"] = measure_buku(buku_db, args.repeat)
        same = bookmarks_store_path(args.entries, args.bookmarks, args.seed)
        if args.rebuild or not same.exists():
            _log(f"building {same.name} (the bookmarks alone; once; cached)")
            build_pkm_bookmarks(jsonl, same, args.seed)
        buku_shapes = [s for s in SHAPES if s.buku is not None]
        _log("pkm on the bookmarks alone")
        results["same_library"] = measure_library(same, args.repeat, buku_shapes, related=False)
        results["same_cli"] = measure_cli(same, args.repeat, buku_shapes)
    command = "python benchmarks/search_bench.py" + (" --quick" if args.quick else "")
    results["meta"] = {
        "command": command,
        "seed": args.seed,
        "repeat": args.repeat,
        "feed_entries": args.entries,
        "bookmarks": args.bookmarks,
        "build_s": build["build_s"],
        "window": RANK_WINDOW,
        "buku_version": (buku_version or "").replace("buku ", "") or "-",
        "buku_load_s": json.loads(buku_db.with_suffix(".json").read_text())["load_s"]
        if buku_version and buku_db.with_suffix(".json").exists()
        else 0,
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {_cpu_name()}",
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "revision": revision(),
        "load_before": load_before,
        "load_after": _load(),
    }
    (WORK / "search_bench.json").write_text(json.dumps(results, indent=2, default=str))
    section = readme_section(results)
    print(section)
    if not args.quick or args.readme:
        update_readme(section)


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


if __name__ == "__main__":
    main()
