"""Polite, concurrent HTTP fetching of feeds, plus a one-shot page fetch. No parsing, no storage.

:func:`fetch_feeds` takes many :class:`FeedRequest` and yields one :class:`FeedResponse`
per request, as each completes. It never raises for one feed's failure: every outcome,
including network errors, is a response with a ``kind``.

Design notes (each is here because the simple alternative failed or cost too much):

* One small connection pool (``httpx.AsyncHTTPTransport``) per host instead of one big
  client: a single client with a 64-connection pool spent seconds of CPU on a 200-feed
  scan. All pools share one SSL context, because building one costs milliseconds. The
  result: 1,000 feeds over 32 hosts take well under a second of CPU.
* Politeness: at most ``per_host`` requests in flight per host, ``max_connections``
  overall. Each host gets ``per_host`` worker tasks over its own queue, so a task only
  competes for a global slot when it has work its host can take; feed lists sorted by
  URL therefore don't starve other hosts. Redirect hops to another host take that host's
  slot for the hop.
* Deadlines count only time spent on the network, never time queued behind other feeds
  (a prototype that started the clock at submission failed healthy feeds on big scans).
* Bodies are decompressed as they arrive, bounded, chunk by chunk (:mod:`pkm.http_session`):
  ``max_bytes`` applies to the decoded body, and a gzip or brotli bomb is cut off
  without being expanded in memory.
* Redirects are followed by hand (:mod:`pkm.http_session`) so every hop's status is known
  (``moved_to`` only when all hops were permanent).
* A scan's article pages (full-text feeds) go through the same :class:`Client` as its
  feeds, so a host's slots bound feeds and pages together.
* A link check (:meth:`Client.probe`) asks with HEAD or with a GET whose body is not kept,
  through the same slots and pools.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
from collections import deque
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from typing import Literal, TypeVar

import httpx

from pkm.errors import FetchError, InvalidURLError, ResponseTooLargeError
from pkm.http_session import (
    DEFAULT_TIMEOUTS,
    MAX_REDIRECTS,
    REDIRECT_STATUSES,
    USER_AGENT,
    Failure,
    Fetched,
    Session,
    Timeouts,
    checked_url,
    one_line,
)

__all__ = [
    "DEFAULT_MAX_BYTES",
    "Client",
    "DEFAULT_TIMEOUTS",
    "FEED_ACCEPT",
    "MAX_REDIRECTS",
    "USER_AGENT",
    "FeedRequest",
    "FeedResponse",
    "LinkProbe",
    "PageResponse",
    "ResponseKind",
    "Timeouts",
    "fetch_feeds",
    "fetch_page",
]

DEFAULT_MAX_BYTES = 15 * 2**20
FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/feed+json;q=0.9, application/json;q=0.8, application/xml;q=0.8, "
    "text/xml;q=0.8, */*;q=0.1"
)
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, application/xml;q=0.8, */*;q=0.5"

_RESULT_BUFFER = 8  # finished responses waiting for the consumer, beyond those in flight
_MAX_RETRY_AFTER = timedelta(days=365)  # guards datetime overflow on absurd values


@dataclass(frozen=True)
class FeedRequest:
    feed_id: int
    url: str
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None  # sha256 hex of the last 200 body


ResponseKind = Literal["ok", "not_modified", "unchanged", "gone", "retry_later", "error"]


@dataclass(frozen=True)
class FeedResponse:
    """The outcome of one :class:`FeedRequest`.

    ``etag``, ``last_modified`` and ``body_hash`` are always the values to store now: new
    ones for ``ok``/``unchanged``, the 304's (else the request's) for ``not_modified``, and
    the request's own for failures, so a caller can store them unconditionally.
    ``moved_to`` is set only when every redirect hop was 301/308 and the fetch succeeded
    (``ok``, ``unchanged`` or ``not_modified``).
    """

    feed_id: int
    requested_url: str
    url: str  # final URL after redirects
    kind: ResponseKind
    status: int | None  # final HTTP status, None when no response
    body: bytes | None = field(default=None, repr=False)  # only for kind "ok"
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    moved_to: str | None = None
    retry_at: datetime | None = None  # tz-aware UTC; 429/503 with a usable Retry-After
    error: str | None = None  # one line, for kinds error / gone / retry_later


@dataclass(frozen=True)
class LinkProbe:
    """What one request for a link's health met: the final answer after redirects, or the
    failure. ``etag`` and ``last_modified`` are the final answer's validators."""

    url: str  # final URL after redirects (where it failed, on failure)
    status: int | None  # final HTTP status, None when there was no answer
    permanent: bool = False  # redirected, and every hop was 301/308
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None  # one line, unless the answer was 2xx or 304
    # No answer could ever come: the host is not found, the connection refused, the URL
    # is not http(s). Timeouts, resets and TLS errors are not this.
    unreachable: bool = False


@dataclass(frozen=True)
class PageResponse:
    url: str  # final URL after redirects
    status: int
    content_type: str | None
    body: bytes = field(repr=False)


# --- public entry points -------------------------------------------------------------------


class Client:
    """Polite fetching for one event loop: per-host slots and connection pools, deadlines
    and a size cap, shared by every feed and page fetched through it. Close it with
    :meth:`aclose` on the loop that used it."""

    def __init__(
        self,
        *,
        per_host: int = 4,
        timeouts: Timeouts = DEFAULT_TIMEOUTS,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        if per_host < 1:
            raise ValueError("per_host must be at least 1")
        self.per_host = per_host
        self._session = Session(per_host=per_host, timeouts=timeouts, max_bytes=max_bytes)

    async def page(self, url: str, *, max_bytes: int | None = None) -> PageResponse:
        """One web page, as :func:`fetch_page` fetches it (and raising as it does);
        ``max_bytes`` caps this page instead of the client's cap."""
        checked_url(url)
        try:
            fetched = await self._session.get(url, {"Accept": PAGE_ACCEPT}, max_bytes=max_bytes)
        except Failure as failure:
            error = ResponseTooLargeError if failure.too_large else FetchError
            raise error(failure.reason) from None
        if not 200 <= fetched.status < 300:
            raise FetchError(_status_reason(fetched.status, fetched.headers))
        return PageResponse(
            url=fetched.url,
            status=fetched.status,
            content_type=fetched.headers.get("content-type"),
            body=fetched.body or b"",
        )

    async def probe(
        self,
        url: str,
        *,
        method: Literal["HEAD", "GET"] = "HEAD",
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> LinkProbe:
        """Ask for ``url`` with HEAD (or GET, its body read only to keep the connection),
        following redirects, conditionally when validators are given. Never raises for
        the link's own failure: that is a probe with ``error``."""
        headers = {"Accept": PAGE_ACCEPT}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            fetched = await self._session.get(url, headers, method=method, keep_body=False)
        except Failure as failure:
            return LinkProbe(
                failure.url or url,
                failure.status,
                error=failure.reason,
                unreachable=failure.unreachable,
            )
        return LinkProbe(
            fetched.url,
            fetched.status,
            permanent=fetched.permanent,
            etag=fetched.headers.get("etag"),
            last_modified=fetched.headers.get("last-modified"),
            error=None
            if _answered(fetched.status)
            else _status_reason(fetched.status, fetched.headers),
        )

    async def aclose(self) -> None:
        await self._session.aclose()


async def fetch_feeds(
    requests: Iterable[FeedRequest],
    *,
    max_connections: int = 64,
    per_host: int = 4,
    timeouts: Timeouts = DEFAULT_TIMEOUTS,
    max_bytes: int = DEFAULT_MAX_BYTES,
    client: Client | None = None,
) -> AsyncGenerator[FeedResponse, None]:
    """Fetch every request, yielding one response each, in completion order.

    Use ``async with contextlib.aclosing(fetch_feeds(...)) as responses`` when the loop may
    stop early, so that in-flight fetches are cancelled and connections closed promptly.
    With a ``client``, its slots, deadlines and cap apply (not ``per_host``, ``timeouts``
    and ``max_bytes``) and it stays open for the caller's other fetches.
    """
    if max_connections < 1 or per_host < 1:
        raise ValueError("max_connections and per_host must be at least 1")
    if client is not None:
        per_host = client.per_host
    queues: dict[str, deque[FeedRequest]] = {}
    refused: list[FeedResponse] = []
    for request in requests:
        try:
            host = checked_url(request.url).host
        except InvalidURLError as exc:
            refused.append(_failed(request, str(exc)))
            continue
        queues.setdefault(host, deque()).append(request)
    for response in refused:
        yield response

    expected = sum(len(queue) for queue in queues.values())
    if not expected:
        return
    session = (
        client._session
        if client is not None
        else Session(per_host=per_host, timeouts=timeouts, max_bytes=max_bytes)
    )
    # Each worker holds a global slot from the start of a fetch until the consumer has its
    # result, so at most max_connections + _RESULT_BUFFER bodies are ever held in memory.
    slots = asyncio.Semaphore(max_connections)
    results: asyncio.Queue[FeedResponse] = asyncio.Queue(maxsize=_RESULT_BUFFER)
    workers = [
        asyncio.create_task(_feed_worker(queue, session, slots, results))
        for queue in queues.values()
        for _ in range(min(per_host, len(queue)))
    ]
    try:
        for _ in range(expected):
            yield await results.get()
    finally:
        for worker in workers:
            worker.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        if client is None:
            await session.aclose()


def fetch_page(
    url: str,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    timeouts: Timeouts = DEFAULT_TIMEOUTS,
) -> PageResponse:
    """Fetch one web page, following redirects; the body is decompressed bytes, not text.

    Raises :class:`InvalidURLError` for a non-http(s) URL, :class:`ResponseTooLargeError`
    past ``max_bytes``, and :class:`FetchError` for everything else, including any final
    status other than 2xx; each with a one-line reason.
    """
    checked_url(url)
    return _run_sync(lambda: _fetch_page(url, max_bytes=max_bytes, timeouts=timeouts))


# --- one feed ------------------------------------------------------------------------------


async def _feed_worker(
    queue: deque[FeedRequest],
    session: Session,
    slots: asyncio.Semaphore,
    results: asyncio.Queue[FeedResponse],
) -> None:
    while queue:
        request = queue.popleft()
        async with slots:
            response = await _fetch_feed(session, request)
            await results.put(response)


async def _fetch_feed(session: Session, request: FeedRequest) -> FeedResponse:
    headers = {"Accept": FEED_ACCEPT}
    if request.etag:
        headers["If-None-Match"] = request.etag
    if request.last_modified:
        headers["If-Modified-Since"] = request.last_modified
    try:
        return _feed_response(request, await session.get(request.url, headers))
    except Failure as failure:
        return _failed(request, failure.reason, url=failure.url, status=failure.status)
    except Exception as exc:  # a bug in one fetch must not end (or hang) the whole scan
        return _failed(request, one_line(f"unexpected error: {type(exc).__name__}: {exc}"))


def _feed_response(request: FeedRequest, fetched: Fetched) -> FeedResponse:
    status = fetched.status
    headers = fetched.headers
    # Failure shape first (the request's own validators); success kinds replace fields.
    response = FeedResponse(
        feed_id=request.feed_id,
        requested_url=request.url,
        url=fetched.url,
        kind="error",
        status=status,
        content_type=headers.get("content-type"),
        etag=request.etag,
        last_modified=request.last_modified,
        body_hash=request.body_hash,
    )
    moved_to = fetched.url if fetched.permanent and fetched.url != request.url else None
    if 200 <= status < 300:
        body = fetched.body or b""
        digest = hashlib.sha256(body).hexdigest()
        unchanged = digest == request.body_hash
        return replace(
            response,
            kind="unchanged" if unchanged else "ok",
            body=None if unchanged else body,
            etag=headers.get("etag"),
            last_modified=headers.get("last-modified"),
            body_hash=digest,
            moved_to=moved_to,
        )
    if status == 304:
        return replace(
            response,
            kind="not_modified",
            etag=headers.get("etag") or request.etag,
            last_modified=headers.get("last-modified") or request.last_modified,
            moved_to=moved_to,
        )
    error = _status_reason(status, headers)
    if status == 410:
        return replace(response, kind="gone", error=error)
    if status in (429, 503):
        retry_at = _parse_retry_after(headers.get("retry-after"), datetime.now(UTC))
        # 429 is an explicit "slow down" even without a date; a bare 503 is just an outage.
        if retry_at is not None or status == 429:
            return replace(response, kind="retry_later", retry_at=retry_at, error=error)
    return replace(response, error=error)


def _failed(
    request: FeedRequest, reason: str, *, url: str | None = None, status: int | None = None
) -> FeedResponse:
    return FeedResponse(
        feed_id=request.feed_id,
        requested_url=request.url,
        url=url or request.url,
        kind="error",
        status=status,
        etag=request.etag,
        last_modified=request.last_modified,
        body_hash=request.body_hash,
        error=reason,
    )


def _answered(status: int) -> bool:
    """A page is there: 2xx, or 304 to a conditional request."""
    return 200 <= status < 300 or status == 304


def _status_reason(status: int, headers: httpx.Headers) -> str:
    try:
        reason = f"HTTP {status} {HTTPStatus(status).phrase}"
    except ValueError:
        reason = f"HTTP {status}"
    if status in REDIRECT_STATUSES and "location" not in headers:
        reason += " without a Location"
    return reason


def _parse_retry_after(value: str | None, now: datetime) -> datetime | None:
    """Retry-After is either delay-seconds or an HTTP date (RFC 9110 10.2.3)."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return now + min(timedelta(seconds=int(value[:12])), _MAX_RETRY_AFTER)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return min(max(when.astimezone(UTC), now), now + _MAX_RETRY_AFTER)


# --- one page ------------------------------------------------------------------------------


async def _fetch_page(url: str, *, max_bytes: int, timeouts: Timeouts) -> PageResponse:
    client = Client(per_host=1, timeouts=timeouts, max_bytes=max_bytes)
    try:
        return await client.page(url)
    finally:
        await client.aclose()


_T = TypeVar("_T")


def _run_sync(make: Callable[[], Awaitable[_T]]) -> _T:
    async def run() -> _T:
        return await make()

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(run())
    # Called from inside a running loop (a notebook, an async caller): asyncio.run would
    # refuse, so give the fetch its own loop on a helper thread.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, run()).result()
