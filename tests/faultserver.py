"""A fault server for tests: endpoints on 127.0.0.1 that each misbehave in one way.

Usage::

    with LocalServer() as server:
        faults = install_faults(server)          # every fault of FAULTS, plus GOOD feeds
        for fault in faults:
            ... fault.url, fault.outcome, fault.reason ...

Each :class:`Fault` says what pkm must make of it: ``failed`` or ``retired`` with a
one-line reason matching ``reason`` (a regular expression matched against the whole
reason), or ``stored`` when pkm should salvage the feed (a wrong Content-Type, a wrong
encoding declaration, control characters) with ``title`` as the feed's cleaned title.

Timeouts: the hanging and trickling endpoints assume a scan whose read timeout is longer
than one second (the trickle sends a byte a second) and whose total deadline is shorter
than the trickle (:data:`TRICKLE_SECONDS`). :data:`FAST_TIMEOUTS` is such a setting.
"""

from __future__ import annotations

import functools
import os
import re
import socket
import struct
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Literal

from httpserver import LocalServer, Request, Response

from pkm.fetch import DEFAULT_MAX_BYTES, Timeouts

__all__ = [
    "FAST_TIMEOUTS",
    "FAULTS",
    "GOOD",
    "Fault",
    "gzip_bomb",
    "install_faults",
    "rss",
]

MiB = 2**20
# Read timeout above the trickle's one-byte-a-second, total deadline well below its length.
FAST_TIMEOUTS = Timeouts(connect=2.0, read=2.5, write=2.0, total=4.0)
TRICKLE_SECONDS = 60
CAP = DEFAULT_MAX_BYTES
CAP_TEXT = "15 MiB"
RETRY_AFTER_SECONDS = 7200


def rss(title: str, items: list[tuple[str, str]], *, prefix: str = "") -> bytes:
    """A small RSS 2.0 document: ``items`` are (title, url) pairs."""
    body = "".join(
        f"<item><title>{t}</title><link>{u}</link><guid>{u}</guid>"
        f"<description>About {t}.</description>"
        "<pubDate>Fri, 20 Nov 2026 08:30:00 GMT</pubDate></item>"
        for t, u in items
    )
    return (
        f'{prefix}<rss version="2.0"><channel><title>{title}</title>'
        f"<link>https://good.example/</link>{body}</channel></rss>"
    ).encode()


@dataclass(frozen=True)
class Good:
    path: str
    title: str
    items: tuple[tuple[str, str], ...]

    def body(self) -> bytes:
        return rss(self.title, list(self.items), prefix='<?xml version="1.0" encoding="utf-8"?>')


GOOD = tuple(
    Good(
        f"/good/{n}.rss",
        f"Good feed {n}",
        tuple((f"Good item {n}.{i}", f"https://good{n}.example/post/{i}") for i in range(5)),
    )
    for n in range(3)
)


@dataclass(frozen=True)
class Fault:
    name: str
    path: str
    outcome: Literal["failed", "retired", "stored"]
    reason: str = ""  # a regular expression for the whole one-line reason
    title: str | None = None  # for "stored": the cleaned feed title
    retry_after: int | None = None  # seconds the server asked to wait (429/503)
    base_url: str = ""

    @property
    def url(self) -> str:
        return self.base_url + self.path

    def matches(self, reason: str | None) -> bool:
        return reason is not None and re.fullmatch(self.reason, reason) is not None


def _http_date(seconds: int) -> str:
    return format_datetime(datetime.now(UTC) + timedelta(seconds=seconds), usegmt=True)


# --- raw handlers: each writes bytes itself, then the connection is closed --------------


def _write_all(request: Request, chunks: Iterator[bytes]) -> None:
    assert request.wfile is not None
    try:
        for chunk in chunks:
            if request.stopping.is_set():
                return
            request.wfile.write(chunk)
    except OSError:
        pass  # the client hung up, as it should


def reset_mid_body(request: Request) -> None:
    """Promise 100 000 bytes, send 300, then reset the connection (RST, not FIN)."""
    assert request.wfile is not None and request.connection is not None
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: 100000\r\n\r\n"
    request.wfile.write(head + GOOD[0].body()[:300])
    request.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    # The handler's file objects keep the socket open; close its descriptor for real, so
    # the kernel sends the RST now. (The server then fails quietly on the dead socket.)
    os.close(request.connection.detach())


def not_http(request: Request) -> None:
    """Answer with something that is not HTTP."""
    _write_all(request, iter([b"SSH-2.0-OpenSSH_9.6\r\n\r\n"]))


def never_answer(request: Request) -> None:
    """Accept, read the request, then say nothing until the server stops."""
    request.stopping.wait(TRICKLE_SECONDS)


def trickle(request: Request) -> None:
    """A valid start, then one byte a second: never idle long enough for a read timeout."""
    body = GOOD[0].body().ljust(TRICKLE_SECONDS * 4, b" ")
    assert request.wfile is not None
    head = f"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {len(body)}\r\n\r\n"
    try:
        request.wfile.write(head.encode() + body[:1])
        for byte in range(1, len(body)):
            if request.stopping.wait(1.0):
                return
            request.wfile.write(body[byte : byte + 1])
    except OSError:
        pass


def endless(request: Request) -> None:
    """A 200 without Content-Length whose body never ends (until the client hangs up)."""
    chunk = b"<item><title>again</title></item>" * 2000

    def chunks() -> Iterator[bytes]:
        yield b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nConnection: close\r\n\r\n"
        yield b'<rss version="2.0"><channel><title>Endless</title>'
        for _ in range(100_000):  # 6.6 GB: "endless" for any client that respects a cap
            yield chunk

    _write_all(request, chunks())


def over_cap(request: Request) -> None:
    """Content-Length one byte over the cap, and the body to go with it."""
    size = CAP + 1

    def chunks() -> Iterator[bytes]:
        yield (
            "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"
            f"Content-Length: {size}\r\n\r\n"
        ).encode()
        sent = 0
        while sent < size:
            piece = min(MiB, size - sent)
            yield b" " * piece
            sent += piece

    _write_all(request, chunks())


def huge_title(size: int) -> Callable[[Request], None]:
    """An RSS feed whose title is one line of ``size`` bytes, streamed with its length."""
    head = b'<?xml version="1.0"?><rss version="2.0"><channel><title>'
    tail = (
        b"</title><item><title>Small item</title><link>https://huge.example/1</link></item>"
        b"</channel></rss>"
    )

    def handle(request: Request) -> None:
        def chunks() -> Iterator[bytes]:
            total = len(head) + size + len(tail)
            yield (
                "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"
                f"Content-Length: {total}\r\n\r\n"
            ).encode()
            yield head
            sent = 0
            while sent < size:
                piece = min(MiB, size - sent)
                yield b"A" * piece
                sent += piece
            yield tail

        _write_all(request, chunks())

    return handle


@functools.cache
def gzip_bomb(expanded_mib: int = 1024) -> bytes:
    """A valid gzip body of about 1 MB that expands to ``expanded_mib`` MiB of zeros.

    Built from one deflate block for a MiB of zeros repeated (each block byte-aligned by a
    sync flush), so it takes a fraction of a second instead of compressing a gigabyte.
    """
    zeros = b"\0" * MiB
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    first = compressor.compress(zeros) + compressor.flush(zlib.Z_SYNC_FLUSH)
    steady = compressor.compress(zeros) + compressor.flush(zlib.Z_SYNC_FLUSH)
    final = compressor.flush(zlib.Z_FINISH)
    crc = 0
    for _ in range(expanded_mib):
        crc = zlib.crc32(zeros, crc)
    trailer = struct.pack("<II", crc, (expanded_mib * MiB) & 0xFFFFFFFF)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    return header + first + steady * (expanded_mib - 1) + final + trailer


# --- documents -----------------------------------------------------------------------------

MISLABELLED = rss("Mislabelled feed", [("Mislabelled item", "https://label.example/1")])
HTML_PAGE = b"""<!DOCTYPE html><html><head><title>A blog</title></head>
<body><h1>Not a feed</h1></body></html>"""

# Declared ISO-8859-1, written in UTF-8 (and the reverse): the title must read correctly.
DECLARED_LATIN1_IS_UTF8 = rss(
    "Idee\u00ebn \u2013 caf\u00e9",
    [("Caf\u00e9 ideeën", "https://enc.example/1")],
    prefix='<?xml version="1.0" encoding="ISO-8859-1"?>',
)
DECLARED_UTF8_IS_CP1252 = (
    b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
    b"<title>Caf\xe9 \x93quoted\x94</title>"
    b"<item><title>Na\xefve</title><link>https://enc.example/2</link></item></channel></rss>"
)
CONTROL_CHARS = (
    b'<?xml version="1.0"?><rss version="2.0"><channel>'
    b"<title>Con\x00trol\x01\x02\x03\x07\x08\x0b\x0c\x0e\x1f chars\x1b[31m red\x1b]0;pwned\x07"
    b"</title><item><title>Item\x00 with NUL</title><link>https://ctl.example/1</link>"
    b"<description>Bell\x07 and\x1b[2J clear</description></item></channel></rss>"
)
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title>
<item><title>&lol9;</title><link>https://lol.example/</link></item></channel></rss>"""

_SIZE = re.escape(CAP_TEXT)

FAULTS: tuple[Fault, ...] = (
    Fault("HTTP 500", "/status/500", "failed", r"HTTP 500 Internal Server Error"),
    Fault("HTTP 404", "/status/404", "failed", r"HTTP 404 Not Found"),
    Fault("HTTP 403", "/status/403", "failed", r"HTTP 403 Forbidden"),
    Fault("HTTP 410", "/status/410", "retired", r"HTTP 410 Gone"),
    Fault(
        "HTTP 429 + Retry-After (seconds)",
        "/status/429",
        "failed",
        r"HTTP 429 Too Many Requests",
        retry_after=RETRY_AFTER_SECONDS,
    ),
    Fault(
        "HTTP 503 + Retry-After (date)",
        "/status/503",
        "failed",
        r"HTTP 503 Service Unavailable",
        retry_after=RETRY_AFTER_SECONDS,
    ),
    Fault("connection reset mid-body", "/reset", "failed", r"connection reset by server"),
    Fault("accepts, never answers", "/hang", "failed", r"timed out after [\d.]+ s"),
    Fault("trickles a byte a second", "/trickle", "failed", r"took longer than [\d.]+ s"),
    Fault("endless body", "/endless", "failed", rf"response larger than {_SIZE}"),
    Fault("body over the size cap", "/over-cap", "failed", rf"response larger than {_SIZE}"),
    Fault("gzip bomb (1 MB -> 1 GiB)", "/bomb", "failed", rf"response larger than {_SIZE}"),
    Fault("redirect loop", "/loop/a", "failed", r"redirect loop"),
    Fault("redirect to file:", "/to-file", "failed", r"redirect to non-http URL"),
    Fault("redirect to javascript:", "/to-js", "failed", r"redirect to non-http URL"),
    Fault("HTML page", "/page.html", "failed", r"not a feed: got an HTML page"),
    Fault("empty 200", "/empty", "failed", r"not a feed: empty document"),
    Fault(
        "billion laughs",
        "/lol.xml",
        "failed",
        r"refused: the feed declares XML entities that could expand hugely",
    ),
    Fault("50 MB single-line title", "/huge-title", "failed", rf"response larger than {_SIZE}"),
    Fault(
        "12 MB single-line title (under the cap)",
        "/big-title",
        "stored",
        title="A" * 1000,  # pkm keeps the first 1,000 characters of a title
    ),
    Fault("wrong Content-Type (image/png)", "/wrong-type", "stored", title="Mislabelled feed"),
    Fault(
        "declared ISO-8859-1, written UTF-8",
        "/latin1-is-utf8",
        "stored",
        title="Idee\u00ebn \u2013 caf\u00e9",
    ),
    Fault(
        "declared UTF-8, written cp1252",
        "/utf8-is-cp1252",
        "stored",
        title="Caf\u00e9 \u201cquoted\u201d",
    ),
    Fault("NUL and control characters", "/controls", "stored", title="Control chars red"),
    Fault("gzip label on a plain body", "/bad-gzip", "failed", r"could not decode gzip body"),
    Fault("not HTTP at all", "/not-http", "failed", r"protocol error: .+"),
)


def install_faults(server: LocalServer) -> list[Fault]:
    """Route every fault (and the GOOD feeds) on ``server``; the faults with their URLs."""
    for good in GOOD:
        server.route(good.path, good.body(), content_type="application/rss+xml")
    for status in (500, 404, 403):
        server.route(f"/status/{status}", f"error {status}", status=status)
    server.route("/status/410", "gone", status=410)
    server.route(
        "/status/429", "slow down", status=429, headers={"Retry-After": str(RETRY_AFTER_SECONDS)}
    )

    def unavailable(request: Request) -> Response:
        # The date is made per request, so it is always in the future.
        return Response(503, {"Retry-After": _http_date(RETRY_AFTER_SECONDS)}, "later")

    server.handler("/status/503", unavailable)
    server.handler("/reset", reset_mid_body)
    server.handler("/hang", never_answer)
    server.handler("/trickle", trickle)
    server.handler("/endless", endless)
    server.handler("/over-cap", over_cap)
    server.route(
        "/bomb",
        gzip_bomb(),
        content_type="application/rss+xml",
        headers={"Content-Encoding": "gzip"},
    )
    server.route("/loop/a", status=302, headers={"Location": "/loop/b"})
    server.route("/loop/b", status=302, headers={"Location": server.url("/loop/a")})
    server.route("/to-file", status=301, headers={"Location": "file:///etc/passwd"})
    server.route("/to-js", status=302, headers={"Location": "javascript:alert(1)"})
    server.route("/page.html", HTML_PAGE, content_type="text/html; charset=utf-8")
    server.route("/empty", b"", content_type="application/rss+xml")
    server.route("/lol.xml", BILLION_LAUGHS, content_type="application/rss+xml")
    server.handler("/huge-title", huge_title(50 * 10**6))
    server.handler("/big-title", huge_title(12 * MiB))
    server.route("/wrong-type", MISLABELLED, content_type="image/png")
    server.route("/bad-gzip", GOOD[1].body(), headers={"Content-Encoding": "gzip"})
    server.handler("/not-http", not_http)
    server.route("/latin1-is-utf8", DECLARED_LATIN1_IS_UTF8, content_type="text/xml")
    server.route("/utf8-is-cp1252", DECLARED_UTF8_IS_CP1252, content_type="text/xml")
    server.route("/controls", CONTROL_CHARS, content_type="application/rss+xml")
    return [_at(fault, server.base_url) for fault in FAULTS]


def _at(fault: Fault, base_url: str) -> Fault:
    return Fault(
        fault.name,
        fault.path,
        fault.outcome,
        fault.reason,
        fault.title,
        fault.retry_after,
        base_url,
    )
