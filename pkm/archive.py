"""Saved pages outlive their links: each page's readable text is kept in the store.

A page is fetched with the polite client, its main text extracted by
:mod:`pkm.fulltext` (the full-text feeds' extraction and sanitizer) and stored with the
date and the URL the redirects ended at. A page that has no text to keep (not a web
page, too large, no article in it, not answering) records why instead.

``pkm save`` keeps the page it fetches for the title (see :func:`pkm.pages.saved_page`);
:func:`archive_saved` archives many saved entries at once, e.g. after importing
thousands of bookmarks: fetched with the scan's per-host and overall caps, extracted in
the parse workers, and each page's outcome committed as it comes, so a run cut short
(Ctrl-C, SIGKILL) keeps every page it finished and the next run carries on.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
from collections import Counter, deque
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from typing import TYPE_CHECKING

from pkm import parse_worker, scan
from pkm.errors import PkmError
from pkm.fetch import Client, PageResponse
from pkm.files import describe_size
from pkm.fulltext import is_page_type, is_pdf
from pkm.storage.archives import ArchiveRepository
from pkm.storage.db import Connection, Write
from pkm.storage.entries import EntryRepository
from pkm.storage.rows import now_ts
from pkm.types import Archive, ArchiveReport, PageText, ParseFailure
from pkm.urls import host_of

if TYPE_CHECKING:
    from collections.abc import Sequence

    from pkm.fulltext import Article

Progress = Callable[[int, int], None]


def refusal(page: PageResponse) -> str | None:
    """Why the page holds no text worth extracting, judged before trying."""
    if not is_page_type(page.content_type) and not is_pdf(page.content_type, page.body):
        kind = (page.content_type or "").split(";", 1)[0].strip().lower()
        return f"not a web page ({kind})"
    # The scan's cap on article pages: the parsed tree of a larger one costs too much.
    if len(page.body) > scan.PAGE_MAX_BYTES:
        return f"response larger than {describe_size(scan.PAGE_MAX_BYTES)}"
    return None


def page_text(page: PageResponse, found: Article | ParseFailure) -> PageText:
    """The outcome of one page: its text, or the reason there is none."""
    kind = page.content_type.split(";", 1)[0].strip().lower() if page.content_type else None
    if isinstance(found, ParseFailure):
        return PageText(page.url, kind, len(page.body), error=found.reason)
    return PageText(page.url, kind, len(page.body), html=found.html, text=found.text)


def keep(page: PageResponse) -> PageText:
    """The page's text, extracted here and now (one page, as ``pkm save`` keeps it)."""
    reason = refusal(page)
    found = ParseFailure(reason) if reason else extract(page.body, page.url, page.content_type)
    return page_text(page, found)


def extract(body: bytes, url: str, content_type: str | None) -> Article | ParseFailure:
    """The main text of a web page or the text of a PDF, or why there is none (run in
    the parse workers by a bulk archive)."""
    if not is_pdf(content_type, body):
        return parse_worker.extract_safely(body, url)
    from pkm.fulltext import extract_pdf

    try:
        found = extract_pdf(body)
    except Exception as exc:  # a broken or hostile PDF must never spoil the run
        return ParseFailure(f"cannot read the PDF: {type(exc).__name__}")
    return found if found is not None else ParseFailure("no text found in the PDF")


def failure(reason: str) -> PageText:
    """The outcome of a page that could not be fetched."""
    return PageText(error=reason)


def fetch_text(url: str) -> PageText:
    """The text of the page at ``url``, fetched and extracted here and now."""
    from pkm.fetch import fetch_page

    try:
        return keep(fetch_page(url, timeouts=scan.TIMEOUTS))
    except PkmError as exc:
        return failure(str(exc))


def archive_one(
    entries: EntryRepository,
    archives: ArchiveRepository,
    write: Write,
    entry_id: int,
    *,
    refresh: bool = False,
) -> Archive | None:
    """Fetch the entry's page and keep its readable text; a page already tried is left
    as it is unless ``refresh``. None when the entry has no URL to fetch or was tried
    before; else the archive, whose ``error`` says why no text was kept."""
    entry = entries.get(entry_id)
    if not entry.url or (not refresh and archives.tried(entry_id)):
        return None
    kept = fetch_text(entry.url)
    with write():
        archives.store(entry_id, kept, now_ts())
    return archives.get(entry_id)


def archive_saved(
    conn: Connection,
    write: Write,
    entry_ids: Sequence[int] | None = None,
    *,
    refresh: bool = False,
    progress: Progress | None = None,
) -> ArchiveReport:
    """Archive the pages of saved entries (all of them, or ``entry_ids``); those with
    text already kept are skipped unless ``refresh``. A failed try keeps an earlier text."""
    pages = ArchiveRepository(conn).saved_pages(entry_ids)
    todo = [(entry_id, url) for entry_id, url, archived in pages if refresh or not archived]
    run = _Run(conn, write, progress, len(todo))
    if progress:
        progress(0, len(todo))
    if todo:
        executor = _executor(len(todo))
        try:
            asyncio.run(run.fetch_all(todo, executor))
        finally:
            executor.shutdown(wait=True, cancel_futures=True)
    return ArchiveReport(run.archived, tuple(run.failures.most_common()), len(pages) - len(todo))


def _executor(pages: int) -> Executor:
    """The scan's parse workers (forked, see :class:`pkm.scan.Scanner`), or one thread
    for a few pages."""
    if pages < scan.PROCESS_POOL_THRESHOLD or (os.cpu_count() or 1) < 2:
        return ThreadPoolExecutor(max_workers=1)
    return ProcessPoolExecutor(
        max_workers=scan.parse_workers(),
        mp_context=multiprocessing.get_context("fork"),
        initializer=_start_worker,
        initargs=(os.getpid(),),
    )


def _start_worker(parent: int) -> None:
    # Ctrl-C reaches the whole process group: the run itself stops and shuts the workers
    # down, rather than each worker printing its own KeyboardInterrupt.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parse_worker.start(parent)


class _Run:
    def __init__(
        self, conn: Connection, write: Write, progress: Progress | None, total: int
    ) -> None:
        self._archives = ArchiveRepository(conn)
        self._write = write
        self._progress = progress
        self._total = total
        self._done = 0
        self.archived = 0
        self.failures: Counter[str] = Counter()

    async def fetch_all(self, todo: list[tuple[int, str]], executor: Executor) -> None:
        """Each host's pages from its own queue with ``per_host`` workers (as
        :func:`pkm.fetch.fetch_feeds` does, so a list sorted by URL starves no host), and
        at most the scan's page slots of pages fetched or extracted at once, which bounds
        the bodies held in memory."""
        client = Client(timeouts=scan.TIMEOUTS, max_bytes=scan.PAGE_MAX_BYTES)
        slots = asyncio.Semaphore(scan.PAGE_SLOTS)
        queues: dict[str, deque[tuple[int, str]]] = {}
        for entry_id, url in todo:
            queues.setdefault(host_of(url) or "", deque()).append((entry_id, url))
        workers = [
            asyncio.create_task(self._worker(queue, client, slots, executor))
            for queue in queues.values()
            for _ in range(min(client.per_host, len(queue)))
        ]
        try:
            await asyncio.gather(*workers)
        finally:
            for worker in workers:
                worker.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
            await client.aclose()

    async def _worker(
        self,
        queue: deque[tuple[int, str]],
        client: Client,
        slots: asyncio.Semaphore,
        executor: Executor,
    ) -> None:
        while queue:
            entry_id, url = queue.popleft()
            async with slots:
                outcome = await _page_text(client, executor, url)
                self._store(entry_id, outcome)  # a store failure ends the run, loudly

    def _store(self, entry_id: int, outcome: PageText) -> None:
        with self._write():
            self._archives.store(entry_id, outcome, now_ts())
        if outcome.error is None:
            self.archived += 1
        else:
            self.failures[outcome.error] += 1
        self._done += 1
        if self._progress:
            self._progress(self._done, self._total)


async def _page_text(client: Client, executor: Executor, url: str) -> PageText:
    try:
        page = await client.page(url)
    except PkmError as exc:
        return failure(str(exc))
    except Exception as exc:  # one strange page must never spoil the run
        return failure(f"unexpected error: {type(exc).__name__}")
    reason = refusal(page)
    if reason is not None:
        return page_text(page, ParseFailure(reason))
    found = await asyncio.get_running_loop().run_in_executor(
        executor, extract, page.body, page.url, page.content_type
    )
    return page_text(page, found)
