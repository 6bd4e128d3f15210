"""Per-feed numbers for the sources review, in one query."""

from __future__ import annotations

import sqlite3
import statistics
from dataclasses import dataclass

from pkm.storage.db import wrap_exceptions
from pkm.storage.people import me, subscribed
from pkm.storage.rows import FEED_COLUMNS, feed_from_row
from pkm.types import Feed


@dataclass(frozen=True)
class FeedActivity:
    feed: Feed
    items: int
    opened: int
    saved: int
    failing_since: int | None
    # Median length of the text of the items it brought in the period (None: no items).
    median_text: int | None = None


@wrap_exceptions
def feed_activity(conn: sqlite3.Connection, since: int) -> list[FeedActivity]:
    """For every feed of the person: items it brought since ``since`` and how many of those
    they opened or saved (its newest item ever is ``feed.newest_item``)."""
    rows = conn.execute(
        f"SELECT {FEED_COLUMNS},"
        " (SELECT count(*) FROM items i WHERE i.feed_id = f.id AND i.first_seen >= :since),"
        " (SELECT count(*) FROM items i JOIN entry_states es ON es.entry_id = i.entry_id"
        "  WHERE i.feed_id = f.id AND i.first_seen >= :since AND es.person_id = :me"
        "  AND es.read_at IS NOT NULL),"
        " (SELECT count(*) FROM items i JOIN saves s ON s.entry_id = i.entry_id"
        "  WHERE i.feed_id = f.id AND i.first_seen >= :since AND s.person_id = :me),"
        " f.failing_since"
        f" FROM {subscribed(conn)} ORDER BY f.id",
        {"since": since, "me": me(conn)},
    )
    lengths: dict[int, list[int]] = {}
    for feed_id, length in conn.execute(
        "SELECT i.feed_id, length(coalesce(e.text, '')) FROM items i"
        " JOIN entries e ON e.id = i.entry_id WHERE i.first_seen >= ?",
        (since,),
    ):
        lengths.setdefault(int(feed_id), []).append(int(length))
    return [
        FeedActivity(
            feed_from_row(row),
            int(row[14]),
            int(row[15]),
            int(row[16]),
            None if row[17] is None else int(row[17]),
            _median(lengths.get(int(row[0]))),
        )
        for row in rows
    ]


def _median(values: list[int] | None) -> int | None:
    return int(statistics.median(values)) if values else None
