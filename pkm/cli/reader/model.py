"""The list the reader shows, without any widget: rows, the cursor, read flags, counts.

A triage of 100,000 items is 100,000 stories and one int per row, nothing more: the
list widget draws only the rows on screen from here (a virtual list).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace

from pkm.types import Entry, Story, Triage

# A row holds a story's index, or HEADING for a folder's or feed's heading (Listing.headings).
HEADING = -1


@dataclass(frozen=True)
class Heading:
    folder: str | None
    feed_id: int | None
    title: str


class Listing:
    """Stories in reading order, with a heading before each folder and feed (``grouped``)."""

    def __init__(self, triage: Triage, *, grouped: bool = True) -> None:
        self.stories = list(triage.stories)
        self.grouped = grouped
        self.partial = triage.partial
        self.read = [story.entry.read for story in self.stories]
        self.unread_by_feed = Counter(
            s.entry.feed_id for s, read in zip(self.stories, self.read, strict=True) if not read
        )
        self.rows: list[int] = []
        self.headings: dict[int, Heading] = {}
        self.row_of: list[int] = []
        folder: object = object()
        feed: object = object()
        for index, story in enumerate(self.stories):
            entry = story.entry
            if grouped and entry.feed_id != feed:
                feed = entry.feed_id
                here = triage.folders.get(entry.feed_id) if entry.feed_id is not None else None
                if here != folder:
                    folder = here
                    self._heading(Heading(here, None, here or "(no folder)"))
                self._heading(Heading(here, entry.feed_id, entry.feed_title or f"feed {feed}"))
            self.row_of.append(len(self.rows))
            self.rows.append(index)
        self.cursor = self.row_of[0] if self.row_of else 0

    def _heading(self, heading: Heading) -> None:
        self.headings[len(self.rows)] = heading
        self.rows.append(HEADING)

    def __len__(self) -> int:
        return len(self.stories)

    @property
    def unread(self) -> int:
        return sum(self.unread_by_feed.values())

    def current(self) -> int | None:
        """The index of the story under the cursor, if any."""
        if not self.rows:
            return None
        index = self.rows[self.cursor]
        return index if index >= 0 else None

    def story(self, index: int) -> Story:
        return self.stories[index]

    def replace_entry(self, index: int, entry: Entry) -> Story:
        """The story with its entry as it is now (after a save); returns it."""
        self.stories[index] = replace(self.stories[index], entry=entry)
        return self.stories[index]

    def select(self, index: int) -> None:
        self.cursor = self.row_of[index]

    def move(self, delta: int) -> int | None:
        """Move by ``delta`` stories; the new current story (or None at an end)."""
        index = self.current()
        if index is None:
            return None
        target = index + delta
        if not 0 <= target < len(self.stories):
            return None
        self.select(target)
        return target

    def next_unread(self, step: int = 1) -> int | None:
        """Move to the next (``step`` 1) or previous (-1) unread story after the cursor."""
        index = self.current()
        start = (
            -1 if index is None and step > 0 else (len(self.stories) if index is None else index)
        )
        target = start + step
        while 0 <= target < len(self.stories):
            if not self.read[target]:
                self.select(target)
                return target
            target += step
        return None

    def set_read(self, index: int, read: bool) -> None:
        if self.read[index] != read:
            self.read[index] = read
            self.unread_by_feed[self.stories[index].entry.feed_id] += -1 if read else 1

    def of_feed(self, feed_id: int | None) -> list[int]:
        return [i for i, s in enumerate(self.stories) if s.entry.feed_id == feed_id]

    def entry_ids(self, index: int) -> list[int]:
        """The entries a story stands for: its own and those folded into it."""
        story = self.stories[index]
        return [story.entry.id, *story.folded]

    def index_of(self, entry_id: int) -> int | None:
        for index, story in enumerate(self.stories):
            if story.entry.id == entry_id:
                return index
        return None
