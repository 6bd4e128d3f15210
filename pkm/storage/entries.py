"""Entries: feed items and saved URLs in one id space, merged by normalised URL."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from pkm.errors import DuplicateURLError, EntryNotFoundError, InvalidURLError
from pkm.storage import fts_index, links
from pkm.storage.db import Repository
from pkm.storage.dialect import byte_order, contains, first_free_id, ids_given
from pkm.storage.people import NOBODY, VISIBLE, PeopleRepository, entry_joins, me
from pkm.storage.rows import (
    ENTRY_COLUMNS,
    ENTRY_LIST_COLUMNS,
    FEED_TITLE,
    entry_from_row,
    in_folder,
    is_storable_id,
    merged_note,
    select_in,
    to_ts,
)
from pkm.types import Entry, ParsedEntry
from pkm.urls import normalize_url, searchable


def entries_from(conn: sqlite3.Connection) -> str:
    """Entries ``e`` with their feed ``f`` and the connection's person's save ``s``."""
    return "FROM entries e" + entry_joins(conn)


def url_key(url: str | None) -> str | None:
    if not url:
        return None
    try:
        return normalize_url(url)
    except InvalidURLError:
        return None


def _of_feed(
    conn: sqlite3.Connection, feed_id: int | None, folder: str | None
) -> tuple[str, list[object]]:
    """`` AND …`` for the person's subscriptions ``sub``: to one feed and/or the feeds of
    one of their folders (and below)."""
    sql = ""
    params: list[object] = []
    if feed_id is not None:
        sql += " AND sub.feed_id = ?"
        params.append(feed_id)
    if folder is not None:
        condition, values = in_folder(conn, "sub.folder", folder)
        sql += f" AND {condition}"
        params += values
    return sql, params


def _same_item(key: str, stored: set[str]) -> bool:
    """Whether a feed item with identity ``key`` is the entry that holds its URL: a page
    saved bare (no item yet), the same guid from another feed, or, for items without a
    guid, the same link. Items with different guids stay apart, as do items without
    a guid and a link (the content hash is their identity)."""
    if not stored or key in stored:
        return True
    return key.startswith("link:") and any(k.startswith("link:") for k in stored)


@dataclass(frozen=True)
class StoredItems:
    new: list[int]
    updated: int
    # Entries whose text this feed brought or changed now, with the item's URL: the
    # article pages a full-text feed fetches.
    pages: list[tuple[int, str]]


class EntryRepository(Repository):
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def get(self, entry_id: int) -> Entry:
        row = None
        if is_storable_id(entry_id):
            row = self._conn.execute(
                f"SELECT {ENTRY_COLUMNS} {entries_from(self._conn)} WHERE e.id = ? AND {VISIBLE}",
                (entry_id,),
            ).fetchone()
        if row is None:
            raise EntryNotFoundError(f"no entry with id {entry_id}")
        return entry_from_row(row)

    def by_url(self, url: str) -> Entry | None:
        """The entry at ``url`` (normalised), or the one whose link moved away from it."""
        key = normalize_url(url)
        row = self._conn.execute(
            f"SELECT {ENTRY_COLUMNS} {entries_from(self._conn)} WHERE e.url_key = ?", (key,)
        )
        found = row.fetchone()
        if found is None:
            moved = links.aliased_ids(self._conn, [key])
            return self.get(moved[key]) if moved else None
        return entry_from_row(found)

    def store_items(
        self, feed_id: int, source: str, items: Sequence[ParsedEntry], now: int, scan_id: int
    ) -> StoredItems:
        """Store a feed's items: new ones inserted, changed ones updated in place, and an
        item whose URL is already known (another feed, a saved page) linked to that entry.

        Call inside a write transaction. New entries wait for :meth:`index_pending`.
        """
        unique = list({item.key: item for item in reversed(items)}.values())[::-1]
        known = self._known_items(feed_id, [item.key for item in unique])
        fresh = [item for item in unique if item.key not in known]
        changed = [
            item for item in unique if item.key in known and known[item.key][1] != item.content_hash
        ]
        pages: list[tuple[int, str]] = []
        for item in changed:
            self._update_content(known[item.key][0], item)
            if item.url:
                pages.append((known[item.key][0], item.url))
        self._conn.executemany(
            "UPDATE items SET content_hash = ? WHERE feed_id = ? AND item_key = ?",
            [(item.content_hash, feed_id, item.key) for item in changed],
        )
        keys = {item.key: url_key(item.url) for item in fresh}
        by_url = self.ids_by_url_key([k for k in keys.values() if k is not None])
        identities = self._item_keys(list(by_url.values()))
        next_id = first_free_id(self._conn, "entries")
        new: list[int] = []
        rows: list[tuple[object, ...]] = []
        links: list[tuple[object, ...]] = []
        for item in fresh:
            key = keys[item.key]
            entry_id = by_url.get(key) if key is not None else None
            if entry_id is not None and not _same_item(item.key, identities.get(entry_id, set())):
                # Another item at a URL an entry already holds (a link blog pointing at
                # the same article twice): its own entry, found by its words, not its URL.
                entry_id = key = None
            if entry_id is None:
                entry_id = next_id
                next_id += 1
                rows.append(self._new_row(entry_id, feed_id, source, key, item, now, scan_id))
                new.append(entry_id)
                if item.url:
                    pages.append((entry_id, item.url))
                if key is not None:
                    by_url[key] = entry_id
            else:
                self._fill_from_feed(entry_id, feed_id, source, item)
            identities.setdefault(entry_id, set()).add(item.key)
            links.append((feed_id, item.key, entry_id, item.content_hash, now))
        self._conn.executemany(
            "INSERT INTO entries (id, url, url_key, feed_id, title, author, summary, content,"
            " text, source, content_hash, published, updated, first_seen, scan_id, sort_date,"
            " indexed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(*row, fts_index.unindexed(self._conn)) for row in rows],
        )
        self._conn.executemany(
            "INSERT INTO items (feed_id, item_key, entry_id, content_hash, first_seen)"
            " VALUES (?, ?, ?, ?, ?)",
            links,
        )
        if rows:
            ids_given(self._conn, "entries")
        return StoredItems(new, len(changed), pages)

    def index_pending(self) -> int:
        """Add every entry still waiting for the full-text index to it, in one batch."""
        return fts_index.index_pending(self._conn)

    def _known_items(self, feed_id: int, keys: Sequence[str]) -> dict[str, tuple[int, str | None]]:
        rows = select_in(
            self._conn,
            "SELECT item_key, entry_id, content_hash FROM items"
            " WHERE feed_id = ? AND item_key IN ({marks})",
            keys,
            before=[feed_id],
        )
        return {str(key): (int(entry_id), content_hash) for key, entry_id, content_hash in rows}

    def _item_keys(self, entry_ids: Sequence[int]) -> dict[int, set[str]]:
        """The item identities each entry already stands for, in any feed."""
        found: dict[int, set[str]] = {}
        rows = select_in(
            self._conn,
            "SELECT entry_id, item_key FROM items WHERE entry_id IN ({marks})",
            entry_ids,
        )
        for entry_id, key in rows:
            found.setdefault(int(entry_id), set()).add(str(key))
        return found

    def ids_by_url_key(self, keys: Sequence[str]) -> dict[str, int]:
        """The entries that already hold these normalised URLs, or held them before their
        link moved (see :mod:`pkm.storage.links`)."""
        rows = select_in(
            self._conn, "SELECT url_key, id FROM entries WHERE url_key IN ({marks})", keys
        )
        found = {str(key): int(entry_id) for key, entry_id in rows}
        if len(found) < len(set(keys)):
            found = links.aliased_ids(self._conn, [k for k in keys if k not in found]) | found
        return found

    @staticmethod
    def _new_row(
        entry_id: int,
        feed_id: int,
        source: str,
        key: str | None,
        item: ParsedEntry,
        now: int,
        scan_id: int,
    ) -> tuple[object, ...]:
        published = to_ts(item.published)
        return (
            entry_id,
            item.url,
            key,
            feed_id,
            item.title,
            item.author,
            item.summary_html,
            item.content_html,
            item.text,
            f"{source} {searchable(item.url)}".strip(),
            item.content_hash,
            published,
            to_ts(item.updated),
            now,
            scan_id,
            published if published is not None else now,
        )

    def _update_content(self, entry_id: int, item: ParsedEntry) -> None:
        published = to_ts(item.published)
        self._conn.execute(
            "UPDATE entries SET title = ?, author = ?, summary = ?, content = ?, text = ?,"
            " content_hash = ?, published = coalesce(?, published), updated = ?,"
            " sort_date = coalesce(?, sort_date), full_text_at = NULL WHERE id = ?",
            (
                item.title,
                item.author,
                item.summary_html,
                item.content_html,
                item.text,
                item.content_hash,
                published,
                to_ts(item.updated),
                published,
                entry_id,
            ),
        )

    def _fill_from_feed(self, entry_id: int, feed_id: int, source: str, item: ParsedEntry) -> None:
        """A page saved bare (or seen in another feed) gains what this feed knows of it."""
        published = to_ts(item.published)
        self._conn.execute(
            "UPDATE entries SET feed_id = coalesce(feed_id, ?), title = coalesce(title, ?),"
            " author = coalesce(author, ?), summary = coalesce(summary, ?),"
            " content = coalesce(content, ?), text = coalesce(nullif(text, ''), ?),"
            " source = coalesce(source, ?), published = coalesce(published, ?)"
            " WHERE id = ?",
            (
                feed_id,
                item.title,
                item.author,
                item.summary_html,
                item.content_html,
                item.text,
                source,
                published,
                entry_id,
            ),
        )

    def store_full_text(self, entry_id: int, html: str, text: str, now: int) -> None:
        """The article page's main text becomes the entry's content; its text joins what
        the feed said (unless the page already says it) for search."""
        self._conn.execute(
            "UPDATE entries SET content = :html, full_text_at = :now,"
            " text = CASE WHEN coalesce(text, '') = ''"
            f" OR {contains(self._conn, 'CAST(:text AS TEXT)', 'text')} THEN :text"
            " ELSE text || ' ' || :text END WHERE id = :id",
            {"html": html, "text": text, "now": now, "id": entry_id},
        )

    def add_page(
        self,
        url: str,
        *,
        title: str | None,
        description: str | None,
        source: str | None,
        now: int,
    ) -> int:
        """A saved URL that no feed brought (no digest shows it: it has no feed)."""
        entry_id = first_free_id(self._conn, "entries")
        self._conn.execute(
            "INSERT INTO entries (id, url, url_key, title, summary, text, source, first_seen,"
            " sort_date) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (entry_id, url, normalize_url(url), title, None, description, source, now, now),
        )
        ids_given(self._conn, "entries")
        return entry_id

    def fill_page(self, entry_id: int, *, title: str | None, description: str | None) -> None:
        self._conn.execute(
            "UPDATE entries SET title = coalesce(title, ?),"
            " text = coalesce(nullif(text, ''), ?) WHERE id = ?",
            (title, description, entry_id),
        )

    def set_title(self, entry_id: int, title: str) -> None:
        self._conn.execute("UPDATE entries SET title = ? WHERE id = ?", (title, entry_id))

    def set_note(self, entry_id: int, note: str | None) -> None:
        self._conn.execute(
            "UPDATE saves SET note = ? WHERE person_id = ? AND entry_id = ?",
            (note, me(self._conn), entry_id),
        )

    def append_note(self, entry_id: int, note: str) -> None:
        self._conn.execute(
            f"UPDATE saves SET note = {merged_note(self._conn)}"
            " WHERE person_id = :me AND entry_id = :id",
            {"note": note, "id": entry_id, "me": me(self._conn)},
        )

    def set_url(self, entry_id: int, url: str) -> None:
        """Point an entry at another URL; refused when another entry holds that page."""
        key = normalize_url(url)
        other = self._conn.execute(
            "SELECT id FROM entries WHERE url_key = ? AND id != ?", (key, entry_id)
        ).fetchone()
        if other is not None:
            raise DuplicateURLError(f"entry {other[0]} already holds {url}")
        self._conn.execute(
            "UPDATE entries SET url = ?, url_key = ?, source = ? WHERE id = ?",
            (url, key, searchable(url), entry_id),
        )

    def unsave(self, entry_id: int) -> None:
        """No longer the person's bookmark: their tags, note, saved date and flags go; the
        entry stays."""
        self._conn.execute(
            "DELETE FROM saves WHERE person_id = ? AND entry_id = ?", (me(self._conn), entry_id)
        )

    def saved_by_others(self, entry_id: int) -> bool:
        """Whether someone besides the connection's person keeps this entry."""
        row = self._conn.execute(
            "SELECT 1 FROM saves WHERE entry_id = ? AND person_id != ? LIMIT 1",
            (entry_id, me(self._conn)),
        ).fetchone()
        return row is not None

    def delete(self, entry_id: int) -> None:
        self._conn.execute("DELETE FROM entries WHERE id = ?", (entry_id,))

    def mark_saved(
        self,
        entry_id: int,
        *,
        now: int,
        note: str | None = None,
        to_read: bool | None = None,
        private: bool | None = None,
    ) -> None:
        """Keep an entry as the person's bookmark (private if they keep saves private
        unless ``private`` says); a new note is added below an earlier, different one.
        Flags left as None keep their value."""
        save_id = PeopleRepository(self._conn).ensure_save(entry_id, now)
        self._conn.execute(
            "UPDATE saves SET"
            " to_read = coalesce(:to_read, to_read), private = coalesce(:private, private),"
            f" note = {merged_note(self._conn)} WHERE id = :id",
            {
                "to_read": None if to_read is None else int(to_read),
                "private": None if private is None else int(private),
                "note": note,
                "id": save_id,
            },
        )

    def new_items(
        self,
        *,
        unshown: bool = False,
        shown_at: int | None = None,
        since: int | None = None,
        feed_id: int | None = None,
        folder: str | None = None,
    ) -> list[Entry]:
        """The items of the person's feeds not yet shown by a digest of theirs, shown by
        their digest at ``shown_at``, or first stored at or after ``since``: grouped by
        feed, newest first."""
        sql = f"SELECT {ENTRY_LIST_COLUMNS} {entries_from(self._conn)} WHERE sub.id IS NOT NULL"
        params: list[object] = []
        if unshown:
            sql += " AND e.id > sub.shown_through"
        if shown_at is not None:
            sql += " AND sub.shown_at = ? AND e.id > sub.shown_from AND e.id <= sub.shown_through"
            params.append(shown_at)
        if since is not None:
            sql += " AND e.first_seen >= ?"
            params.append(since)
        condition, values = _of_feed(self._conn, feed_id, folder)
        sql += condition
        params += values
        feed = byte_order(self._conn, f"lower(coalesce({FEED_TITLE}, f.url))")
        sql += f" ORDER BY {feed}, e.feed_id, e.sort_date DESC, e.id DESC"
        return [entry_from_row(row) for row in self._conn.execute(sql, params)]

    def mark_shown(self, entries: Sequence[Entry], now: int) -> None:
        """The person's digest at ``now`` showed these items: each feed's watermark moves
        up to its newest one shown (a digest shows every new item of a feed)."""
        newest: dict[int, int] = {}
        for entry in entries:
            if entry.feed_id is not None:
                newest[entry.feed_id] = max(newest.get(entry.feed_id, 0), entry.id)
        self._conn.executemany(
            "UPDATE subscriptions SET shown_from = shown_through, shown_through = ?,"
            " shown_at = ? WHERE person_id = ? AND feed_id = ? AND shown_through < ?",
            [(top, now, me(self._conn), feed, top) for feed, top in newest.items()],
        )

    def last_shown(self, *, feed_id: int | None = None, folder: str | None = None) -> int | None:
        """When the person's latest digest (of this feed or folder) was shown."""
        condition, params = _of_feed(self._conn, feed_id, folder)
        value = self._conn.execute(
            f"SELECT max(sub.shown_at) FROM subscriptions sub WHERE sub.person_id = ?{condition}",
            [me(self._conn), *params],
        ).fetchone()[0]
        return None if value is None else int(value)

    def mark_read(self, entry_id: int, now: int) -> None:
        self.set_read([entry_id], now)

    def set_read(self, entry_ids: Sequence[int], now: int | None) -> int:
        """Mark entries read by the person at ``now`` (an earlier read time stays), or
        unread when None; returns how many changed. Someone not stored yet (no save, no
        subscription) keeps no read state."""
        person = me(self._conn)
        if person == NOBODY or not entry_ids:
            return 0
        if now is None:
            sql = (
                "UPDATE entry_states SET read_at = NULL"
                " WHERE person_id = ? AND entry_id = ? AND read_at IS NOT NULL"
            )
            rows: list[tuple[int, ...]] = [(person, entry_id) for entry_id in entry_ids]
        else:
            sql = (
                "INSERT INTO entry_states (person_id, entry_id, read_at) VALUES (?, ?, ?)"
                " ON CONFLICT (person_id, entry_id) DO UPDATE SET read_at = excluded.read_at"
                " WHERE entry_states.read_at IS NULL"
            )
            rows = [(person, entry_id, now) for entry_id in entry_ids]
        return self._conn.executemany(sql, rows).rowcount

    def triage(self, *, include_read: bool = False, limit: int | None = None) -> list[Entry]:
        """The items of the person's feeds to go through, not muted: grouped by folder
        (those without one last) and feed, newest first in a feed; unread ones only
        unless ``include_read``; the first ``limit`` of them when given."""
        sql = (
            f"SELECT {ENTRY_LIST_COLUMNS} {entries_from(self._conn)}"
            " WHERE sub.id IS NOT NULL AND coalesce(es.muted, 0) = 0"
        )
        if not include_read:
            sql += " AND es.read_at IS NULL"
        folder = byte_order(self._conn, "lower(sub.folder)")
        feed = byte_order(self._conn, f"lower(coalesce({FEED_TITLE}, f.url))")
        sql += (
            f" ORDER BY sub.folder IS NULL, {folder}, {feed}, e.feed_id, e.sort_date DESC,"
            " e.id DESC"
        )
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [entry_from_row(row) for row in self._conn.execute(sql)]

    def folders(self, feed_ids: Sequence[int]) -> dict[int, str | None]:
        """The person's folder of each of these feeds."""
        rows = select_in(
            self._conn,
            "SELECT feed_id, folder FROM subscriptions WHERE person_id = ?"
            " AND feed_id IN ({marks})",
            feed_ids,
            before=[me(self._conn)],
        )
        return {int(feed_id): folder for feed_id, folder in rows}

    def other_feeds(self, entries: Sequence[Entry]) -> dict[int, list[str]]:
        """For each entry, the titles of the feeds besides its own that carried it."""
        found: dict[int, list[str]] = {}
        rows = select_in(
            self._conn,
            f"SELECT i.entry_id, coalesce({FEED_TITLE}, f.url) FROM items i"
            " JOIN entries e ON e.id = i.entry_id JOIN feeds f ON f.id = i.feed_id"
            " LEFT JOIN subscriptions sub ON sub.feed_id = f.id"
            f" AND sub.person_id = {me(self._conn)}"
            " WHERE i.entry_id IN ({marks}) AND i.feed_id != coalesce(e.feed_id, -1)"
            " ORDER BY i.first_seen",
            [e.id for e in entries],
        )
        for entry_id, title in rows:
            found.setdefault(int(entry_id), []).append(str(title))
        return found

    def with_tag(self, tag_key: str, *, person: int | None = None) -> list[Entry]:
        """Entries saved with a tag, newest saved first (a reading list): the connection's
        person's, or another ``person``'s public ones."""
        if person is None:
            owner, visible = me(self._conn), ""
        else:
            owner, visible = person, " AND s.private = 0"
        rows = self._conn.execute(
            f"SELECT {ENTRY_COLUMNS} FROM entries e{entry_joins(self._conn, save=False)}"
            " JOIN saves s ON s.entry_id = e.id JOIN save_tags st ON st.save_id = s.id"
            f" JOIN tags t ON t.id = st.tag_id WHERE s.person_id = ? AND t.key = ?{visible}"
            " ORDER BY s.saved_at DESC, e.id DESC",
            (owner, tag_key),
        )
        return [entry_from_row(row) for row in rows]
