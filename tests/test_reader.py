"""pkm read: the interactive triage, driven key by key, checked in the store afterwards.

The headless tests run the real app (Textual's pilot) on a real SQLite store filled by a
real scan of feeds served on 127.0.0.1; the terminal tests run ``python -m pkm read`` on
a pseudo-terminal, as a user would.
"""

from __future__ import annotations

import asyncio
import fcntl
import io
import json
import os
import pty
import re
import signal
import sqlite3
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from httpserver import LocalServer
from rich.console import Console
from textual.pilot import Pilot

from pkm import Pkm
from pkm.cli.reader.app import FULL_TEXT_FAILED, Reader

HOSTILE_TITLE = "[bold red]Pwned[/] \x1b[31mred\x1b[0m \x1b]0;evil title\x07 :smile:"
HOSTILE_BODY = (
    "<p>[link=https://evil.example]click[/link] \x1b[2J\x1b[H cleared"
    " \x1b]8;;https://evil.example\x1b\\hidden\x1b]8;;\x1b\\ [/] end</p>"
)


def _rss(title: str, items: list[tuple[str, str, str, str]]) -> bytes:
    """An RSS feed; each item is (guid, title, pubDate, HTML content)."""
    body = "".join(
        f"<item><title><![CDATA[{t}]]></title><link>https://{title.split()[0].lower()}.example/{g}"
        f"</link><guid>{g}</guid><pubDate>{d}</pubDate>"
        f"<description><![CDATA[{html}]]></description></item>"
        for g, t, d, html in items
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title><link>https://example.org/</link>{body}</channel></rss>"
    ).encode()


LINKS = (
    '<p>See <a href="https://example.org/one">one</a>, <a href="https://example.org/two">two</a>'
    ' and <a href="https://example.org/three">three</a>.</p>'
)
LONG = "".join(f"<p>Paragraph {n} of a long article about hybrid events.</p>" for n in range(80))
EVENTS = [
    ("e1", "Hybrid events: what we learned", "Fri, 20 Nov 2026 09:00:00 GMT", LINKS),
    ("e2", "A long read on conferences", "Thu, 19 Nov 2026 09:00:00 GMT", LONG),
    ("e3", "Shared story", "Wed, 18 Nov 2026 09:00:00 GMT", "<p>Told by the events blog.</p>"),
    ("e4", "Sponsored: buy our tickets", "Tue, 17 Nov 2026 09:00:00 GMT", "<p>Ad.</p>"),
]
NETWORK = [
    ("n1", "Networks of practice", "Fri, 20 Nov 2026 08:00:00 GMT", "<p>Networks.</p>"),
    ("n2", "Shared story", "Wed, 18 Nov 2026 10:00:00 GMT", "<p>Told by the network.</p>"),
]
HOSTILE = [("h1", HOSTILE_TITLE, "Fri, 20 Nov 2026 07:00:00 GMT", HOSTILE_BODY)]


@dataclass
class Store:
    db: Path
    ids: dict[str, int]  # title -> entry id
    shared: set[int]  # the two entries titled "Shared story", from two feeds

    def story(self, title: str) -> set[int]:
        """The entries reading the item with this title reads."""
        if title == "Shared story":
            return self.shared
        (found,) = {i for t, i in self.ids.items() if title in t}
        return {found}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    db = tmp_path / "pkm.db"
    with LocalServer() as server:
        server.route("/events.rss", _rss("Events blog", EVENTS), content_type="text/xml")
        server.route("/network.rss", _rss("Network notes", NETWORK), content_type="text/xml")
        server.route("/hostile.rss", _rss("Hostile feed", HOSTILE), content_type="text/xml")
        with Pkm.open(db) as pkm:
            pkm.add_feed(server.url("/events.rss"), folder="Learning")
            pkm.add_feed(server.url("/network.rss"), folder="Learning")
            pkm.add_feed(server.url("/hostile.rss"))
            pkm.mute('title:"sponsored"')
            pkm.save("https://example.org/kept", tags=["keynote"], fetch=False)
            pkm.save("https://example.org/kept2", tags=["keynote", "events"], fetch=False)
            hits = pkm.find("", limit=100)
    ids = {hit.entry.title or "": hit.entry.id for hit in hits}
    yield Store(db, ids, {hit.entry.id for hit in hits if hit.entry.title == "Shared story"})


def read_state(db: Path) -> dict[int, tuple[bool, bool, str | None, str | None]]:
    """Every entry: (read, saved, tags, note), straight from the file."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT e.id, es.read_at, s.saved_at, s.tags_text, s.note FROM entries e"
            " LEFT JOIN saves s ON s.entry_id = e.id"
            " LEFT JOIN entry_states es ON es.entry_id = e.id"
        )
        return {r[0]: (r[1] is not None, r[2] is not None, r[3], r[4]) for r in rows}


def screen_text(app: Reader) -> str:
    """What the terminal shows, as plain text (the way Textual's own screenshots do it)."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), record=True)
    console.print(app.screen._compositor.render_update(full=True))
    return console.export_text()


Script = Callable[[Reader, Pilot[None]], Awaitable[object]]


def run(
    db: Path,
    script: Script,
    *,
    size: tuple[int, int] = (80, 24),
    query: str | None = None,
    include_read: bool = False,
) -> object:
    """Run the reader headless on ``db`` and the ``script`` against it; its result."""

    async def go() -> object:
        with Pkm.open(db) as pkm:
            app = Reader(pkm, query=query, include_read=include_read)
            async with app.run_test(size=size) as pilot:
                await pilot.pause()
                return await script(app, pilot)

    return asyncio.run(go())


def keys(*pressed: str) -> Script:
    async def script(app: Reader, pilot: Pilot[None]) -> str:
        for key in pressed:
            await pilot.press(key)
            await pilot.pause()
        return screen_text(app)

    return script


def drive(db: Path, *pressed: str, **options: object) -> str:
    """Press keys in a fresh reader; the screen at the end."""
    shown = run(db, keys(*pressed), **options)  # type: ignore[arg-type]
    assert isinstance(shown, str)
    return shown


def changed(before: dict[int, tuple[bool, bool, str | None, str | None]], db: Path) -> dict:
    """The entries whose (read, saved, tags, note) differ from ``before``, as they are now."""
    after = read_state(db)
    return {k: v for k, v in after.items() if before.get(k) != v}


UNREAD = (False, False, None, None)
READ = (True, False, None, None)


# --- moving and reading ----------------------------------------------------------------


def test_the_list_groups_unread_items_by_folder_and_feed_with_counts(store: Store) -> None:
    shown = drive(store.db)
    lines = [line.rstrip() for line in shown.splitlines()]
    assert lines[:10] == [
        "Learning",
        "  Events blog  (3)",
        "    ●  2026-11-20  Hybrid events: what we learned",
        "    ●  2026-11-19  A long read on conferences",
        "    ●  2026-11-18  Shared story",
        "  Network notes  (1)",
        "    ●  2026-11-20  Networks of practice",
        "(no folder)",
        "  Hostile feed  (1)",
        "    ●  2026-11-20  [bold red]Pwned[/] red :smile:",
    ]
    # The muted item is left out, the same story from two feeds is listed once.
    assert "Sponsored" not in shown and shown.count("Shared story") == 1
    assert "5 unread of 5" in lines[-1]


@pytest.mark.parametrize(
    ("pressed", "title"),
    [
        (("enter",), "Hybrid events: what we learned"),
        (("j", "j", "enter"), "Shared story"),
        (("down", "down", "up", "enter"), "A long read on conferences"),
        (("j", "j", "j", "k", "enter"), "Shared story"),
        (("j", "j", "j", "j", "j", "j", "enter"), "[bold red]Pwned[/]"),  # stops at the last
    ],
)
def test_moving_then_enter_reads_that_item_and_only_it(
    store: Store, pressed: tuple[str, ...], title: str
) -> None:
    before = read_state(store.db)
    drive(store.db, *pressed)
    assert changed(before, store.db) == dict.fromkeys(store.story(title), READ)


def test_the_status_line_counts_an_item_read_as_soon_as_it_is_shown(store: Store) -> None:
    async def script(app: Reader, pilot: Pilot[None]) -> None:
        for key, unread in [("enter", 4), ("n", 3), ("m", 4)]:
            await pilot.press(key)
            await pilot.pause()
            assert f"{unread} unread of 5 ·" in screen_text(app).splitlines()[-1], key

    run(store.db, script)


def test_the_list_redraws_a_row_and_its_count_whenever_they_change(store: Store) -> None:
    """The list keeps the lines it drew: each change of read state, cursor or saved mark
    must still reach the screen (the rows are ●/★ marks and the feed's unread count)."""
    first = "Hybrid events: what we learned"

    def rows(app: Reader) -> list[str]:
        return [line[:60].rstrip() for line in screen_text(app).splitlines()[1:3]]

    async def script(app: Reader, pilot: Pilot[None]) -> None:
        steps: list[tuple[tuple[str, ...], list[str]]] = [
            ((), ["  Events blog  (3)", f"    ●  2026-11-20  {first}"]),
            (("enter",), ["  Events blog  (2)", f"       2026-11-20  {first}"]),
            (("m",), ["  Events blog  (3)", f"    ●  2026-11-20  {first}"]),
            (
                ("s", *type_text("kept"), "enter"),
                ["  Events blog  (3)", f"    ●★ 2026-11-20  {first}"],
            ),
            (("m",), ["  Events blog  (2)", f"     ★ 2026-11-20  {first}"]),
        ]
        for pressed, expected in steps:
            for key in pressed:
                await pilot.press(key)
                await pilot.pause()
            assert [row.split("│")[0].rstrip() for row in rows(app)] == expected, pressed

    run(store.db, script, size=(200, 60))


def test_reading_a_story_from_two_feeds_reads_both_and_says_where_else(store: Store) -> None:
    before = read_state(store.db)
    shown = drive(store.db, "j", "j", "enter", size=(200, 60))
    assert "also in  Network notes" in shown
    assert len(store.shared) == 2
    assert changed(before, store.db) == dict.fromkeys(store.shared, READ)


def test_j_and_k_in_the_article_read_the_next_items(store: Store) -> None:
    before = read_state(store.db)
    drive(store.db, "enter", "j", "j", "k")
    ids = store.ids
    assert set(changed(before, store.db)) >= {
        ids["Hybrid events: what we learned"],
        ids["A long read on conferences"],
    }


def test_space_pages_down_the_article_and_then_goes_to_the_next_unread(store: Store) -> None:
    long_read, shared = store.ids["A long read on conferences"], "Shared story"

    async def script(app: Reader, pilot: Pilot[None]) -> None:
        await pilot.press("j", "space")  # Space on the list reads the item
        await pilot.pause()
        assert read_state(store.db)[long_read][0]
        first = screen_text(app)
        await pilot.press("space")
        await pilot.pause()
        assert screen_text(app) != first and "Paragraph 0 " not in screen_text(app)
        assert not read_state(store.db)[store.ids[shared]][0]
        for _ in range(40):
            await pilot.press("space")
            await pilot.pause()
            if "Told by the events blog." in screen_text(app):
                break
        assert "Told by the events blog." in screen_text(app)

    run(store.db, script)
    assert read_state(store.db)[store.ids[shared]][0]


def test_n_and_p_go_to_the_next_and_previous_unread(store: Store) -> None:
    before = read_state(store.db)
    # n reads the unread item under the cursor first, then skips items already read.
    shown = drive(store.db, "j", "m", "k", "n", "n", size=(200, 60))
    ids = store.ids
    got = changed(before, store.db)
    assert got == dict.fromkeys(
        {ids["Hybrid events: what we learned"], ids["A long read on conferences"]} | store.shared,
        READ,
    )
    assert "Told by the events blog." in shown
    # Everything before it is read now: p has nowhere to go; after it, p comes back.
    assert "no unread item before this" in drive(store.db, "p", size=(200, 60))
    back = drive(store.db, "j", "n", "p", size=(200, 60))
    assert "Told by the events blog." not in back and "Networks." in back


def test_a_click_on_an_item_reads_it(store: Store) -> None:
    async def script(app: Reader, pilot: Pilot[None]) -> None:
        from pkm.cli.reader.widgets import StoryList

        await pilot.click(StoryList, offset=(10, 3))  # row 3: the second item of the feed
        await pilot.pause()

    before = read_state(store.db)
    run(store.db, script)
    assert changed(before, store.db) == {store.ids["A long read on conferences"]: READ}


def test_esc_goes_back_from_the_article_to_the_list(store: Store) -> None:
    reading = drive(store.db, "enter")
    assert "Events blog  (" not in reading  # at 80 columns the article takes the screen
    back = drive(store.db, "enter", "escape")
    assert "  Events blog  (" in back and "Learning" in back.splitlines()[0]


def test_q_quits(store: Store) -> None:
    async def script(app: Reader, pilot: Pilot[None]) -> bool:
        await pilot.press("q")
        await pilot.pause()
        return app.is_running

    assert run(store.db, script) is False


def test_m_toggles_read(store: Store) -> None:
    first = store.ids["Hybrid events: what we learned"]

    async def script(app: Reader, pilot: Pilot[None]) -> None:
        await pilot.press("m")
        await pilot.pause()
        assert read_state(store.db)[first] == READ
        await pilot.press("m")
        await pilot.pause()
        assert read_state(store.db)[first] == UNREAD

    before = read_state(store.db)
    run(store.db, script)
    assert changed(before, store.db) == {}


@pytest.mark.parametrize(("answer", "marked"), [("y", True), ("n", False), ("escape", False)])
def test_shift_a_marks_the_whole_feed_read_after_asking(
    store: Store, answer: str, marked: bool
) -> None:
    before = read_state(store.db)
    asked = drive(store.db, "j", "A")
    assert "Mark 3 items of Events blog read? [y/n]" in asked
    drive(store.db, "j", "A", answer)
    got = changed(before, store.db)
    if not marked:
        assert got == {}
        return
    events = {
        store.ids[t] for t in ("Hybrid events: what we learned", "A long read on conferences")
    }
    # The shared story and its copy from the other feed; the muted item is not listed.
    assert events < set(got) and len(got) == 4 and all(v == READ for v in got.values())
    assert read_state(store.db)[store.ids["Networks of practice"]] == UNREAD
    assert read_state(store.db)[store.ids["Sponsored: buy our tickets"]] == UNREAD


def test_f_without_a_reachable_page_says_why_and_changes_nothing(store: Store) -> None:
    before = read_state(store.db)
    assert FULL_TEXT_FAILED in drive(store.db, "f", size=(200, 60))
    assert changed(before, store.db) == {}


def test_question_mark_shows_every_key(store: Store) -> None:
    from pkm.cli.reader.keys import KEYS

    shown = drive(store.db, "question_mark", size=(200, 60))
    for key, what in KEYS:
        assert f"{key}" in shown and what in shown
    assert "Keys of pkm read" not in drive(store.db, "question_mark", "escape")


# --- keeping things ---------------------------------------------------------------------


def type_text(text: str) -> tuple[str, ...]:
    return tuple("space" if c == " " else c for c in text)


def test_s_saves_with_the_typed_tags_and_note(store: Store) -> None:
    before = read_state(store.db)
    shown = drive(
        store.db,
        "s",
        *type_text("conference2.0 hybrid"),
        "tab",
        *type_text("good overview"),
        "enter",
        size=(200, 60),
    )
    first = store.ids["Hybrid events: what we learned"]
    assert changed(before, store.db) == {
        first: (False, True, "conference2.0 hybrid", "good overview")
    }
    assert "saved: conference2.0 hybrid" in shown
    with Pkm.open(store.db) as pkm:
        assert [h.entry.id for h in pkm.find("#hybrid")] == [first]


def test_s_archives_the_saved_page_in_the_background(store: Store) -> None:
    drive(store.db, "s", *type_text("kept"), "enter")
    first = store.ids["Hybrid events: what we learned"]
    # The page is not served (the feed's links point nowhere): the try is recorded,
    # with its reason, as `pkm tag` records it, while the reader goes on.
    deadline = time.monotonic() + 20
    row = None
    while row is None and time.monotonic() < deadline:
        with sqlite3.connect(store.db) as conn:
            row = conn.execute(
                "SELECT attempted_at, error FROM archives WHERE entry_id = ?", (first,)
            ).fetchone()
        time.sleep(0.1)
    assert row is not None and row[0] > 0 and row[1]


def test_s_completes_from_existing_tags_most_used_first(store: Store) -> None:
    before = read_state(store.db)
    # "keynote" (2 entries) comes before "events" (1); "e" completes to "events".
    drive(store.db, "s", "k", "right", "space", "e", "right", "enter")
    first = store.ids["Hybrid events: what we learned"]
    assert changed(before, store.db) == {first: (False, True, "events keynote", None)}


def test_esc_cancels_a_save(store: Store) -> None:
    before = read_state(store.db)
    drive(store.db, "s", *type_text("nope"), "escape")
    assert changed(before, store.db) == {}


def test_t_edits_the_tags(store: Store) -> None:
    before = read_state(store.db)
    drive(
        store.db,
        "s",
        *type_text("alpha beta"),
        "enter",
        "t",
        "backspace",
        "backspace",
        "backspace",
        "backspace",
        *type_text("gamma"),
        "enter",
    )
    first = store.ids["Hybrid events: what we learned"]
    assert changed(before, store.db) == {first: (False, True, "alpha gamma", None)}


FAKE_BROWSER = """import sys
with open(sys.argv[1], "a", encoding="utf-8") as log:
    log.write(sys.argv[2] + "\\n")
"""


@pytest.fixture
def browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """$BROWSER records each URL it is asked to open; the log it writes."""
    import webbrowser

    script = tmp_path / "browser.py"
    script.write_text(FAKE_BROWSER)
    log = tmp_path / "opened.txt"
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("BROWSER", f"{sys.executable} {script} {log} %s")
    # webbrowser reads $BROWSER once per process, at its first use.
    monkeypatch.setattr(webbrowser, "_tryorder", None)
    return log


def test_o_opens_the_item_and_marks_it_read(store: Store, browser: Path) -> None:
    before = read_state(store.db)
    drive(store.db, "j", "o")
    assert browser.read_text().splitlines() == ["https://events.example/e2"]
    assert changed(before, store.db) == {store.ids["A long read on conferences"]: READ}


def test_digits_open_the_numbered_links_of_the_article(store: Store, browser: Path) -> None:
    shown = drive(store.db, "enter", "2", "3", "9", size=(200, 60))
    assert browser.read_text().splitlines() == [
        "https://example.org/two",
        "https://example.org/three",
    ]
    assert "no link 9: the article shown has 3 links" in shown


# --- searching and reloading --------------------------------------------------------------


def test_slash_searches_and_the_hits_fill_the_list(store: Store) -> None:
    before = read_state(store.db)
    shown = drive(store.db, "slash", *type_text("networks"), "enter")
    assert "Networks of practice" in shown and "Hybrid events" not in shown
    assert "search: networks · 1 hit" in shown
    drive(store.db, "slash", *type_text("networks"), "enter", "enter")
    assert changed(before, store.db) == {store.ids["Networks of practice"]: READ}
    back = drive(store.db, "slash", *type_text("networks"), "enter", "escape")
    assert "Hybrid events" in back


def test_a_malformed_search_is_a_message(store: Store) -> None:
    shown = drive(store.db, "slash", *type_text("is:nothing"), "enter", size=(200, 60))
    assert "unknown filter is:nothing" in shown and "Hybrid events" in shown


def test_read_query_opens_on_a_search(store: Store) -> None:
    shown = drive(store.db, query="#keynote")
    assert "search: #keynote · 2 hits" in shown


def test_the_first_screen_comes_from_the_first_items_and_the_rest_follows(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pkm.cli.reader.app

    monkeypatch.setattr(pkm.cli.reader.app, "FIRST_SCREEN", 2)
    with Pkm.open(store.db) as pkm:
        first = pkm.triage(first=2)
        assert first.partial and len(first.stories) == 2
        assert not pkm.triage(first=50).partial

    async def script(app: Reader, pilot: Pilot[None]) -> str:
        await pilot.pause()
        return screen_text(app)

    shown = run(store.db, script)
    assert isinstance(shown, str)
    assert "5 unread of 5 ·" in shown and "Hostile feed  (1)" in shown


def test_an_empty_store_answers_every_key_with_a_message(tmp_path: Path) -> None:
    db = tmp_path / "empty.db"
    Pkm.open(db).close()
    shown = drive(db, "f", "enter", "j", "k", "space", "n", "p", "s", "t", "o", "1", "m", "A")
    assert "0 unread of 0" in shown and "nothing here" in shown


def test_all_lists_read_items_too(store: Store) -> None:
    drive(store.db, "enter")
    assert "Hybrid events" not in drive(store.db)
    assert "Hybrid events" in drive(store.db, include_read=True)


def test_r_reloads_what_another_process_stored(store: Store) -> None:
    async def script(app: Reader, pilot: Pilot[None]) -> str:
        with Pkm.open(store.db) as other:  # a second connection, as a scan would use
            other.set_read([store.ids["Networks of practice"]], read=True)
            other.set_read([store.ids["Sponsored: buy our tickets"]], read=False)
        await pilot.press("r")
        await pilot.pause()
        return screen_text(app)

    shown = run(store.db, script)
    assert isinstance(shown, str)
    assert "Networks of practice" not in shown and "4 unread of 4" in shown


# --- untrusted text and terminals ------------------------------------------------------------


def test_hostile_titles_and_bodies_are_plain_text(store: Store) -> None:
    shown = drive(store.db, *(["j"] * 5), "enter", size=(200, 60))
    assert "[bold red]Pwned[/] red :smile:" in shown
    assert "[link=https://evil.example]click[/link]" in shown and "[/] end" in shown
    assert "\x1b" not in shown and "evil title" not in shown


@pytest.mark.parametrize("size", [(80, 24), (200, 60)])
def test_fits_small_and_large_terminals(store: Store, size: tuple[int, int]) -> None:
    for shown in (drive(store.db, size=size), drive(store.db, "enter", size=size)):
        lines = shown.splitlines()
        assert len(lines) == size[1] and all(len(line) <= size[0] for line in lines)
        assert "unread of" in lines[-1]


# --- a real terminal -------------------------------------------------------------------------

_ANSI = re.compile(
    rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]"  # CSI: cursor moves, styles, modes
    rb"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC
    rb"|\x1b[()][0-9A-Za-z]|\x1b[=>78]"
)


class Terminal:
    """``python -m pkm …`` (or another ``program``) on a pseudo-terminal of a given size,
    its output collected."""

    def __init__(
        self,
        args: list[str],
        *,
        size: tuple[int, int] = (80, 24),
        env: dict[str, str] | None = None,
        program: tuple[str, ...] = (sys.executable, "-m", "pkm"),
    ) -> None:
        master, slave = pty.openpty()
        cols, rows = size
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        environ = {**os.environ, "TERM": "xterm-256color", **(env or {})}
        environ.pop("COLUMNS", None)
        self.proc = subprocess.Popen(
            [*program, *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=environ,
            start_new_session=True,
        )
        os.close(slave)
        self.master = master
        self.output = bytearray()
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    def _drain(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                return
            if not chunk:
                return
            with self._lock:
                self.output += chunk

    def text(self) -> str:
        with self._lock:
            raw = bytes(self.output)
        return _ANSI.sub(b"", raw).decode("utf-8", "replace")

    def wait_for(self, text: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.text():
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise AssertionError(
                    f"{text!r} never shown; the screen had:\n{self.text()[-3000:]}"
                )
            time.sleep(0.05)

    def send(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)
        os.close(self.master)


@pytest.fixture
def terminal() -> Iterator[Callable[..., Terminal]]:
    opened: list[Terminal] = []

    def start(*args: str, **options: Any) -> Terminal:
        opened.append(Terminal(list(args), **options))
        return opened[-1]

    yield start
    for term in opened:
        term.close()


def test_on_a_real_terminal_a_save_is_found_by_pkm_find(
    store: Store, terminal: Callable[..., Terminal]
) -> None:
    term = terminal("--db", str(store.db), "read", env={"NO_COLOR": "1"})
    term.wait_for("5 unread of 5")
    term.send("s")
    term.wait_for("Save: Hybrid events")
    term.send("ptytag\r")
    term.wait_for("saved: ptytag")
    term.send("q")
    assert term.proc.wait(timeout=20) == 0
    found = subprocess.run(
        [sys.executable, "-m", "pkm", "--db", str(store.db), "find", "#ptytag", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert found.returncode == 0, found.stderr
    assert [hit["id"] for hit in json.loads(found.stdout)] == [
        store.ids["Hybrid events: what we learned"]
    ]
    # NO_COLOR: Textual draws in shades of grey, never in a hue.
    codes = re.findall(rb"[34]8;5;(\d+)", bytes(term.output))
    assert codes and all(int(code) >= 232 or int(code) in (0, 7, 8, 15, 16) for code in codes)
    assert not re.search(rb"[34]8;2;", bytes(term.output))


# What the reader leaves behind it: the frame rate it asked of Textual, seen by the probe.
FRAME_PROBE = (
    "import os, sys\nfrom pkm import Pkm\nfrom pkm.cli.reader import run\n"
    "with Pkm.open(sys.argv[1]) as store:\n    run(store)\n"
    "from textual.screen import UPDATE_PERIOD\n"
    "print(f'period {UPDATE_PERIOD:.4f} environment {os.environ.get(\"TEXTUAL_FPS\")}')"
)


@pytest.mark.parametrize(
    ("environment", "shown"),
    [
        ({}, "period 0.0042 environment None"),
        ({"TEXTUAL_FPS": "30"}, "period 0.0333 environment 30"),
    ],
)
def test_the_reader_draws_up_to_240_frames_a_second_unless_the_user_says(
    store: Store, terminal: Callable[..., Terminal], environment: dict[str, str], shown: str
) -> None:
    """At Textual's 60 a second a key's screen waited for the next frame (the next item in
    ~45 ms instead of ~21, benchmarks/README.md); a TEXTUAL_FPS of the user's wins, and the
    reader's own is not passed on to the programs it starts (the browser of ``o``)."""
    term = terminal(str(store.db), env=environment, program=(sys.executable, "-c", FRAME_PROBE))
    term.wait_for("5 unread of 5")
    term.send("q")
    assert term.proc.wait(timeout=20) == 0
    term.wait_for(shown)


def test_sigkill_in_the_middle_of_a_triage_loses_no_save_made_before(
    store: Store, terminal: Callable[..., Terminal]
) -> None:
    term = terminal("--db", str(store.db), "read", size=(200, 60))
    term.wait_for("5 unread of 5")
    term.send("s")
    term.wait_for("Save: Hybrid events")
    term.send("first\r")
    term.wait_for("saved: first")
    term.send("jmm")  # mark the next one read, then unread again
    term.wait_for("marked unread")
    term.send("js")
    term.wait_for("Save: Shared story")
    term.send("second\r")
    term.wait_for("saved: second")
    os.kill(term.proc.pid, signal.SIGKILL)
    assert term.proc.wait(timeout=10) == -signal.SIGKILL
    state = read_state(store.db)
    ids = store.ids
    assert state[ids["Hybrid events: what we learned"]] == (False, True, "first", None)
    assert state[ids["A long read on conferences"]] == UNREAD
    assert state[ids["Shared story"]][1:3] == (True, "second")


def test_scan_i_scans_then_opens_the_reader(
    store: Store, terminal: Callable[..., Terminal]
) -> None:
    term = terminal("--db", str(store.db), "scan", "-i", "--no-fetch")
    term.wait_for("5 unread of 5")
    term.send("q")
    assert term.proc.wait(timeout=20) == 0
    assert "new item" in term.text().rsplit("5 unread of 5", 1)[1]


def test_pkm_find_does_not_import_textual(store: Store) -> None:
    found = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "pkm", "--db", str(store.db), "find", "x"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert found.returncode == 0 and "pkm.api" in found.stderr
    assert "textual" not in found.stderr
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, pkm.cli.app; print('textual' in sys.modules)"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert loaded.stdout == "False\n", loaded.stderr
