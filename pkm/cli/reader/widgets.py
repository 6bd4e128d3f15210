"""The reader's widgets: the virtual story list, the reading pane, the status line.

Every string from the network reaches the screen as a Rich ``Text`` of cleaned text
(:func:`pkm.cli.render.clean`), never as markup.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.events import Click
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Static

from pkm.cli import article
from pkm.cli.entryview import entry_view
from pkm.cli.reader.model import Heading, Listing
from pkm.cli.render import clean, day
from pkm.types import Entry, Story

# Lines longer than this are hard to read, however wide the pane (as pkm show).
MAX_WIDTH = 100
# Lines the story list keeps drawn: a few screens of the tallest terminal, in each state.
MAX_DRAWN = 2_000


class StoryList(ScrollView, can_focus=False):
    """Draws only the rows on screen: a list of any length costs one line per row drawn."""

    COMPONENT_CLASSES = {"story-list--cursor", "story-list--heading", "story-list--read"}
    DEFAULT_CSS = """
    StoryList > .story-list--cursor { background: $accent 40%; text-style: bold; }
    StoryList > .story-list--heading { text-style: bold; color: $secondary; }
    StoryList > .story-list--read { color: $text-muted; }
    """

    class Clicked(Message):
        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(self, listing: Listing, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.listing = listing
        # Lines drawn, by (row, width, what it shows): a key redraws the whole list, and
        # laying a row out again was a third of the frame (~5 of 15 ms at 200x60).
        self._drawn: dict[tuple[int, int, object], tuple[Story | Heading, Strip]] = {}

    def show(self, listing: Listing) -> None:
        self.listing = listing
        self._drawn.clear()
        self.virtual_size = Size(self.size.width, len(listing.rows))
        self.follow()

    def on_mount(self) -> None:
        self.virtual_size = Size(self.size.width, len(self.listing.rows))

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._drawn.clear()  # a new theme: every line in new colours

    def follow(self) -> None:
        """Scroll the cursor into view and redraw."""
        self.scroll_to_region(Region(0, self.listing.cursor, 1, 1), animate=False, immediate=True)
        self.refresh()

    def render_line(self, y: int) -> Strip:
        row = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        listing = self.listing
        if row >= len(listing.rows):
            return Strip.blank(width, self.rich_style)
        index = listing.rows[row]
        source: Story | Heading
        if index < 0:
            source = listing.headings[row]
            state: object = listing.unread_by_feed.get(source.feed_id, 0)
        else:
            source = listing.story(index)
            state = (listing.read[index], row == listing.cursor)
        key = (row, width, state)
        drawn = self._drawn.get(key)
        if drawn is None or drawn[0] is not source:
            if len(self._drawn) > MAX_DRAWN:
                self._drawn.clear()
            drawn = self._drawn[key] = (source, self._draw(row, width))
        return drawn[1]

    def _draw(self, row: int, width: int) -> Strip:
        listing = self.listing
        index = listing.rows[row]
        if index < 0:
            heading = listing.headings[row]
            if heading.feed_id is None:
                text = Text(clean(heading.title))
            else:
                count = listing.unread_by_feed.get(heading.feed_id, 0)
                text = Text(f"  {clean(heading.title)}  ({count})")
            style = self.get_component_rich_style("story-list--heading")
        else:
            text = _story_line(listing.story(index), listing.read[index])
            style = self.rich_style
            if listing.read[index]:
                style += self.get_component_rich_style("story-list--read")
            if row == listing.cursor:
                style += self.get_component_rich_style("story-list--cursor")
        text.no_wrap = True
        segments = list(text.render(self.app.console))
        return Strip(segments).apply_style(style).crop_extend(0, width, style)

    def on_click(self, event: Click) -> None:
        row = self.scroll_offset.y + event.y
        if 0 <= row < len(self.listing.rows) and self.listing.rows[row] >= 0:
            self.post_message(self.Clicked(self.listing.rows[row]))


def _story_line(story: Story, read: bool) -> Text:
    entry = story.entry
    mark = " " if read else "●"
    saved = "★" if entry.saved else " "
    when = day(entry.published or entry.first_seen)
    return Text(f"    {mark}{saved} {when}  {clean(entry.display_title)}")


class ArticlePane(VerticalScroll, can_focus=False):
    """The article of one entry, laid out as ``pkm show`` lays it out, at the pane's width."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.entry: Entry | None = None
        self.also_in: tuple[str, ...] = ()
        self.body: article.Article | None = None
        self._width = 0

    def compose(self) -> ComposeResult:
        yield Static(Text(""), id="article")

    def show(self, entry: Entry, also_in: tuple[str, ...] = ()) -> None:
        self.entry, self.also_in, self._width = entry, also_in, 0
        self._draw()
        self.scroll_home(animate=False, immediate=True)

    def clear(self) -> None:
        self.entry, self.body = None, None
        self.query_one("#article", Static).update(Text(""))

    def _draw(self) -> None:
        if self.entry is None:
            return
        width = max(min(self.scrollable_content_region.width, MAX_WIDTH), article.MIN_WIDTH)
        if width == self._width:
            return
        self._width = width
        self.body = article.render_article(article.article_html(self.entry), width)
        view = entry_view(self.entry, self.body, self.also_in)
        self.query_one("#article", Static).update(view.rich())

    def on_resize(self) -> None:
        self._draw()

    @property
    def at_end(self) -> bool:
        return self.scroll_y >= self.max_scroll_y

    def links(self) -> tuple[article.Link, ...]:
        return self.body.links if self.body else ()
