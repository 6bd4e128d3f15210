"""A real HTTP/1.1 server on loopback for tests: static routes, dynamic handlers, a request log.

Usage::

    def test_something(local_server: LocalServer) -> None:
        local_server.route("/feed.xml", "<rss/>", content_type="application/rss+xml",
                           headers={"ETag": '"v1"'})
        url = local_server.url("/feed.xml")
        ...
        assert local_server.requests[0].headers["User-Agent"].startswith("pkm/")

Static routes answer conditional GETs by themselves (304 when If-None-Match or
If-Modified-Since match the route's ETag / Last-Modified). Dynamic handlers get a
:class:`Request` and return a :class:`Response`, or ``None`` after writing raw bytes to
``request.wfile`` themselves (for fault injection: trickling, hanging, truncating);
the connection is closed afterwards. Handlers that hang should wait on
``request.stopping`` so that :meth:`LocalServer.stop` releases them.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import Message
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import BinaryIO

import pytest

__all__ = ["LocalServer", "Request", "Response", "local_server"]


def free_port() -> int:
    """A loopback port nothing listens on (for a while: the OS hands ports out in turn)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Request:
    """One request as the server saw it. ``headers`` is case-insensitive (``headers["accept"]``)."""

    method: str
    path: str  # as sent, including any query string
    headers: Message
    body: bytes = b""
    client: tuple[str, int] | None = None  # the peer's (host, port): one per connection
    # For raw writes in fault-injection handlers; not part of equality or repr.
    wfile: BinaryIO | None = field(default=None, repr=False, compare=False)
    connection: socket.socket | None = field(default=None, repr=False, compare=False)
    stopping: threading.Event = field(default_factory=threading.Event, repr=False, compare=False)


@dataclass
class Response:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | str = b""
    content_type: str | None = None


Handler = Callable[[Request], "Response | None"]


@dataclass
class _Route:
    response: Response
    delay: float = 0.0


class LocalServer:
    """Threaded HTTP/1.1 server on ``host`` (any 127.x.y.z address works on Linux), free port."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self._routes: dict[str, _Route | Handler] = {}
        self._log: list[Request] = []
        self._lock = threading.Lock()
        self._in_flight = 0
        self._max_in_flight = 0
        self._stopping = threading.Event()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None
        self.base_url = ""

    # --- lifecycle -----------------------------------------------------------------------

    def start(self) -> LocalServer:
        httpd = _Server((self.host, 0), _RequestHandler)
        httpd.owner = self
        self._httpd = httpd
        port = httpd.server_address[1]
        self.base_url = f"http://{self.host}:{port}"
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        # Release handlers blocked on ``request.stopping`` before waiting for the loop to end.
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- configuration -------------------------------------------------------------------

    @property
    def port(self) -> int:
        return int(self.base_url.rsplit(":", 1)[1])

    def url(self, path: str) -> str:
        return self.base_url + (path if path.startswith("/") else "/" + path)

    def route(
        self,
        path: str,
        body: bytes | str = b"",
        *,
        status: int = 200,
        headers: dict[str, str] | None = None,
        content_type: str | None = None,
        delay: float = 0.0,
    ) -> None:
        """Serve a fixed response at ``path`` (``delay`` seconds before answering)."""
        response = Response(status, dict(headers or {}), body, content_type)
        with self._lock:
            self._routes[path] = _Route(response, delay)

    def handler(self, path: str, fn: Handler) -> None:
        with self._lock:
            self._routes[path] = fn

    # --- observation ---------------------------------------------------------------------

    @property
    def requests(self) -> list[Request]:
        """A snapshot of the requests received so far, in arrival order."""
        with self._lock:
            return list(self._log)

    def requests_to(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path == path]

    @property
    def in_flight(self) -> int:
        """The requests being answered now."""
        with self._lock:
            return self._in_flight

    @property
    def max_in_flight(self) -> int:
        """The most requests that were being answered at the same moment."""
        with self._lock:
            return self._max_in_flight

    def clear(self) -> None:
        with self._lock:
            self._log.clear()
            self._max_in_flight = self._in_flight

    # --- used by the request handler -----------------------------------------------------

    def _record(self, request: Request) -> None:
        with self._lock:
            self._log.append(request)

    def _lookup(self, path: str) -> _Route | Handler | None:
        with self._lock:
            return self._routes.get(path) or self._routes.get(path.split("?", 1)[0])

    def _enter(self) -> None:
        with self._lock:
            self._in_flight += 1
            self._max_in_flight = max(self._max_in_flight, self._in_flight)

    def _leave(self) -> None:
        with self._lock:
            self._in_flight -= 1


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a hung handler must never keep the test process alive
    owner: LocalServer

    def handle_error(self, request: object, client_address: object) -> None:
        # Clients hang up on purpose in many tests (size caps, timeouts); stay quiet.
        pass


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like real servers
    # Headers and body go out in separate writes; with Nagle's algorithm and delayed ACKs
    # each keep-alive response would then stall ~40 ms.
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self._dispatch()

    def do_HEAD(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        owner = self.server.owner
        length = int(self.headers.get("Content-Length") or 0)
        request = Request(
            method=self.command,
            path=self.path,
            headers=self.headers,
            body=self.rfile.read(length) if length else b"",
            client=(str(self.client_address[0]), int(self.client_address[1])),
            wfile=self.wfile,  # type: ignore[arg-type]
            connection=self.connection,
            stopping=owner._stopping,
        )
        owner._record(request)
        owner._enter()
        try:
            target = owner._lookup(self.path)
            if target is None:
                self._send(Response(404, body=b"not found", content_type="text/plain"))
            elif isinstance(target, _Route):
                if target.delay:
                    time.sleep(target.delay)
                self._send(_conditional(target.response, request))
            else:
                self._call(target, request)
        finally:
            owner._leave()

    def _call(self, fn: Handler, request: Request) -> None:
        try:
            response = fn(request)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
            return
        if response is None:  # the handler wrote raw bytes (or nothing): don't reuse
            self.close_connection = True
            return
        self._send(response)

    def _send(self, response: Response) -> None:
        body = response.body.encode() if isinstance(response.body, str) else response.body
        no_body = self.command == "HEAD" or response.status in (204, 304) or response.status < 200
        self.send_response(response.status)
        names = {name.lower() for name in response.headers}
        if "content-type" not in names and response.status != 304:
            default = "text/plain; charset=utf-8" if isinstance(response.body, str) else None
            content_type = response.content_type or default or "application/octet-stream"
            self.send_header("Content-Type", content_type)
        if "content-length" not in names and response.status not in (204, 304):
            self.send_header("Content-Length", str(len(body)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if not no_body:
            self.wfile.write(body)


def _conditional(response: Response, request: Request) -> Response:
    """Answer 304 when the request's validators match the route's, as a real server would."""
    if response.status != 200:
        return response
    headers = {name.lower(): value for name, value in response.headers.items()}
    validators = {k: v for k, v in response.headers.items() if k.lower() in _VALIDATORS}
    etag = headers.get("etag")
    if_none_match = request.headers.get("If-None-Match")
    if etag is not None and if_none_match is not None:
        # If-None-Match takes precedence over If-Modified-Since (RFC 9110 13.2.2).
        if _etag_matches(etag, if_none_match):
            return Response(304, validators)
        return response
    last_modified = headers.get("last-modified")
    if_modified_since = request.headers.get("If-Modified-Since")
    if last_modified is not None and if_modified_since is not None:
        if _not_modified_since(last_modified, if_modified_since):
            return Response(304, validators)
    return response


_VALIDATORS = {"etag", "last-modified", "cache-control", "expires"}


def _etag_matches(etag: str, if_none_match: str) -> bool:
    def strip_weak(tag: str) -> str:
        tag = tag.strip()
        return tag[2:] if tag.startswith("W/") else tag

    candidates = [strip_weak(t) for t in if_none_match.split(",")]
    return "*" in candidates or strip_weak(etag) in candidates


def _not_modified_since(last_modified: str, if_modified_since: str) -> bool:
    if last_modified == if_modified_since:
        return True
    try:
        return parsedate_to_datetime(last_modified) <= parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError):
        return False


@pytest.fixture
def local_server() -> Iterator[LocalServer]:
    """A started :class:`LocalServer` on 127.0.0.1, stopped after the test."""
    with LocalServer() as server:
        yield server
