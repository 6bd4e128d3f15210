"""Nothing let in: hostile text never reaches the terminal as control, hostile HTML never
reaches the store or an export, and only http(s) URLs are followed or saved.

A store is filled from a local server (an RSS feed with raw control bytes and character
references, a JSON Feed, which may legally carry ESC, a page to save), from a bookmark
import and from the user's own options; then every command that prints is run on it, by
Typer's runner and, for the commands a person reads most, on a real pseudo-terminal.
"""

from __future__ import annotations

import fcntl
import html
import json
import os
import pty
import re
import shutil
import sqlite3
import struct
import subprocess
import sys
import termios
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import lxml.etree
import lxml.html
import pytest
from conftest import RunCli
from httpserver import LocalServer

from pkm import Pkm
from pkm.errors import InvalidURLError

pytestmark = pytest.mark.timeout(120)

# What an attacker can put in a title, an author, a summary, a tag or a note.
ESCAPES = {
    "SGR colour and blink": "\x1b[5;38;5;201mBLINK\x1b[0m",
    "clear screen, cursor home and moves": "\x1b[2J\x1b[H\x1b[10;10H\x1b[3A",
    "OSC 0 window title": "\x1b]0;pwned-title\x07",
    "OSC 8 hyperlink": "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\",
    "OSC 52 clipboard": "\x1b]52;c;cm0gLXJmIH4=\x07",
    "DCS": "\x1bP+q544e\x1b\\",
    "bell": "\x07",
    "C1 CSI and OSC": "\x9b6n \x9d0;c1-title\x9c",
    "C0 and DEL": "\x00\x01\x08\x0b\x0c\x0e\x1f\x7f",
    "bidi overrides": "\u202eevil\u202c \u2066isolate\u2069 \u200f",
    "Rich markup": "[bold red]loud[/bold red] [link=https://evil.example]here[/link] [/]",
}
HOSTILE = "Hostile " + " ".join(ESCAPES.values())

HTML_PAYLOADS = {
    "script": "<script>alert('script')</script>",
    "event handler": '<img src="https://img.example/a.png" onerror="alert(1)" onload=alert(2)>',
    "javascript: link": '<a href="javascript:alert(3)">js link</a>',
    "obfuscated javascript: link": '<a href="jav&#x09;ascript:alert(4)">js2</a>',
    "data: link": '<a href="data:text/html;base64,PHNjcmlwdD4=">data link</a>',
    "iframe": '<iframe src="https://evil.example/frame"></iframe>',
    "style": "<style>body{display:none}</style><p style='position:fixed'>styled</p>",
    "svg": '<svg onload="alert(5)"><script>alert(6)</script><use href="#x"/></svg>',
    "object and embed": '<object data="x.swf"></object><embed src="x.swf">',
    "form": '<form action="https://evil.example/"><input name=q><button>go</button></form>',
    "meta refresh and base": '<meta http-equiv="refresh" content="0;url=https://evil.example/">'
    '<base href="https://evil.example/">',
    "mXSS": "<math><mtext><table><mglyph><style><img src=x onerror=alert(7)>",
}
HOSTILE_HTML = (
    "<p>Kept paragraph.</p>"
    # What the article view lays out: text in a link, an alt text, code, a table cell.
    + '<p><a href="https://hostile.example/l">Link {0}</a> <img src="https://img.example/b.png"'
    ' alt="Alt {0}"></p><pre>Code {0}</pre><table><tr><td>Cell {0}</td></tr></table>'.format(
        html.escape(HOSTILE)
    )
    + "".join(HTML_PAYLOADS.values())  # last: the mXSS payload's open <style> ends the text
)

FORBIDDEN_TAGS = {
    "script",
    "iframe",
    "style",
    "svg",
    "math",
    "object",
    "embed",
    "form",
    "input",
    "button",
    "meta",
    "base",
    "link",
    "frame",
    "frameset",
    "template",
    "noscript",
}

# Terminal-visible controls: ESC, C0 (but tab, newline, carriage return), DEL, C1, bidi.
BAD_CHARS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


def assert_inert(text: str, where: object) -> None:
    found = BAD_CHARS.search(text)
    assert found is None, (where, repr(text[max(found.start() - 40, 0) : found.end() + 40]))
    if "loud" in text:  # a title came through: its markup must be literal text
        assert "/bold" in text, (where, text)


def assert_safe_html(fragment: str, where: object) -> None:
    """No active content in an HTML fragment as a browser would read it."""
    if not fragment.strip():
        return
    root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        assert element.tag.lower() not in FORBIDDEN_TAGS, (where, element.tag, fragment)
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), (where, name, fragment)
            assert name.lower() != "style", (where, name, fragment)
            if name.lower() in ("href", "src", "action", "formaction", "xlink:href", "srcset"):
                assert_web_url(value, (where, fragment))


def assert_web_url(value: str, where: object) -> None:
    scheme = urlsplit(value.strip()).scheme.lower()
    assert scheme in ("http", "https", "mailto", ""), (where, value)
    assert "script" not in value.lower().replace("description", ""), (where, value)


# --- the hostile web ---------------------------------------------------------------------


def _xml_text(text: str) -> bytes:
    """``text`` for an XML document: raw control bytes and character references both."""
    escaped = html.escape(text, quote=False)
    return escaped.encode("utf-8", "surrogatepass")


def hostile_rss() -> bytes:
    title = _xml_text("RSS " + HOSTILE)
    refs = b"&#27;[5;38;5;201mREF&#27;[0m &#x1b;]0;ref-title&#7; &#155;6n &#x202e;ref"
    return (
        b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>'
        + title
        + b"</title><link>https://hostile.example/</link>"
        b"<item><title>"
        + _xml_text("Item " + HOSTILE)
        + b"</title><link>https://hostile.example/1</link>"
        b"<author>"
        + _xml_text("a@b.example (Author " + HOSTILE + ")")
        + b"</author><description>"
        + html.escape(HOSTILE_HTML).encode()
        + b"</description></item>"
        b"<item><title>Refs " + refs + b"</title><link>https://hostile.example/2</link>"
        b"<description>" + refs + b"</description></item>"
        b'<item><title>Script link</title><link>javascript:alert("link")</link>'
        b"<guid>hostile-3</guid></item>"
        b"</channel></rss>"
    )


def hostile_json_feed() -> bytes:
    return json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": "JSON " + HOSTILE,
            "home_page_url": "javascript:alert('home')",
            "items": [
                {
                    "id": "j1",
                    "url": "https://hostile.example/j1",
                    "title": "JSON item " + HOSTILE,
                    "authors": [{"name": "JSON author " + HOSTILE}],
                    "summary": "Summary " + HOSTILE,
                    "content_html": HOSTILE_HTML,
                },
                {
                    "id": "j2",
                    "url": "data:text/html,<script>alert(1)</script>",
                    "title": "JSON data URL",
                    "content_text": "Text " + HOSTILE + " <script>alert(1)</script>",
                },
            ],
        }
    ).encode()


HOSTILE_PAGE = (
    "<!doctype html><html><head><title>Page " + HOSTILE + "</title>"
    '<meta name="description" content="Description ' + html.escape(HOSTILE) + '">'
    '<link rel="alternate" type="application/rss+xml" title="JS feed"'
    ' href="javascript:alert(1)">'
    '<link rel="alternate" type="application/rss+xml" title="File feed" href="file:///etc/passwd">'
    "</head><body>hi</body></html>"
)

HOSTILE_BOOKMARKS = (
    "<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<DL><p>\n"
    '<DT><A HREF="https://import.example/1" ADD_DATE="1700000000" TAGS="imported,'
    + html.escape(ESCAPES["Rich markup"] + " " + ESCAPES["SGR colour and blink"])
    + '">Imported '
    + html.escape(HOSTILE)
    + "</A>\n<DD>Imported note "
    + html.escape(HOSTILE)
    + "\n"
    '<DT><A HREF="javascript:alert(\x1b[31m1)">Script bookmark \x1b]0;t\x07</A>\n'
    '<DT><A HREF="file:///etc/passwd">File bookmark</A>\n'
    '<DT><A HREF="data:text/html,x">Data bookmark</A>\n'
    "</DL>\n"
)


@dataclass
class Hostile:
    db: Path
    server: LocalServer
    saved_id: int  # saved by the user with hostile title, note and tags
    tag: str  # a tag every hostile entry carries


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hostile]:
    folder = tmp_path_factory.mktemp("hostile")
    db = folder / "pkm.db"
    with LocalServer() as server:
        server.route("/hostile.rss", hostile_rss(), content_type="application/rss+xml")
        server.route("/hostile.json", hostile_json_feed(), content_type="application/feed+json")
        server.route("/page", HOSTILE_PAGE, content_type="text/html; charset=utf-8")
        with Pkm.open(db) as store:
            store.add_feed(server.url("/hostile.rss"), folder="Hostile " + HOSTILE)
            store.add_feed(server.url("/hostile.json"), title="Mine " + HOSTILE)
            store.import_bookmarks(HOSTILE_BOOKMARKS.encode())
            tag = "hostile"
            for hit in store.find("", limit=100):
                store.tag(hit.entry.id, [tag, ESCAPES["Rich markup"][:40]])
            saved = store.save(
                "https://saved.example/x",
                title="Saved " + HOSTILE,
                note="Note " + HOSTILE + "\nsecond line " + HOSTILE,
                tags=[tag, "tag " + HOSTILE[:60], "[bold]b[/bold]"],
                fetch=False,
            )
            store.save(server.url("/page"), tags=[tag])  # title and description from the page
            store.mute("title:" + json.dumps("muted " + HOSTILE))
        yield Hostile(db, server, saved.entry.id, tag)


@pytest.fixture
def store_copy(hostile_store: Hostile, tmp_path: Path) -> Hostile:
    db = tmp_path / "copy.db"
    shutil.copyfile(hostile_store.db, db)
    return Hostile(db, hostile_store.server, hostile_store.saved_id, hostile_store.tag)


def printing_commands(h: Hostile) -> list[tuple[str, ...]]:
    """Every command that prints, with arguments that make it print hostile text."""
    i = str(h.saved_id)
    return [
        ("scan", "--no-fetch"),
        ("scan", "--no-fetch", "--json"),
        ("scan", "--force"),
        ("scan", "--force", "--json"),
        ("scan", "--since", "30d", "--all"),
        ("find",),
        ("find", "--json"),
        ("find", "hostile"),
        ("find", "loud", "--json"),
        ("find", "#hostile"),
        ("related", i),
        ("related", i, "--json"),
        ("show", i),
        ("show", i, "--json"),
        ("show", "1"),
        ("show", "1", "--width", "30"),
        ("show", "2", "--json"),
        ("show", "4", "--json"),
        ("tag", i, "more", "--note", "again " + HOSTILE),
        ("untag", i, "never-had-" + HOSTILE[:30], "more"),
        ("save", "https://saved.example/x", "--no-fetch", "-t", "again"),
        ("save", "https://saved.example/x", "--no-fetch", "--json"),
        ("save", h.server.url("/page")),
        ("tags",),
        ("tags", "--json"),
        ("tags", "--sort", "count"),
        ("tags", "rename", "[bold]b[/bold]", "renamed " + HOSTILE[:40]),
        ("feeds", "list"),
        ("feeds", "list", "--json"),
        ("feeds", "review"),
        ("feeds", "review", "--json"),
        ("feeds", "export"),
        ("feeds", "add", h.server.url("/page")),
        ("feeds", "add", h.server.url("/hostile.rss"), "--title", "Again " + HOSTILE),
        ("feeds", "remove", "2"),
        ("feeds", "remove", HOSTILE),
        ("export", h.tag, "--format", "md"),
        ("export", h.tag, "--format", "html"),
        ("export", h.tag, "--format", "atom"),
        ("export", h.tag, "--format", "json"),
        ("export", h.tag, "--format", "netscape"),
        ("export", "--query", "hostile", "--format", "md"),
        ("export", "no-such-" + HOSTILE),
        ("import", "BOOKMARKS"),
        ("mute", "list"),
        ("mute", "list", "--json"),
        ("mute", "add", "title:" + json.dumps("again " + HOSTILE)),
        ("show", "99999"),
        ("tags", "delete", "tag-" + HOSTILE[:30]),
    ]


COMMAND_IDS = [
    " ".join(a[:3]).encode("ascii", "backslashreplace").decode()[:60]
    for a in printing_commands(Hostile(Path("x"), LocalServer(), 1, "hostile"))
]


def _prepare(args: tuple[str, ...], tmp_path: Path) -> tuple[str, ...]:
    if args == ("import", "BOOKMARKS"):
        bookmarks = tmp_path / "hostile.html"
        bookmarks.write_text(HOSTILE_BOOKMARKS)
        return ("import", str(bookmarks))
    return args


@pytest.mark.parametrize("index", range(len(COMMAND_IDS)), ids=COMMAND_IDS)
def test_every_command_prints_hostile_text_inert(
    store_copy: Hostile, cli: RunCli, tmp_path: Path, index: int
) -> None:
    args = _prepare(printing_commands(store_copy)[index], tmp_path)
    result = cli("--db", str(store_copy.db), *args)
    assert "Traceback" not in result.stderr
    assert_inert(result.stderr, args)
    if "--json" not in args:
        assert_inert(result.stdout, args)
        return
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)  # valid JSON ...
    assert_inert(result.stdout, args)  # ... with every control escaped, none raw
    for text in _json_strings(data):  # markup is data, not markup
        if "loud" in text:
            assert "/bold" in text


def _json_strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_strings(item)


def test_json_output_keeps_the_stored_text_exactly(store_copy: Hostile, cli: RunCli) -> None:
    shown = cli("--db", str(store_copy.db), "show", str(store_copy.saved_id), "--json")
    data = json.loads(shown.stdout)
    assert data["title"] == "Saved " + HOSTILE  # the user's own title, every escape intact
    assert data["note"] == "Note " + HOSTILE + "\nsecond line " + HOSTILE
    assert "\\u001b" in shown.stdout  # escaped by the encoder, never raw


@pytest.mark.parametrize(
    "args",
    [("show", "SAVED", "--json"), ("find", "--json"), ("feeds", "list", "--json")],
    ids=["show", "find", "feeds list"],
)
def test_json_output_has_no_raw_terminal_controls(
    store_copy: Hostile, cli: RunCli, args: tuple[str, ...]
) -> None:
    args = tuple(str(store_copy.saved_id) if a == "SAVED" else a for a in args)
    result = cli("--db", str(store_copy.db), *args)
    assert result.exit_code == 0
    json.loads(result.stdout)
    found = BAD_CHARS.search(result.stdout)
    assert found is None, repr(result.stdout[found.start() - 30 : found.end() + 30])


def test_stored_text_from_the_web_has_no_controls(hostile_store: Hostile) -> None:
    conn = sqlite3.connect(hostile_store.db)
    rows = conn.execute(  # what feeds and pages said (not what the user typed)
        "SELECT title, author, summary, content, text FROM entries"
        " WHERE feed_id IS NOT NULL OR url LIKE 'http://127.0.0.1%'"
    ).fetchall()
    feed_titles = [r[0] for r in conn.execute("SELECT title FROM feeds WHERE title LIKE 'RSS%'")]
    conn.close()
    assert rows and feed_titles
    c0_c1 = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
    for value in [v for row in rows for v in row if v] + feed_titles:
        assert c0_c1.search(value) is None, repr(value)


# --- the terminal itself --------------------------------------------------------------------

# What Rich itself writes on a terminal: SGR styles, and for the progress bar, erase line,
# cursor up and cursor show/hide.
RICH_SEQUENCES = re.compile(r"\x1b\[[0-9;]*m|\x1b\[2K|\x1b\[\d*A|\x1b\[\?25[lh]|\r")


def run_on_terminal(
    db: Path, *args: str, rows: int = 50, columns: int = 160, pager: str = ""
) -> str:
    """Run pkm with stdout and stderr on a pseudo-terminal; everything it wrote. No pager
    unless one is given: a real one would wait for keys nobody presses."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLUMNS", "PAGER")}
    env["TERM"] = "xterm-256color"
    env["PKM_PAGER"] = pager
    proc = subprocess.Popen(
        [sys.executable, "-m", "pkm", "--db", str(db), *args],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=env,
        close_fds=True,
    )
    os.close(follower)
    chunks = []
    try:
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the program closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(leader)
        proc.wait(timeout=60)
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.parametrize(
    "args",
    [
        ("scan", "--force"),
        ("find", "hostile"),
        ("show", "SAVED"),
        ("show", "1", "--no-pager"),
        ("show", "4", "--no-pager"),
        ("tags",),
        ("feeds", "list"),
        ("feeds", "review"),
        ("export", "hostile"),
    ],
    ids=lambda a: " ".join(a),
)
def test_on_a_real_terminal_only_pkms_own_styles_are_sent(
    store_copy: Hostile, args: tuple[str, ...]
) -> None:
    args = tuple(str(store_copy.saved_id) if a == "SAVED" else a for a in args)
    written = run_on_terminal(store_copy.db, *args)
    if args[:2] == ("show", "1"):
        assert "Kept paragraph." in written and "Links:" in written
    assert "Traceback" not in written
    assert "\x1b[" in written or args[0] == "export"  # it really thought it was a terminal
    assert "\x1b[5;38;5;201m" not in written  # the hostile SGR
    assert_inert(RICH_SEQUENCES.sub("", written), args)


def test_the_article_view_sends_a_pager_only_pkms_own_styles(
    store_copy: Hostile, tmp_path: Path
) -> None:
    log = tmp_path / "paged.txt"
    script = tmp_path / "pager.py"
    script.write_text(f"import sys\nopen({str(log)!r}, 'w').write(sys.stdin.read())\n")
    for entry in ("1", "4"):  # the RSS and the JSON Feed item with hostile HTML
        written = run_on_terminal(
            store_copy.db, "show", entry, rows=5, pager=f"{sys.executable} {script}"
        )
        assert "Traceback" not in written
        paged = log.read_text()
        assert "Kept paragraph." in paged and "Alt Hostile" in paged and "Links:" in paged
        assert "\x1b[5;38;5;201m" not in paged
        assert_inert(RICH_SEQUENCES.sub("", paged), entry)


# --- hostile HTML: never stored, never exported --------------------------------------------


def test_stored_html_has_no_active_content(hostile_store: Hostile) -> None:
    conn = sqlite3.connect(hostile_store.db)
    fragments = [
        (title, value)
        for title, summary, content in conn.execute("SELECT title, summary, content FROM entries")
        for value in (summary, content)
        if value
    ]
    conn.close()
    assert any("Kept paragraph." in value for _, value in fragments)
    for title, value in fragments:
        assert_safe_html(value, title)


def _atom_html(text: str) -> list[str]:
    root = lxml.etree.fromstring(text.encode())
    ns = "{http://www.w3.org/2005/Atom}"
    found = []
    for element in root.iter(ns + "content", ns + "summary", ns + "title"):
        if element.get("type") == "html":
            found.append(element.text or "")
        elif element.get("type") == "xhtml":
            found.append(lxml.etree.tostring(element, encoding="unicode"))
    for link in root.iter(ns + "link"):
        assert_web_url(link.get("href", ""), "atom link")
    return found


def _json_feed_html(text: str) -> list[str]:
    doc = json.loads(text)
    found = []
    for item in doc["items"]:
        for key in ("url", "external_url"):
            if key in item:
                assert_web_url(item[key], "json feed url")
        found += [item[k] for k in ("content_html", "summary_html") if item.get(k)]
    return found


def _markdown_html(text: str) -> list[str]:
    # Markdown passes raw HTML through: none may be there. Links must be web links.
    for target in re.findall(r"\]\(([^)\s]*)", text):
        assert_web_url(target, "markdown link")
    assert "javascript:" not in text.lower()
    return [text]


def _page_html(text: str) -> list[str]:
    doc = lxml.html.document_fromstring(text)
    head = doc.find("head")
    assert head is not None
    # The page's own style sheet and Content-Security-Policy are the only head elements.
    assert {e.tag for e in head} <= {"meta", "title", "style"}
    assert [e.tag for e in head.iter("style")] in ([], ["style"])
    for meta in head.iter("meta"):
        assert meta.get("http-equiv", "").lower() in ("", "content-security-policy", "content-type")
    body = doc.find("body")
    assert body is not None
    return [lxml.html.tostring(body, encoding="unicode")]


EXPORT_HTML = {
    "md": _markdown_html,
    "html": _page_html,
    "atom": _atom_html,
    "json": _json_feed_html,
    "netscape": _page_html,
}


@pytest.mark.parametrize("fmt", sorted(EXPORT_HTML))
def test_every_export_format_is_free_of_active_content(
    hostile_store: Hostile, cli: RunCli, fmt: str, tmp_path: Path
) -> None:
    out = tmp_path / f"list.{fmt}"
    result = cli(
        "--db", str(hostile_store.db), "export", hostile_store.tag, "-f", fmt, "-o", str(out)
    )
    assert result.exit_code == 0, result.stderr
    text = out.read_text()
    assert "Kept paragraph." in text or fmt in ("md", "netscape")
    for fragment in EXPORT_HTML[fmt](text):
        if fmt == "html":
            fragment = re.sub(r"<style>.*?</style>", "", fragment, flags=re.S)
        if fmt == "netscape":
            fragment = re.sub(r"<meta [^>]*>", "", fragment, flags=re.I)
        assert_safe_html(fragment, fmt)
    # Terminal controls are not in the shared file either.
    assert BAD_CHARS.search(text.replace("\r", "")) is None or fmt == "json"


# --- URLs that are not http(s) ---------------------------------------------------------------

NOT_WEB_URLS = [
    "file:///etc/passwd",
    "FILE:///etc/passwd",
    "data:text/html,<script>alert(1)</script>",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "  javascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "vbscript:msgbox(1)",
    "feed:https://example.org/feed",
    "ftp://example.org/feed",
    "//evil.example/feed",
    "example.org/feed",
    "http:/evil.example",
    "https://",
]


@pytest.mark.parametrize("command", ["feeds add", "save"])
@pytest.mark.parametrize("url", NOT_WEB_URLS, ids=[repr(u) for u in NOT_WEB_URLS])
def test_non_web_urls_are_refused_with_a_clear_error(
    cli: RunCli, db_path: Path, command: str, url: str
) -> None:
    result = cli("--db", str(db_path), *command.split(), url, "--no-fetch")
    assert result.exit_code == 1, (result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("pkm: error: "), lines
    assert "only http and https" in lines[0] or "no host" in lines[0], lines[0]
    assert_inert(result.stderr, url)
    with Pkm.open(db_path) as store:
        assert store.feeds() == [] and store.find("") == []


@pytest.mark.parametrize("url", NOT_WEB_URLS, ids=[repr(u) for u in NOT_WEB_URLS])
def test_the_api_refuses_non_web_urls(db_path: Path, url: str) -> None:
    with Pkm.open(db_path) as store:
        with pytest.raises(InvalidURLError):
            store.add_feed(url, fetch=False)
        with pytest.raises(InvalidURLError):
            store.save(url, fetch=False)


def test_imports_skip_non_web_urls_and_say_why(cli: RunCli, db_path: Path, tmp_path: Path) -> None:
    opml = tmp_path / "feeds.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><body>'
        + "".join(
            f'<outline type="rss" text="x{i}" xmlUrl="{html.escape(url)}"/>'
            for i, url in enumerate(NOT_WEB_URLS)
            if not url.startswith("feed:")  # OPML readers take feed:https://… as https://…
        )
        + '<outline type="rss" text="ok" xmlUrl="https://ok.example/feed"/></body></opml>'
    )
    result = cli("--db", str(db_path), "feeds", "import", str(opml))
    assert result.exit_code == 0, result.stderr
    assert_inert(result.stdout + result.stderr, "opml import")
    bookmarks = tmp_path / "bookmarks.html"
    bookmarks.write_text(HOSTILE_BOOKMARKS)
    imported = cli("--db", str(db_path), "import", str(bookmarks))
    assert imported.exit_code == 0, imported.stderr
    assert "skipped 3" in imported.stdout
    assert_inert(imported.stdout + imported.stderr, "bookmark import")
    with Pkm.open(db_path) as store:
        assert [f.url for f in store.feeds()] == ["https://ok.example/feed"]
        urls = [h.entry.url for h in store.find("")]
        assert urls == ["https://import.example/1"]


def test_feed_links_and_discovered_feeds_that_are_not_web_urls_are_dropped(
    hostile_store: Hostile,
) -> None:
    with Pkm.open(hostile_store.db) as store:
        urls = [h.entry.url for h in store.find("", limit=100)]
        assert all(url is None or urlsplit(url).scheme in ("http", "https") for url in urls)
        script_item = [h.entry for h in store.find('"Script link"')]
        assert script_item and script_item[0].url is None
        feed = store.feed(hostile_store.server.url("/hostile.json"))
        assert feed.site_url is None
        with pytest.raises(Exception, match="without a feed link"):
            store.add_feed(hostile_store.server.url("/page"))
