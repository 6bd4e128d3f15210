"""A scan: fetch due feeds concurrently, parse off the event loop, store each feed in
its own transaction, and report per-feed outcomes.

A full-text feed's items are stored with what the feed says first; then each one's
article page is fetched (through the feeds' client, so a host's slots bound both) and
its main text extracted in the parse workers, replacing the feed's content when found.

Only one scan may write to a store at a time; a second one is refused at once.
"""

from __future__ import annotations

import asyncio
import fcntl
import multiprocessing
import os
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import aclosing, contextmanager
from pathlib import Path
from typing import Literal

from pkm import parse_worker
from pkm.errors import PkmError, ScanInProgressError
from pkm.fetch import (
    DEFAULT_MAX_BYTES,
    DEFAULT_TIMEOUTS,
    Client,
    FeedRequest,
    FeedResponse,
    Timeouts,
    fetch_feeds,
)
from pkm.fulltext import Article, is_page_type
from pkm.storage.db import Connection, Write, checkpoints_every, transaction
from pkm.storage.entries import EntryRepository, url_key
from pkm.storage.feeds import FeedRepository, FetchState
from pkm.storage.mutes import MuteRepository
from pkm.storage.rows import now_ts, to_ts
from pkm.storage.scans import ScanRepository
from pkm.types import Feed, FeedOutcome, ParsedFeed, ParseFailure, ScanReport
from pkm.urls import host_of

# Back-off after consecutive failures: 30 min, 1 h, 2 h, … capped at a day.
BACKOFF_BASE_SECONDS = 30 * 60
BACKOFF_CAP_SECONDS = 24 * 3600
# Below this many feeds a process pool costs more to start than it saves.
PROCESS_POOL_THRESHOLD = 8
# Parse workers at most, whatever the number of cores (see parse_workers).
MAX_PARSE_WORKERS = 3
# New entries are added to the full-text index in batches of about this many: far cheaper
# than one by one, and done while the parse worker is busy rather than all at the end.
INDEX_BATCH = 2000
# Parsed feeds waiting to be stored, at most; bounds memory on big scans.
MAX_PENDING_PARSES = 16
# While a scan writes, SQLite copies its write-ahead log into the store every this many
# pages (40 MB) instead of every 1,000, then once at the end: fewer, larger copies (and
# syncs) of the same hot pages. A first scan of 1,000 feeds stored 10% faster.
SCAN_CHECKPOINT_PAGES = 10_000
# What each feed of a scan may take: read when a Scanner is made, so tests can shorten them.
TIMEOUTS: Timeouts = DEFAULT_TIMEOUTS
MAX_BYTES: int = DEFAULT_MAX_BYTES
# An article page may be this large: past it, the item keeps the feed's text. Pages are
# parsed whole into a tree; at 4 MB that tree is about 100 MB in a worker.
PAGE_MAX_BYTES: int = 4 * 2**20
# Article pages being fetched or waiting for extraction, at most: bounds the bodies held.
PAGE_SLOTS = 32

Progress = Callable[[int, int], None]


def backoff_seconds(consecutive_errors: int) -> int:
    exponent = max(consecutive_errors - 1, 0)
    return int(min(BACKOFF_BASE_SECONDS * 2 ** min(exponent, 16), BACKOFF_CAP_SECONDS))


# Descriptors of the scan locks this process holds: a parse worker forked during a scan
# closes its copies (a flock lasts while any copy is open).
_LOCK_FDS: set[int] = set()


@contextmanager
def scan_lock(conn: Connection, store: Path | None) -> Iterator[None]:
    """Held for the whole scan; the kernel drops it if the process dies. A store on a
    PostgreSQL server (no ``store`` file) is locked on the server."""
    if store is None:
        from pkm.storage.postgres import scan_lock as server_lock

        with server_lock(conn):
            yield
        return
    with open(f"{store}.scan.lock", "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ScanInProgressError(
                "another scan is running on this store; try again when it has finished"
            ) from None
        _LOCK_FDS.add(handle.fileno())
        try:
            yield
        finally:
            _LOCK_FDS.discard(handle.fileno())
            fcntl.flock(handle, fcntl.LOCK_UN)


def parse_workers() -> int:
    """A parse worker per core, three at most.

    With one worker on two cores, the worker was busy all through a first scan and the
    scan's own process (fetching, storing what the workers parse) two thirds of it; with
    two, that process is busy ~60% of the time, so a fourth worker would wait for it.
    """
    return max(min(os.cpu_count() or 1, MAX_PARSE_WORKERS), 1)


async def _article(
    client: Client, slots: asyncio.Semaphore, executor: Executor, url: str
) -> Article | ParseFailure:
    """The article at ``url``, or why there is none: fetched within the page slots,
    extracted in the parse workers."""
    async with slots:
        try:
            page = await client.page(url, max_bytes=PAGE_MAX_BYTES)
        except PkmError as exc:
            return ParseFailure(str(exc))
        except Exception as exc:  # a bug in one fetch must not end the whole scan
            return ParseFailure(f"unexpected error: {type(exc).__name__}")
        if not is_page_type(page.content_type):
            return ParseFailure("not a web page")
        return await asyncio.get_running_loop().run_in_executor(
            executor, parse_worker.extract_safely, page.body, page.url
        )


class Scanner:
    def __init__(
        self,
        conn: Connection,
        scan_id: int,
        progress: Progress | None = None,
        *,
        timeouts: Timeouts | None = None,
        max_bytes: int | None = None,
    ) -> None:
        self._conn = conn
        self._timeouts = timeouts if timeouts is not None else TIMEOUTS
        self._max_bytes = max_bytes if max_bytes is not None else MAX_BYTES
        self._scan_id = scan_id
        self._unindexed = 0
        self._feeds = FeedRepository(conn)
        self._entries = EntryRepository(conn)
        self._progress = progress
        self._outcomes: list[FeedOutcome] = []
        # Article pages of full-text feeds whose text was extracted, and why others were not.
        self.full_texts = 0
        self.full_text_failures: Counter[str] = Counter()

    def run(self, due: list[FetchState]) -> list[FeedOutcome]:
        requests = [
            FeedRequest(s.feed_id, s.url, s.etag, s.last_modified, s.body_hash) for s in due
        ]
        self._due = {s.feed_id: s for s in due}
        if not requests:
            return []
        executor: Executor
        if len(requests) >= PROCESS_POOL_THRESHOLD and (os.cpu_count() or 1) > 1:
            # Forked: a worker is ready at once, where a spawned one (a fresh interpreter
            # importing the parsers) took ~0.15 s of a 1.5 s morning scan to start; it
            # also uses ~10 MB more than a spawned one.  Workers start on the first feed
            # to parse, so a scan where nothing changed starts none.
            executor = ProcessPoolExecutor(
                max_workers=parse_workers(),
                mp_context=multiprocessing.get_context("fork"),
                initializer=parse_worker.start,
                initargs=(os.getpid(), tuple(_LOCK_FDS)),
            )
        else:
            executor = ThreadPoolExecutor(max_workers=1)
        with checkpoints_every(self._conn, SCAN_CHECKPOINT_PAGES), executor:
            asyncio.run(self._run(requests, executor))
        return self._outcomes

    async def _run(self, requests: list[FeedRequest], executor: Executor) -> None:
        loop = asyncio.get_running_loop()
        pending: set[asyncio.Task[None]] = set()
        done_count = 0
        total = len(requests)

        client = Client(timeouts=self._timeouts, max_bytes=self._max_bytes)
        page_slots = asyncio.Semaphore(PAGE_SLOTS)
        pages: list[asyncio.Task[None]] = []

        # One fetch per page and scan (by normalised URL), whichever items link to it.
        extracting: dict[str, asyncio.Task[Article | ParseFailure]] = {}

        async def full_text(entry_id: int, url: str) -> None:
            key = url_key(url) or url
            task = extracting.get(key)
            first = task is None
            if task is None:
                task = extracting[key] = asyncio.create_task(
                    _article(client, page_slots, executor, url)
                )
            article = await task
            if isinstance(article, ParseFailure):
                self.full_text_failures[article.reason] += first
                return
            with transaction(self._conn):
                self._entries.store_full_text(entry_id, article.html, article.text, now_ts())
            self.full_texts += first

        async def handle(response: FeedResponse) -> None:
            nonlocal done_count
            parsed: ParsedFeed | ParseFailure | None = None
            if response.kind == "ok" and response.body is not None:
                parsed = await loop.run_in_executor(
                    executor,
                    parse_worker.parse_safely,
                    response.body,
                    response.url,
                    response.content_type,
                )
            for entry_id, url in self._store(response, parsed):
                pages.append(asyncio.create_task(full_text(entry_id, url)))
            done_count += 1
            if self._progress:
                self._progress(done_count, total)

        started: list[asyncio.Task[None]] = []
        fetching = fetch_feeds(requests, client=client)
        try:
            async with aclosing(fetching) as responses:
                async for response in responses:
                    started.append(asyncio.create_task(handle(response)))
                    pending.add(started[-1])
                    if len(pending) >= MAX_PENDING_PARSES:
                        done, pending = await asyncio.wait(
                            pending, return_when=asyncio.FIRST_COMPLETED
                        )
                        for task in done:
                            task.result()  # a store failure stops the scan, loudly
            if pending:
                await asyncio.gather(*pending)
            if pages:
                await asyncio.gather(*pages)
        finally:
            # After a failure (a full disk fails every store the same way) the other tasks
            # end here, quietly: else each printed "Task exception was never retrieved".
            left: list[asyncio.Task[object]] = [*started, *pages, *extracting.values()]
            for unfinished in left:
                unfinished.cancel()
            await asyncio.gather(*left, return_exceptions=True)
            await client.aclose()

    def _store(
        self, response: FeedResponse, parsed: ParsedFeed | ParseFailure | None
    ) -> list[tuple[int, str]]:
        """Store one feed's outcome; returns the article pages to fetch for its items."""
        now = now_ts()
        feed_id = response.feed_id
        pages: list[tuple[int, str]] = []
        with transaction(self._conn):
            moved = None
            if response.moved_to and self._feeds.move(feed_id, response.moved_to):
                moved = response.moved_to
            if response.kind in ("gone", "retry_later", "error") or isinstance(
                parsed, ParseFailure
            ):
                self._fail(response, parsed, now, moved)
                return pages
            new = 0
            title = self._due[feed_id].title
            if isinstance(parsed, ParsedFeed):
                self._feeds.update_details(feed_id, title=parsed.title, site_url=parsed.site_url)
                title = title or parsed.title
                host = host_of(parsed.site_url or response.url)
                source = " ".join(part for part in (title, host) if part)
                stored = self._entries.store_items(
                    feed_id, source, parsed.entries, now, self._scan_id
                )
                new = len(stored.new)
                if self._due[feed_id].full_text:
                    pages = stored.pages
                self._unindexed += new
                if self._unindexed >= INDEX_BATCH:
                    self._entries.index_pending()
                    self._unindexed = 0
            self._feeds.record_success(
                feed_id,
                now=now,
                status=response.status,
                etag=response.etag,
                last_modified=response.last_modified,
                body_hash=response.body_hash,
            )
            outcome: Literal["updated", "not_modified"] = (
                "updated" if response.kind == "ok" else "not_modified"
            )
            self._outcomes.append(
                FeedOutcome(
                    feed_id, response.url, outcome, new_items=new, moved_to=moved, title=title
                )
            )
        return pages

    def _fail(
        self,
        response: FeedResponse,
        parsed: ParsedFeed | ParseFailure | None,
        now: int,
        moved: str | None,
    ) -> None:
        state = self._due[response.feed_id]
        error = parsed.reason if isinstance(parsed, ParseFailure) else None
        error = error or response.error or "fetch failed"
        retire = response.kind == "gone"
        if response.kind == "retry_later" and response.retry_at is not None:
            next_try = to_ts(response.retry_at)
        else:
            next_try = now + backoff_seconds(state.error_count + 1)
        self._feeds.record_failure(
            response.feed_id,
            now=now,
            status=response.status,
            error=error,
            next_fetch_at=None if retire else next_try,
            retire=retire,
        )
        self._outcomes.append(
            FeedOutcome(
                response.feed_id,
                response.url,
                "retired" if retire else "failed",
                error=error,
                moved_to=moved,
                title=state.title,
            )
        )


def settle_stored(conn: Connection) -> None:
    """What scans stored joins the search index in one batch and meets the mute rules
    before a digest shows it; call inside a write transaction."""
    entries = EntryRepository(conn)
    entries.index_pending()
    MuteRepository(conn).apply_to_new()


def fetch_due(
    conn: Connection,
    path: Path | None,
    write: Write,
    *,
    feed_id: int | None = None,
    folder: str | None = None,
    force: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ScanReport:
    """One scan of the store at ``path`` (None: on a server): fetch and store the due
    feeds (all of them with ``force``), each in its own transaction. The report holds the
    feeds' outcomes; what is new is the digest's to say."""
    feeds, scans = FeedRepository(conn), ScanRepository(conn)
    with scan_lock(conn, path):
        started = now_ts()
        due = feeds.due(started, feed_id=feed_id, folder=folder, force=force)
        waiting = [] if force else feeds.waiting(started, feed_id=feed_id, folder=folder)
        if progress:
            progress(0, len(due))
        with write():
            EntryRepository(conn).index_pending()  # left by a scan that was killed
            scan_id = scans.start(started, len(due))
        scanner = Scanner(conn, scan_id, progress)
        try:
            outcomes = scanner.run(due)
        finally:  # also when cut short: what was stored is found and muted
            with write():
                settle_stored(conn)
        counts = {
            kind: sum(o.outcome == kind for o in outcomes)
            for kind in ("updated", "not_modified", "failed", "retired")
        }
        failed = counts["failed"] + counts["retired"]
        with write():
            scans.finish(
                scan_id,
                now=now_ts(),
                updated=counts["updated"],
                not_modified=counts["not_modified"],
                failed=failed,
            )
    outcomes += [_waiting(feed) for feed in waiting]
    return ScanReport(
        total=len(due),
        updated=counts["updated"],
        not_modified=counts["not_modified"],
        failed=failed,
        new_entries=(),
        outcomes=tuple(outcomes),
        full_texts=scanner.full_texts,
        full_text_failures=tuple(scanner.full_text_failures.most_common()),
    )


def _waiting(feed: Feed) -> FeedOutcome:
    when = feed.next_fetch.astimezone().strftime("%Y-%m-%d %H:%M") if feed.next_fetch else "?"
    reason = feed.last_error or "asked to wait"
    return FeedOutcome(
        feed.id, feed.url, "skipped", error=f"{reason} (next try {when})", title=feed.title
    )
