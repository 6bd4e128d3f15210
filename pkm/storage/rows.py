"""Turning stored rows into domain types, and times into stored integers."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from pkm.storage.dialect import NEWLINE, contains, like
from pkm.types import Entry, Feed, FeedStatus


def like_escape(text: str) -> str:
    """``text`` as a literal inside a LIKE pattern that declares ``ESCAPE '\\'``."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def in_folder(conn: sqlite3.Connection, column: str, folder: str) -> tuple[str, list[object]]:
    """A condition for a folder and its sub-folders ("Learning" takes "Learning/Dutch")."""
    return (
        f"({column} = ? OR {column} {like(conn)} ? ESCAPE '\\')",
        [folder, like_escape(folder) + "/%"],
    )


# Ids are SQLite integers (signed 64-bit): a larger one names nothing, and binding it
# would fail.
_ID_RANGE = range(-(2**63), 2**63)


def is_storable_id(value: int) -> bool:
    return value in _ID_RANGE


# A new note joins an entry's note on a line of its own, unless the entry already holds
# it as whole lines ("note1" is not held by "note10"): saving or importing the same thing
# twice never repeats a note.
def merged_note(conn: sqlite3.Connection) -> str:
    """The SQL of a save's note after ``:note`` joins it."""
    held = contains(
        conn, f"{NEWLINE} || note || {NEWLINE}", f"{NEWLINE} || CAST(:note AS TEXT) || {NEWLINE}"
    )
    return (
        "CASE WHEN coalesce(CAST(:note AS TEXT), '') = '' THEN note"
        " WHEN coalesce(note, '') = '' THEN :note"
        f" WHEN {held} THEN note"
        f" ELSE note || {NEWLINE} || :note END"
    )


# SQLite allows a limited number of bound values per statement: long IN lists are split.
IN_CHUNK = 500


def select_in(
    conn: sqlite3.Connection, sql: str, values: Sequence[Any], *, before: Sequence[Any] = ()
) -> Iterator[Any]:
    """Rows of ``sql``, whose ``{marks}`` stands for the placeholders of an IN list, for
    all ``values`` (``before`` binds any placeholders ahead of the list)."""
    for start in range(0, len(values), IN_CHUNK):
        chunk = list(values[start : start + IN_CHUNK])
        yield from conn.execute(sql.format(marks=",".join("?" * len(chunk))), [*before, *chunk])


def now_ts() -> int:
    return int(time.time())


def to_ts(value: datetime | None) -> int | None:
    return None if value is None else int(value.timestamp())


def from_ts(value: int | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, UTC)


# Read from an entry ``e`` and the person's joins of it (pkm.storage.people.entry_joins).
FEED_TITLE = "coalesce(sub.title, f.title)"
ENTRY_COLUMNS = (
    f"e.id, e.url, e.title, e.feed_id, {FEED_TITLE} AS feed_title, e.author, e.summary,"
    " e.content, e.text, e.published, e.first_seen, s.saved_at, s.note, s.to_read,"
    " s.tags_text, es.muted, s.private, es.read_at, e.full_text_at"
)
# The same without the bodies, for listings that never show them.
ENTRY_LIST_COLUMNS = (
    f"e.id, e.url, e.title, e.feed_id, {FEED_TITLE} AS feed_title, e.author, NULL, NULL,"
    " NULL, e.published, e.first_seen, s.saved_at, s.note, s.to_read, s.tags_text, es.muted,"
    " s.private, es.read_at, e.full_text_at"
)


def entry_from_row(row: Sequence[Any]) -> Entry:
    (
        id_,
        url,
        title,
        feed_id,
        feed_title,
        author,
        summary,
        content,
        text,
        published,
        first_seen,
        saved_at,
        note,
        to_read,
        tags_text,
        muted,
        private,
        read_at,
        full_text_at,
    ) = row[:19]
    return Entry(
        id=int(id_),
        url=url,
        title=title,
        feed_id=feed_id,
        feed_title=feed_title,
        author=author,
        summary=summary,
        content=content,
        text=text,
        published=from_ts(published),
        first_seen=from_ts(first_seen),
        saved=from_ts(saved_at),
        note=note,
        to_read=bool(to_read),
        tags=tuple(str(tags_text).split()) if tags_text else (),
        muted=bool(muted),
        private=bool(private),
        read=read_at is not None,
        full_text_at=from_ts(full_text_at),
    )


# Read from the person's feeds (pkm.storage.people.subscribed).
FEED_COLUMNS = (
    f"f.id, f.url, {FEED_TITLE}, sub.folder, f.site_url, f.last_status, f.last_error,"
    " f.error_count,"
    " f.last_fetched, f.next_fetch_at, f.retired_at, f.full_text,"
    " (SELECT count(*) FROM items i WHERE i.feed_id = f.id),"
    " (SELECT max(e.sort_date) FROM items i JOIN entries e ON e.id = i.entry_id"
    "  WHERE i.feed_id = f.id)"
)


def feed_from_row(row: Sequence[Any]) -> Feed:
    (
        id_,
        url,
        title,
        folder,
        site_url,
        last_status,
        last_error,
        error_count,
        last_fetched,
        next_fetch_at,
        retired_at,
        full_text,
        items,
        newest,
    ) = row[:14]
    status: FeedStatus
    if retired_at is not None:
        status = "retired"
    elif error_count:
        status = "failing"
    elif last_fetched is None:
        status = "new"
    else:
        status = "ok"
    return Feed(
        id=int(id_),
        url=str(url),
        title=title,
        folder=folder,
        site_url=site_url,
        status=status,
        last_status=last_status,
        last_error=last_error,
        errors=int(error_count or 0),
        items=int(items or 0),
        last_fetched=from_ts(last_fetched),
        next_fetch=from_ts(next_fetch_at),
        newest_item=from_ts(newest),
        full_text=bool(full_text),
    )
