"""Property-based fuzzing of every parser pkm owns: arbitrary input gives a result or pkm's
own error, never another exception, and normalisation is idempotent."""

from __future__ import annotations

import json
import string
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pkm.discover import discover_feeds, looks_like_html, page_metadata
from pkm.errors import FormatError, InvalidTagError, InvalidURLError, QueryError
from pkm.formats import backup
from pkm.formats.netscape import parse_netscape
from pkm.formats.opml import parse_opml
from pkm.formats.pinboard import parse_pinboard
from pkm.parse import _collapse
from pkm.query import parse_query, parse_since
from pkm.storage.filters import where_clause
from pkm.tagnames import clean_tag, clean_tags, tag_key
from pkm.urls import check_url, normalize_url

pytestmark = pytest.mark.timeout(300)

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)

# Unicode text, with a bias towards what breaks parsers: controls, markup, quotes, escapes.
nasty = st.sampled_from(
    ["\x00", "\x1b[31m", "\x9b", "\u202e", "\ufeff", "\ud800", "&", "&amp;", "&#0;", "&#x1b;"]
    + ["<", ">", '"', "'", "\\", "%", "%00", "%zz", "#", "?", "@", ":", "/", "[", "]", " "]
    + ["\t", "\n", "\r\n", "é", "ß", "İ", "ﬁ", "Ω", "\u0301", "𝔘", "\u200d", "\uffff"]
)
texts = st.one_of(
    st.text(max_size=40),
    st.lists(st.one_of(nasty, st.text(max_size=4)), max_size=20).map("".join),
)


# --- the query language --------------------------------------------------------------------

QUERY_PARTS = [
    "hybrid", "events", '"exact phrase"', '"open', "OR", "AND", "NOT", "-", "-word", "pre*",
    "*", "(", ")", "#tag", "#conf*", "-#tag", "#", "feed:", "feed:jarche", 'feed:"Harold J"',
    "site:example.org", "site:", "since:7d", "since:2026-01-01", "since:yesterday", "since:x",
    "is:saved", "is:unread", "is:muted", "!untagged", "!", "NEAR(a b)", "^", ":", "+", "c:",
    "http://x.example/a?b=c", " ", "  ", "ideeën", "\x00", "\x1b",
]  # fmt: skip
queries = st.one_of(
    texts,
    st.lists(st.sampled_from(QUERY_PARTS), max_size=12).map(" ".join),
    st.lists(st.one_of(st.sampled_from(QUERY_PARTS), texts), max_size=8).map("".join),
)


@FUZZ
@given(queries)
def test_any_query_parses_or_raises_query_error(text: str) -> None:
    try:
        query = parse_query(text, now=NOW)
    except QueryError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    sql, params = where_clause(query)
    assert isinstance(sql, str) and isinstance(params, list)


@FUZZ
@given(
    st.one_of(
        texts,
        st.from_regex(r"\A-?[0-9]{0,12}[hdwmy]?\Z"),
        st.from_regex(r"\A[0-9]{1,5}-[0-9]{1,3}-[0-9]{1,3}\Z"),
        st.sampled_from(["today", "yesterday", "7d", "99999999999d", "0d", "2026-02-30"]),
    )
)
def test_any_since_parses_or_raises_query_error(text: str) -> None:
    try:
        when = parse_since(text, now=NOW)
    except QueryError:
        return
    assert when.tzinfo is not None


# --- OPML and Netscape bookmark files -------------------------------------------------------

OPML_PARTS = [
    '<?xml version="1.0" encoding="utf-8"?>', '<?xml version="1.0" encoding="utf-16"?>',
    "<opml>", '<opml version="2.0">', "</opml>", "<body>", "</body>", "<head><title>t</title>",
    "</head>", '<outline text="Folder">', "</outline>", '<outline type="rss" xmlUrl="',
    'https://ok.example/feed', 'javascript:alert(1)', 'file:///etc/passwd', 'feed:https://f.example/',
    '" title="T"/>', '" htmlUrl="', '"/>', "<!DOCTYPE x [<!ENTITY a \"&#38;a;&#38;a;\">]>", "&a;",
    "&amp;", "&eacute;", "&", "<!--", "-->", "<![CDATA[", "]]>", "\ufeff", "<",
]  # fmt: skip
NETSCAPE_PARTS = [
    "<!DOCTYPE NETSCAPE-Bookmark-file-1>", '<META HTTP-EQUIV="Content-Type" CONTENT="text/html;'
    ' charset=UTF-8">', "<DL><p>", "</DL><p>", "<DT>", "<DD>", "<H3>Folder</H3>",
    '<H3 PERSONAL_TOOLBAR_FOLDER="true">Bar</H3>', '<A HREF="', "https://ok.example/",
    "javascript:x",
    "place:sort=8", '" ADD_DATE="', "1700000000", "99999999999999999999", "-1", '" TAGS="',
    "a,b", '" PRIVATE="1', '" TOREAD="1', '">', "Title", "</A>", "<p>", "&amp;", "&lt;", "&#0;",
    '"', "'", "<", ">", "\n", "\x00",
]  # fmt: skip


def markup(parts: list[str]) -> st.SearchStrategy[bytes]:
    fragments = st.one_of(st.sampled_from(parts), texts)
    encodings = st.sampled_from(["utf-8", "utf-16", "latin-1", "cp1252"])
    return st.builds(
        lambda pieces, encoding: "".join(pieces).encode(encoding, "replace"),
        st.lists(fragments, max_size=30),
        encodings,
    )


@FUZZ
@given(st.one_of(markup(OPML_PARTS), st.binary(max_size=300)))
def test_any_opml_gives_feeds_or_format_error(data: bytes) -> None:
    try:
        result = parse_opml(data)
    except FormatError as exc:
        assert "\n" not in str(exc)
        return
    for feed in result.feeds:
        assert urlsplit(feed.url).scheme in ("http", "https"), feed.url
    assert all("\n" not in problem for problem in result.problems)


@FUZZ
@given(st.one_of(markup(NETSCAPE_PARTS), st.binary(max_size=300)), st.booleans())
def test_any_bookmark_file_gives_bookmarks_or_format_error(data: bytes, folders: bool) -> None:
    try:
        result = parse_netscape(data, folders_as_tags=folders)
    except FormatError:
        return
    for bookmark in result.bookmarks:
        assert urlsplit(bookmark.url).scheme.lower() in ("http", "https"), bookmark.url
        for tag in bookmark.tags:
            assert tag == tag.strip() and tag


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), texts),
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(texts, children, max_size=4)
    ),
    max_leaves=20,
)
POSTS = st.lists(
    st.fixed_dictionaries(
        {},
        optional={
            "href": st.one_of(st.sampled_from(["https://ok.example/", "javascript:x"]), texts),
            "description": json_values,
            "extended": json_values,
            "tags": json_values,
            "time": st.one_of(st.sampled_from(["2026-01-01T00:00:00Z", "9999-99"]), texts),
            "toread": json_values,
            "shared": json_values,
        },
    ),
    max_size=5,
)
DEEP = b"[" * 100_000 + b"]" * 100_000


@FUZZ
@given(
    st.one_of(
        POSTS.map(json.dumps).map(str.encode),
        json_values.map(json.dumps).map(str.encode),
        st.binary(max_size=200),
    )
)
@example(DEEP)
@example(b'{"a":' * 50_000 + b"1" + b"}" * 50_000)
def test_any_pinboard_export_gives_bookmarks_or_format_error(data: bytes) -> None:
    try:
        result = parse_pinboard(data)
    except FormatError:
        return
    for bookmark in result.bookmarks:
        assert urlsplit(bookmark.url).scheme.lower() in ("http", "https")


@FUZZ
@given(st.one_of(json_values.map(json.dumps).map(str.encode), st.binary(max_size=200)))
@example(DEEP)
@example(
    b'{"format": "pkm-backup", "version": 1,'
    b' "tables": {"feeds": {"columns": ["a"], "rows": [[1], [2, 3]]}}}'
)
def test_any_backup_reads_or_raises_format_error(data: bytes) -> None:
    try:
        backup.read(data)
    except FormatError:
        pass


@FUZZ
@given(
    st.one_of(
        markup(
            [
                "<html>",
                "<head>",
                "<title>",
                "</title>",
                '<link rel="alternate" type="application/rss+xml" href="',
                "/feed",
                "javascript:x",
                '">',
                '<meta property="og:title" content="',
                '<base href="',
                "\x1b[31m",
                "<!--",
                "<script>",
            ]
        ),
        st.binary(max_size=300),
    )
)
def test_any_page_gives_metadata_and_only_web_feeds(data: bytes) -> None:
    meta = page_metadata(data, "https://page.example/a/")
    assert meta.title is None or "\n" not in meta.title
    looks_like_html(data)
    for feed in discover_feeds(data, "https://page.example/a/"):
        assert urlsplit(feed.url).scheme in ("http", "https"), feed.url


# --- URL and tag normalisation: a fixed point after one step ---------------------------------

hosts = st.one_of(
    st.sampled_from(
        ["example.org", "EXAMPLE.org.", "xn--bcher-kva.example", "bücher.example", "127.0.0.1",
         "[::1]", "[2001:DB8::1]", "localhost", "a.b.c.d.e", "ex%41mple.org", "", "[::1"]
    ),
    st.text(alphabet=string.ascii_letters + string.digits + ".-_~%", min_size=1, max_size=15),
)  # fmt: skip
urls = st.builds(
    lambda scheme, user, host, port, path, query, fragment: (
        f"{scheme}://{user}{host}{port}{path}{query}{fragment}"
    ),
    st.sampled_from(["http", "https", "HTTP", "HtTpS", "ftp", "javascript", "file", ""]),
    st.sampled_from(["", "user@", "user:pass@", "u%40x:p@", "@", ":@"]),
    hosts,
    st.sampled_from(["", ":80", ":443", ":8080", ":0", ":65535", ":99999", ":", ":x"]),
    st.one_of(st.sampled_from(["", "/", "/a/../b", "/%7Euser", "/a b", "/ü", "//x"]), texts),
    st.one_of(
        st.sampled_from(
            ["", "?", "?a=1&utm_source=x", "?utm_medium=y", "?fbclid=1&b=2", "?a=%20&a=+",
             "?=x", "?a", "?a=1;b=2", "?%zz=1", "?UTM_CAMPAIGN=1&x"]
        ),
        texts.map(lambda t: "?" + t),
    ),
    st.sampled_from(["", "#", "#top", "#a?b"]),
)  # fmt: skip


@FUZZ
@given(st.one_of(urls, texts))
@example("http://example.org?utm_source=x&a=%26")
@example("http://example.org/?a=1&b")
@example("http://./")  # a host of dots: no host, not "http:///"
def test_url_normalisation_is_idempotent(url: str) -> None:
    try:
        normal = normalize_url(url)
    except InvalidURLError as exc:
        assert "\n" not in str(exc)
        return
    assert normalize_url(normal) == normal, (url, normal)
    assert check_url(normal) == normal
    assert urlsplit(normal).scheme in ("http", "https")


@FUZZ
@given(st.one_of(urls, texts))
def test_check_url_accepts_only_web_urls(url: str) -> None:
    try:
        checked = check_url(url)
    except InvalidURLError:
        return
    parts = urlsplit(checked)
    assert parts.scheme.lower() in ("http", "https") and parts.hostname


tags = st.one_of(
    texts,
    st.lists(st.sampled_from(["#", "##", " ", "-", ",", "Conf", "ideeën", "IDEEËN", "ß", "ẞ",
        "İ", "ﬁ", "\u0301", "e\u0301", "\u200b", "\u00ad", "\x1b[31m", "[bold]"]), max_size=8
    ).map("".join),
    st.text(min_size=95, max_size=110),
)  # fmt: skip


@FUZZ
@given(tags)
@example("ẞ")
@example("İ")
@example("#" * 3 + "x")
def test_tag_normalisation_is_idempotent(raw: str) -> None:
    try:
        name = clean_tag(raw)
    except InvalidTagError as exc:
        assert "\n" not in str(exc)
        return
    assert clean_tag(name) == name
    key = tag_key(raw)
    assert tag_key(name) == key
    assert tag_key(key) == key, (raw, key)
    assert name.isprintable() and "," not in name and not name.startswith("#")


@FUZZ
@given(st.lists(tags, max_size=6))
def test_clean_tags_is_idempotent(raw: list[str]) -> None:
    try:
        names = clean_tags(raw)
    except InvalidTagError:
        return
    assert clean_tags(names) == names
    assert len({tag_key(n) for n in names}) == len(names)


@FUZZ
@given(texts)
def test_whitespace_collapse_matches_split_and_join(text: str) -> None:
    assert _collapse(text) == " ".join(text.split())
