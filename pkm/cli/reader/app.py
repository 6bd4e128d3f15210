"""``pkm read``: the morning triage, one screen of a list, an article and a status line.

Every action is written to the store at once, in its own transaction, through the
:class:`pkm.Pkm` facade: quitting, a crash or a SIGKILL loses nothing done before it.
"""

from __future__ import annotations

import threading
import webbrowser
from collections.abc import Callable
from pathlib import Path

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Static

from pkm.api import Pkm
from pkm.cli.reader.keys import HINTS
from pkm.cli.reader.model import Listing
from pkm.cli.reader.prompts import Confirm, Help, SavePrompt, SearchPrompt, TagsPrompt
from pkm.cli.reader.widgets import ArticlePane, StoryList
from pkm.cli.render import clean
from pkm.errors import PkmError
from pkm.types import Entry

FULL_TEXT_FAILED = "no full text"
# Items read for the first screen (more than the tallest terminal shows); a list of
# 10,000 takes about half a second more, read once that screen is drawn.
FIRST_SCREEN = 200

CSS = """
#main { height: 1fr; }
StoryList { width: 1fr; }
ArticlePane { width: 3fr; padding: 0 1; border-left: solid $panel-lighten-2; }
#status { height: 1; background: $panel; }
ReaderScreen.-narrow ArticlePane { display: none; border-left: none; }
ReaderScreen.-narrow.-reading ArticlePane { display: block; }
ReaderScreen.-narrow.-reading StoryList { display: none; }
"""


class ReaderScreen(Screen[None]):
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]
    BINDINGS = [
        Binding("j", "move(1)", "Next", show=False),
        Binding("k", "move(-1)", "Previous", show=False),
        Binding("down", "arrow(1)", show=False),
        Binding("up", "arrow(-1)", show=False),
        Binding("enter", "read", "Read", show=False),
        Binding("space", "page", "Page", show=False),
        Binding("n", "next_unread(1)", show=False),
        Binding("p", "next_unread(-1)", show=False),
        Binding("s", "save", show=False),
        Binding("t", "tags", show=False),
        Binding("o", "open", show=False),
        *(Binding(str(n), f"link({n})", show=False) for n in range(1, 10)),
        Binding("m", "toggle_read", show=False),
        Binding("A", "feed_read", show=False),
        Binding("f", "full_text", show=False),
        Binding("slash", "search", show=False),
        Binding("r", "reload", show=False),
        Binding("escape", "back", show=False),
        Binding("question_mark", "help", show=False),
        Binding("q", "app.quit", show=False),
    ]

    def __init__(self, pkm: Pkm, *, query: str | None, include_read: bool, network: bool) -> None:
        super().__init__()
        self.pkm, self.query_text, self.include_read = pkm, query, include_read
        self.network = network  # the network's saves instead of the feeds' items
        # The first screen is drawn from the first items; the rest is read right after.
        self.listing = self._load(first=FIRST_SCREEN)
        self.message = ""

    def _load(self, first: int | None = None) -> Listing:
        triage = self.pkm.triage(
            self.query_text, include_read=self.include_read, first=first, network=self.network
        )
        return Listing(triage, grouped=self.query_text is None and not self.network)

    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            yield StoryList(self.listing)
            yield ArticlePane()
        yield Static(id="status")

    def on_mount(self) -> None:
        self._status()
        if self.listing.partial:
            self.call_after_refresh(self.action_reload)

    # --- what is on screen ----------------------------------------------------------

    @property
    def reading(self) -> bool:
        return self.has_class("-reading")

    def _status(self, message: str | None = None) -> None:
        if message is not None:
            self.message = clean(message)
        listing = self.listing
        hits = f"{len(listing)} hit{'s' * (len(listing) != 1)}"
        where = f"search: {clean(self.query_text)} · {hits}" if self.query_text else ""
        if self.network and not self.query_text:
            where = "your network"
        more = "+" if listing.partial else ""
        counts = f"{listing.unread}{more} unread of {len(listing)}{more}"
        parts = [p for p in (where, counts, self.message, HINTS) if p]
        self.query_one("#status", Static).update(Text(" · ".join(parts), no_wrap=True))

    def _moved(self) -> None:
        self.query_one(StoryList).follow()
        if self.reading:
            self._show()
        else:
            self._status("")

    def _show(self) -> None:
        """Show the current story in the pane; it becomes read, as in newsboat."""
        index = self.listing.current()
        if index is None:
            return
        story = self.listing.story(index)
        try:
            entry = self.pkm.entry(story.entry.id)
        except PkmError as exc:
            self._status(str(exc))
            return
        self.add_class("-reading")
        self.query_one(ArticlePane).show(entry, story.also_in)
        # A store pkm may not write is still read; the item just stays unread there.
        if (
            not self.listing.read[index]
            and not self.pkm.read_only
            and not self._set_read(index, True)
        ):
            return  # the status line says why
        self._status("")
        self.query_one(StoryList).follow()

    def _current(self) -> int | None:
        index = self.listing.current()
        if index is None:
            self._status("nothing here")
        return index

    # --- moving ---------------------------------------------------------------------

    def action_move(self, delta: int) -> None:
        if self.listing.move(delta) is not None:
            self._moved()

    def action_arrow(self, delta: int) -> None:
        if self.reading:
            pane = self.query_one(ArticlePane)
            pane.scroll_relative(y=delta, animate=False)
        else:
            self.action_move(delta)

    def action_read(self) -> None:
        self._show()

    def action_page(self) -> None:
        pane = self.query_one(ArticlePane)
        if not self.reading:
            self._show()
        elif not pane.at_end:
            pane.scroll_page_down(animate=False)
        else:
            self.action_next_unread(1)

    def action_next_unread(self, step: int) -> None:
        index = self.listing.current()
        if step > 0 and not self.reading and index is not None and not self.listing.read[index]:
            self._show()  # the unread item under the cursor is the next one to read
            return
        if self.listing.next_unread(step) is None:
            self._status("no more unread items" if step > 0 else "no unread item before this")
            return
        self.add_class("-reading")
        self._moved()

    def action_back(self) -> None:
        if self.reading:
            self.remove_class("-reading")
            self._status("")
        elif self.query_text is not None:
            self.query_text = None
            self.action_reload()
        elif self.network:  # from the network back to the feeds
            self.network = False
            self.action_reload()

    def action_reload(self) -> None:
        index = self.listing.current()
        keep = self.listing.story(index).entry.id if index is not None else None
        try:
            self.listing = self._load()
        except PkmError as exc:
            self._status(str(exc))
            return
        found = self.listing.index_of(keep) if keep is not None else None
        if found is not None:
            self.listing.select(found)
        self.query_one(StoryList).show(self.listing)
        self._status("")

    # --- acting on the item ---------------------------------------------------------

    def action_save(self) -> None:
        index = self._current()
        if index is None:
            return
        entry = self.listing.story(index).entry
        try:
            tags = [t.name for t in self.pkm.tags(sort="count")]
        except PkmError as exc:
            self._status(str(exc))
            return

        def saved(answer: object) -> None:
            if not isinstance(answer, tuple):
                return
            names, note = answer
            self._write(lambda: self.pkm.tag(entry.id, names, note=note), index, "saved")
            _archive_in_background(self.pkm.location, self.pkm.person, entry.id)

        self.app.push_screen(SavePrompt(entry.display_title, tags, ()), saved)

    def action_tags(self) -> None:
        index = self._current()
        if index is None:
            return
        try:
            entry = self.pkm.entry(self.listing.story(index).entry.id)
            tags = [t.name for t in self.pkm.tags(sort="count")]
        except PkmError as exc:
            self._status(str(exc))
            return

        def edited(answer: object) -> None:
            if isinstance(answer, list):
                self._write(lambda: self.pkm.set_tags(entry.id, answer), index, "tags kept")

        self.app.push_screen(TagsPrompt(entry.display_title, tags, entry.tags), edited)

    def _write(self, change: Callable[[], Entry], index: int, done: str) -> None:
        try:
            entry = change()
        except PkmError as exc:
            self._status(str(exc))
            return
        story = self.listing.replace_entry(index, entry)
        self.query_one(StoryList).refresh()
        if self.reading:
            self.query_one(ArticlePane).show(entry, story.also_in)
        tags = " ".join(entry.tags)
        self._status(f"{done}: {tags}" if tags else done)

    def action_open(self) -> None:
        index = self._current()
        if index is None:
            return
        url = self.listing.story(index).entry.url
        if not url:
            self._status("this item has no URL")
            return
        self._browse(url, index)

    def action_link(self, n: int) -> None:
        links = self.query_one(ArticlePane).links() if self.reading else ()
        if not 1 <= n <= len(links):
            count = {0: "no links", 1: "1 link"}.get(len(links), f"{len(links)} links")
            self._status(f"no link {n}: the article shown has {count}")
            return
        index = self.listing.current()
        if index is not None:
            self._browse(links[n - 1].url, index)

    def _browse(self, url: str, index: int) -> None:
        if not webbrowser.open(url):
            self._status(f"no browser could open {url}")
            return
        if not self.listing.read[index]:
            self._set_read(index, True)
        self._status(f"opened {url}")

    def _set_read(self, index: int, read: bool) -> bool:
        try:
            self.pkm.set_read(self.listing.entry_ids(index), read)
        except PkmError as exc:
            self._status(str(exc))
            return False
        self.listing.set_read(index, read)
        self.query_one(StoryList).refresh()
        return True

    def action_toggle_read(self) -> None:
        index = self._current()
        if index is not None:
            read = not self.listing.read[index]
            if self._set_read(index, read):
                self._status("marked read" if read else "marked unread")

    def action_feed_read(self) -> None:
        index = self._current()
        if index is None:
            return
        entry = self.listing.story(index).entry
        stories = [i for i in self.listing.of_feed(entry.feed_id) if not self.listing.read[i]]
        if not stories:
            self._status("every item of this feed is read")
            return
        name = entry.feed_title or f"feed {entry.feed_id}"

        def answered(yes: object) -> None:
            if yes is not True:
                return
            ids = [entry_id for i in stories for entry_id in self.listing.entry_ids(i)]
            try:
                self.pkm.set_read(ids)
            except PkmError as exc:
                self._status(str(exc))
                return
            for i in stories:
                self.listing.set_read(i, True)
            self.query_one(StoryList).refresh()
            self._status(f"{len(stories)} items of {name} marked read")

        self.app.push_screen(Confirm(f"Mark {len(stories)} items of {name} read?"), answered)

    def action_full_text(self) -> None:
        index = self._current()
        if index is None:
            return
        story = self.listing.story(index)
        try:
            entry = self.pkm.fetch_full_text(story.entry.id)
        except PkmError as exc:  # the item stays as it was
            self._status(f"{FULL_TEXT_FAILED}: {exc}")
            return
        self.add_class("-reading")
        self.query_one(ArticlePane).show(entry, story.also_in)
        self._status("full text fetched from the article page")

    def action_search(self) -> None:
        def searched(query: object) -> None:
            if isinstance(query, str):
                self.remove_class("-reading")
                self.query_text = query
                self.action_reload()

        self.app.push_screen(SearchPrompt(self.query_text or ""), searched)

    def action_help(self) -> None:
        self.app.push_screen(Help())

    def on_story_list_clicked(self, message: StoryList.Clicked) -> None:
        self.listing.select(message.index)
        self._show()


class Reader(App[None]):
    """The reader over one open store."""

    CSS = CSS
    TITLE = "pkm read"
    ENABLE_COMMAND_PALETTE = False

    def __init__(
        self,
        pkm: Pkm,
        *,
        query: str | None = None,
        include_read: bool = False,
        network: bool = False,
    ) -> None:
        super().__init__()
        self.pkm, self.query_text, self.include_read = pkm, query, include_read
        self.network = network

    def on_mount(self) -> None:
        self.push_screen(
            ReaderScreen(
                self.pkm,
                query=self.query_text,
                include_read=self.include_read,
                network=self.network,
            )
        )


def _archive_in_background(store: Path | str | None, person: str, entry_id: int) -> None:
    """Keep a saved page's text as `pkm tag` does, without holding up the triage: on a
    connection of its own, in a daemon thread. A page that cannot be kept records why;
    one still being fetched when the reader quits is left for `pkm archive`."""

    def work() -> None:
        try:
            with Pkm.open(store, user=person) as pkm:
                pkm.archive_entry(entry_id)
        except PkmError:
            pass  # the entry stays saved; `pkm archive` tries it again

    threading.Thread(target=work, name=f"archive-{entry_id}", daemon=True).start()
