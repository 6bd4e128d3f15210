"""pkm.fetch against a real HTTP server on loopback, with short timeouts."""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import threading
import time
import tracemalloc
import zlib
from collections.abc import Iterable
from contextlib import aclosing
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import brotli  # type: ignore[import-untyped]
import pytest
from httpserver import LocalServer, Request, Response, free_port

from pkm.errors import FetchError, InvalidURLError, ResponseTooLargeError
from pkm.fetch import (
    USER_AGENT,
    FeedRequest,
    FeedResponse,
    Timeouts,
    fetch_feeds,
    fetch_page,
)

FAST = Timeouts(connect=2, read=2, write=2, total=5)
RSS = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
RSS_TYPE = "application/rss+xml"


@pytest.fixture
def server(local_server: LocalServer) -> LocalServer:
    return local_server


def fetch_all(requests: Iterable[FeedRequest], **options: Any) -> list[FeedResponse]:
    options.setdefault("timeouts", FAST)

    async def run() -> list[FeedResponse]:
        return [r async for r in fetch_feeds(list(requests), **options)]

    return asyncio.run(run())


def fetch_one(url: str, **options: Any) -> FeedResponse:
    request_fields = {
        k: options.pop(k) for k in ("etag", "last_modified", "body_hash") if k in options
    }
    [response] = fetch_all([FeedRequest(1, url, **request_fields)], **options)
    return response


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- 200 -----------------------------------------------------------------------------------


def test_ok_returns_body_and_validators_and_sends_polite_headers(server: LocalServer) -> None:
    lm = "Wed, 21 Oct 2015 07:28:00 GMT"
    server.route("/feed", RSS, content_type=RSS_TYPE, headers={"ETag": '"v1"', "Last-Modified": lm})

    response = fetch_one(server.url("/feed"))

    assert response.kind == "ok"
    assert response.status == 200
    assert response.body == RSS
    assert response.content_type == RSS_TYPE
    assert (response.etag, response.last_modified) == ('"v1"', lm)
    assert response.body_hash == sha256(RSS)
    assert response.url == response.requested_url == server.url("/feed")
    assert response.moved_to is None and response.error is None
    headers = server.requests[0].headers
    assert headers["User-Agent"] == USER_AGENT
    assert USER_AGENT.startswith("pkm/0.1.0 (+https://github.com/pkm-tool/pkm)")
    accept = headers["Accept"]
    for media_type in (
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/feed+json",
        "application/json",
        "application/xml",
        "text/xml",
    ):
        assert media_type in accept
    assert "*/*;q=0.1" in accept
    assert {e.strip() for e in headers["Accept-Encoding"].split(",")} == {"gzip", "deflate", "br"}
    assert "If-None-Match" not in headers and "If-Modified-Since" not in headers


@pytest.mark.parametrize(
    ("encoding", "encode"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda data: zlib.compress(data)[2:-4]),  # raw deflate, as some servers send
        ("br", brotli.compress),
    ],
    ids=["gzip", "deflate-zlib", "deflate-raw", "br"],
)
def test_compressed_bodies_are_decoded(server: LocalServer, encoding: str, encode: Any) -> None:
    body = RSS * 200
    server.route(
        "/feed", encode(body), content_type=RSS_TYPE, headers={"Content-Encoding": encoding}
    )

    response = fetch_one(server.url("/feed"))

    assert response.kind == "ok"
    assert response.body == body
    assert response.body_hash == sha256(body)


def test_corrupt_gzip_is_an_error(server: LocalServer) -> None:
    server.route("/feed", b"not gzip at all", headers={"Content-Encoding": "gzip"})

    response = fetch_one(server.url("/feed"))

    assert (response.kind, response.error) == ("error", "could not decode gzip body")


def test_same_body_hash_is_unchanged(server: LocalServer) -> None:
    server.route("/feed", RSS, content_type=RSS_TYPE, headers={"ETag": '"v2"'})

    response = fetch_one(server.url("/feed"), body_hash=sha256(RSS))

    assert response.kind == "unchanged"
    assert response.status == 200
    assert response.body is None
    assert response.body_hash == sha256(RSS)
    assert response.etag == '"v2"'


def test_credentials_in_the_url_are_sent_as_basic_auth(server: LocalServer) -> None:
    server.route("/private", RSS)
    url = server.url("/private").replace("http://", "http://me:s%40cret@")

    response = fetch_one(url)

    assert response.kind == "ok"
    assert server.requests[0].headers["Authorization"] == "Basic bWU6c0BjcmV0"  # me:s@cret
    assert server.requests[0].headers["Host"] == f"127.0.0.1:{server.port}"


# --- conditional GET -----------------------------------------------------------------------


def test_304_sends_validators_verbatim(server: LocalServer) -> None:
    etag, lm = 'W/"abc-123"', "Wed, 21 Oct 2015 07:28:00 GMT"
    server.route("/feed", RSS, headers={"ETag": etag, "Last-Modified": lm})

    response = fetch_one(server.url("/feed"), etag=etag, last_modified=lm, body_hash="h")

    assert response.kind == "not_modified"
    assert response.status == 304
    assert response.body is None
    assert (response.etag, response.last_modified, response.body_hash) == (etag, lm, "h")
    headers = server.requests[0].headers
    assert headers["If-None-Match"] == etag
    assert headers["If-Modified-Since"] == lm


def test_304_by_last_modified_only(server: LocalServer) -> None:
    lm = "Wed, 21 Oct 2015 07:28:00 GMT"
    server.route("/feed", RSS, headers={"Last-Modified": lm})

    response = fetch_one(server.url("/feed"), last_modified=lm)

    assert response.kind == "not_modified"
    assert response.etag is None and response.last_modified == lm
    assert "If-None-Match" not in server.requests[0].headers


def test_304_without_validators_keeps_the_requests(server: LocalServer) -> None:
    server.handler("/feed", lambda req: Response(304))

    response = fetch_one(server.url("/feed"), etag='"e"', last_modified="lm", body_hash="h")

    assert response.kind == "not_modified"
    assert (response.etag, response.last_modified, response.body_hash) == ('"e"', "lm", "h")


def test_304_with_new_last_modified_and_same_etag_keeps_the_new_one(server: LocalServer) -> None:
    new_lm = "Thu, 22 Oct 2015 07:28:00 GMT"
    server.handler("/feed", lambda req: Response(304, {"ETag": '"e"', "Last-Modified": new_lm}))

    response = fetch_one(server.url("/feed"), etag='"e"', last_modified="old")

    assert (response.etag, response.last_modified) == ('"e"', new_lm)


def test_200_with_same_etag_and_new_last_modified_keeps_the_new_one(server: LocalServer) -> None:
    new_lm = "Thu, 22 Oct 2015 07:28:00 GMT"
    server.handler(
        "/feed", lambda req: Response(200, {"ETag": '"e"', "Last-Modified": new_lm}, RSS)
    )

    response = fetch_one(server.url("/feed"), etag='"e"', last_modified="old")

    assert response.kind == "ok"
    assert (response.etag, response.last_modified) == ('"e"', new_lm)


def test_200_without_validators_clears_them(server: LocalServer) -> None:
    server.route("/feed", RSS)

    response = fetch_one(server.url("/feed"), etag='"gone"', last_modified="old")

    assert response.kind == "ok"
    assert (response.etag, response.last_modified) == (None, None)


# --- redirects -----------------------------------------------------------------------------


@pytest.mark.parametrize("status", [301, 308])
def test_permanent_redirect_reports_moved_to(server: LocalServer, status: int) -> None:
    server.route("/old", status=status, headers={"Location": "/new"})
    server.route("/new", RSS, content_type=RSS_TYPE)

    response = fetch_one(server.url("/old"))

    assert response.kind == "ok"
    assert response.body == RSS
    assert response.url == response.moved_to == server.url("/new")
    assert response.requested_url == server.url("/old")


def test_chain_of_permanent_redirects_moves_to_the_end(server: LocalServer) -> None:
    server.route("/a", status=301, headers={"Location": server.url("/b")})
    server.route("/b", status=308, headers={"Location": "c"})
    server.route("/c", RSS)

    response = fetch_one(server.url("/a"))

    assert response.moved_to == server.url("/c")


@pytest.mark.parametrize("statuses", [(302,), (307,), (303,), (301, 302), (302, 301)])
def test_temporary_hop_means_no_moved_to(server: LocalServer, statuses: tuple[int, ...]) -> None:
    for i, status in enumerate(statuses):
        server.route(f"/r{i}", status=status, headers={"Location": f"/r{i + 1}"})
    server.route(f"/r{len(statuses)}", RSS)

    response = fetch_one(server.url("/r0"))

    assert response.kind == "ok"
    assert response.url == server.url(f"/r{len(statuses)}")
    assert response.moved_to is None


def test_permanent_redirect_to_a_failure_is_not_a_move(server: LocalServer) -> None:
    server.route("/old", status=301, headers={"Location": "/missing"})

    response = fetch_one(server.url("/old"))

    assert (response.kind, response.status, response.error) == ("error", 404, "HTTP 404 Not Found")
    assert response.url == server.url("/missing")
    assert response.moved_to is None


def test_permanent_redirect_then_304_is_a_move(server: LocalServer) -> None:
    server.route("/old", status=301, headers={"Location": "/new"})
    server.route("/new", RSS, headers={"ETag": '"e"'})

    response = fetch_one(server.url("/old"), etag='"e"')

    assert response.kind == "not_modified"
    assert response.moved_to == server.url("/new")
    assert server.requests_to("/new")[0].headers["If-None-Match"] == '"e"'


def test_redirect_loop(server: LocalServer) -> None:
    server.route("/a", status=302, headers={"Location": "/b"})
    server.route("/b", status=302, headers={"Location": "/a"})

    response = fetch_one(server.url("/a"))

    assert (response.kind, response.error) == ("error", "redirect loop")
    assert len(server.requests) <= 11


def test_too_many_redirects(server: LocalServer) -> None:
    for i in range(12):
        server.route(f"/r{i}", status=301, headers={"Location": f"/r{i + 1}"})
    server.route("/r12", RSS)

    response = fetch_one(server.url("/r0"))

    assert (response.kind, response.error) == ("error", "too many redirects")
    assert response.moved_to is None
    assert len(server.requests) == 11  # the original request and 10 redirects


def test_ten_redirects_are_allowed(server: LocalServer) -> None:
    for i in range(10):
        server.route(f"/r{i}", status=302, headers={"Location": f"/r{i + 1}"})
    server.route("/r10", RSS)

    assert fetch_one(server.url("/r0")).kind == "ok"


@pytest.mark.parametrize("location", ["file:///etc/passwd", "javascript:alert(1)", "ftp://x/y"])
def test_redirect_to_non_http_scheme(server: LocalServer, location: str) -> None:
    server.route("/feed", status=302, headers={"Location": location})

    response = fetch_one(server.url("/feed"))

    assert (response.kind, response.error) == ("error", "redirect to non-http URL")
    assert response.status == 302


def test_redirect_without_location_is_an_error(server: LocalServer) -> None:
    server.route("/feed", status=302)

    response = fetch_one(server.url("/feed"))

    assert (response.kind, response.status) == ("error", 302)
    assert response.error == "HTTP 302 Found without a Location"


# --- error statuses ------------------------------------------------------------------------


def test_410_is_gone(server: LocalServer) -> None:
    server.route("/feed", status=410)

    response = fetch_one(server.url("/feed"), etag='"e"', body_hash="h")

    assert (response.kind, response.status, response.error) == ("gone", 410, "HTTP 410 Gone")
    assert (response.etag, response.body_hash) == ('"e"', "h")  # the request's, unchanged


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_seconds(server: LocalServer, status: int) -> None:
    server.route("/feed", status=status, headers={"Retry-After": "120"})
    before = datetime.now(UTC)

    response = fetch_one(server.url("/feed"))

    assert response.kind == "retry_later"
    assert response.status == status
    assert response.retry_at is not None and response.retry_at.tzinfo is not None
    assert before + timedelta(seconds=119) <= response.retry_at
    assert response.retry_at <= datetime.now(UTC) + timedelta(seconds=121)
    assert response.error is not None and response.error.startswith(f"HTTP {status} ")


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_http_date(server: LocalServer, status: int) -> None:
    when = (datetime.now(UTC) + timedelta(hours=2)).replace(microsecond=0)
    server.route(
        "/feed", status=status, headers={"Retry-After": format_datetime(when, usegmt=True)}
    )

    response = fetch_one(server.url("/feed"))

    assert response.kind == "retry_later"
    assert response.retry_at == when
    assert response.retry_at is not None and response.retry_at.utcoffset() == timedelta(0)


def test_503_without_retry_after_is_an_error(server: LocalServer) -> None:
    server.route("/feed", status=503)

    response = fetch_one(server.url("/feed"))

    assert (response.kind, response.error) == ("error", "HTTP 503 Service Unavailable")
    assert response.retry_at is None


def test_503_with_unparseable_retry_after_is_an_error(server: LocalServer) -> None:
    server.route("/feed", status=503, headers={"Retry-After": "soon"})

    assert fetch_one(server.url("/feed")).kind == "error"


def test_429_without_retry_after_is_retry_later_without_a_time(server: LocalServer) -> None:
    server.route("/feed", status=429)

    response = fetch_one(server.url("/feed"))

    assert (response.kind, response.retry_at) == ("retry_later", None)
    assert response.error == "HTTP 429 Too Many Requests"


@pytest.mark.parametrize(
    ("status", "message"),
    [(404, "HTTP 404 Not Found"), (500, "HTTP 500 Internal Server Error"), (599, "HTTP 599")],
)
def test_error_statuses(server: LocalServer, status: int, message: str) -> None:
    server.route("/feed", "oops", status=status)

    response = fetch_one(server.url("/feed"), etag='"e"', last_modified="lm", body_hash="h")

    assert (response.kind, response.status, response.error) == ("error", status, message)
    assert response.body is None
    assert (response.etag, response.last_modified, response.body_hash) == ('"e"', "lm", "h")


# --- network failures ----------------------------------------------------------------------


def test_read_timeout(server: LocalServer) -> None:
    def never_answer(request: Request) -> None:
        request.stopping.wait(10)

    server.handler("/feed", never_answer)
    started = time.monotonic()

    response = fetch_one(server.url("/feed"), timeouts=Timeouts(connect=1, read=0.3, total=5))

    assert (response.kind, response.status) == ("error", None)
    assert response.error == "timed out after 0.3 s"
    assert time.monotonic() - started < 2


def trickle(request: Request) -> None:
    """Headers, then one byte every 0.1 s: never idle long enough for a read timeout."""
    assert request.wfile is not None
    request.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
    for _ in range(1000):
        if request.stopping.wait(0.1):
            return
        try:
            request.wfile.write(b"x")
        except OSError:
            return


def test_total_deadline_stops_a_trickling_server(server: LocalServer) -> None:
    server.handler("/feed", trickle)
    started = time.monotonic()

    response = fetch_one(server.url("/feed"), timeouts=Timeouts(connect=1, read=1, total=0.6))

    assert (response.kind, response.error) == ("error", "took longer than 0.6 s")
    assert time.monotonic() - started < 2


def test_deadline_does_not_count_time_queued_behind_other_feeds(server: LocalServer) -> None:
    # Four feeds, one at a time, 0.15 s each: the last waits 0.45 s, but takes only 0.15 s.
    server.route("/feed", RSS, delay=0.15)
    requests = [FeedRequest(i, server.url(f"/feed?{i}")) for i in range(4)]

    responses = fetch_all(requests, per_host=1, timeouts=Timeouts(connect=1, read=1, total=0.4))

    assert [r.kind for r in responses] == ["ok"] * 4


def test_connection_refused() -> None:
    response = fetch_one(f"http://127.0.0.1:{free_port()}/feed")

    assert (response.kind, response.status, response.error) == ("error", None, "connection refused")


def test_server_closing_the_connection_is_an_error(server: LocalServer) -> None:
    server.handler("/feed", lambda request: None)  # read the request, answer nothing, close

    response = fetch_one(server.url("/feed"))

    assert response.kind == "error"
    assert response.error is not None and "\n" not in response.error


@pytest.mark.parametrize("url", ["ftp://example.org/feed", "file:///etc/passwd", "feed.xml", ""])
def test_non_http_urls_are_refused_without_a_request(server: LocalServer, url: str) -> None:
    response = fetch_one(url)

    assert (response.kind, response.status) == ("error", None)
    assert response.error == "not an http(s) URL"
    assert response.requested_url == url


# --- size caps -----------------------------------------------------------------------------


def test_size_cap_with_content_length(server: LocalServer) -> None:
    server.route("/feed", b"x" * 200_000)

    response = fetch_one(server.url("/feed"), max_bytes=64 * 1024)

    assert (response.kind, response.error) == ("error", "response larger than 64 KiB")
    assert response.status == 200 and response.body is None


def test_size_cap_without_content_length(server: LocalServer) -> None:
    def unbounded(request: Request) -> None:
        assert request.wfile is not None
        request.wfile.write(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")
        try:
            for _ in range(10_000):
                request.wfile.write(b"x" * 4096)
        except OSError:
            pass  # the client hung up, as it should

    server.handler("/feed", unbounded)

    response = fetch_one(server.url("/feed"), max_bytes=100_000)

    assert (response.kind, response.error) == ("error", "response larger than 100000 bytes")


def test_default_size_cap_message() -> None:
    from pkm.fetch import DEFAULT_MAX_BYTES
    from pkm.files import describe_size

    assert DEFAULT_MAX_BYTES == 15 * 2**20
    assert describe_size(DEFAULT_MAX_BYTES) == "15 MiB"


def zeros_gzip(size: int) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = b"\0" * 2**20
    return b"".join(compressor.compress(chunk) for _ in range(size // len(chunk))) + (
        compressor.flush()
    )


@pytest.mark.parametrize("encoding", ["gzip", "br"])
def test_compression_bomb_is_cut_off_without_expanding(server: LocalServer, encoding: str) -> None:
    expanded = 32 * 2**20
    if encoding == "gzip":
        bomb = zeros_gzip(expanded)
    else:
        bomb = brotli.compress(b"\0" * expanded, quality=1)
    assert len(bomb) < 100_000
    server.route("/feed", bomb, headers={"Content-Encoding": encoding})

    tracemalloc.start()
    try:
        response = fetch_one(server.url("/feed"), max_bytes=2**19)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert (response.kind, response.error) == ("error", "response larger than 512 KiB")
    assert peak < 4 * 2**20  # a fraction of the 32 MiB the bomb expands to


# --- concurrency ---------------------------------------------------------------------------


class Gauge:
    """Counts requests in flight across servers (for limits spanning hosts)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.current = 0
        self.peak = 0

    def slow_handler(self, seconds: float) -> Any:
        def handle(request: Request) -> Response:
            with self._lock:
                self.current += 1
                self.peak = max(self.peak, self.current)
            time.sleep(seconds)
            with self._lock:
                self.current -= 1
            return Response(200, {}, RSS, RSS_TYPE)

        return handle


def test_per_host_limit_is_respected(server: LocalServer) -> None:
    server.route("/feed", RSS, delay=0.15)
    requests = [FeedRequest(i, server.url(f"/feed?{i}")) for i in range(12)]

    responses = fetch_all(requests, per_host=3)

    assert sorted(r.feed_id for r in responses) == list(range(12))
    assert server.max_in_flight == 3


def test_connections_are_kept_alive(server: LocalServer) -> None:
    server.route("/feed", RSS)
    requests = [FeedRequest(i, server.url(f"/feed?{i}")) for i in range(40)]

    responses = fetch_all(requests, per_host=2)

    assert all(r.kind == "ok" for r in responses)
    connections = {r.client for r in server.requests}
    assert len(connections) <= 2


def test_overall_limit_spans_hosts() -> None:
    gauge = Gauge()
    with LocalServer("127.0.0.1") as one, LocalServer("127.0.0.2") as two:
        for s in (one, two):
            s.handler("/feed", gauge.slow_handler(0.1))
        requests = [FeedRequest(i, s.url(f"/feed?{i}")) for i in range(5) for s in (one, two)]
        requests = [FeedRequest(i, r.url) for i, r in enumerate(requests)]

        responses = fetch_all(requests, max_connections=3, per_host=4)

    assert len(responses) == 10 and all(r.kind == "ok" for r in responses)
    assert gauge.peak == 3


def test_hosts_are_fetched_in_parallel_even_when_the_list_is_sorted() -> None:
    # All of host one's feeds come first; host two must not wait behind them.
    with LocalServer("127.0.0.1") as one, LocalServer("127.0.0.2") as two:
        one.route("/feed", RSS, delay=0.2)
        two.route("/feed", RSS, delay=0.2)
        urls = [one.url(f"/feed?{i}") for i in range(6)] + [two.url(f"/feed?{i}") for i in range(6)]
        started = time.monotonic()

        responses = fetch_all([FeedRequest(i, u) for i, u in enumerate(urls)], per_host=2)

        elapsed = time.monotonic() - started
    assert all(r.kind == "ok" for r in responses)
    assert elapsed < 1.0  # 3 rounds of 0.2 s on both hosts at once, not 6 rounds


def test_many_feeds_over_many_hosts_all_come_back() -> None:
    servers = [LocalServer(f"127.0.0.{i}").start() for i in range(1, 5)]
    try:
        for s in servers:
            s.route("/feed", RSS, content_type=RSS_TYPE)
            s.route("/gone", status=410)
        requests = [
            FeedRequest(i, servers[i % 4].url("/gone" if i % 10 == 0 else f"/feed?{i}"))
            for i in range(200)
        ]

        responses = fetch_all(requests, max_connections=16)
    finally:
        for s in servers:
            s.stop()

    assert sorted(r.feed_id for r in responses) == list(range(200))
    by_id = {r.feed_id: r for r in responses}
    assert all(by_id[i].kind == ("gone" if i % 10 == 0 else "ok") for i in range(200))
    assert all(by_id[i].requested_url == requests[i].url for i in range(200))


def test_stopping_early_cancels_the_rest(server: LocalServer) -> None:
    server.route("/fast", RSS)
    server.route("/slow", RSS, delay=5)
    requests = [FeedRequest(0, server.url("/fast"))] + [
        FeedRequest(i, server.url(f"/slow?{i}")) for i in range(1, 4)
    ]

    async def first() -> FeedResponse:
        async with aclosing(fetch_feeds(requests, timeouts=FAST)) as responses:
            async for response in responses:
                return response
        raise AssertionError("no response")

    started = time.monotonic()
    assert asyncio.run(first()).feed_id == 0
    assert time.monotonic() - started < 2


def test_no_requests_yields_nothing() -> None:
    assert fetch_all([]) == []


# --- fetch_page ----------------------------------------------------------------------------


def test_fetch_page_follows_redirects(server: LocalServer) -> None:
    page = b"<html><head><title>Hi</title></head></html>"
    server.route("/", status=302, headers={"Location": "/home"})
    server.route("/home", page, content_type="text/html; charset=utf-8")

    result = fetch_page(server.url("/"), timeouts=FAST)

    assert (result.url, result.status, result.body) == (server.url("/home"), 200, page)
    assert result.content_type == "text/html; charset=utf-8"
    assert "text/html" in server.requests[0].headers["Accept"]
    assert server.requests[0].headers["User-Agent"] == USER_AGENT


def test_fetch_page_errors(server: LocalServer) -> None:
    server.route("/big", b"x" * 5000)

    with pytest.raises(FetchError, match="^HTTP 404 Not Found$"):
        fetch_page(server.url("/missing"), timeouts=FAST)
    with pytest.raises(ResponseTooLargeError, match="^response larger than 1 KiB$"):
        fetch_page(server.url("/big"), max_bytes=1024, timeouts=FAST)
    with pytest.raises(FetchError, match="^connection refused$"):
        fetch_page(f"http://127.0.0.1:{free_port()}/", timeouts=FAST)
    with pytest.raises(InvalidURLError):
        fetch_page("javascript:alert(1)")


def test_fetch_page_works_inside_a_running_event_loop(server: LocalServer) -> None:
    server.route("/", b"<html></html>", content_type="text/html")

    async def inside() -> bytes:
        return fetch_page(server.url("/"), timeouts=FAST).body

    assert asyncio.run(inside()) == b"<html></html>"
