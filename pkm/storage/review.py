"""Per-feed numbers for the sources review, in one query."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from pkm.storage.rows import FEED_COLUMNS, feed_from_row
from pkm.types import Feed


@dataclass(frozen=True)
class FeedActivity:
    feed: Feed
    items: int
    opened: int
    saved: int
    failing_since: int | None


def feed_activity(conn: sqlite3.Connection, since: int) -> list[FeedActivity]:
    """For every feed: items it brought since ``since`` and how many of those were opened
    or saved (its newest item ever is ``feed.newest_item``)."""
    rows = conn.execute(
        f"SELECT {FEED_COLUMNS},"
        " (SELECT count(*) FROM items i WHERE i.feed_id = f.id AND i.first_seen >= :since),"
        " (SELECT count(*) FROM items i JOIN entries e ON e.id = i.entry_id"
        "  WHERE i.feed_id = f.id AND i.first_seen >= :since AND e.read_at IS NOT NULL),"
        " (SELECT count(*) FROM items i JOIN entries e ON e.id = i.entry_id"
        "  WHERE i.feed_id = f.id AND i.first_seen >= :since AND e.saved_at IS NOT NULL),"
        " f.failing_since"
        " FROM feeds f ORDER BY f.id",
        {"since": since},
    )
    return [
        FeedActivity(feed_from_row(row), int(row[14]), int(row[15]), int(row[16]), row[17])
        for row in rows
    ]
