"""OPML: the liberal reader on real-world quirks, the writer, and the round trip."""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from pkm.errors import FormatError
from pkm.formats.opml import dump_opml, parse_opml
from pkm.types import Feed, OpmlImport, OutlineFeed

DATA = Path(__file__).parent / "data" / "opml"
REPO = Path(__file__).parent.parent


def load(name: str) -> OpmlImport:
    return parse_opml((DATA / name).read_bytes())


def feed(
    url: str, title: str | None = None, folder: str | None = None, site: str | None = None
) -> OutlineFeed:
    return OutlineFeed(url=url, title=title, folder=folder, site_url=site)


NOT_WELL_FORMED = "not well-formed XML ("


# --- the shipped starter list -----------------------------------------------------------


def test_shipped_feeds_opml_is_strict_opml_2() -> None:
    data = (REPO / "feeds.opml").read_bytes()
    root = etree.fromstring(data)  # strict: must be well-formed as shipped
    assert root.tag == "opml" and root.get("version") == "2.0"
    assert root.find("head/title") is not None
    assert root.find("head/dateCreated") is not None
    for outline in root.iter("outline"):
        assert outline.get("text"), "OPML 2.0 requires text on every outline"


def test_shipped_feeds_opml_structure() -> None:
    result = parse_opml((REPO / "feeds.opml").read_bytes())
    assert result.problems == ()
    assert len(result.feeds) == 34
    assert Counter(f.folder for f in result.feeds) == {
        "Learning": 12,
        "Knowledge work": 8,
        "Knowledge work/Personal knowledge management": 5,
        "Social media": 5,
        "Nederlands": 4,
    }
    assert all(f.url.startswith("https://") for f in result.feeds)
    assert all(f.title and f.site_url for f in result.feeds)
    titles = {f.title for f in result.feeds}
    assert {"Harold Jarche", "Frankwatching", "Maggie Appleton"} <= titles


# --- quirks ------------------------------------------------------------------------------


def test_bare_ampersands_and_html_entities() -> None:
    result = load("bare_ampersand.opml")
    folder = "Research & Development"
    assert result.feeds == (
        feed(
            "https://example.org/feed?a=1&b=2", "Q&A weekly", folder, "https://example.org/?a=1&b=2"
        ),
        feed("https://cafe.example.net/rss", "Café & Crème Brûlée", folder),
        feed("https://refs.example.com/atom.xml", "Ampersand & numeric & refs", folder),
        feed("https://bogus.example.com/feed", "Undefined &bogus; entity", folder),
    )
    assert result.problems == ()  # repaired without loss


def test_unescaped_quotes_and_angle_brackets_in_attributes() -> None:
    result = load("unescaped_quotes.opml")
    assert result.feeds == (
        feed(
            "https://best.example.com/feed", 'The "Best" Blog', "Blogs", "https://best.example.com/"
        ),
        feed("https://math.example.org/rss.xml", "a < b: inequalities", "Blogs"),
        feed("https://single.example.org/feed", "It's single-quoted", "Blogs"),
        feed("https://unquoted.example.org/feed.xml", "Unquoted", "Blogs"),
        feed("https://plain.example.org/feed", "Plain", None),
    )
    assert len(result.problems) == 1
    assert result.problems[0].startswith(NOT_WELL_FORMED)


def test_nested_folders() -> None:
    result = load("nested_folders.opml")
    assert result.feeds == (
        feed("https://top.example.com/feed", "Top level feed", None, "https://top.example.com/"),
        feed("https://deep.example.com/feed", "Deep feed", "Work/Learning/Workplace"),
        feed("https://learning.example.com/feed", "Learning feed", "Work/Learning"),
        feed("https://work.example.com/feed", "Work feed", "Work"),
        feed("https://atom.example.com/atom", "Atom feed with title only", "Titled only"),
        feed("https://spaced.example.com/feed", "Spaced title", "Spaced folder"),
    )
    assert result.problems == ()  # folders without xmlUrl, even empty ones, are normal


def test_missing_body() -> None:
    result = load("no_body.opml")
    assert result.feeds == (
        feed("https://one.example.com/rss", "One", "News"),
        feed("https://two.example.com/rss", "Two", None),
    )
    assert result.problems == ()


def test_missing_opml_root() -> None:
    result = load("no_root.opml")
    assert result.feeds == (
        feed("https://alice.example.com/feed", "Alice", "Friends"),
        feed("https://bob.example.com/feed", "Bob", "Friends"),
        feed("https://carol.example.com/feed", "Carol", None),
    )
    assert result.problems == ()


def test_mismatched_tags_recovered_and_comments_ignored() -> None:
    result = load("mismatched_tags.opml")
    assert result.feeds == (
        feed("https://first.example.com/feed", "First", "Folder"),
        # nested inside a feed outline: a feed does not make a folder
        feed("https://second.example.com/feed", "Second", "Folder"),
    )
    assert len(result.problems) == 1
    assert result.problems[0].startswith(NOT_WELL_FORMED)
    assert "line 8" in result.problems[0]


def test_attribute_case_variants_and_types() -> None:
    result = load("case_variants.opml")
    assert result.feeds == (
        feed("https://lower.example.com/feed", "lower", None, "https://lower.example.com/"),
        feed("https://upper.example.com/feed", "upper", None, "https://upper.example.com/"),
        feed("https://mixed.example.com/atom", "mixed"),
        feed("https://notype.example.com/feed", "no type"),
        feed("https://urlonly.example.com/feed", "url only"),
    )
    assert result.problems == (
        "outline 'A link' has no xmlUrl",
        "outline 'Included list' includes another OPML file; not read",
        "outline 'Feed without xmlUrl' has no xmlUrl",
        "outline 'Empty xmlUrl' has no xmlUrl",
    )


def test_non_http_urls_duplicates_and_feed_scheme() -> None:
    result = load("problems.opml")
    assert result.feeds == (
        feed("https://good.example.com/feed", "Good"),
        feed("http://feedscheme.example.com/rss", "Feed scheme"),
        feed("https://feedhttps.example.com/rss", "Feed https"),
        feed("https://urltitle.example.com/feed", None),  # a title repeating the URL is none
    )
    assert result.problems == (
        "outline 'FTP': 'ftp://ftp.example.com/feed.xml' is not an http(s) URL",
        "outline 'Script': 'javascript:alert(1)' is not an http(s) URL",
        "outline 'Local': 'file:///etc/passwd' is not an http(s) URL",
        "outline 'Relative': '/feed.xml' is not an http(s) URL",
        "outline 'No host': 'https:///feed' is not an http(s) URL",
        "outline 'Good again': https://good.example.com/feed is listed twice; kept once",
    )


def test_feedly_export() -> None:
    result = load("feedly.opml")
    assert result.feeds == (
        feed("https://jarche.com/feed/", "Harold Jarche", "Learning", "https://jarche.com"),
        feed(
            "https://www.downes.ca/news/OLDaily.xml", "OLDaily", "Learning", "https://www.downes.ca"
        ),
        feed("https://seths.blog/feed/", "Seth's Blog", "Uncategorized", "https://seths.blog"),
    )
    assert result.problems == ()


def test_empty_body_is_not_an_error() -> None:
    assert load("empty_body.opml") == OpmlImport(feeds=(), problems=())


CAFE = feed("https://cafe.example.com/feed", "Café Über €")


@pytest.mark.parametrize(
    ("name", "problems"),
    [
        ("bom_utf8.opml", ()),
        ("utf16.opml", ()),
        ("windows1252.opml", ()),
        ("declared_utf16_is_ascii.opml", ()),
        ("declared_utf8_is_cp1252.opml", ("not valid UTF-8; read as Windows-1252",)),
        (
            "declared_latin1_is_utf8.opml",
            ("declared encoding ISO-8859-1 but the file is UTF-8; read as UTF-8",),
        ),
    ],
)
def test_encodings(name: str, problems: tuple[str, ...]) -> None:
    assert load(name) == OpmlImport(feeds=(CAFE,), problems=problems)


def test_billion_laughs_and_external_entities_are_not_expanded() -> None:
    start = time.perf_counter()
    result = load("billion_laughs.opml")
    assert time.perf_counter() - start < 2
    assert [f.url for f in result.feeds] == [
        "https://laughs.example.com/feed",
        "https://xxe.example.com/feed",
    ]
    for f in result.feeds:
        assert f.title is None or len(f.title) < 20
        assert "root:" not in (f.title or "")


@pytest.mark.parametrize("closed", [True, False])
def test_deep_nesting_is_read_quickly_and_capped(closed: bool) -> None:
    depth = 30_000
    data = (
        "<opml><body>"
        + '<outline text="f">' * depth
        + '<outline text="deep" xmlUrl="https://deep.example.com/feed"/>'
        + ("</outline>" * depth if closed else "")
        + '<outline text="after" xmlUrl="https://after.example.com/feed"/>'
        + "</body></opml>"
    ).encode()
    start = time.perf_counter()
    result = parse_opml(data)
    assert time.perf_counter() - start < 5
    deep = {f.url: f for f in result.feeds}["https://deep.example.com/feed"]
    assert deep.folder == "/".join(["f"] * 20)  # folder paths stop 20 levels down


@pytest.mark.parametrize(
    "unit",
    [
        b'<outline x="',
        b'<outline text="a" x="""">',
        b"<outline text=a xmlUrl=http://a.example/" + b"x" * 100 + b">",
        b"<!DOCTYPE x [",
        b"&lol;",
    ],
)
def test_pathological_input_takes_linear_time(unit: bytes) -> None:
    start = time.perf_counter()
    parse_opml(b"<opml>" + unit * 30_000)
    assert time.perf_counter() - start < 5


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is empty"),
        (b"   \n ", "the file is empty"),
        ((DATA / "not_opml.html").read_bytes(), "it is an HTML page"),
        ((DATA / "not_opml.rss").read_bytes(), "it is an RSS/Atom feed"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "no <opml> or <outline> element found"),
        (b"just some text & more", "no <opml> or <outline> element found"),
    ],
)
def test_not_opml(data: bytes, message: str) -> None:
    with pytest.raises(FormatError, match="^not an OPML file: ") as info:
        parse_opml(data)
    assert message in str(info.value)


def test_opml_root_without_outlines_is_empty_not_error() -> None:
    assert parse_opml(b"<opml version='2.0'><head/></opml>").feeds == ()


def test_broken_beyond_xml_still_reads_outlines() -> None:
    data = (
        b'<opml><body><outline text="A" type="rss" xmlUrl="https://a.example.com/f" '
        b'<outline text="B" type="rss" xmlUrl="https://b.example.com/f"/> & <<>> '
        b'<outline text="C" xmlUrl="https://c.example.com/f"'
    )
    result = parse_opml(data)
    assert {f.url for f in result.feeds} == {
        "https://a.example.com/f",
        "https://b.example.com/f",
        "https://c.example.com/f",
    }
    assert result.problems[0].startswith(NOT_WELL_FORMED)


def test_control_characters_are_removed() -> None:
    data = b'<opml><body><outline text="Bad\x1b[31m\x07title" xmlUrl="https://x.example.com/"/>'
    data += b"</body></opml>"
    result = parse_opml(data)
    assert result.feeds == (feed("https://x.example.com/", "Badtitle"),)


# --- writing and the round trip ----------------------------------------------------------

FEEDS = [
    Feed(
        id=1,
        url="https://jarche.com/feed/",
        title="Harold Jarche",
        folder="Learning",
        site_url="https://jarche.com/",
    ),
    Feed(id=2, url="https://example.org/rss?a=1&b=<2>", title='Q&A "quoted" <b>', folder=None),
    Feed(id=3, url="https://deep.example.com/feed", title="Deep", folder="Work/Learning/Deep"),
    Feed(id=4, url="https://untitled.example.com/feed", title=None, folder="Work"),
    Feed(
        id=5,
        url="https://www.frankwatching.com/feed/",
        title="Frankwatching",
        folder="Nederlands",
        site_url="https://www.frankwatching.com/",
    ),
    Feed(id=6, url="https://work.example.com/feed", title="Café ü €", folder="Work"),
]


def as_outline(f: Feed) -> OutlineFeed:
    return OutlineFeed(url=f.url, title=f.title, folder=f.folder, site_url=f.site_url)


def test_dump_is_valid_opml_2() -> None:
    when = datetime(2024, 6, 1, 8, 0, tzinfo=UTC)
    text = dump_opml(FEEDS, title="My <feeds> & more", created=when)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0">')
    root = etree.fromstring(text.encode())
    assert root.findtext("head/title") == "My <feeds> & more"
    assert root.findtext("head/dateCreated") == "Sat, 01 Jun 2024 08:00:00 GMT"
    body = root.find("body")
    assert body is not None
    assert [o.get("text") for o in body.findall("outline")] == [
        "Learning",
        'Q&A "quoted" <b>',
        "Work",
        "Nederlands",
    ]
    deep = body.find("outline[@text='Work']/outline[@text='Learning']/outline[@text='Deep']")
    assert deep is not None
    leaf = deep.find("outline")
    assert leaf is not None
    assert {str(k): str(v) for k, v in leaf.attrib.items()} == {
        "type": "rss",
        "text": "Deep",
        "title": "Deep",
        "xmlUrl": "https://deep.example.com/feed",
    }
    for outline in root.iter("outline"):
        assert outline.get("text")


def test_round_trip_exact() -> None:
    result = parse_opml(dump_opml(FEEDS).encode("utf-8"))
    assert result.problems == ()
    assert sorted(result.feeds, key=lambda f: f.url) == sorted(
        (as_outline(f) for f in FEEDS), key=lambda f: f.url
    )


def test_dump_strips_characters_xml_forbids() -> None:
    feeds = [
        Feed(id=1, url="https://x.example.com/", title="bad\x00\x1b\x07 title", folder="a\x0b")
    ]
    text = dump_opml(feeds)
    etree.fromstring(text.encode())  # well-formed
    assert parse_opml(text.encode()).feeds == (feed("https://x.example.com/", "bad title", "a"),)


def test_dump_empty() -> None:
    text = dump_opml([])
    assert parse_opml(text.encode()) == OpmlImport(feeds=(), problems=())


_segment = st.text(
    alphabet=st.characters(
        exclude_categories=["Cs", "Cc", "Zs", "Zl", "Zp"], exclude_characters="/"
    ),
    min_size=1,
    max_size=12,
)
_title = st.lists(_segment, min_size=1, max_size=3).map(" ".join)
_host = st.from_regex(r"[a-z][a-z0-9-]{0,10}\.(com|org|nl)", fullmatch=True)
_path = st.from_regex(
    r"(/[A-Za-z0-9._~%!$&'()*+,;=:@-]{0,10}){0,3}(\?[a-z=&<>\"]{0,8})?", fullmatch=True
)


@st.composite
def _feeds(draw: st.DrawFn) -> list[Feed]:
    n = draw(st.integers(min_value=0, max_value=8))
    feeds: list[Feed] = []
    seen: set[str] = set()
    for i in range(n):
        url = f"https://{draw(_host)}{draw(_path)}"
        if url in seen:
            continue
        seen.add(url)
        folder = draw(st.none() | st.lists(_segment, min_size=1, max_size=3).map("/".join))
        site = draw(st.none() | _host.map(lambda h: f"https://{h}/"))
        title = draw(st.none() | _title)
        if title == url:
            title = None
        feeds.append(Feed(id=i, url=url, title=title, folder=folder, site_url=site))
    return feeds


@given(_feeds())
@settings(max_examples=150, deadline=None)
def test_round_trip_property(feeds: list[Feed]) -> None:
    result = parse_opml(dump_opml(feeds).encode("utf-8"))
    assert result.problems == ()
    assert sorted(result.feeds, key=lambda f: f.url) == sorted(
        (as_outline(f) for f in feeds), key=lambda f: f.url
    )


# --- never crash ---------------------------------------------------------------------------

_fragments = st.sampled_from(
    [
        b"<opml>",
        b"</opml>",
        b"<body>",
        b"</body>",
        b'<outline text="a"',
        b"<outline ",
        b">",
        b"/>",
        b"</outline>",
        b' xmlUrl="https://e.example.com/f"',
        b" xmlurl=http://x/",
        b"&",
        b"&amp;",
        b"&lt;",
        b'"',
        b"'",
        b"<",
        b"<!DOCTYPE x [<!ENTITY a 'b'>]>",
        b"<!--",
        b"-->",
        b"<?xml version='1.0' encoding='utf-16'?>",
        b"\xef\xbb\xbf",
        b"\xff\xfe",
        b"\x00",
        b"\xe9",
        b' type="rss"',
        b"feed://",
        b"<![CDATA[",
        b"]]>",
    ]
)


@given(st.binary(max_size=400) | st.lists(_fragments, max_size=40).map(b"".join))
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_arbitrary_bytes_never_crash(data: bytes) -> None:
    try:
        result = parse_opml(data)
    except FormatError as exc:
        assert str(exc).startswith("not an OPML file: ")
        return
    assert isinstance(result, OpmlImport)
    for f in result.feeds:
        assert f.url.lower().startswith(("http://", "https://"))
    assert all(isinstance(p, str) and "\n" not in p for p in result.problems)
    assert len({f.url for f in result.feeds}) == len(result.feeds)


def test_large_file_is_fast() -> None:
    outlines = "".join(
        f'<outline text="Feed {i}" type="rss" xmlUrl="https://f{i}.example.com/feed"/>'
        for i in range(5000)
    )
    data = f"<opml><body><outline text='F'>{outlines}</outline></body></opml>".encode()
    start = time.perf_counter()
    assert len(parse_opml(data).feeds) == 5000
    broken = data.replace(b"text='F'", b"text='F & G'").replace(b"<body>", b"")
    assert len(parse_opml(broken).feeds) == 5000
    assert time.perf_counter() - start < 5
