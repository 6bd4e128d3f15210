"""What a scan shows: new items, each story once, however many feeds carried it.

New means not yet shown by a digest (:func:`new_items`). A story arriving from several
feeds is one entry when the URL is the same (the store merges those); the same title
from different feeds within a day is folded here too. Either way the kept item lists the
other feeds under "also in".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from pkm.storage.rows import now_ts, to_ts
from pkm.types import Entry, ScanReport, Story

if TYPE_CHECKING:
    from pkm.storage.db import Connection, Write
    from pkm.storage.entries import EntryRepository
    from pkm.storage.feeds import FeedRepository

# Fetches and stores the due feeds of a scan (of one feed or folder when given, all of
# them with ``force``), reporting (done, total) to ``progress``: Pkm's fetch step.
Fetch = Callable[..., ScanReport]

SAME_STORY_WINDOW = timedelta(days=1)


def scan(
    conn: Connection,
    feeds: FeedRepository,
    entries: EntryRepository,
    write: Write,
    *,
    read_only: bool,
    fetch: Fetch | None,
    feed_id: int | None,
    folder: str | None,
    force: bool,
    since: str | None,
    progress: Callable[[int, int], None] | None,
) -> ScanReport:
    """A scan: the due feeds fetched (unless ``fetch`` is None), then what is new, each
    story once; see :meth:`pkm.api.Pkm.scan`."""
    from pkm.since import parse_since

    start = parse_since(since) if since else None
    if feed_id is not None:
        feeds.get(feed_id)
    if folder is not None:
        feeds.check_folder(folder)
    report = ScanReport(0, 0, 0, 0, ())
    if fetch is not None:
        report = fetch(feed_id=feed_id, folder=folder, force=force, progress=progress)
    elif not read_only:
        from pkm.scan import settle_stored

        with write():
            settle_stored(conn)  # a scan killed outright left its items unsettled
    new = new_items(
        entries,
        write,
        since=start,
        again=fetch is None,
        record=not read_only,  # shown, but a read-only store cannot record it
        feed_id=feed_id,
        folder=folder,
    )
    found = stories(entries, new)
    feed_ids = sorted({s.entry.feed_id for s in found if s.entry.feed_id is not None})
    return replace(report, new_entries=tuple(new), stories=found, folders=entries.folders(feed_ids))


def new_items(
    entries: EntryRepository,
    write: Write,
    *,
    since: datetime | None,
    again: bool,
    record: bool,
    feed_id: int | None = None,
    folder: str | None = None,
) -> list[Entry]:
    """The items a digest reports, of one feed or folder (and below) if given.

    New means not yet shown: what the last scan stored, and what earlier ones stored but
    never showed (a scan cut short, a feed's first fetch when it was added); with
    ``record``, they count as shown from now on. When nothing is new and ``again``, the
    last digest again; with ``since``, every item first seen since then instead.
    """
    if since is not None:
        return entries.new_items(since=to_ts(since), feed_id=feed_id, folder=folder)
    new = entries.new_items(unshown=True, feed_id=feed_id, folder=folder)
    if new:
        if record:
            with write():
                entries.mark_shown(new, now_ts())
    elif again:
        last = entries.last_shown(feed_id=feed_id, folder=folder)
        if last is not None:
            new = entries.new_items(shown_at=last, feed_id=feed_id, folder=folder)
    return new


def stories(entries: EntryRepository, new: Sequence[Entry]) -> tuple[Story, ...]:
    """The new items as a digest shows them: muted ones out, duplicates folded."""
    shown = [e for e in new if not e.muted]
    return tuple(collapse(shown, entries.other_feeds(shown)))


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
