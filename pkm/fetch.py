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
* Bodies are decompressed here, bounded, chunk by chunk: ``max_bytes`` applies to the
  decoded body, and a gzip or brotli bomb is cut off without being expanded in memory.
* Redirects are followed by hand so every hop's status is known (``moved_to`` only when
  all hops were permanent).
* A scan's article pages (full-text feeds) go through the same :class:`Client` as its
  feeds, so a host's slots bound feeds and pages together.
* A link check (:meth:`Client.probe`) asks with HEAD or with a GET whose body is not kept,
  through the same slots and pools.
"""

from __future__ import annotations

import asyncio
import base64
import concurrent.futures
import functools
import hashlib
import re
import socket
import ssl
import urllib.request
import zlib
from collections import deque
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterable
from contextlib import aclosing
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from typing import Literal, Protocol, TypeVar, cast

import httpx

from pkm import __version__
from pkm.errors import FetchError, InvalidURLError, ResponseTooLargeError
from pkm.files import describe_size

try:  # brotli is a dependency, but never let its absence break plain fetching
    import brotli  # type: ignore[import-untyped]
except ImportError:  # pragma: no cover - exercised only without the package
    brotli = None


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
MAX_REDIRECTS = 10

USER_AGENT = f"pkm/{__version__} (+https://github.com/pkm-tool/pkm)"
FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/feed+json;q=0.9, application/json;q=0.8, application/xml;q=0.8, "
    "text/xml;q=0.8, */*;q=0.1"
)
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, application/xml;q=0.8, */*;q=0.5"
ACCEPT_ENCODING = "gzip, deflate, br" if brotli is not None else "gzip, deflate"

_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_PERMANENT_REDIRECTS = frozenset({301, 308})
_MAX_VISITS_PER_URL = 2  # a URL seen a third time in one chain is a loop, not a cookie bounce
_DRAIN_LIMIT = 64 * 1024  # read small error/redirect bodies so the connection can be reused
_RESULT_BUFFER = 8  # finished responses waiting for the consumer, beyond those in flight
_MAX_RETRY_AFTER = timedelta(days=365)  # guards datetime overflow on absurd values


@dataclass(frozen=True)
class Timeouts:
    """Seconds. ``total`` bounds one feed's whole fetch (all redirect hops, body included)."""

    connect: float = 10.0
    read: float = 30.0
    write: float = 10.0
    total: float = 60.0


DEFAULT_TIMEOUTS = Timeouts()


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
        self._session = _Session(per_host=per_host, timeouts=timeouts, max_bytes=max_bytes)

    async def page(self, url: str, *, max_bytes: int | None = None) -> PageResponse:
        """One web page, as :func:`fetch_page` fetches it (and raising as it does);
        ``max_bytes`` caps this page instead of the client's cap."""
        _checked_url(url)
        try:
            fetched = await self._session.get(url, {"Accept": PAGE_ACCEPT}, max_bytes=max_bytes)
        except _Failure as failure:
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
        except _Failure as failure:
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
            host = _checked_url(request.url).host
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
        else _Session(per_host=per_host, timeouts=timeouts, max_bytes=max_bytes)
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
    _checked_url(url)
    return _run_sync(lambda: _fetch_page(url, max_bytes=max_bytes, timeouts=timeouts))


# --- one feed ------------------------------------------------------------------------------


async def _feed_worker(
    queue: deque[FeedRequest],
    session: _Session,
    slots: asyncio.Semaphore,
    results: asyncio.Queue[FeedResponse],
) -> None:
    while queue:
        request = queue.popleft()
        async with slots:
            response = await _fetch_feed(session, request)
            await results.put(response)


async def _fetch_feed(session: _Session, request: FeedRequest) -> FeedResponse:
    headers = {"Accept": FEED_ACCEPT}
    if request.etag:
        headers["If-None-Match"] = request.etag
    if request.last_modified:
        headers["If-Modified-Since"] = request.last_modified
    try:
        return _feed_response(request, await session.get(request.url, headers))
    except _Failure as failure:
        return _failed(request, failure.reason, url=failure.url, status=failure.status)
    except Exception as exc:  # a bug in one fetch must not end (or hang) the whole scan
        return _failed(request, _one_line(f"unexpected error: {type(exc).__name__}: {exc}"))


def _feed_response(request: FeedRequest, fetched: _Fetched) -> FeedResponse:
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
    if status in _REDIRECT_STATUSES and "location" not in headers:
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


# --- the HTTP machinery shared by both -----------------------------------------------------


class _Failure(Exception):
    """A fetch that produced no usable final response; ``reason`` is one line for humans."""

    def __init__(
        self,
        reason: str,
        *,
        status: int | None = None,
        too_large: bool = False,
        unreachable: bool = False,
    ):
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.too_large = too_large
        self.unreachable = unreachable  # see LinkProbe.unreachable
        self.url: str | None = None


@dataclass(frozen=True)
class _Hop:
    status: int
    headers: httpx.Headers
    body: bytes | None  # 2xx only
    location: str | None  # redirect target as sent, for 3xx redirects that carry one


@dataclass(frozen=True)
class _Mode:
    """How every hop of one fetch asks, and what it keeps."""

    method: str
    keep_body: bool
    max_bytes: int


@dataclass(frozen=True)
class _Fetched:
    """The final response of a redirect chain."""

    url: str
    status: int
    headers: httpx.Headers
    body: bytes | None
    permanent: bool  # at least one hop, and every hop was 301/308


class _Session:
    """Per-host connection pools and per-host slots for one batch of fetches.

    Requests go straight to an ``httpx.AsyncHTTPTransport`` (a connection pool), not
    through ``httpx.AsyncClient``: the client's redirect, cookie and auth machinery is
    all unwanted here, costs CPU on every request, and it raises on a malformed
    ``Location`` even when not following redirects.
    """

    def __init__(self, *, per_host: int, timeouts: Timeouts, max_bytes: int) -> None:
        self._per_host = per_host
        self._timeouts = timeouts
        self._max_bytes = max_bytes
        t = timeouts
        timeout = httpx.Timeout(connect=t.connect, read=t.read, write=t.write, pool=None)
        self._extensions = {"timeout": timeout.as_dict()}
        self._transports: dict[tuple[str, str], httpx.AsyncHTTPTransport] = {}
        self._host_slots: dict[str, asyncio.Semaphore] = {}

    async def aclose(self) -> None:
        transports, self._transports = list(self._transports.values()), {}
        await asyncio.gather(*(t.aclose() for t in transports), return_exceptions=True)

    async def get(
        self,
        url: str,
        headers: dict[str, str],
        *,
        max_bytes: int | None = None,
        method: str = "GET",
        keep_body: bool = True,
    ) -> _Fetched:
        """GET ``url``, following up to MAX_REDIRECTS redirects; raise _Failure on failure.
        ``max_bytes`` replaces the session's cap for this fetch. Another ``method`` (HEAD)
        is used for every hop; without ``keep_body`` a 2xx body is drained, not kept."""
        cap = self._max_bytes if max_bytes is None else max_bytes
        mode = _Mode(method, keep_body, cap)
        current = url
        visits: dict[str, int] = {}
        permanent = True
        budget = self._timeouts.total
        for _ in range(MAX_REDIRECTS + 1):
            visits[current] = visits.get(current, 0) + 1
            if visits[current] > _MAX_VISITS_PER_URL:
                raise _located(_Failure("redirect loop"), current)
            try:
                hop, budget = await self._hop(_checked_url(current), headers, budget, mode)
                if hop.location is None:
                    redirected = current != url
                    return _Fetched(
                        current, hop.status, hop.headers, hop.body, permanent and redirected
                    )
                permanent = permanent and hop.status in _PERMANENT_REDIRECTS
                current = _redirect_target(current, hop)
            except (_Failure, InvalidURLError) as exc:
                raise _located(_as_failure(exc), current) from None
        raise _located(_Failure("too many redirects"), current)

    async def _hop(
        self, url: httpx.URL, headers: dict[str, str], budget: float, mode: _Mode
    ) -> tuple[_Hop, float]:
        """One request, within this host's slot and what is left of the total deadline."""
        async with self._slot(url.host):
            loop = asyncio.get_running_loop()
            started = loop.time()
            try:
                async with asyncio.timeout(budget):
                    hop = await self._send(url, headers, mode)
            except TimeoutError:
                raise _Failure(f"took longer than {_seconds(self._timeouts.total)} s") from None
            except httpx.HTTPError as exc:
                reason = _describe(exc, self._timeouts)
                raise _Failure(reason, unreachable=_unreachable(exc)) from None
            return hop, budget - (loop.time() - started)

    async def _send(self, url: httpx.URL, headers: dict[str, str], mode: _Mode) -> _Hop:
        headers = {**_BASE_HEADERS, **headers, **_userinfo_auth(url)}
        request = httpx.Request(mode.method, url, headers=headers, extensions=self._extensions)
        response = await self._transport(url).handle_async_request(request)
        response.request = request
        try:
            status = response.status_code
            location = response.headers.get("location")
            if status in _REDIRECT_STATUSES and location is not None:
                await _drain(response)
                return _Hop(status, response.headers, None, location)
            if 200 <= status < 300 and mode.keep_body:
                body = await _read_body(response, mode.max_bytes)
                return _Hop(status, response.headers, body, None)
            await _drain(response)
            return _Hop(status, response.headers, None, None)
        finally:
            await response.aclose()

    def _slot(self, host: str) -> asyncio.Semaphore:
        slot = self._host_slots.get(host)
        if slot is None:
            slot = self._host_slots[host] = asyncio.Semaphore(self._per_host)
        return slot

    def _transport(self, url: httpx.URL) -> httpx.AsyncHTTPTransport:
        key = (url.scheme, url.host)  # by scheme too: the proxy, if any, depends on it
        transport = self._transports.get(key)
        if transport is None:
            transport = self._transports[key] = httpx.AsyncHTTPTransport(
                verify=_ssl_context(),
                # The host slot already bounds concurrency; the pool never makes anyone wait.
                limits=httpx.Limits(
                    max_connections=self._per_host,
                    max_keepalive_connections=self._per_host,
                    keepalive_expiry=30.0,
                ),
                proxy=_environment_proxy(url),
            )
        return transport


_BASE_HEADERS = {
    "User-Agent": USER_AGENT,
    "Accept-Encoding": ACCEPT_ENCODING,
    "Connection": "keep-alive",
}


def _userinfo_auth(url: httpx.URL) -> dict[str, str]:
    """Basic auth from ``https://user:token@host/feed``, as private feeds often use.

    (httpx.AsyncClient would do this; the bare transport used here does not.)
    """
    if not url.username and not url.password:
        return {}
    credentials = f"{url.username}:{url.password}".encode()
    return {"Authorization": "Basic " + base64.b64encode(credentials).decode("ascii")}


def _environment_proxy(url: httpx.URL) -> str | None:
    """The proxy that http_proxy / https_proxy / all_proxy / no_proxy pick for ``url``."""
    proxies = urllib.request.getproxies_environment()
    proxy = proxies.get(url.scheme) or proxies.get("all")
    if not proxy or urllib.request.proxy_bypass(url.host):
        return None
    return proxy


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    # Loading the CA bundle costs milliseconds; do it once per process, not once per host.
    return httpx.create_ssl_context()


def _checked_url(url: str) -> httpx.URL:
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise InvalidURLError(_one_line(f"invalid URL: {exc}")) from None
    if parsed.scheme not in ("http", "https"):
        raise InvalidURLError("not an http(s) URL")
    if not parsed.host:
        raise InvalidURLError("URL has no host")
    return parsed


def _redirect_target(current: str, hop: _Hop) -> str:
    assert hop.location is not None
    location = hop.location.strip()
    # Judge the scheme before httpx parses it: "javascript:..." isn't even a valid httpx URL.
    scheme = _SCHEME.match(location)
    if scheme is not None and scheme.group(1).lower() not in ("http", "https"):
        raise _Failure("redirect to non-http URL", status=hop.status)
    try:
        target = httpx.URL(current).join(location).copy_with(fragment=None)
    except (httpx.InvalidURL, TypeError, ValueError):
        raise _Failure("invalid redirect URL", status=hop.status) from None
    if target.scheme not in ("http", "https") or not target.host:
        raise _Failure("invalid redirect URL", status=hop.status)
    return str(target)


_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")


def _as_failure(exc: _Failure | InvalidURLError) -> _Failure:
    # Redirect targets are judged before they are fetched: an invalid URL here is the one
    # asked for, and no server will ever answer it.
    return exc if isinstance(exc, _Failure) else _Failure(str(exc), unreachable=True)


def _located(failure: _Failure, url: str) -> _Failure:
    failure.url = url
    return failure


# --- bodies --------------------------------------------------------------------------------


async def _drain(response: httpx.Response) -> None:
    """Read a small unwanted body so the connection can be kept alive; give up on big ones."""
    received = 0
    async with aclosing(_raw_chunks(response)) as chunks:
        async for chunk in chunks:
            received += len(chunk)
            if received > _DRAIN_LIMIT:
                return  # closing the response drops the connection, which is cheaper


async def _read_body(response: httpx.Response, max_bytes: int) -> bytes:
    """The decoded body, or _Failure once it (or its compressed form) passes ``max_bytes``."""
    too_large = _Failure(
        f"response larger than {describe_size(max_bytes)}",
        status=response.status_code,
        too_large=True,
    )
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise too_large
    decoder = _decoder_for(response.headers.get("content-encoding", ""), response.status_code)
    body = bytearray()
    received = 0
    async with aclosing(_raw_chunks(response)) as chunks:
        async for chunk in chunks:
            received += len(chunk)
            # Ask the decoder for at most one byte past the cap: enough to know it's too big.
            body += decoder.decode(chunk, max_bytes + 1 - len(body))
            if received > max_bytes or len(body) > max_bytes:
                raise too_large
    return bytes(body)


def _raw_chunks(response: httpx.Response) -> AsyncGenerator[bytes, None]:
    # aiter_raw is an async generator; typed as such so it can be closed deterministically.
    return cast(AsyncGenerator[bytes, None], response.aiter_raw())


class _Decoder(Protocol):
    def decode(self, data: bytes, limit: int) -> bytes:
        """Decode ``data``, returning at most about ``limit`` bytes (limit >= 1)."""


class _Identity:
    def decode(self, data: bytes, limit: int) -> bytes:
        return data


class _Zlib:
    """gzip or deflate. Output is capped per call, so a bomb never expands past the cap."""

    def __init__(self, name: str, status: int) -> None:
        self._name = name
        self._status = status
        # "deflate" is meant to be zlib-wrapped, but some servers send raw deflate.
        self._wbits = 16 + zlib.MAX_WBITS if name == "gzip" else zlib.MAX_WBITS
        self._inflater = zlib.decompressobj(self._wbits)
        self._started = False

    def decode(self, data: bytes, limit: int) -> bytes:
        try:
            out = self._inflater.decompress(data, limit)
        except zlib.error:
            if self._name != "deflate" or self._started:
                raise _Failure(f"could not decode {self._name} body", status=self._status) from None
            self._inflater = zlib.decompressobj(-zlib.MAX_WBITS)
            return self.decode(data, limit)
        self._started = self._started or bool(data)
        return out


class _Brotli:
    def __init__(self, status: int) -> None:
        self._status = status
        self._inflater = brotli.Decompressor()

    def decode(self, data: bytes, limit: int) -> bytes:
        try:
            return cast(bytes, self._inflater.process(data, output_buffer_limit=limit))
        except brotli.error:
            raise _Failure("could not decode br body", status=self._status) from None


def _decoder_for(content_encoding: str, status: int) -> _Decoder:
    codings = [c.strip().lower() for c in content_encoding.split(",")]
    codings = [c for c in codings if c not in ("", "identity")]
    if not codings:
        return _Identity()
    if len(codings) > 1:  # stacked codings: never seen from real feeds, not worth the risk
        raise _Failure(f"unsupported Content-Encoding: {content_encoding}", status=status)
    coding = codings[0]
    if coding in ("gzip", "x-gzip"):
        return _Zlib("gzip", status)
    if coding == "deflate":
        return _Zlib("deflate", status)
    if coding == "br" and brotli is not None:
        return _Brotli(status)
    if coding in ("br", "zstd", "compress", "x-compress"):
        raise _Failure(f"unsupported Content-Encoding: {coding}", status=status)
    return _Identity()  # a bogus label ("utf-8", "none"): the body is really plain


# --- one-line reasons ----------------------------------------------------------------------


def _describe(exc: httpx.HTTPError, timeouts: Timeouts) -> str:
    if isinstance(exc, httpx.ConnectTimeout):
        return f"connect timed out after {_seconds(timeouts.connect)} s"
    if isinstance(exc, httpx.ReadTimeout):
        return f"timed out after {_seconds(timeouts.read)} s"
    if isinstance(exc, httpx.WriteTimeout):
        return f"send timed out after {_seconds(timeouts.write)} s"
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    causes = list(_causes(exc))
    for cause in causes:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return _one_line(f"TLS error: {cause.verify_message or cause.reason}")
        if isinstance(cause, ssl.SSLError):  # reason is a code such as WRONG_VERSION_NUMBER
            reason = cause.reason.replace("_", " ").lower() if cause.reason else str(cause)
            return _one_line(f"TLS error: {reason}")
    for cause in causes:
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cause, socket.gaierror):
            return "host not found"
        if isinstance(cause, ConnectionResetError):
            return "connection reset by server"
    if isinstance(exc, httpx.RemoteProtocolError):
        return _one_line(f"protocol error: {exc}")
    if isinstance(exc, httpx.ConnectError):
        return _one_line(f"could not connect: {exc}")
    return _one_line(f"{type(exc).__name__}: {exc}")


def _unreachable(exc: httpx.HTTPError) -> bool:
    """Whether the host is not there at all (not found, refusing connections), as opposed
    to there but failing (timeouts, resets)."""
    return any(isinstance(c, (ConnectionRefusedError, socket.gaierror)) for c in _causes(exc))


def _causes(exc: BaseException) -> Iterable[BaseException]:
    """The exception, its causes/contexts, and members of exception groups, depth first."""
    seen: set[int] = set()
    stack: list[BaseException] = [exc]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        if isinstance(current, BaseExceptionGroup):
            stack.extend(current.exceptions)
        for linked in (current.__cause__, current.__context__):
            if linked is not None:
                stack.append(linked)


def _seconds(value: float) -> str:
    return f"{value:g}"


_WHITESPACE = re.compile(r"\s+")


def _one_line(text: str) -> str:
    return _WHITESPACE.sub(" ", text).strip()[:300]
