"""What a scan shows: new items, each story once, however many feeds carried it.

A story arriving from several feeds is one entry when the URL is the same (the store
merges those); the same title from different feeds within a day is folded here too.
Either way the kept item lists the other feeds under "also in".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta

from pkm.types import Entry, Story

SAME_STORY_WINDOW = timedelta(days=1)


def collapse(entries: Sequence[Entry], other_feeds: Mapping[int, Sequence[str]]) -> list[Story]:
    """Fold duplicates, keeping the first of each story in the given order.

    ``other_feeds`` maps an entry id to the titles of the other feeds that carry it.
    """
    kept: list[Story] = []
    by_title: dict[str, int] = {}
    for entry in entries:
        also = list(other_feeds.get(entry.id, ()))
        key = " ".join((entry.title or "").casefold().split())
        index = by_title.get(key) if key else None
        if index is not None and _same_day(kept[index].entry, entry):
            first = kept[index]
            names = [*first.also_in, entry.feed_title or f"feed {entry.feed_id}", *also]
            kept[index] = Story(
                first.entry, _unique(names, first.entry.feed_title), (*first.folded, entry.id)
            )
            continue
        if key:
            by_title[key] = len(kept)
        kept.append(Story(entry, _unique(also, entry.feed_title)))
    return kept


def _same_day(a: Entry, b: Entry) -> bool:
    if a.feed_id == b.feed_id:
        return False
    when_a, when_b = a.published or a.first_seen, b.published or b.first_seen
    if when_a is None or when_b is None:
        return True
    return abs(when_a - when_b) <= SAME_STORY_WINDOW


def _unique(names: Sequence[str], own: str | None) -> tuple[str, ...]:
    seen: list[str] = []
    for name in names:
        if name and name != own and name not in seen:
            seen.append(name)
    return tuple(seen)
