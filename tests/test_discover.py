"""pkm.discover: feed links and page metadata from HTML bytes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pkm.discover import (
    DiscoveredFeed,
    PageMeta,
    discover_feeds,
    looks_like_html,
    page_metadata,
)

BASE = "https://example.org/blog/post.html"


def page(head: str, body: str = "") -> bytes:
    return f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>".encode()


# --- discover_feeds ------------------------------------------------------------------------


def test_relative_hrefs_are_resolved_against_the_page() -> None:
    html = page(
        '<link rel="alternate" type="application/rss+xml" title="Posts" href="feed.xml">'
        '<link rel="alternate" type="application/atom+xml" href="/atom.xml">'
        '<link rel="alternate" type="application/rss+xml" href="//cdn.example.net/rss">'
    )

    assert discover_feeds(html, BASE) == [
        DiscoveredFeed("https://example.org/blog/feed.xml", "Posts", "application/rss+xml"),
        DiscoveredFeed("https://example.org/atom.xml", None, "application/atom+xml"),
        DiscoveredFeed("https://cdn.example.net/rss", None, "application/rss+xml"),
    ]


def test_base_href_is_honoured() -> None:
    html = page(
        '<base href="/other/"><link rel="alternate" type="application/rss+xml" href="feed.xml">'
    )

    [feed] = discover_feeds(html, BASE)

    assert feed.url == "https://example.org/other/feed.xml"


def test_absolute_base_href() -> None:
    html = page(
        '<base href="https://mirror.example.com/x/">'
        '<link rel="alternate" type="application/atom+xml" href="a.xml">'
    )

    assert discover_feeds(html, BASE)[0].url == "https://mirror.example.com/x/a.xml"


def test_multiple_feeds_in_document_order_without_duplicates() -> None:
    html = page(
        '<link rel="alternate" type="application/rss+xml" title="Main" href="/feed">'
        '<link rel="alternate" type="application/rss+xml" title="Comments" href="/comments/feed">'
        '<link rel="alternate" type="application/rss+xml" title="Again" href="https://example.org/feed">',
        '<link rel="alternate" type="application/atom+xml" title="In body" href="/atom">',
    )

    feeds = discover_feeds(html, BASE)

    assert [(f.url, f.title) for f in feeds] == [
        ("https://example.org/feed", "Main"),
        ("https://example.org/comments/feed", "Comments"),
        ("https://example.org/atom", "In body"),
    ]


@pytest.mark.parametrize(
    "media_type",
    [
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/feed+json",
        "Application/RSS+XML; charset=utf-8",
    ],
)
def test_feed_media_types(media_type: str) -> None:
    html = page(f'<link rel="alternate" type="{media_type}" href="/f">')

    [feed] = discover_feeds(html, BASE)

    assert feed.type == media_type.split(";")[0].lower()


def test_json_feed() -> None:
    html = page('<link rel="alternate" type="application/feed+json" title="JSON" href="feed.json">')

    assert discover_feeds(html, BASE) == [
        DiscoveredFeed("https://example.org/blog/feed.json", "JSON", "application/feed+json")
    ]


def test_links_that_are_not_feeds_are_ignored() -> None:
    html = page(
        '<link rel="stylesheet" type="text/css" href="/s.css">'
        '<link rel="alternate" hreflang="fr" href="/fr/">'
        '<link rel="alternate" type="application/json" href="/wp-json/wp/v2/pages/2">'
        '<link rel="alternate" type="application/json+oembed" href="/oembed">'
        '<link rel="icon" type="application/rss+xml" href="/weird">'
        '<link rel="alternate" type="application/rss+xml" href="">'
        '<link rel="alternate" type="application/rss+xml">'
        '<link rel="alternate" type="application/rss+xml" href="javascript:void(0)">'
        '<link rel="alternate" type="application/rss+xml" href="mailto:me@example.org">'
    )

    assert discover_feeds(html, BASE) == []


def test_no_feeds() -> None:
    assert discover_feeds(page("<title>Nothing here</title>"), BASE) == []


def test_rel_is_a_token_list_and_case_insensitive() -> None:
    html = page('<LINK REL="Alternate Home" TYPE="application/rss+xml" HREF="/f">')

    assert [f.url for f in discover_feeds(html, BASE)] == ["https://example.org/f"]


def test_feed_scheme_is_unwrapped() -> None:
    html = page(
        '<link rel="alternate" type="application/rss+xml" href="feed://example.org/a">'
        '<link rel="alternate" type="application/rss+xml" href="feed:https://example.org/b">'
    )

    assert [f.url for f in discover_feeds(html, BASE)] == [
        "http://example.org/a",
        "https://example.org/b",
    ]


def test_titles_are_cleaned() -> None:
    html = page(
        '<link rel="alternate" type="application/rss+xml" href="/f" '
        'title="  Blog &amp;\n\t Friends\x07 ">'
    )

    assert discover_feeds(html, BASE)[0].title == "Blog & Friends"


def test_xhtml_with_xml_declaration_and_latin1() -> None:
    html = (
        b'<?xml version="1.0" encoding="iso-8859-1"?>\n'
        b'<html xmlns="http://www.w3.org/1999/xhtml"><head>'
        b'<link rel="alternate" type="application/atom+xml" title="Caf\xe9" href="/atom"/>'
        b"</head></html>"
    )

    assert discover_feeds(html, BASE) == [
        DiscoveredFeed("https://example.org/atom", "Café", "application/atom+xml")
    ]


# --- page_metadata -------------------------------------------------------------------------


def test_open_graph_wins_over_title_and_meta_description() -> None:
    html = page(
        "<title>Plain title</title>"
        '<meta name="description" content="Plain description">'
        '<meta property="og:title" content="OG title">'
        '<meta property="og:description" content="OG description">'
    )

    assert page_metadata(html, BASE) == PageMeta("OG title", "OG description")


def test_title_and_meta_description_without_open_graph() -> None:
    html = page(
        "<title>\n  A   title\n</title>"
        '<meta name="Description" content="  Some\n\n words  ">'
        '<meta property="og:title" content="   ">'
    )

    assert page_metadata(html, BASE) == PageMeta("A title", "Some words")


def test_entities_and_control_characters() -> None:
    html = page(
        "<title>Tom &amp; Jerry&#x7; &lt;3 \u00a0caf\u00e9</title>"
        '<meta name="description" content="a\x00b\x1bc &quot;q&quot;">'
    )

    meta = page_metadata(html, BASE)

    assert meta.title == "Tom & Jerry <3 café"
    assert meta.description == 'ab "q"'  # ESC c is a whole sequence (a terminal reset)


def test_document_title_not_an_svg_title() -> None:
    html = page("<title>Page</title>", "<svg><title>Icon</title></svg>")

    assert page_metadata(html, BASE).title == "Page"


def test_utf8_without_declaration() -> None:
    html = "<title>Größe – ünïcode ✓</title>".encode()

    assert page_metadata(html, BASE).title == "Größe – ünïcode ✓"


def test_declared_charset_is_used() -> None:
    html = '<meta charset="windows-1252"><title>“Quotes” €</title>'.encode("cp1252")

    assert page_metadata(html, BASE).title == "“Quotes” €"


def test_undeclared_legacy_bytes_fall_back_to_windows_1252() -> None:
    assert page_metadata(b"<title>na\xefve \x93x\x94</title>", BASE).title == "naïve “x”"


def test_no_metadata() -> None:
    assert page_metadata(page(""), BASE) == PageMeta(None, None)


# --- robustness ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"   \n",
        b"\x00\x01\x02\xff\xfe",
        b"\xff\xfe\x00\x00garbage",
        b"<<<>>><link rel=alternate type=application/rss+xml href=",
        b"<html><head><title>unterminated",
        b"<meta charset=no-such-charset><title>x</title>",
        b"<meta charset=base64><title>x</title>",
        b'<link rel="alternate" type="application/rss+xml" href="http://[::1">',
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj",
        b"\x1f\x8b\x08\x00" + bytes(range(256)) * 4,
        b'{"version": "https://jsonfeed.org/version/1.1"}',
    ],
)
def test_garbage_never_raises(data: bytes) -> None:
    feeds = discover_feeds(data, BASE)
    meta = page_metadata(data, BASE)

    assert isinstance(feeds, list)
    assert isinstance(meta, PageMeta)
    looks_like_html(data)


def test_unterminated_title_still_read() -> None:
    assert page_metadata(b"<html><head><title>unterminated", BASE).title == "unterminated"


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    discover_feeds(data, BASE)
    page_metadata(data, BASE)
    looks_like_html(data)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_text_in_attributes_never_raises(text: str) -> None:
    quoted = text.replace('"', "&quot;")
    html = page(
        f'<base href="{quoted}"><title>{text}</title>'
        f'<link rel="alternate" type="application/rss+xml" href="{quoted}" title="{quoted}">'
    )

    for feed in discover_feeds(html, BASE):
        assert feed.url.startswith(("http://", "https://"))
    meta = page_metadata(html, BASE)
    if meta.title is not None:
        assert "\n" not in meta.title and meta.title == meta.title.strip()


# --- looks_like_html -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"<!DOCTYPE html><html><head></head></html>",
        b"\xef\xbb\xbf  <!doctype HTML>\n<html>",
        b"<html lang=en><body>hi</body></html>",
        b'<?xml version="1.0"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
        b'"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n<html xmlns="http://www.w3.org/1999/xhtml">',
        b"<!-- generated --><head><title>x</title></head>",
        b"<meta charset=utf-8><title>sloppy</title>",
        b"\n\n<div>fragment</div>",
    ],
)
def test_html_is_recognised(body: bytes) -> None:
    assert looks_like_html(body)


@pytest.mark.parametrize(
    "body",
    [
        b'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        b"<description>&lt;html&gt;</description></channel></rss>",
        b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title></feed>',
        b'<?xml version="1.0"?>\n<!-- c -->\n<rdf:RDF xmlns:rdf="x"><channel/></rdf:RDF>',
        b'{"version": "https://jsonfeed.org/version/1.1", "items": []}',
        b"",
        b"plain text",
        b"\x89PNG\r\n\x1a\n",
        b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"/>',
        b'<rss version="2.0"><channel><description><![CDATA[<html><body>x</body></html>]]>'
        b"</description></channel></rss>",
    ],
)
def test_feeds_and_other_things_are_not_html(body: bytes) -> None:
    assert not looks_like_html(body)
