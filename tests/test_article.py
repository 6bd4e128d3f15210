"""The article view: ``pkm show`` renders an entry's HTML for reading, ``pkm open ID N``.

Golden renders (``tests/data/articles/NAME.html`` beside ``NAME.WIDTH.txt``), the limits
that keep a hostile document cheap, and the command end to end on a store filled from a
local feed: piped, on a real pseudo-terminal with a fake pager that records what it was
given, with the pager missing, as JSON, and opening links through a fake browser.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import select
import shutil
import sqlite3
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import DATA, RunCli
from httpserver import LocalServer

from pkm import Pkm
from pkm.cli.article import MAX_HTML, article_html, plain, render_article
from pkm.cli.pager import DEFAULT_PAGER, pager_command
from pkm.types import Entry

ARTICLES = DATA / "articles"
GOLDEN = sorted(ARTICLES.glob("*.txt"))
BAD_CHARS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)
SGR = re.compile(r"\x1b\[[0-9;]*m")


# --- the renderer --------------------------------------------------------------------------


@pytest.mark.parametrize("golden", GOLDEN, ids=[p.name for p in GOLDEN])
def test_golden_render(golden: Path) -> None:
    name, width = golden.stem.split(".")
    source = (ARTICLES / f"{name}.html").read_text()
    assert plain(render_article(source, int(width))) == golden.read_text()


def test_every_fixture_has_a_golden_render() -> None:
    rendered = {p.name.split(".")[0] for p in GOLDEN}
    assert rendered == {p.stem for p in ARTICLES.glob("*.html")}
    assert len(rendered) >= 5


@pytest.mark.parametrize("name", ["prose", "lists", "links"])
@pytest.mark.parametrize("width", [20, 33, 57, 80, 100])
def test_wrapping_breaks_lines_only_at_spaces_and_within_the_width(name: str, width: int) -> None:
    source = (ARTICLES / f"{name}.html").read_text()
    text = render_article(source, width).text
    assert max(len(line) for line in text.splitlines()) <= width, text
    # Re-wrapping only moves line breaks: the words, in order, are those of a wide render
    # (but for the marks that are drawn per line: heading rules and quote bars).
    wide = _words(render_article(source, 1000).text)
    if max(len(w) for w in wide) <= width:
        assert _words(text) == wide
    else:  # a word longer than the line is cut, nothing else
        assert "".join(_words(text)) == "".join(wide)


def _words(text: str) -> list[str]:
    return [w for w in text.split() if not set(w) <= {"=", "-", "│"}]


@pytest.mark.parametrize("width", [20, 41, 80])
def test_double_width_text_wraps_by_terminal_columns(width: int) -> None:
    from rich.cells import cell_len

    chinese = "混合活动：我们从一年的在线活动中学到了什么。" * 6
    source = (
        f"<h1>会议的未来</h1><p>{chinese} and a few English words</p>"
        "<ul><li>日本語 の テキスト 日本語のテキスト日本語のテキスト日本語のテキスト</li></ul>"
    )
    text = render_article(source, width).text
    lines = text.splitlines()
    assert max(cell_len(line) for line in lines) <= width, text
    assert cell_len(lines[1]) == cell_len(lines[0]) == 10  # the rule is as wide as the title
    assert "".join(text.split()).replace("=", "").replace("*", "") == "".join(
        (f"会议的未来{chinese}andafewEnglishwords日本語のテキスト" + "日本語のテキスト" * 3).split()
    )
    assert re.search(r"^  \* 日本語", text, re.M)  # the bullet keeps its first words


def test_a_wide_table_becomes_a_list_but_a_narrow_table_inside_it_stays_a_grid() -> None:
    wide = "a cell with enough words in it to be wider than the screen is"
    inner = "<table><tr><td>in</td><td>ner</td></tr><tr><td>a</td><td>b</td></tr></table>"
    text = render_article(f"<table><tr><td>{wide}</td><td>{inner}</td></tr></table>", 60).text
    assert text.count("* ") == 1 and text.startswith("  * a cell with")
    assert "in  ner" in text and "| in" in text


def test_code_keeps_its_indentation_and_long_lines() -> None:
    text = render_article((ARTICLES / "code.html").read_text(), 40).text
    assert "    for talk in sorted(talks, key=lambda t: t.start):\n" in text
    assert "        if talk.start - start >= length:\n            return start\n" in text
    assert "    # a tab, expanded to four columns" in text  # a tab is four spaces
    assert "else None  # a comment that makes this line longer than eighty columns" in text


def test_links_are_numbered_in_order_and_a_repeated_url_keeps_its_number() -> None:
    article = render_article((ARTICLES / "links.html").read_text())
    assert [link.n for link in article.links] == list(range(1, 14))
    assert article.links[1].url == "https://events.example/blog/hybrid"
    assert article.text.count("[2]") == 2
    assert "back to the top" in article.text and "#top" not in plain(article)
    assert article.links[11].text == "Photo gallery"  # an image link is named by its alt


def test_headings_and_quotes_are_marked_for_the_terminal() -> None:
    article = render_article((ARTICLES / "prose.html").read_text())
    headings = [article.text[s:e] for s, e in article.headings]
    assert "What the numbers said" in headings
    assert "Hybrid events: what we learned from a year online" in headings
    quotes = {article.text[s:e] for s, e in article.quotes}
    assert quotes == {"│ ", "│ │ ", "│"}


def test_text_without_tags_is_one_paragraph_and_nothing_is_nothing() -> None:
    assert render_article("just words\n\nand more").text == "just words and more"
    assert render_article("").text == "" and render_article("<!-- -->").text == ""


def test_the_view_shows_content_else_summary_else_the_plain_text() -> None:
    both = Entry(1, None, None, summary="<p>summary</p>", content="<p>content</p>")
    assert render_article(article_html(both)).text == "content"
    assert article_html(Entry(1, None, None, summary="<p>s</p>")) == "<p>s</p>"
    text_only = Entry(1, None, None, text="a page said: <b> is not a tag & this is text")
    assert render_article(article_html(text_only)).text == text_only.text


def test_line_breaks_in_code_are_kept() -> None:
    text = render_article("<pre><code>one<br>two<br/>  three</code></pre>").text
    assert text == "one\ntwo\n  three"


def test_hostile_text_inside_the_html_is_inert() -> None:
    hostile = (
        "\x1b[31mred\x1b[0m &#27;[5mblink &#x9b;6n \u202eevil\u202c [bold]loud[/bold]"
        " \x1b]8;;https://evil.example/\x07osc\x1b]8;;\x07"
    )
    source = (
        f"<p>{hostile}</p><pre>{hostile}</pre><table><tr><td>{hostile}</td></tr></table>"
        f'<p><img alt="{hostile}"><a href="https://x.example/\x1b[2J">{hostile}</a></p>'
    )
    article = render_article(source, 60)
    for text in [plain(article)] + [link.text + link.url for link in article.links]:
        assert BAD_CHARS.search(text) is None, repr(text)
        assert "[bold]loud[/bold]" in text or text.startswith("https")


def _peak_rss_mb(code: str) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of rendering in a fresh process."""
    script = (
        "import resource, sys, time\n"
        "from pkm.cli.article import render_article\n"
        f"source = {code}\n"
        "start = time.perf_counter()\n"
        "render_article(source)\n"
        "print(time.perf_counter() - start)\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    ).stdout.split()
    return float(out[0]), float(out[1])


BIG = {
    "5 MB of prose": "'<p>' + 'word ' * 1_000_000",
    "200,000 nested divs": "'<div>' * 200_000 + 'deep'",
    "300,000 unclosed inline tags": "'<p><b><i>x' * 100_000",
    "30,000 links": "'<a href=\"https://x.example/\">a</a> ' * 30_000",
    "100,000 one-line code blocks": "'<pre>x = 1</pre>' * 100_000",
    "a table of 5,000 columns": "'<table>' + ('<tr>' + '<td>c</td>' * 5000) * 40",
    "one 2 MB word": "'a' * 2_000_000",
}


@pytest.mark.parametrize("code", BIG.values(), ids=BIG.keys())
def test_enormous_or_malformed_documents_render_in_bounded_time_and_memory(code: str) -> None:
    seconds, peak = _peak_rss_mb(code)
    # Measured at most 1.3 s and 73 MB; the bounds leave room for a busy 2-core machine.
    assert seconds < 5, seconds
    assert peak < 300, peak


def test_past_the_size_cap_the_rest_is_counted_not_rendered() -> None:
    source = "<p>" + "word " * (MAX_HTML // 5 + 1000) + "</p><p>the end</p>"
    article = render_article(source)
    assert article.cut == len(source) - MAX_HTML
    assert "the end" not in article.text


# --- pkm show and pkm open, end to end -------------------------------------------------------


@dataclass
class Store:
    db: Path
    ids: dict[str, int]  # fixture name -> entry id
    stored: dict[str, str]  # fixture name -> the HTML as stored


def _feed(names: list[str]) -> bytes:
    items = "".join(
        f"<item><title>{name.title()} article</title>"
        f"<link>https://events.example/{name}</link><guid>{name}</guid>"
        f"<author>ada@events.example (Ada)</author>"
        f"<pubDate>Fri, 20 Nov 2026 09:00:00 GMT</pubDate>"
        f"<content:encoded><![CDATA[{(ARTICLES / f'{name}.html').read_text()}]]></content:encoded>"
        "</item>"
        for name in names
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"'
        ' xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        f"<title>Events blog</title><link>https://events.example/</link>{items}"
        "<item><title>Short note</title><link>https://events.example/short</link>"
        "<description>One line only.</description></item></channel></rss>"
    ).encode()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    db = tmp_path_factory.mktemp("articles") / "pkm.db"
    names = [p.stem for p in sorted(ARTICLES.glob("*.html"))]
    with LocalServer() as server:
        server.route("/feed.rss", _feed(names), content_type="application/rss+xml")
        with Pkm.open(db) as pkm:
            pkm.add_feed(server.url("/feed.rss"))
            entries = {hit.entry.url: hit.entry for hit in pkm.find("", limit=100)}
            ids = {n: entries[f"https://events.example/{n}"].id for n in names + ["short"]}
            stored = {n: pkm.entry(ids[n]).content or "" for n in names}
            pkm.tag(ids["prose"], ["events"], note="why it matters")
    yield Store(db, ids, stored)


def run_pkm(
    db: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pkm", "--db", str(db), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def test_piped_show_prints_the_whole_article_at_80_columns(store: Store) -> None:
    shown = run_pkm(store.db, "show", str(store.ids["links"]))
    assert shown.returncode == 0, shown.stderr
    expected = plain(render_article(store.stored["links"], 80))
    header, _, body = shown.stdout.partition("\n\n")
    assert body == expected
    assert header.splitlines()[:2] == ["Links article", "https://events.example/links"]
    assert "     feed  Events blog" in header and "   author  Ada" in header
    assert "published  2026-11-20" in header


def test_styled_show_is_the_piped_text_with_headings_bold_and_quote_bars_dim(
    store: Store,
) -> None:
    entry_id = str(store.ids["prose"])
    piped = run_pkm(store.db, "show", entry_id, "--width", "80")
    forced = {**os.environ, "FORCE_COLOR": "1", "PKM_PAGER": "cat"}
    styled = run_pkm(store.db, "show", entry_id, "--width", "80", env=forced)
    assert styled.returncode == 0, styled.stderr
    assert SGR.search(styled.stdout) and not SGR.search(piped.stdout)
    assert SGR.sub("", styled.stdout) == piped.stdout
    assert "\x1b[1mWhat the numbers said\x1b[0m" in styled.stdout
    assert "\x1b[2m│ \x1b[0m" in styled.stdout
    title_and_url = "\x1b[1mProse article\x1b[0m\n\x1b[34mhttps://events.example/prose\x1b[0m"
    assert title_and_url in styled.stdout


def test_show_header_has_tags_and_note_of_a_saved_entry(store: Store, cli: RunCli) -> None:
    shown = cli("--db", str(store.db), "show", str(store.ids["prose"]))
    assert shown.exit_code == 0
    assert "     tags  events" in shown.stdout and "     note  why it matters" in shown.stdout


def test_show_is_never_truncated(store: Store, cli: RunCli) -> None:
    long = "<p>" + " ".join(f"word{i}" for i in range(2000)) + "</p>"
    with Pkm.open(store.db) as pkm:
        entry = pkm.save("https://long.example/", title="Long", fetch=False).entry
    with sqlite3.connect(store.db) as conn:
        conn.execute("UPDATE entries SET content = ? WHERE id = ?", (long, entry.id))
    shown = cli("--db", str(store.db), "show", str(entry.id))
    assert "word0 " in shown.stdout and "word1999\n" in shown.stdout
    assert len(shown.stdout) > 2000 * 5


def test_runner_output_is_80_columns_whatever_columns_says(store: Store, cli: RunCli) -> None:
    shown = cli("--db", str(store.db), "show", str(store.ids["prose"]))  # COLUMNS=200 here
    widths = [len(line) for line in shown.stdout.split("\n\n", 1)[1].splitlines()]
    assert 70 < max(widths) <= 80


@pytest.mark.parametrize("width", ["40", "120"])
def test_width_option(store: Store, cli: RunCli, width: str) -> None:
    shown = cli("--db", str(store.db), "show", str(store.ids["prose"]), "--width", width)
    body = shown.stdout.split("\n\n", 1)[1]
    assert body == plain(render_article(store.stored["prose"], int(width)))
    assert int(width) - 12 < max(len(line) for line in body.splitlines()) <= int(width)


def test_width_below_the_minimum_is_a_usage_error(store: Store, cli: RunCli) -> None:
    assert cli("--db", str(store.db), "show", "1", "--width", "5").exit_code == 2


def test_json_gains_text_and_links(store: Store, cli: RunCli) -> None:
    shown = cli("--db", str(store.db), "show", str(store.ids["links"]), "--json")
    data = json.loads(shown.stdout)
    article = render_article(store.stored["links"], 80)
    assert data["text"] == article.text
    assert data["links"][0] == {"n": 1, "url": article.links[0].url, "text": "Harold Jarche"}
    assert [link["n"] for link in data["links"]] == list(range(1, len(article.links) + 1))
    narrow = json.loads(
        cli(
            "--db", str(store.db), "show", str(store.ids["links"]), "--json", "--width", "30"
        ).stdout
    )
    assert narrow["text"] == render_article(store.stored["links"], 30).text


# --- on a real terminal ---------------------------------------------------------------------

FAKE_PAGER = """import os, sys
with open(sys.argv[1], "w", encoding="utf-8") as log:
    log.write(repr(os.environ.get("LESS")) + "\\n" + repr(sys.argv[2:]) + "\\n")
    log.write(sys.stdin.read())
"""


@pytest.fixture
def fake_pager(tmp_path: Path) -> tuple[str, Path]:
    """A pager command that records its environment, arguments and input in a file."""
    script = tmp_path / "pager.py"
    script.write_text(FAKE_PAGER)
    log = tmp_path / "paged.txt"
    return f"{sys.executable} {script} {log}", log


def on_terminal(
    db: Path, *args: str, rows: int = 24, columns: int = 80, env: dict[str, str] | None = None
) -> tuple[str, int]:
    """pkm on a pseudo-terminal of ``rows`` x ``columns``: what it wrote and its exit code."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in ("NO_COLOR", "COLUMNS", "LINES", "PAGER", "PKM_PAGER", "LESS")
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "pkm", "--db", str(db), *args],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=base | {"TERM": "xterm-256color"} | (env or {}),
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
        code = proc.wait(timeout=60)
    return b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n"), code


def test_a_long_article_goes_through_the_pager(store: Store, fake_pager: tuple[str, Path]) -> None:
    command, log = fake_pager
    written, code = on_terminal(
        store.db, "show", str(store.ids["prose"]), env={"PKM_PAGER": command, "PAGER": "false"}
    )
    assert code == 0
    assert "Thanks to everyone" not in written  # the pager had it, not the terminal
    less, argv, paged = log.read_text().split("\n", 2)
    assert less == "'FRX'" and argv == "[]"
    assert "\x1b[1m" in paged  # styled for the terminal the pager draws on
    body = SGR.sub("", paged).split("\n\n", 1)[1]
    assert body == plain(render_article(store.stored["prose"], 80))


def test_pager_falls_back_to_pager_then_keeps_less_options(
    store: Store, fake_pager: tuple[str, Path]
) -> None:
    command, log = fake_pager
    written, code = on_terminal(
        store.db, "show", str(store.ids["lists"]), rows=10, env={"PAGER": command, "LESS": "-S"}
    )
    assert code == 0 and "Print the badges" not in written
    assert log.read_text().startswith("'-S'\n") and "Print the badges" in log.read_text()


def test_an_article_that_fits_the_screen_is_printed(
    store: Store, fake_pager: tuple[str, Path]
) -> None:
    command, log = fake_pager
    written, code = on_terminal(
        store.db, "show", str(store.ids["short"]), env={"PKM_PAGER": command}
    )
    assert code == 0 and "One line only." in written
    assert not log.exists()


def test_no_pager_prints_directly(store: Store, fake_pager: tuple[str, Path]) -> None:
    command, log = fake_pager
    written, code = on_terminal(
        store.db, "show", str(store.ids["prose"]), "--no-pager", env={"PKM_PAGER": command}
    )
    assert code == 0 and "Thanks to everyone" in written
    assert not log.exists()


@pytest.mark.parametrize("pager", ["/nonexistent/pager -R", "no-such-pager-anywhere", "", "cat"])
def test_a_missing_or_empty_pager_means_printing(store: Store, pager: str) -> None:
    written, code = on_terminal(store.db, "show", str(store.ids["prose"]), env={"PKM_PAGER": pager})
    assert code == 0
    assert "Thanks to everyone" in SGR.sub("", written)
    assert "error" not in written.lower() and "not found" not in written


def test_pager_command_is_pkm_pager_else_pager_else_less(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PAGER", raising=False)
    monkeypatch.delenv("PKM_PAGER", raising=False)
    assert DEFAULT_PAGER == "less -R" and pager_command() == ["less", "-R"]
    monkeypatch.setenv("PAGER", "more -d")
    assert pager_command() == ["more", "-d"]
    monkeypatch.setenv("PKM_PAGER", "most 'a b'")
    assert pager_command() == ["most", "a b"]
    monkeypatch.setenv("PKM_PAGER", "less 'unbalanced")
    assert pager_command() is None


@pytest.mark.skipif(shutil.which("less") is None, reason="less is not installed")
def test_the_default_pager_is_less_showing_one_screen_until_q(store: Store) -> None:
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 10, 80, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("PAGER", "PKM_PAGER", "LESS")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "pkm", "--db", str(store.db), "show", str(store.ids["prose"])],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=env | {"TERM": "xterm-256color"},
        close_fds=True,
    )
    os.close(follower)
    seen = b""
    try:
        deadline = time.monotonic() + 30
        while b"Prose article" not in seen:
            ready, _, _ = select.select([leader], [], [], 1)
            if ready:
                seen += os.read(leader, 65536)
            assert time.monotonic() < deadline, seen
        time.sleep(0.3)  # less draws the rest of its screen, then waits for a key
        ready, _, _ = select.select([leader], [], [], 0.5)
        seen += os.read(leader, 65536) if ready else b""
        assert b"Thanks to everyone" not in seen  # one screen, not the whole article
        os.write(leader, b"q")
        assert proc.wait(timeout=30) == 0
    finally:
        proc.kill()
        os.close(leader)


@pytest.mark.parametrize(("columns", "widest"), [(160, 100), (60, 60)])
def test_terminal_width_capped_at_100(store: Store, columns: int, widest: int) -> None:
    written, _ = on_terminal(
        store.db, "show", str(store.ids["prose"]), "--no-pager", columns=columns
    )
    body = SGR.sub("", written).split("\n\n", 1)[1]
    assert widest - 12 < max(len(line) for line in body.splitlines()) <= widest
    assert body.rstrip("\n") == plain(render_article(store.stored["prose"], widest)).rstrip("\n")


# --- pkm open ID N ---------------------------------------------------------------------------

FAKE_BROWSER = """import sys
with open(sys.argv[1], "a", encoding="utf-8") as log:
    log.write(sys.argv[2] + "\\n")
"""


@pytest.fixture
def browser(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """An environment whose $BROWSER records each URL it is asked to open."""
    script = tmp_path / "browser.py"
    script.write_text(FAKE_BROWSER)
    log = tmp_path / "opened.txt"
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["BROWSER"] = f"{sys.executable} {script} {log} %s"
    return env, log


def test_open_n_opens_link_n_and_open_alone_the_entry(
    store: Store, browser: tuple[dict[str, str], Path]
) -> None:
    env, log = browser
    entry = str(store.ids["links"])
    for args in [(entry, "3"), (entry,), (entry, "11")]:
        result = run_pkm(store.db, "open", *args, env=env)
        assert result.returncode == 0, result.stderr
    assert log.read_text().splitlines() == [
        "https://example.org/papers/attention.pdf",
        "https://events.example/links",
        "mailto:hello@events.example",
    ]


@pytest.mark.parametrize("n", ["0", "15", "99"])
def test_open_a_link_out_of_range_is_one_line_and_exit_1(
    store: Store, browser: tuple[dict[str, str], Path], n: str
) -> None:
    env, log = browser
    result = run_pkm(store.db, "open", str(store.ids["links"]), n, env=env)
    assert result.returncode == 1
    # 14: the feed's base URL made the page's own "#top" a web link when it was stored.
    assert len(render_article(store.stored["links"]).links) == 14
    assert result.stderr == (
        f"pkm: error: entry {store.ids['links']} has no link {n} (its article has 14 links)\n"
    )
    assert not log.exists()


def test_open_a_link_of_an_article_without_links(
    store: Store, browser: tuple[dict[str, str], Path]
) -> None:
    env, _ = browser
    result = run_pkm(store.db, "open", str(store.ids["short"]), "1", env=env)
    assert result.returncode == 1 and "(its article has no links)" in result.stderr
