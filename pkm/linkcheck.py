"""Link health: visit saved URLs, record whether each still works, and take the new URL
of the ones that moved.

How one link is judged (:func:`classify`, :func:`_check`):

* HEAD first: it costs the server no body. HEAD is trusted only when it says the page
  is there (2xx, or 304 to a conditional request, after any redirects). Any other answer
  is asked again with GET and the GET's answer stands: servers refuse HEAD (405, 501,
  and often 400 or 403) or route it differently from GET (a HEAD 404 or 500 for a page
  that GET serves), and a broken verdict must not rest on the method nobody browses with.
* ``ok``: 2xx or 304, directly or after redirects of which one was temporary (302, 303,
  307: the page stays where it was saved). ``moved``: every redirect was permanent (301,
  308) and the last page answered; ``moved_to`` is that page. ``gone``: 404 or 410.
  ``dead``: no server will ever answer (host not found, connection refused, not an
  http(s) URL). ``failing``: anything else (timeouts, resets, 5xx, TLS errors, redirect
  loops, other 4xx such as 401 or 429).
* ``dead`` and ``failing`` are findings only after a second try, with GET, a moment later
  (:data:`RETRY_DELAY`): a server restarting or a dropped connection is not a broken
  link. ``gone`` is not retried: a 404 is the server's deliberate answer.
* Validators (ETag, Last-Modified) of the last answer are sent on the next check, so an
  unchanged page answers 304 with no body.

Politeness is the scan's: the same client (:class:`pkm.fetch.Client`, its user agent,
timeouts and redirect rules), at most :data:`PER_HOST` requests in flight per host and
:data:`MAX_CONNECTIONS` overall, one worker queue per host so that a list sorted by URL
does not starve other hosts.
Each answer is recorded as it comes (those that come within :data:`BATCH_SECONDS` share
a transaction), so a check cut short keeps everything it found.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection as Pipe
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from typing import Literal
from urllib.parse import urlsplit

from pkm.fetch import Client, LinkProbe, Timeouts
from pkm.storage.db import Connection, Write
from pkm.storage.links import LinkRepository, LinkResult, LinkTarget
from pkm.storage.rows import now_ts
from pkm.types import CheckReport, LinkCheck, LinkState, URLUpdate
from pkm.urls import host_of

# Read when a check starts, so tests can shorten them. A link check reads no body, so its
# deadline is shorter than a feed's.
TIMEOUTS = Timeouts(connect=10.0, read=20.0, write=10.0, total=30.0)
PER_HOST = 4  # as a scan's
# Twice a scan's overall cap: a check holds no bodies, so a request in flight costs little,
# and with 4 per host, 32 hosts can all be asked at once.
MAX_CONNECTIONS = 128
# Seconds before the second try of a link that failed.
RETRY_DELAY = 1.0
# A check of this many links or more is shared by probe processes (at most this many).
PROCESS_THRESHOLD = 1000
MAX_PROBE_PROCESSES = 2
# How often a probe process looks whether the check that started it is still there.
PARENT_POLL_SECONDS = 0.5
# Answers are recorded at least this often (seconds), those that came meanwhile together.
BATCH_SECONDS = 0.1

_GONE = frozenset({404, 410})

Progress = Callable[[int, int], None]


def classify(probe: LinkProbe) -> LinkState:
    """The state one answer (or failure) means; see the module notes."""
    if probe.unreachable:
        return "dead"
    status = probe.status
    if status is None:
        return "failing"
    if 200 <= status < 300 or status == 304:
        return "moved" if probe.permanent else "ok"
    if status in _GONE:
        return "gone"
    return "failing"


def _trusted_head(probe: LinkProbe) -> bool:
    return classify(probe) in ("ok", "moved")


async def _probe(
    client: Client, slots: asyncio.Semaphore, target: LinkTarget, method: Literal["HEAD", "GET"]
) -> LinkProbe:
    async with slots:
        return await client.probe(
            target.url,
            method=method,
            etag=target.etag,
            last_modified=target.last_modified,
        )


async def _check(client: Client, slots: asyncio.Semaphore, target: LinkTarget) -> LinkResult:
    """One link's verdict: HEAD, GET when HEAD is not trusted, a second GET on failure."""
    probe = await _probe(client, slots, target, "HEAD")
    if not _trusted_head(probe) and probe.status is not None:
        probe = await _probe(client, slots, target, "GET")
    if classify(probe) in ("dead", "failing"):
        await asyncio.sleep(RETRY_DELAY)  # holding no slot: others go on meanwhile
        probe = await _probe(client, slots, target, "GET")
    return _result(target, probe)


def _result(target: LinkTarget, probe: LinkProbe) -> LinkResult:
    state = classify(probe)
    etag, last_modified = target.etag, target.last_modified
    if probe.status == 304:  # a 304 may leave out validators that still hold
        etag = probe.etag or etag
        last_modified = probe.last_modified or last_modified
    elif state in ("ok", "moved"):
        etag, last_modified = probe.etag, probe.last_modified
    return LinkResult(
        entry_id=target.entry_id,
        url=target.url,
        state=state,
        http_status=probe.status,
        moved_to=_with_fragment(probe.url, target.url) if state == "moved" else None,
        etag=etag,
        last_modified=last_modified,
        error=None if state in ("ok", "moved") else probe.error,
    )


def _with_fragment(new_url: str, old_url: str) -> str:
    """A redirect keeps the fragment of the URL it answers (RFC 9110 10.2.2) unless its
    target names one."""
    fragment = urlsplit(old_url).fragment
    if not fragment or "#" in new_url:
        return new_url
    return f"{new_url}#{fragment}"


async def _worker(
    queue: deque[LinkTarget],
    client: Client,
    slots: asyncio.Semaphore,
    results: asyncio.Queue[LinkResult],
) -> None:
    while queue:
        target = queue.popleft()
        try:
            result = await _check(client, slots, target)
        except Exception as exc:  # a bug in one check must not end (or hang) the others
            reason = f"unexpected error: {type(exc).__name__}: {exc}"
            result = LinkResult(target.entry_id, target.url, "failing", None, error=reason)
        results.put_nowait(result)


async def _run(
    queues: Sequence[deque[LinkTarget]], connections: int, keep: Callable[[list[LinkResult]], None]
) -> None:
    """Check every link of ``queues`` (one per host), passing the results to ``keep`` in
    batches as they come."""
    client = Client(per_host=PER_HOST, timeouts=TIMEOUTS)
    slots = asyncio.Semaphore(connections)
    results: asyncio.Queue[LinkResult] = asyncio.Queue()
    total = sum(len(queue) for queue in queues)
    workers = [
        asyncio.create_task(_worker(queue, client, slots, results))
        for queue in queues
        for _ in range(min(PER_HOST, len(queue)))
    ]
    loop = asyncio.get_running_loop()
    batch: list[LinkResult] = []
    try:
        done = 0
        while done < total:
            batch.append(await results.get())
            # Answers that come within a moment share a transaction: one per answer cost
            # a second of CPU for 10,000 links.
            deadline = loop.time() + BATCH_SECONDS
            while done + len(batch) < total and (left := deadline - loop.time()) > 0:
                try:
                    batch.append(await asyncio.wait_for(results.get(), left))
                except TimeoutError:
                    break
            done += len(batch)
            keep(batch)
            batch = []
    finally:
        for worker in workers:
            worker.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        await client.aclose()
        if batch:  # cut short (Ctrl-C): what was found is kept all the same
            keep(batch)


def _by_host(targets: Sequence[LinkTarget]) -> list[deque[LinkTarget]]:
    queues: dict[str, deque[LinkTarget]] = {}
    for target in targets:
        queues.setdefault(host_of(target.url) or "", deque()).append(target)
    return list(queues.values())


def _shares(queues: list[deque[LinkTarget]], count: int) -> list[list[deque[LinkTarget]]]:
    """The host queues dealt into ``count`` shares of about as many links each (a host
    in one share only, so its cap holds)."""
    shares: list[list[deque[LinkTarget]]] = [[] for _ in range(count)]
    sizes = [0] * count
    for queue in sorted(queues, key=len, reverse=True):
        smallest = sizes.index(min(sizes))
        shares[smallest].append(queue)
        sizes[smallest] += len(queue)
    return [share for share in shares if share]


def _probe_processes(links: int) -> int:
    """Probe processes for a check of ``links``: one per core, two at most, one for a
    small check. HTTP costs about a millisecond of CPU a request (httpx and its pools), so
    a big check on one core waits for the CPU, not the network."""
    if links < PROCESS_THRESHOLD:
        return 1
    return max(min(os.cpu_count() or 1, MAX_PROBE_PROCESSES), 1)


def _check_all(targets: Sequence[LinkTarget], keep: Callable[[list[LinkResult]], None]) -> None:
    shares = _shares(_by_host(targets), _probe_processes(len(targets)))
    if len(shares) == 1:
        asyncio.run(_run(shares[0], MAX_CONNECTIONS, keep))
        return
    # Forked probe processes send their results here, where they are recorded: only this
    # process uses the store.
    context = multiprocessing.get_context("fork")
    readers: list[Pipe] = []
    processes: list[BaseProcess] = []
    try:
        for share in shares:
            reader, writer = context.Pipe(duplex=False)
            process = context.Process(
                target=_probe_share,
                args=(share, MAX_CONNECTIONS // len(shares), writer),
                daemon=True,
            )
            process.start()
            writer.close()
            readers.append(reader)
            processes.append(process)
        while readers:
            for ready in wait(readers):
                assert isinstance(ready, Pipe)
                try:
                    keep(ready.recv())
                except EOFError:
                    readers.remove(ready)
    finally:
        for started in processes:
            if started.is_alive():
                started.terminate()
            started.join()
        for reader in readers:  # cut short: results already sent are kept all the same
            _keep_sent(reader, keep)


def _keep_sent(reader: Pipe, keep: Callable[[list[LinkResult]], None]) -> None:
    try:
        while reader.poll():
            keep(reader.recv())
    except (EOFError, OSError):
        pass  # the rest of a batch its process was ended in the middle of sending


def _probe_share(share: list[deque[LinkTarget]], connections: int, out: Pipe) -> None:
    """A probe process: check ``share``, sending each batch of results to ``out``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # on Ctrl-C the parent ends it
    threading.Thread(target=_end_with, args=(os.getppid(),), daemon=True).start()
    try:
        asyncio.run(_run(share, connections, out.send))
    except BrokenPipeError:
        pass  # the parent is gone: nobody would record the rest
    finally:
        out.close()


def check_links(
    conn: Connection,
    write: Write,
    entry_ids: Sequence[int] | None,
    *,
    checked_before: int | None = None,
    update_moved: bool = False,
    progress: Progress | None = None,
) -> CheckReport:
    """Check the saved entries' links (all, or those of ``entry_ids``) last checked before
    ``checked_before`` (Unix seconds; None: all), recording each answer as it comes; then,
    with ``update_moved``, give every moved one of them its new URL."""
    links = LinkRepository(conn)
    targets, skipped = links.targets(entry_ids, checked_before=checked_before)
    checks: list[LinkCheck] = []

    def keep(batch: list[LinkResult]) -> None:
        now = now_ts()
        with write():
            checks.extend(links.record(result, now) for result in batch)
        if progress:
            progress(len(checks), len(targets))

    if progress:
        progress(0, len(targets))
    if targets:
        _check_all(targets, keep)
    updates = _update_moved(links, write, entry_ids) if update_moved else []
    return CheckReport(tuple(checks), skipped=skipped, updates=tuple(updates))


def _end_with(parent: int) -> None:
    """End this probe process once its parent is gone (killed outright, it could not end
    it): a hanging request would otherwise keep it for the whole deadline."""
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_SECONDS)
    os._exit(0)


def _update_moved(
    links: LinkRepository, write: Write, entry_ids: Sequence[int] | None
) -> list[URLUpdate]:
    """Each moved entry takes its new URL, its old one kept as an alias; an entry whose
    new URL another entry holds is left as it is, and reported with that entry's id."""
    updates: list[URLUpdate] = []
    for entry_id, old_url, new_url in links.moved(entry_ids):
        with write():
            holder = links.holder(new_url, entry_id)
            if holder is None:
                links.move(entry_id, new_url, now_ts())
        updates.append(URLUpdate(entry_id, old_url, new_url, conflict=holder))
    return updates
