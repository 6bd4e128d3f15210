"""pkm.parse: feeds in every format to ParsedFeed; bad input to ParseError, never worse."""

from __future__ import annotations

import io
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import fastfeedparser
import feedparser
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pkm import feedbytes
from pkm import parse as parse_module
from pkm.errors import ParseError
from pkm.parse import parse_feed
from pkm.types import ParsedEntry, ParsedFeed

FEEDS = Path(__file__).parent / "data" / "feeds"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "feeds"

URLS = {
    "rss2.xml": "https://blog.example.com/feed.xml",
    "atom.xml": "https://journal.example.org/atom.xml",
    "rss1.xml": "https://news.example.com/rss",
    "rss091.xml": "http://cafe.example.fr/rss.xml",
    "jsonfeed.json": "https://json.example.com/feed.json",
    "xml_base.xml": "https://base.example.com/feeds/atom.xml",
    "scripts.xml": "https://hostile.example.com/rss",
    "entities.xml": "https://entities.example.com/rss",
    "controls.xml": "https://controls.example.com/rss",
}


def fixture(name: str) -> bytes:
    return (FEEDS / name).read_bytes()


def parse_fixture(name: str) -> ParsedFeed:
    return parse_feed(fixture(name), URLS[name])


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def no_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parse_module, "_parse_fast", lambda body, url: None)


def fast_path_taken(body: bytes, url: str) -> bool:
    prepared = feedbytes.html_entities_to_refs(
        feedbytes.fix_encoding(feedbytes.remove_control_bytes(body))
    )
    return parse_module._parse_fast(prepared, url) is not None


# --- formats ------------------------------------------------------------------------------


def test_rss2() -> None:
    feed = parse_fixture("rss2.xml")
    assert feed.title == "Example Engineering Blog"
    assert feed.site_url == "https://blog.example.com/"
    assert [e.key for e in feed.entries] == [
        "guid:https://blog.example.com/2024/03/search-index",
        "guid:urn:uuid:5b1c6a3e-2f4e-4c55-9a8e-0d1f3c1b7e42",
        "guid:https://blog.example.com/2024/02/links-8",
        "link:https://blog.example.com/2024/02/no-guid",
        "hash:" + feed.entries[4].content_hash,
    ]
    assert [e.url for e in feed.entries] == [
        "https://blog.example.com/2024/03/search-index",
        "https://blog.example.com/2024/02/outage",
        "https://blog.example.com/2024/02/links-8",  # a permalink guid is the link
        "https://blog.example.com/2024/02/no-guid",
        None,
    ]
    first, second, third = feed.entries[:3]
    assert first.title == "Shipping the new search index"
    assert first.author == "Ada Lovelace"
    assert first.published == first.updated == utc(2024, 3, 5, 8, 30)
    assert first.summary_html == "We rebuilt the search index &amp; cut query latency in half."
    assert first.content_html == (
        "<p>We rebuilt the <strong>search index</strong> &amp; cut query latency in half.</p>\n"
        '<p>Read the <a href="https://blog.example.com/docs/search" rel="noopener noreferrer">'
        "docs</a>.</p>"
    )
    assert first.text == ("We rebuilt the search index & cut query latency in half. Read the docs.")
    assert second.author == "Grace Hopper"  # "oncall@example.com (Grace Hopper)"
    assert second.published == utc(2024, 2, 29, 18, 15)
    assert second.summary_html == "<p>A disk filled up. Here is what we changed.</p>"
    assert second.content_html is None
    assert third.published == utc(2024, 2, 26, 13, 0)
    assert feed.entries[4].title is None
    assert feed.entries[4].text == "An untitled note, with neither guid nor link."


def test_atom() -> None:
    feed = parse_fixture("atom.xml")
    assert feed.title == "Example Atom Journal"
    assert feed.site_url == "https://journal.example.org/"
    tables, maths = feed.entries
    assert tables.key == "guid:tag:journal.example.org,2024:tables"
    assert tables.url == "https://journal.example.org/2024/04/tables"
    assert tables.title == "Tables & chairs"
    assert tables.author == "Jane Writer"
    assert tables.published == utc(2024, 4, 1, 16, 0)
    assert tables.updated == utc(2024, 4, 2, 9, 30)
    assert tables.summary_html == "<p>On furniture.</p>"
    assert tables.content_html is not None
    assert tables.content_html.startswith("<p>Tables and <em>chairs</em>, line<br>break.</p>")
    assert "<span></span>" in tables.content_html  # XHTML <span/> must not swallow the rest
    assert "xmlns" not in tables.content_html
    assert tables.text == "On furniture. Tables and chairs, line break. elsewhere"
    # type="text" stays text: its angle brackets are escaped, not read as markup
    assert maths.title == "Plain text: 1 < 2 & 3 > 2"
    assert maths.content_html == "Inequalities: 1 &lt; 2 &amp; &lt;b&gt;not bold&lt;/b&gt;."
    assert maths.text == "Inequalities: 1 < 2 & <b>not bold</b>."
    assert maths.published == maths.updated == utc(2024, 3, 15)  # published falls back


def test_rss1_rdf_items_outside_channel() -> None:
    feed = parse_fixture("rss1.xml")
    assert feed.title == "Example News"
    assert feed.site_url == "https://news.example.com/"
    library, lanes = feed.entries
    assert library.key == "guid:https://news.example.com/story/1"
    assert library.url == "https://news.example.com/story/1"
    assert library.author == "City Desk"
    assert library.published == utc(2024, 1, 18, 15, 20)
    assert library.summary_html == "The library now closes at 21:00 on Thursdays."
    assert lanes.summary_html == "Short version."
    assert lanes.content_html == (
        '<p>The <b>long</b> version, with a <img src="https://news.example.com/img/lanes.png"'
        ' alt="map"> map.</p>'
    )


def test_rss091_with_netscape_doctype_and_html_entities() -> None:
    feed = parse_fixture("rss091.xml")
    assert feed.title == "Le Café Français"
    assert [(e.title, e.url, e.summary_html) for e in feed.entries] == [
        ("Crème brûlée & thé", "http://cafe.example.fr/creme", "Au menu dès lundi.")
    ]


def test_json_feed() -> None:
    feed = parse_fixture("jsonfeed.json")
    assert feed.title == "Example JSON Feed"
    assert feed.site_url == "https://json.example.com/"
    latest, first, link_post = feed.entries
    assert latest == ParsedEntry(
        key="guid:https://json.example.com/posts/2",
        url="https://json.example.com/posts/2",
        title="Second & latest",
        author="Item Author",
        summary_html="A greeting &lt;not a tag&gt;",
        content_html=(
            '<p>Hello <a href="https://json.example.com/about" rel="noopener noreferrer">'
            "there</a></p>"
        ),
        text="A greeting <not a tag> Hello there",
        published=utc(2024, 5, 2, 14, 0),
        updated=utc(2024, 5, 3, 8, 0),
        content_hash=latest.content_hash,
    )
    assert first.key == "guid:1"
    assert first.url == "https://json.example.com/posts/1"
    assert first.content_html == "Plain text body\nwith &lt;angle brackets&gt; &amp; an ampersand."
    assert first.published == first.updated == utc(2024, 5, 1, 9, 0)
    assert link_post.key == "link:https://elsewhere.example.net/article"


def test_json_feed_by_content_type_and_version_1_0_author() -> None:
    body = (
        b' {"version": "https://jsonfeed.org/version/1", "title": "Old",'
        b' "items": [{"id": "a", "content_text": "x", "author": {"name": "Solo"}}, 5]}'
    )
    feed = parse_feed(body, "https://j.example/feed", "application/feed+json")
    assert feed.title == "Old"
    assert [(e.key, e.author) for e in feed.entries] == [("guid:a", "Solo")]


def test_atom_03_and_rss_090_go_through_feedparser() -> None:
    atom03 = b"""<feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>Old Atom</title>
    <link rel="alternate" type="text/html" href="http://old.example/"/>
    <entry><title>E1</title><link rel="alternate" type="text/html" href="http://old.example/1"/>
    <id>tag:old,1</id><issued>2003-12-31T10:00:00-05:00</issued>
    <content type="text/html" mode="escaped">&lt;p&gt;hi&lt;/p&gt;</content></entry></feed>"""
    feed = parse_feed(atom03, "http://old.example/atom.xml")
    assert (feed.title, feed.site_url) == ("Old Atom", "http://old.example/")
    (entry,) = feed.entries
    assert (entry.key, entry.url, entry.content_html) == (
        "guid:tag:old,1",
        "http://old.example/1",
        "<p>hi</p>",
    )
    assert entry.published == utc(2003, 12, 31, 15, 0)
    # RSS 0.90 items are in a namespace fastfeedparser does not look in: the count guard
    # sees two items against none and hands the document to feedparser.
    rss090 = b"""<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    xmlns="http://my.netscape.com/rdf/simple/0.9/"><channel><title>Mozilla Dot Org</title>
    <link>http://www.mozilla.org</link></channel>
    <item><title>New Status Updates</title><link>http://www.mozilla.org/status/</link></item>
    <item><title>Bugzilla Reorganized</title><link>http://www.mozilla.org/bugs/</link></item>
    </rdf:RDF>"""
    assert not fast_path_taken(rss090, "http://www.mozilla.org/rss.rdf")
    feed = parse_feed(rss090, "http://www.mozilla.org/rss.rdf")
    assert [e.title for e in feed.entries] == ["New Status Updates", "Bugzilla Reorganized"]


def test_feed_served_as_text_html_is_still_a_feed() -> None:
    feed = parse_feed(fixture("rss1.xml"), URLS["rss1.xml"], "text/html; charset=iso-8859-1")
    assert feed == parse_fixture("rss1.xml")


def test_utf16_feed() -> None:
    text = '<?xml version="1.0" encoding="utf-16"?><rss version="2.0"><channel><title>Wide ☃'
    text += "</title><item><title>Schnee</title><link>/s</link></item></channel></rss>"
    feed = parse_feed(text.encode("utf-16"), "https://wide.example/feed")
    assert feed.title == "Wide ☃"
    assert [(e.title, e.url) for e in feed.entries] == [("Schnee", "https://wide.example/s")]


# --- URLs ---------------------------------------------------------------------------------


def test_relative_links_resolved_against_xml_base_and_feed_url() -> None:
    feed = parse_fixture("xml_base.xml")
    assert feed.site_url == "https://base.example.com/blog/"
    first, second, ftp = feed.entries
    assert first.url == "https://base.example.com/blog/posts/first.html"
    assert first.content_html == (
        '<p><img src="https://cdn.example.net/assets/pic.png"> '
        '<a href="https://cdn.example.net/about" rel="noopener noreferrer">about</a> '
        '<a href="https://other.example.org/x" rel="noopener noreferrer">x</a> '
        '<a href="https://cdn.example.net/assets/#top" rel="noopener noreferrer">top</a></p>'
    )
    assert second.url == "https://base.example.com/elsewhere/second.html"
    assert second.summary_html == (
        '<a href="https://base.example.com/blog/second.html" rel="noopener noreferrer">read</a>'
    )
    assert ftp.url is None  # only http(s) links are kept
    assert ftp.key == "guid:tag:base.example.com,2024:ftp"


def test_relative_rss_link_against_feed_url() -> None:
    body = b"<rss><channel><link>/home</link><item><title>t</title><link>p/1</link></item>"
    body += b"</channel></rss>"
    feed = parse_feed(body, "https://rel.example/feeds/main.xml")
    assert feed.site_url == "https://rel.example/home"
    assert feed.entries[0].url == "https://rel.example/feeds/p/1"
    assert feed.entries[0].key == "link:https://rel.example/feeds/p/1"


def test_guid_that_is_no_url_is_not_a_link() -> None:
    body = b"<rss><channel><item><title>t</title><guid>item-17</guid></item></channel></rss>"
    (entry,) = parse_feed(body, "https://g.example/feed").entries
    assert (entry.key, entry.url) == ("guid:item-17", None)


# --- sanitising and plain text ------------------------------------------------------------


def test_scripts_iframes_and_handlers_are_removed() -> None:
    feed = parse_fixture("scripts.xml")
    assert feed.site_url is None  # javascript: is no site
    (entry,) = feed.entries
    assert entry.url is None
    assert entry.title == "Click me"
    html = entry.summary_html or ""
    for bad in (
        "script", "alert", "cookie", "style", "iframe", "fallback text", "onclick", "onerror",
        "onmouseover", "javascript:", "data:", "object", "embed", "swf", "form", "input",
        "tracker", "position:fixed", "target=",
    ):  # fmt: skip
        assert bad not in html, bad
    assert "<p>Hello <b>world</b></p>" in html
    assert '<a href="https://good.example/page" rel="noopener noreferrer">good link</a>' in html
    assert '<img src="https://hostile.example.com/img/ok.png" alt="ok">' in html
    assert entry.text == "Hello world js link good link"


def test_titles_with_html_and_entities_become_plain_text() -> None:
    feed = parse_fixture("entities.xml")
    assert feed.title == "Ben & Jerry’s Blog"
    assert [e.title for e in feed.entries] == [
        "AT&T & T-Mobile — a bold merger…",
        "Café & crème brûlée",
        "Lots of white space",
        "x < y and y > z",
    ]


def test_control_characters_and_escape_sequences_are_stripped() -> None:
    feed = parse_fixture("controls.xml")
    assert feed.title == "Control Characters"
    first, second = feed.entries
    assert first.title == "Red alert and a bell and a set"
    # C1 characters are read as cp1252, as HTML reads them: &#x85; is "…", &#x9B; is "›"
    assert first.summary_html == "Backspace, formfeed, NEL…and CSI›31m here."
    assert second.title == "Tab here, C1›31m stays out"
    for text in (feed.title, first.title, first.summary_html, first.text, second.title):
        assert text is not None
        assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in text), text


def test_nul_bytes_in_the_document() -> None:
    body = b"<rss><channel><title>N\x00U\x00L</title><item><title>a\x00b</title>"
    body += b"<link>https://n.example/1</link></item></channel></rss>"
    feed = parse_feed(body, "https://n.example/feed")
    assert feed.title == "NUL"
    assert feed.entries[0].title == "ab"


def test_control_characters_in_json_feed() -> None:
    body = b'{"version": "https://jsonfeed.org/version/1.1", "title": "J\\u001b[2Jx\\u0000",'
    body += b' "items": [{"id": "\\ud800i", "title": "\\u0081t", "content_text": "a\\u0007b"}]}'
    feed = parse_feed(body, "https://j.example/feed.json")
    assert feed.title == "Jx"
    (entry,) = feed.entries
    assert (entry.key, entry.title, entry.content_html, entry.text) == ("guid:i", "t", "ab", "ab")


# --- keys, hashes and dates ---------------------------------------------------------------


def rss_item(item: str) -> bytes:
    return f"<rss><channel><title>k</title><item>{item}</item></channel></rss>".encode()


def test_keys_are_prefixed_and_stable() -> None:
    url = "https://k.example/feed"
    with_guid = parse_feed(rss_item("<guid> g-1 </guid><link>https://k.example/1</link>"), url)
    with_link = parse_feed(rss_item("<link>https://k.example/1</link>"), url)
    bare = parse_feed(rss_item("<title>only a title</title>"), url)
    assert with_guid.entries[0].key == "guid:g-1"
    assert with_link.entries[0].key == "link:https://k.example/1"
    assert bare.entries[0].key == "hash:" + bare.entries[0].content_hash
    assert parse_feed(rss_item("<title>only a title</title>"), url) == bare


def test_content_hash_changes_with_content() -> None:
    url = "https://k.example/feed"
    before = parse_feed(rss_item("<guid>g</guid><description>one</description>"), url)
    after = parse_feed(rss_item("<guid>g</guid><description>two</description>"), url)
    assert before.entries[0].key == after.entries[0].key
    assert before.entries[0].content_hash != after.entries[0].content_hash
    assert len(before.entries[0].content_hash) == 64


@pytest.mark.parametrize(
    ("element", "expected"),
    [
        ("<pubDate>Sat, 01 Jun 2024 23:30:00 -0230</pubDate>", utc(2024, 6, 2, 2, 0)),
        ("<pubDate>Sat, 01 Jun 2024 12:00:00 EST</pubDate>", utc(2024, 6, 1, 17, 0)),
        ("<dc:date>2024-06-01T12:00:00.750+02:00</dc:date>", utc(2024, 6, 1, 10, 0)),
        ("<pubDate>not a date</pubDate>", None),
    ],
)
def test_dates_become_utc(element: str, expected: datetime | None) -> None:
    body = rss_item(f"<title>d</title>{element}").replace(
        b"<rss>", b'<rss xmlns:dc="http://purl.org/dc/elements/1.1/">'
    )
    (entry,) = parse_feed(body, "https://d.example/feed").entries
    assert entry.published == expected
    assert entry.published is None or entry.published.tzinfo == UTC


# --- fast path and fallback -----------------------------------------------------------------


FAST_FIXTURES = [
    "atom.xml",
    "rss1.xml",
    "rss091.xml",
    "xml_base.xml",
    "scripts.xml",
    "entities.xml",
    "controls.xml",
]


@pytest.mark.parametrize("name", FAST_FIXTURES)
def test_fast_path_agrees_with_feedparser_fallback(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert fast_path_taken(fixture(name), URLS[name])
    fast = parse_fixture(name)
    monkeypatch.setattr(parse_module, "_parse_fast", lambda body, url: None)
    assert parse_fixture(name) == fast


def test_entry_without_title_and_link_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    body = fixture("rss2.xml")
    assert not fast_path_taken(body, URLS["rss2.xml"])  # its last item has neither
    trimmed = body[: body.rindex(b"<item>")] + b"</channel></rss>"
    assert fast_path_taken(trimmed, URLS["rss2.xml"])
    fast = parse_feed(trimmed, URLS["rss2.xml"])
    assert fast.entries == parse_fixture("rss2.xml").entries[:4]
    monkeypatch.setattr(parse_module, "_parse_fast", lambda body, url: None)
    assert parse_feed(trimmed, URLS["rss2.xml"]) == fast


def wrap_fastfeedparser(monkeypatch: pytest.MonkeyPatch, change: Any) -> None:
    real = fastfeedparser.parse

    def fake(body: bytes) -> Any:
        return change(real(body))

    monkeypatch.setattr(fastfeedparser, "parse", fake)


def drop_last(result: Any) -> Any:
    result["entries"] = result["entries"][:-1]
    return result


def swap_first_two(result: Any) -> Any:
    result["entries"][:2] = result["entries"][1::-1]
    return result


def explode(result: Any) -> Any:
    raise RuntimeError("fastfeedparser broke")


@pytest.mark.parametrize("change", [drop_last, swap_first_two, explode])
def test_untrustworthy_fast_result_falls_back(change: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = parse_fixture("atom.xml")
    wrap_fastfeedparser(monkeypatch, change)
    assert not fast_path_taken(fixture("atom.xml"), URLS["atom.xml"])
    assert parse_fixture("atom.xml") == expected


def test_malformed_feed_is_salvaged_by_the_fallback() -> None:
    body = fixture("rss2.xml").replace(b"</description>", b"", 1)  # an unclosed element
    assert not fast_path_taken(body, URLS["rss2.xml"])
    feed = parse_feed(body, URLS["rss2.xml"])
    assert feed.title == "Example Engineering Blog"
    assert len(feed.entries) >= 4


def test_wrong_declared_encoding() -> None:
    doc = '<?xml version="1.0" encoding="{}"?><rss><channel><title>Café</title>'
    doc += (
        "<item><title>Crème brûlée</title><link>https://e.example/1</link></item></channel></rss>"
    )
    for declared, encoding in [("iso-8859-1", "utf-8"), ("utf-8", "cp1252"), ("UTF-8", "latin-1")]:
        feed = parse_feed(doc.format(declared).encode(encoding), "https://e.example/feed")
        assert feed.title == "Café", (declared, encoding)
        assert feed.entries[0].title == "Crème brûlée", (declared, encoding)


def test_mostly_utf8_with_stray_cp1252_bytes() -> None:
    body = "<rss><channel><title>Caf\u00e9 \u2013 ".encode() + b"\x93quoted\x94"
    body += b"</title><item><title>x</title><link>https://e.example/</link></item></channel></rss>"
    assert parse_feed(body, "https://e.example/feed").title == "Café – “quoted”"


# --- not feeds ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        (b"", None, "not a feed: empty document"),
        (b" \r\n\t ", None, "not a feed: empty document"),
        (b"\xef\xbb\xbf\x00\x00", None, "not a feed: empty document"),
        (b"<!DOCTYPE html><html><body>hi</body></html>", None, "not a feed: got an HTML page"),
        (
            b"<html><head><title>t</title></head></html>",
            "text/html",
            "not a feed: got an HTML page",
        ),
        (b"<div><p>a fragment</p></div>", "text/html; charset=utf-8", "not a feed: got an HTML"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", None, "not a feed: neither XML nor JSON"),
        (b"hello, world", None, "not a feed: neither XML nor JSON"),
        (b"<?xml version='1.0'?><rss version='2.0'><chan", None, "malformed XML: "),
        (b"<config><value>1</value></config>", None, "not a feed: no RSS, Atom or JSON Feed"),
        (b'{"version": ', None, "not a feed: malformed JSON"),
        (b'{"title": "no version"}', None, "not a feed: JSON document is not a JSON Feed"),
        (b"[1, 2]", None, "not a feed: JSON document is not a JSON Feed"),
    ],
)
def test_not_a_feed(body: bytes, content_type: str | None, reason: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_feed(body, "https://x.example/feed", content_type)
    assert str(caught.value).startswith(reason)
    assert "\n" not in str(caught.value)


def test_html_page_fixture() -> None:
    with pytest.raises(ParseError, match="^not a feed: got an HTML page$"):
        parse_feed(fixture("not_a_feed.html"), "https://x.example/")


def test_empty_feed_is_a_feed() -> None:
    feed = parse_feed(b'<rss version="2.0"><channel><title>Quiet</title></channel></rss>', "")
    assert feed == ParsedFeed(title="Quiet", site_url=None, entries=())


def test_billion_laughs_is_refused_quickly() -> None:
    start = time.perf_counter()
    with pytest.raises(ParseError, match="entities"):
        parse_feed(fixture("billion_laughs.xml"), "https://x.example/")
    assert time.perf_counter() - start < 0.5


def test_quadratic_blowup_and_external_entities_are_refused() -> None:
    quadratic = b'<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY a "' + b"A" * 50_000
    quadratic += b'">\n]>\n<rss><channel><title>' + b"&a;" * 20_000 + b"</title></channel></rss>"
    external = b'<!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    external += b"<rss><channel><title>&x;</title></channel></rss>"
    for body in (quadratic, external, external.decode().encode("utf-16")):
        start = time.perf_counter()
        with pytest.raises(ParseError, match="entities"):
            parse_feed(body, "https://x.example/")
        assert time.perf_counter() - start < 0.5


def test_short_declared_entity_is_allowed() -> None:
    body = b'<!DOCTYPE rss [\n<!ENTITY me "Joe">\n]>\n<rss version="2.0"><channel>'
    body += b"<title>by &me;</title><item><title>&me; &amp; co</title></item></channel></rss>"
    feed = parse_feed(body, "https://x.example/")
    assert (feed.title, feed.entries[0].title) == ("by Joe", "Joe & co")


def test_bytes_are_never_taken_for_a_file_name(tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    path.write_bytes(fixture("rss1.xml"))
    with pytest.raises(ParseError):
        parse_feed(str(path).encode(), "https://x.example/")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_give_a_feed_or_parse_error(body: bytes) -> None:
    try:
        assert isinstance(parse_feed(body, "https://fuzz.example/feed"), ParsedFeed)
    except ParseError:
        pass


SEEDS = [fixture(name) for name in ("rss2.xml", "atom.xml", "rss1.xml", "jsonfeed.json")]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(SEEDS),
    st.lists(
        st.tuples(st.integers(0, 3000), st.integers(0, 40), st.binary(max_size=8)), max_size=4
    ),
)
def test_damaged_feeds_give_a_feed_or_parse_error(
    seed: bytes, edits: list[tuple[int, int, bytes]]
) -> None:
    body = seed
    for position, length, replacement in edits:
        position %= len(body) + 1
        body = body[:position] + replacement + body[position + length :]
    try:
        feed = parse_feed(body, "https://fuzz.example/feed")
    except ParseError:
        return
    for entry in feed.entries:
        assert entry.key.startswith(("guid:", "link:", "hash:"))
        assert entry.url is None or entry.url.startswith(("http://", "https://"))


# --- differential check against feedparser over the shared corpus --------------------------


def test_differential_against_feedparser_on_corpus() -> None:
    files = sorted(CORPUS.glob("*.xml")) if CORPUS.is_dir() else []
    if not files:
        pytest.skip(f"no feed corpus at {CORPUS}")
    problems = []
    fast = 0
    for path in files:
        body, url = path.read_bytes(), f"https://corpus.example/{path.name}"
        reference = feedparser.parse(  # titles and links are the same without sanitising
            io.BytesIO(body),
            sanitize_html=False,
            resolve_relative_uris=False,
            response_headers={"content-location": url},
        )
        theirs = reference.get("entries", [])
        try:
            mine = parse_feed(body, url)
        except ParseError as exc:
            if theirs:
                problems.append(f"{path.name}: ParseError {exc}")
            continue
        fast += fast_path_taken(body, url)
        if len(mine.entries) < len(theirs):
            problems.append(f"{path.name}: {len(mine.entries)} < {len(theirs)} entries")
        for index, (ours, their) in enumerate(zip(mine.entries, theirs, strict=False)):
            title = parse_module._plain(their.get("title"))
            link = parse_module._abs_url(
                their.get("id")
                if their.get("guidislink") and not their.get("links")
                else their.get("link"),
                None,
            )
            if (ours.title, ours.url) != (title, link):
                problems.append(
                    f"{path.name} #{index}: {(ours.title, ours.url)} != {(title, link)}"
                )
    assert problems == []
    assert fast >= len(files) * 0.8  # the fast path carries the corpus
