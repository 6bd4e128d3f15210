"""Reading-list exports (Markdown, JSON Feed, HTML, Atom, Netscape) and the Netscape reader."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import lxml.html
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from pkm.errors import FormatError
from pkm.formats import EXPORTERS, EXTENSIONS, atom, html, jsonfeed, markdown
from pkm.formats.netscape import dump, parse_netscape, parse_timestamp
from pkm.text import remove_escapes
from pkm.types import BookmarkData, BookmarkImport, Entry

DATA = Path(__file__).parent / "data" / "netscape"
ATOM = "{http://www.w3.org/2005/Atom}"
# What must never reach a terminal or an XML document: C0 controls except tab and newline,
# DEL, C1 controls, and the bidi controls that reorder text.
CONTROL_RE = re.compile(
    "[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)

SAVED = datetime(2024, 5, 1, 9, 30, tzinfo=UTC)
PUBLISHED = datetime(2024, 4, 20, 12, 0, tzinfo=UTC)
GENERATED = datetime(2024, 5, 2, 7, 0, tzinfo=UTC)

ENTRIES = (
    Entry(
        id=4821,
        url="https://example.org/hybrid",
        title="Hybrid conferences that work",
        feed_title="Events Weekly",
        author="Ann Author",
        summary="<p>A <b>checklist</b> for hybrid events.</p>",
        published=PUBLISHED,
        saved=SAVED,
        note="Good checklist for the next event.\nShare with the team.",
        tags=("conference2.0", "events"),
    ),
    Entry(
        id=17,
        url="https://example.com/keynote",
        title="Keynote notes",
        saved=SAVED - timedelta(days=1),
        to_read=True,
        tags=("keynote",),
    ),
    Entry(id=3, url=None, title="A thought without a link", note="Just a note"),
)

HOSTILE_TEXT = 'Evil <script>alert("x")</script> & "quotes" [bold] *x* _y_ `z`\x1b[31m\x07\x00'
HOSTILE = Entry(
    id=666,
    url='https://evil.example.com/a(b) c?x=1&y="2"',
    title=HOSTILE_TEXT,
    feed_title="Feed <b>bold</b>\x1b[0m",
    author="Mallory <m@example.com>\x07",
    summary=(
        '<p onclick="steal()">Hi<script>alert(1)</script><img src="https://t.example/p.gif">'
        '<a href="javascript:alert(2)">click</a><iframe src="https://x"></iframe>'
        "<style>body{display:none}</style></p>\x1b[2J"
    ),
    saved=SAVED,
    note="# not a heading\n> not a quote\n<script>alert(3)</script> [link](javascript:x)\x00\x1b",
    tags=("<script>", 'q"uote', "a&b", "[bold]", "esc\x1b[31m", "bell\x07"),
)


def export(fmt: str, entries: Sequence[Entry] = ENTRIES, **kwargs: object) -> str:
    options: dict[str, object] = {
        "title": "conference2.0",
        "description": "What I read about conferences.",
        "generated": GENERATED,
        "link": "https://me.example.net/lists/conference2.0",
    }
    options.update(kwargs)
    return EXPORTERS[fmt](entries, **options)


# --- the registry ---------------------------------------------------------------------------


def test_registry() -> None:
    assert set(EXPORTERS) == {"md", "json", "html", "atom", "netscape"}
    assert EXPORTERS["md"] is markdown.dump
    assert EXPORTERS["json"] is jsonfeed.dump
    assert EXPORTERS["html"] is html.dump
    assert EXPORTERS["atom"] is atom.dump
    assert EXPORTERS["netscape"] is dump
    for name in EXPORTERS:
        assert EXTENSIONS[name].startswith(".")


def test_importing_formats_is_cheap() -> None:
    code = (
        "import sys, pkm.formats\n"
        "heavy = {'lxml', 'lxml.etree', 'nh3'} & set(sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("fmt", sorted(EXPORTERS))
def test_empty_list(fmt: str) -> None:
    out = export(fmt, ())
    assert out.endswith("\n")
    assert not CONTROL_RE.search(out)


@pytest.mark.parametrize("fmt", sorted(EXPORTERS))
def test_hostile_text_stays_inert(fmt: str) -> None:
    out = export(fmt, (HOSTILE, *ENTRIES), title="My <list>\x1b[31m", description="a & b\x07")
    assert not CONTROL_RE.search(out), repr(CONTROL_RE.search(out))
    if fmt == "json":
        # JSON Feed text fields are plain text by definition; only content_html is markup.
        out = "".join(item.get("content_html", "") for item in json.loads(out)["items"])
    assert "<script>alert" not in out
    assert "javascript:alert(2)" not in out
    assert "steal()" not in out


# --- Markdown ------------------------------------------------------------------------------


def test_markdown_reading_list() -> None:
    assert export("md") == (
        "# conference2.0\n"
        "\n"
        "What I read about conferences.\n"
        "\n"
        "<https://me.example.net/lists/conference2.0> · 3 links · exported 2024-05-02\n"
        "\n"
        "- [Hybrid conferences that work](https://example.org/hybrid) — 2024-05-01 · "
        "*Events Weekly* · conference2.0, events\n"
        "  A checklist for hybrid events.\n"
        "  > Good checklist for the next event.\n"
        "  > Share with the team.\n"
        "- [Keynote notes](https://example.com/keynote) — 2024-04-30 · keynote\n"
        "- A thought without a link\n"
        "  > Just a note\n"
    )


def test_markdown_escaping_renders_literally() -> None:
    markdown_it = pytest.importorskip("markdown_it")
    out = export("md", (HOSTILE,))
    rendered = markdown_it.MarkdownIt("commonmark").render(out)
    assert "<script" not in rendered
    assert "<b>" not in rendered
    assert "<strong>" not in rendered and "<code>" not in rendered
    # the only emphasis is pkm's own, around the feed title
    assert re.findall(r"<em>(.*?)</em>", rendered) == ["Feed &lt;b&gt;bold&lt;/b&gt;"]
    assert "<h2>" not in rendered and rendered.count("<h1>") == 1
    assert 'href="javascript:' not in rendered
    # the list's own link, then one link to the (percent-encoded) URL, the title its text
    links = re.findall(r'<a href="([^"]*)">(.*?)</a>', rendered)
    assert links[0][0] == "https://me.example.net/lists/conference2.0"
    assert links[1:] == [
        (
            "https://evil.example.com/a%28b%29%20c?x=1&amp;y=%222%22",
            "Evil &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;quotes&quot; "
            "[bold] *x* _y_ `z`",
        )
    ]
    # the note is a blockquote whose lines are literal text
    assert "# not a heading" in rendered
    assert "&gt; not a quote" in rendered
    assert "[link](javascript:x)" in rendered


def test_markdown_keeps_given_order() -> None:
    reordered = (ENTRIES[2], ENTRIES[0], ENTRIES[1])
    lines = [line for line in export("md", reordered).splitlines() if line.startswith("- ")]
    assert [line[:12] for line in lines] == ["- A thought ", "- [Hybrid co", "- [Keynote n"]


def test_markdown_escape_helpers() -> None:
    assert markdown.escape("#1 <b> [x](y) *a* _b_ `c` \\") == (
        "\\#1 \\<b\\> \\[x\\](y) \\*a\\* \\_b\\_ \\`c\\` \\\\"
    )
    assert markdown.escape("&amp; stays literal") == "&amp;amp; stays literal"
    assert markdown.escape_url("https://x.org/a b(c)<d>") == "https://x.org/a%20b%28c%29%3Cd%3E"


# --- JSON Feed -----------------------------------------------------------------------------


def test_json_feed() -> None:
    doc = json.loads(export("json"))
    assert doc["version"] == "https://jsonfeed.org/version/1.1"
    assert doc["title"] == "conference2.0"
    assert doc["home_page_url"] == "https://me.example.net/lists/conference2.0"
    assert doc["description"] == "What I read about conferences."
    first, second, third = doc["items"]
    assert first == {
        "id": first["id"],
        "url": "https://example.org/hybrid",
        "title": "Hybrid conferences that work",
        "content_text": "A checklist for hybrid events.",
        "content_html": "<p>A <b>checklist</b> for hybrid events.</p>",
        "summary": "A checklist for hybrid events.",
        "date_published": "2024-04-20T12:00:00Z",
        "date_modified": "2024-05-01T09:30:00Z",
        "authors": [{"name": "Ann Author"}],
        "tags": ["conference2.0", "events"],
        "_pkm": {
            "saved": "2024-05-01T09:30:00Z",
            "note": "Good checklist for the next event.\nShare with the team.",
            "to_read": False,
            "private": False,
            "feed_title": "Events Weekly",
        },
    }
    assert first["id"].startswith("urn:uuid:")
    assert second["content_text"] == "Keynote notes"
    assert second["date_published"] == "2024-04-30T09:30:00Z"
    assert second["_pkm"]["to_read"] is True
    assert "url" not in third and third["content_text"] == "A thought without a link"
    assert third["_pkm"]["note"] == "Just a note"
    assert len({item["id"] for item in doc["items"]}) == 3
    # every item has an id and some content, as JSON Feed requires
    for item in doc["items"]:
        assert isinstance(item["id"], str)
        assert "content_text" in item or "content_html" in item


def test_json_feed_hostile() -> None:
    doc = json.loads(export("json", (HOSTILE,)))
    item = doc["items"][0]
    assert item["title"] == 'Evil <script>alert("x")</script> & "quotes" [bold] *x* _y_ `z`'
    assert "<script" not in item["content_html"]
    assert "onclick" not in item["content_html"]
    assert "<script" not in item["summary"] and "alert(1)" not in item["summary"]
    assert item["tags"] == ["<script>", 'q"uote', "a&b", "[bold]", "esc", "bell"]


# --- HTML ----------------------------------------------------------------------------------


def _html_tree(text: str) -> lxml.html.HtmlElement:
    assert text.startswith("<!DOCTYPE html>\n")
    return lxml.html.document_fromstring(text)


def test_html_page() -> None:
    out = export("html")
    tree = _html_tree(out)
    assert tree.findtext(".//title") == "conference2.0"
    assert tree.find(".//meta[@charset='utf-8']") is not None
    csp = tree.find(".//meta[@http-equiv='Content-Security-Policy']")
    assert csp is not None and "default-src 'none'" in csp.get("content", "")
    assert tree.find(".//script") is None
    assert tree.find(".//style") is not None
    items = tree.findall(".//main/ol/li")
    assert len(items) == 3
    link = items[0].find("h2/a")
    assert link is not None
    assert link.get("href") == "https://example.org/hybrid"
    assert link.text == "Hybrid conferences that work"
    tags = [t.text for t in items[0].findall(".//span[@class='tag']")]
    assert tags == ["conference2.0", "events"]
    assert items[0].find(".//time").get("datetime") == "2024-05-01T09:30:00Z"
    assert "Share with the team." in items[0].find("blockquote").text_content()
    assert items[0].find(".//div[@class='summary']/p/b").text == "checklist"
    assert items[2].find("h2/a") is None


def test_html_hostile_is_sanitized() -> None:
    out = export("html", (HOSTILE,), title="My <list>", description="<b>x</b>")
    tree = _html_tree(out)
    assert tree.findtext(".//title") == "My <list>"
    assert tree.findtext(".//h1") == "My <list>"
    assert tree.find(".//script") is None
    assert tree.find(".//iframe") is None
    assert tree.find(".//img") is None
    for element in tree.iter():
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), (element.tag, name)
            assert not value.strip().lower().startswith("javascript:"), value
    heading = tree.find(".//li/h2/a")
    assert heading is not None
    assert heading.text_content() == (
        'Evil <script>alert("x")</script> & "quotes" [bold] *x* _y_ `z`'
    )
    assert [t.text for t in tree.findall(".//span[@class='tag']")] == [
        "<script>",
        'q"uote',
        "a&b",
        "[bold]",
        "esc",
        "bell",
    ]
    assert tree.find(".//p[@class='description']").text_content() == "<b>x</b>"


def test_html_non_web_links_are_not_clickable() -> None:
    entry = Entry(id=1, url="javascript:alert(1)", title="bad")
    tree = _html_tree(export("html", (entry,), link="javascript:alert(2)"))
    assert tree.find(".//main//a") is None
    assert "javascript:" not in etree.tostring(tree, encoding="unicode")


# --- Atom ----------------------------------------------------------------------------------


def _atom(text: str) -> etree._Element:
    assert text.startswith('<?xml version="1.0" encoding="utf-8"?>\n')
    return etree.fromstring(text.encode("utf-8"))  # strict XML


def test_atom_feed() -> None:
    root = _atom(export("atom"))
    assert root.tag == f"{ATOM}feed"
    assert root.findtext(f"{ATOM}title") == "conference2.0"
    assert root.findtext(f"{ATOM}subtitle") == "What I read about conferences."
    assert root.findtext(f"{ATOM}updated") == "2024-05-02T07:00:00Z"
    assert (root.findtext(f"{ATOM}id") or "").startswith("urn:uuid:")
    self_link = root.find(f"{ATOM}link[@rel='self']")
    assert self_link is not None
    assert self_link.get("href") == "https://me.example.net/lists/conference2.0"
    assert root.find(f"{ATOM}author/{ATOM}name") is not None
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 3
    first = entries[0]
    assert first.findtext(f"{ATOM}title") == "Hybrid conferences that work"
    assert first.findtext(f"{ATOM}updated") == "2024-05-01T09:30:00Z"
    assert first.findtext(f"{ATOM}published") == "2024-04-20T12:00:00Z"
    alternate = first.find(f"{ATOM}link[@rel='alternate']")
    assert alternate is not None and alternate.get("href") == "https://example.org/hybrid"
    assert [c.get("term") for c in first.findall(f"{ATOM}category")] == ["conference2.0", "events"]
    assert first.findtext(f"{ATOM}summary") == (
        "Good checklist for the next event.\nShare with the team."
    )
    content = first.find(f"{ATOM}content")
    assert content is not None and content.get("type") == "html"
    assert content.text == "<p>A <b>checklist</b> for hybrid events.</p>"
    assert first.findtext(f"{ATOM}author/{ATOM}name") == "Ann Author"
    # required elements on every entry; an entry without a link carries content
    for entry in entries:
        assert entry.findtext(f"{ATOM}id")
        assert entry.findtext(f"{ATOM}title")
        assert entry.findtext(f"{ATOM}updated")
        has_link = entry.find(f"{ATOM}link[@rel='alternate']") is not None
        assert has_link or entry.find(f"{ATOM}content") is not None


def test_atom_ids_are_stable() -> None:
    first = _atom(export("atom"))
    later = _atom(export("atom", (ENTRIES[1], ENTRIES[0]), generated=GENERATED + timedelta(days=9)))
    ids_first = {e.findtext(f"{ATOM}title"): e.findtext(f"{ATOM}id") for e in first}
    ids_later = {e.findtext(f"{ATOM}title"): e.findtext(f"{ATOM}id") for e in later}
    for title, uid in ids_later.items():
        if title is not None and uid is not None:
            assert ids_first[title] == uid
    assert first.findtext(f"{ATOM}id") == later.findtext(f"{ATOM}id")
    # the id follows the URL, not the store id
    moved = Entry(id=99999, url="https://example.org/hybrid", title="Same link, other store")
    again = _atom(export("atom", (moved,)))
    assert again.find(f"{ATOM}entry/{ATOM}id").text == ids_first["Hybrid conferences that work"]  # type: ignore[union-attr]


def test_atom_hostile() -> None:
    root = _atom(export("atom", (HOSTILE,), title="My <list>\x1b\x00"))
    assert root.findtext(f"{ATOM}title") == "My <list>"
    entry = root.find(f"{ATOM}entry")
    assert entry is not None
    assert entry.findtext(f"{ATOM}title") == (
        'Evil <script>alert("x")</script> & "quotes" [bold] *x* _y_ `z`'
    )
    content = entry.findtext(f"{ATOM}content") or ""
    assert "<script" not in content and "onclick" not in content and "javascript:" not in content
    assert [c.get("term") for c in entry.findall(f"{ATOM}category")] == [
        "<script>",
        'q"uote',
        "a&b",
        "[bold]",
        "esc",
        "bell",
    ]


# --- Netscape export and the round trip ----------------------------------------------------


def test_netscape_dump() -> None:
    out = export("netscape")
    assert out.startswith("<!DOCTYPE NETSCAPE-Bookmark-file-1>\n")
    assert (
        '    <DT><A HREF="https://example.org/hybrid" ADD_DATE="1714555800" '
        'TAGS="conference2.0,events" PRIVATE="0">Hybrid conferences that work</A>\n'
        "    <DD>Good checklist for the next event.\nShare with the team.\n"
    ) in out
    assert 'TOREAD="1"' in out
    assert "A thought without a link" not in out  # no URL, no bookmark


def test_netscape_round_trip() -> None:
    result = parse_netscape(export("netscape").encode("utf-8"))
    assert result.skipped == []
    assert result.bookmarks == [
        BookmarkData(
            url="https://example.org/hybrid",
            title="Hybrid conferences that work",
            note="Good checklist for the next event.\nShare with the team.",
            tags=("conference2.0", "events"),
            added=SAVED,
        ),
        BookmarkData(
            url="https://example.com/keynote",
            title="Keynote notes",
            tags=("keynote",),
            added=SAVED - timedelta(days=1),
            to_read=True,
        ),
    ]


def test_netscape_round_trip_private_and_hostile() -> None:
    from dataclasses import replace

    out = dump((replace(HOSTILE, private=True), HOSTILE), title="x")
    result = parse_netscape(out.encode())
    bookmark, public = result.bookmarks
    assert public.private is False  # the flag is each bookmark's own
    assert bookmark.url == 'https://evil.example.com/a(b) c?x=1&y="2"'
    assert bookmark.title == 'Evil <script>alert("x")</script> & "quotes" [bold] *x* _y_ `z`'
    assert bookmark.note == (
        "# not a heading\n> not a quote\n<script>alert(3)</script> [link](javascript:x)"
    )
    assert bookmark.tags == ("<script>", 'q"uote', "a&b", "[bold]", "esc", "bell")
    assert bookmark.private is True


def test_netscape_single_tag_with_space_survives() -> None:
    entry = Entry(id=1, url="https://x.example.com/", title="t", tags=("two words",))
    assert parse_netscape(dump((entry,), title="x").encode()).bookmarks[0].tags == ("two words",)


_text = st.text(alphabet=st.characters(exclude_categories=["Cs"]), min_size=0, max_size=30)
_tag = st.text(
    alphabet=st.characters(exclude_categories=["Cs", "Cc", "Z"], exclude_characters=","),
    min_size=1,
    max_size=12,
)


@st.composite
def _entry(draw: st.DrawFn) -> Entry:
    path = draw(st.from_regex(r"(/[A-Za-z0-9._~%!$&'()*+,;=:@-]{0,10}){0,3}", fullmatch=True))
    saved = draw(
        st.none()
        | st.datetimes(
            min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
        )
    )
    return Entry(
        id=draw(st.integers(min_value=1, max_value=10**9)),
        url=f"https://{draw(st.from_regex(r'[a-z]{1,8}', fullmatch=True))}.example.com{path}",
        title=draw(_text),
        note=draw(st.none() | _text),
        tags=tuple(draw(st.lists(_tag, max_size=4, unique_by=str.casefold))),
        saved=saved.replace(microsecond=0) if saved else None,
        to_read=draw(st.booleans()),
    )


def _clean(text: str | None) -> str:
    # Escape sequences go whole (tests/test_text.py holds that), then any other control.
    return " ".join(CONTROL_RE.sub("", remove_escapes(text or "")).split())


@given(st.lists(_entry(), max_size=6))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_netscape_round_trip_property(entries: list[Entry]) -> None:
    result = parse_netscape(dump(entries, title="t").encode("utf-8"))
    assert result.skipped == []
    assert len(result.bookmarks) == len(entries)
    for entry, bookmark in zip(entries, result.bookmarks, strict=True):
        assert bookmark.url == entry.url
        assert (bookmark.title or "") == _clean(entry.title)
        assert [_clean(n) for n in (bookmark.note or "").split("\n")] == [
            _clean(n)
            for n in CONTROL_RE.sub(
                "",
                remove_escapes(entry.note or "").replace("\r\n", "\n").replace("\r", "\n"),
            )
            .strip()
            .split("\n")
        ] or not _clean(entry.note)
        assert bookmark.tags == tuple(_clean(t) for t in entry.tags)
        assert bookmark.added == entry.saved
        assert bookmark.to_read == entry.to_read
        assert bookmark.private is False


@given(st.lists(_entry(), max_size=4), _text, _text)
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_every_export_stays_valid_property(
    entries: list[Entry], title: str, description: str
) -> None:
    entries = [e.__class__(**{**e.__dict__, "summary": e.note}) for e in entries]
    for fmt, exporter in EXPORTERS.items():
        out = exporter(entries, title=title, description=description, generated=GENERATED)
        assert not CONTROL_RE.search(out), fmt
        if fmt == "json":
            assert len(json.loads(out)["items"]) == len(entries)
        elif fmt == "atom":
            assert len(_atom(out).findall(f"{ATOM}entry")) == len(entries)
        elif fmt == "html":
            assert _html_tree(out).find(".//script") is None


# --- Netscape import: the peers' files ---------------------------------------------------


def load(name: str, **kwargs: bool) -> BookmarkImport:
    return parse_netscape((DATA / name).read_bytes(), **kwargs)


def at(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


def test_firefox() -> None:
    result = load("firefox.html")
    assert [b.url for b in result.bookmarks] == [
        "https://support.mozilla.org/en-US/products/firefox",
        "https://www.mozilla.org/en-US/firefox/customize/",
        "https://jarche.com/2014/02/the-seek-sense-share-framework/",
        "https://example.org/hybrid-conferences",
        "https://example.org/keynote?id=1&lang=nl",
        "https://www.downes.ca/",
    ]
    assert result.bookmarks[2] == BookmarkData(
        url="https://jarche.com/2014/02/the-seek-sense-share-framework/",
        title="The Seek > Sense > Share Framework",
        note="Harold Jarche's framework:\nseek, sense, share & repeat.",
        tags=("pkm", "seek-sense-share"),  # the toolbar folder is not a tag
        added=at(1600000000),
        modified=at(1600000500),
    )
    assert result.bookmarks[0].tags == ("Mozilla Firefox",)
    assert result.bookmarks[3].tags == ("conference2.0", "Conferences")
    assert result.bookmarks[3].note is None  # the folder's <DD> is not the link's
    assert result.bookmarks[4].tags == ("Conferences", "Keynotes")
    assert result.bookmarks[4].title == "Keynote & panel"
    assert result.bookmarks[5].tags == ()  # "Other Bookmarks" is a root
    assert len(result.skipped) == 5
    assert [s.split(":")[0] for s in result.skipped] == [
        "place",
        "place",
        "javascript",
        "about",
        "file",
    ]
    assert result.skipped[0] == (
        "place:parent=toolbar_____&sort=12&maxResults=10: place: link, not http(s)"
    )


def test_firefox_without_folder_tags() -> None:
    result = load("firefox.html", folders_as_tags=False)
    assert [b.tags for b in result.bookmarks] == [
        (),
        (),
        ("pkm", "seek-sense-share"),
        ("conference2.0",),
        (),
        (),
    ]


def test_chrome() -> None:
    result = load("chrome.html")
    assert result.bookmarks == [
        BookmarkData(
            url="https://www.te-learning.nl/blog/",
            title="Wilfred Rubens over leren en ICT",
            added=at(1600000010),
        ),
        BookmarkData(
            url="https://www.frankwatching.com/",
            title="Frankwatching – online marketing & communicatie",
            tags=("Onderzoek",),
            added=at(1600000020),
        ),
        BookmarkData(url="https://seths.blog/", title="Seth's Blog", added=at(1600000030)),
    ]
    assert result.skipped == [
        "chrome://settings/: chrome: link, not http(s)",
        "chrome-extension://abcdefghijklmnop/options.html: chrome-extension: link, not http(s)",
        "data:text/html,<h1>hi</h1>: data: link, not http(s)",
    ]


def test_edge_milliseconds_and_microseconds() -> None:
    result = load("edge.html")
    assert result.bookmarks == [
        BookmarkData(
            url="https://learn.microsoft.com/", title="Microsoft Learn", added=at(1600000000)
        ),
        BookmarkData(url="https://nesslabs.com/", title="Ness Labs", added=at(1600000000)),
    ]
    assert result.skipped == ["edge://settings/: edge: link, not http(s)"]


def test_safari_reading_list_and_valueless_attributes() -> None:
    result = load("safari.html")
    assert result.bookmarks == [
        BookmarkData(url="https://www.apple.com/", title="Apple"),
        BookmarkData(url="https://calnewport.com/blog/", title="Cal Newport", tags=("Work",)),
        BookmarkData(
            url="https://calnewport.com/deep-habits/",
            title="Deep habits",
            tags=("Work", "Deep Work"),
        ),
        BookmarkData(
            url="https://maggieappleton.com/garden-history",
            title="A Brief History & Ethos of the Digital Garden",
            note="Preview: a newly revived philosophy",
            to_read=True,
        ),
    ]
    assert result.skipped == []


def test_pinboard() -> None:
    result = load("pinboard.html")
    assert result.bookmarks == [
        BookmarkData(
            url="https://jarche.com/pkm/",
            title="Personal Knowledge Mastery",
            note='Read this "soon" & share with the team',
            tags=("pkm", "learning"),
            added=at(1414524616),
            to_read=True,
        ),
        BookmarkData(
            url="https://example.com/private",
            title="Private thing",
            added=at(1414524617),
            private=True,
        ),
        BookmarkData(
            url="https://example.com/multi",
            title="Duplicate tags",
            note="Line one\nLine two\nLine three",
            tags=("a", "b"),
            added=at(1414524618),
        ),
        BookmarkData(url="https://example.com/notags", title="No tags", added=at(1414524619)),
    ]


def test_delicious_lower_case() -> None:
    result = load("delicious.html")
    assert result.bookmarks == [
        BookmarkData(
            url="http://www.conference20.example.com/",
            title="Conference 2.0",
            note="How social media change conferences",
            tags=("conference2.0", "socialmedia", "events"),
            added=at(1230768000),
        ),
        BookmarkData(
            url="http://blog.example.com/backchannel",
            title="The backchannel",
            tags=("conference2.0", "backchannel"),
            added=at(1230768100),
        ),
        BookmarkData(
            url="http://www.example.com/untitled", title=None, tags=("misc",), added=at(1230768200)
        ),
    ]


def test_linkding_notes() -> None:
    result = load("linkding.html")
    assert result.bookmarks == [
        BookmarkData(
            url="https://github.com/sissbruecker/linkding",
            title="linkding",
            note="Self-hosted bookmark manager\n\nTry it on the NAS\nwith Docker",
            tags=("selfhosted", "bookmarks"),
            added=at(1700000000),
            modified=at(1700000100),
            private=True,
        ),
        BookmarkData(
            url="https://example.com/unread",
            title="Unread article",
            added=at(1700000200),
            modified=at(1700000200),
            to_read=True,
        ),
    ]


def test_shaarli_space_separated_tags_and_notes() -> None:
    result = load("shaarli.html")
    assert result.bookmarks == [
        BookmarkData(
            url="https://www.zylstra.org/blog/",
            title="Interdependent Thoughts",
            note="Ton's blog. **Markdown** description\nspanning two lines",
            tags=("blogging", "indieweb", "pkm"),
            added=at(1500000000),
            modified=at(1500000500),
        )
    ]
    assert result.skipped == [
        "?EaWOJQ: relative link, not http(s)",
        "/shaare/AbCdEf: relative link, not http(s)",
    ]


def test_buku() -> None:
    result = load("buku.html")
    assert result.bookmarks == [
        BookmarkData(
            url="https://github.com/jarun/buku",
            title="buku",
            note="Personal mini-web in text",
            tags=("bookmarks", "cli"),
            added=at(1556430615),
            modified=at(1556430615),
        ),
        BookmarkData(
            url="https://www.downes.ca/news/OLDaily.htm",
            title="OLDaily",
            added=at(1556430616),
            modified=at(1556430616),
        ),
    ]


def test_dates_in_every_unit() -> None:
    result = load("dates.html")
    added = {b.title: b.added for b in result.bookmarks}
    modified = {b.title: b.modified for b in result.bookmarks}
    base = at(1700000000)
    assert added == {
        "seconds": base,
        "milliseconds": base,
        "microseconds": base,
        "nanoseconds": base,
        "missing": None,
        "zero and negative": None,
        "garbage": None,
        "float": base,
        "iso": base,
        "huge": None,
    }
    assert modified["seconds"] == modified["milliseconds"] == modified["microseconds"]
    assert modified["seconds"] == at(1700000001)
    for when in added.values():
        assert when is None or when.tzinfo is UTC


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1700000000", at(1700000000)),
        (" 1700000000 ", at(1700000000)),
        ("1700000000000", at(1700000000)),
        ("1700000000000000", at(1700000000)),
        ("1700000000000000000", at(1700000000)),
        ("2023-11-14", datetime(2023, 11, 14, tzinfo=UTC)),
        ("2023-11-14T23:13:20+01:00", at(1700000000)),
        (None, None),
        ("", None),
        ("nan", None),
        ("inf", None),
        ("-1", None),
        ("²", None),
        ("0001-01-01T00:00:00+14:00", None),
    ],
)
def test_parse_timestamp(value: str | None, expected: datetime | None) -> None:
    assert parse_timestamp(value) == expected


def test_quirks_bom_no_doctype_unclosed_tags_crlf() -> None:
    result = load("quirks.html")
    assert result.bookmarks == [
        BookmarkData(
            url="https://q.example.com/one",
            title="One",
            note="Description with bold & HTML\nover two lines",
            tags=("x",),
            added=at(1600000000),
        ),
        BookmarkData(url="https://q.example.com/two", title="Two", added=at(1600000001)),
        BookmarkData(url="https://q.example.com/three", title="A alert(1) title"),
        BookmarkData(url="https://q.example.com/four", title="Café – über"),
        BookmarkData(url="https://q.example.com/five", title="Spaced title"),
        BookmarkData(url="HTTPS://Q.EXAMPLE.COM/SIX", title="Upper-case scheme"),
        BookmarkData(
            url="https://q.example.com/seven",
            title="Control chars",
            note="Note with escape",
            tags=("tag", "bell"),
        ),
    ]
    assert result.skipped == [
        "No href: link without an address",
        "Empty href: link without an address",
        "www.example.com/no-scheme: relative link, not http(s)",
    ]


def test_declared_windows_1252() -> None:
    result = load("windows1252.html")
    assert [b.title for b in result.bookmarks] == ["Café “quoted” €"]


@pytest.mark.parametrize(
    "data",
    [b"", b"hello", b"\x89PNG\r\n\x1a\n", b"<html><body><a href='https://x.example/'>x</a></html>"],
)
def test_not_a_bookmark_file(data: bytes) -> None:
    with pytest.raises(FormatError, match="^not a Netscape bookmark file"):
        parse_netscape(data)


def test_bookmark_file_without_bookmarks_is_empty() -> None:
    result = parse_netscape(b"<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<DL><p>\n</DL><p>\n")
    assert result == BookmarkImport(bookmarks=[], skipped=[])


def test_unclosed_anchor_and_unclosed_dl() -> None:
    data = (
        b"<!DOCTYPE NETSCAPE-Bookmark-file-1><DL><p><DT><H3>Folder<DL><p>"
        b'<DT><A HREF="https://a.example.com/">A title\n<DD>A note\n'
        b'<DT><A HREF="https://b.example.com/">B title'
    )
    result = parse_netscape(data)
    assert result.bookmarks == [
        BookmarkData(
            url="https://a.example.com/", title="A title", note="A note", tags=("Folder",)
        ),
        BookmarkData(url="https://b.example.com/", title="B title", tags=("Folder",)),
    ]


_fragments = st.sampled_from(
    [
        b"<!DOCTYPE NETSCAPE-Bookmark-file-1>",
        b"<DL><p>",
        b"</DL><p>",
        b"<DT>",
        b"<DD>",
        b"</DD>",
        b'<A HREF="https://a.example.com/x">',
        b"<A HREF=javascript:x>",
        b"<a href='place:x'>",
        b"</A>",
        b"<H3>",
        b"</H3>",
        b'<H3 PERSONAL_TOOLBAR_FOLDER="true">',
        b"title",
        b"&amp;",
        b"&",
        b"<",
        b">",
        b'"',
        b' TAGS="a,b" ',
        b' ADD_DATE="99999999999999999999" ',
        b"<script>",
        b"</script>",
        b"<br>",
        b"\n",
        b"\xef\xbb\xbf",
        b"\x00",
        b"\xe9",
        b"<!--",
        b"-->",
        b"<![CDATA[",
        b"<?",
        b"<!",
    ]
)


@given(st.binary(max_size=400) | st.lists(_fragments, max_size=50).map(b"".join))
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_parse_netscape_never_crashes(data: bytes) -> None:
    try:
        result = parse_netscape(data)
    except FormatError:
        return
    assert isinstance(result, BookmarkImport)
    for bookmark in result.bookmarks:
        assert bookmark.url.lower().startswith(("http://", "https://"))
        assert not CONTROL_RE.search(bookmark.title or "")
        assert not CONTROL_RE.search(bookmark.note or "")
        assert all(tag and not CONTROL_RE.search(tag) for tag in bookmark.tags)
        assert bookmark.added is None or bookmark.added.tzinfo is UTC
    assert all("\n" not in reason for reason in result.skipped)


def test_hundred_thousand_bookmarks_parse_whole() -> None:
    """Its speed is measured by benchmarks/; here, that nothing of a large file is lost."""
    lines = ["<!DOCTYPE NETSCAPE-Bookmark-file-1>", "<DL><p>"]
    for folder in range(100):
        lines.append(f'    <DT><H3 ADD_DATE="1580000000">Folder {folder}</H3>')
        lines.append("    <DL><p>")
        for i in range(1000):
            n = folder * 1000 + i
            lines.append(
                f'        <DT><A HREF="https://site{n % 977}.example.com/p/{n}?a=1&amp;b=2" '
                f'ADD_DATE="{1580000000 + n}" LAST_MODIFIED="1580000999" '
                f'TAGS="tag{n % 50},other" PRIVATE="0">Bookmark {n} &amp; more</A>'
            )
            if n % 3 == 0:
                lines.append(f"        <DD>Description of bookmark {n}")
        lines.append("    </DL><p>")
    lines.append("</DL><p>")
    result = parse_netscape("\n".join(lines).encode())
    assert len(result.bookmarks) == 100_000
    assert result.bookmarks[3].note == "Description of bookmark 3"
    assert result.bookmarks[99_999].tags == ("tag49", "other", "Folder 99")


@pytest.mark.parametrize(
    "unit",
    [
        b'<A b="x>',
        b'<A b="x"<>',
        b"<a<a<a>",
        b'<A HREF="https://a.example/" <b>',
        b"<A b='x>\n",
        b'<A b="',
        b"b=c ",
    ],
)
def test_pathological_bookmark_files_take_linear_time(unit: bytes) -> None:
    start = time.perf_counter()
    parse_netscape(b"<DT><A " + unit * 100_000)
    assert time.perf_counter() - start < 10
