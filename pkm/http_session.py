"""The HTTP under pkm's fetches: per-host connection pools and slots, redirects followed
by hand, bodies read with a cap and decoded chunk by chunk, every failure in one line.

:mod:`pkm.fetch` schedules feeds and pages over a :class:`Session` and decides what a
response means; this module only gets them.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import re
import socket
import ssl
import urllib.request
import zlib
from collections.abc import AsyncGenerator, Iterable
from contextlib import aclosing
from dataclasses import dataclass
from typing import Protocol, cast

import httpx

from pkm import __version__
from pkm.errors import InvalidURLError
from pkm.files import describe_size

try:  # brotli is a dependency, but never let its absence break plain fetching
    import brotli  # type: ignore[import-untyped]
except ImportError:  # pragma: no cover - exercised only without the package
    brotli = None

__all__ = [
    "ACCEPT_ENCODING",
    "DEFAULT_TIMEOUTS",
    "MAX_REDIRECTS",
    "REDIRECT_STATUSES",
    "USER_AGENT",
    "Failure",
    "Fetched",
    "Session",
    "Timeouts",
    "checked_url",
    "one_line",
]

MAX_REDIRECTS = 10
USER_AGENT = f"pkm/{__version__} (+https://github.com/pkm-tool/pkm)"
ACCEPT_ENCODING = "gzip, deflate, br" if brotli is not None else "gzip, deflate"

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_PERMANENT_REDIRECTS = frozenset({301, 308})
_MAX_VISITS_PER_URL = 2  # a URL seen a third time in one chain is a loop, not a cookie bounce
_DRAIN_LIMIT = 64 * 1024  # read small error/redirect bodies so the connection can be reused


@dataclass(frozen=True)
class Timeouts:
    """Seconds. ``total`` bounds one feed's whole fetch (all redirect hops, body included)."""

    connect: float = 10.0
    read: float = 30.0
    write: float = 10.0
    total: float = 60.0


DEFAULT_TIMEOUTS = Timeouts()


class Failure(Exception):
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
        # No answer could ever come: the host is not found, the connection refused, the
        # URL is not http(s). Timeouts, resets and TLS errors are not this.
        self.unreachable = unreachable
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
class Fetched:
    """The final response of a redirect chain."""

    url: str
    status: int
    headers: httpx.Headers
    body: bytes | None
    permanent: bool  # at least one hop, and every hop was 301/308


class Session:
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
    ) -> Fetched:
        """GET ``url``, following up to MAX_REDIRECTS redirects; raise Failure on failure.
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
                raise _located(Failure("redirect loop"), current)
            try:
                hop, budget = await self._hop(checked_url(current), headers, budget, mode)
                if hop.location is None:
                    redirected = current != url
                    return Fetched(
                        current, hop.status, hop.headers, hop.body, permanent and redirected
                    )
                permanent = permanent and hop.status in _PERMANENT_REDIRECTS
                current = _redirect_target(current, hop)
            except (Failure, InvalidURLError) as exc:
                raise _located(_as_failure(exc), current) from None
        raise _located(Failure("too many redirects"), current)

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
                raise Failure(f"took longer than {_seconds(self._timeouts.total)} s") from None
            except httpx.HTTPError as exc:
                reason = _describe(exc, self._timeouts)
                raise Failure(reason, unreachable=_unreachable(exc)) from None
            return hop, budget - (loop.time() - started)

    async def _send(self, url: httpx.URL, headers: dict[str, str], mode: _Mode) -> _Hop:
        headers = {**_BASE_HEADERS, **headers, **_userinfo_auth(url)}
        request = httpx.Request(mode.method, url, headers=headers, extensions=self._extensions)
        response = await self._transport(url).handle_async_request(request)
        response.request = request
        try:
            status = response.status_code
            location = response.headers.get("location")
            if status in REDIRECT_STATUSES and location is not None:
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


def checked_url(url: str) -> httpx.URL:
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise InvalidURLError(one_line(f"invalid URL: {exc}")) from None
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
        raise Failure("redirect to non-http URL", status=hop.status)
    try:
        target = httpx.URL(current).join(location).copy_with(fragment=None)
    except (httpx.InvalidURL, TypeError, ValueError):
        raise Failure("invalid redirect URL", status=hop.status) from None
    if target.scheme not in ("http", "https") or not target.host:
        raise Failure("invalid redirect URL", status=hop.status)
    return str(target)


_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")


def _as_failure(exc: Failure | InvalidURLError) -> Failure:
    # Redirect targets are judged before they are fetched: an invalid URL here is the one
    # asked for, and no server will ever answer it.
    return exc if isinstance(exc, Failure) else Failure(str(exc), unreachable=True)


def _located(failure: Failure, url: str) -> Failure:
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
    """The decoded body, or Failure once it (or its compressed form) passes ``max_bytes``."""
    too_large = Failure(
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
                raise Failure(f"could not decode {self._name} body", status=self._status) from None
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
            raise Failure("could not decode br body", status=self._status) from None


def _decoder_for(content_encoding: str, status: int) -> _Decoder:
    codings = [c.strip().lower() for c in content_encoding.split(",")]
    codings = [c for c in codings if c not in ("", "identity")]
    if not codings:
        return _Identity()
    if len(codings) > 1:  # stacked codings: never seen from real feeds, not worth the risk
        raise Failure(f"unsupported Content-Encoding: {content_encoding}", status=status)
    coding = codings[0]
    if coding in ("gzip", "x-gzip"):
        return _Zlib("gzip", status)
    if coding == "deflate":
        return _Zlib("deflate", status)
    if coding == "br" and brotli is not None:
        return _Brotli(status)
    if coding in ("br", "zstd", "compress", "x-compress"):
        raise Failure(f"unsupported Content-Encoding: {coding}", status=status)
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
            return one_line(f"TLS error: {cause.verify_message or cause.reason}")
        if isinstance(cause, ssl.SSLError):  # reason is a code such as WRONG_VERSION_NUMBER
            reason = cause.reason.replace("_", " ").lower() if cause.reason else str(cause)
            return one_line(f"TLS error: {reason}")
    for cause in causes:
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cause, socket.gaierror):
            return "host not found"
        if isinstance(cause, ConnectionResetError):
            return "connection reset by server"
    if isinstance(exc, httpx.RemoteProtocolError):
        return one_line(f"protocol error: {exc}")
    if isinstance(exc, httpx.ConnectError):
        return one_line(f"could not connect: {exc}")
    return one_line(f"{type(exc).__name__}: {exc}")


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


def one_line(text: str) -> str:
    return _WHITESPACE.sub(" ", text).strip()[:300]
