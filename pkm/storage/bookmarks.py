"""Bookmarks arriving in bulk (imports): merged by normalised URL, fast, idempotent.

Importing the same file twice changes nothing: an existing entry keeps its save
date, gains only tags it lacks, and a note it already holds is not repeated.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, replace

from pkm.errors import InvalidTagError, InvalidURLError
from pkm.storage.db import Repository
from pkm.storage.dialect import NEWLINE, contains, first_free_id, ids_given
from pkm.storage.entries import EntryRepository
from pkm.storage.fts_index import unindexed
from pkm.storage.people import PeopleRepository
from pkm.storage.rows import merged_note, select_in, to_ts
from pkm.tagnames import salvage_tag
from pkm.types import BookmarkData
from pkm.urls import normalize_url, searchable


@dataclass(frozen=True)
class BatchResult:
    """Every bookmark of a batch is counted once: imported (a new entry), merged (into an
    entry the store or an earlier bookmark of the file holds) or skipped."""

    imported: int
    merged: int
    skipped: tuple[str, ...]


def _combined(first: BookmarkData, again: BookmarkData) -> BookmarkData:
    """One bookmark from two of the same page in one file: the first title and date, both
    notes, to read or private when either says so."""
    notes = [n for n in (first.note, again.note) if n]
    if len(notes) == 2 and notes[1] in notes[0].split("\n"):
        notes.pop()
    return replace(
        first,
        title=first.title or again.title,
        note="\n".join(notes) or None,
        added=first.added or again.added,
        to_read=first.to_read or again.to_read,
        private=first.private or again.private,
    )


class BookmarkImporter(Repository):
    """One import: caches tag ids across batches; each batch is one transaction."""

    def __init__(self, conn: sqlite3.Connection, now: int) -> None:
        self._conn = conn
        self._now = now
        self._tag_ids: dict[str, int] = {}
        self._tag_names: dict[str, str] = {}
        self._keys: dict[str, str | None] = {}

    def add(self, batch: Sequence[BookmarkData]) -> BatchResult:
        """Store one batch; call inside a write transaction (ids are assigned here)."""
        skipped: list[str] = []
        repeated = 0
        keyed: dict[str, tuple[BookmarkData, list[str]]] = {}
        for bookmark in batch:
            try:
                key = normalize_url(bookmark.url)
                tags = self._tags(bookmark.tags)
            except (InvalidURLError, InvalidTagError) as exc:
                skipped.append(f"{bookmark.url[:200]}: {exc}")
                continue
            if key in keyed:  # the same page twice in one file: one entry, nothing dropped
                earlier, earlier_tags = keyed[key]
                keyed[key] = (
                    _combined(earlier, bookmark),
                    earlier_tags + [t for t in tags if t not in earlier_tags],
                )
                repeated += 1
            else:
                keyed[key] = (bookmark, tags)
        existing = EntryRepository(self._conn).ids_by_url_key(list(keyed))
        person = PeopleRepository(self._conn).ensure_me()
        next_id = first_free_id(self._conn, "entries")
        inserts: list[tuple[object, ...]] = []
        saves: list[tuple[object, ...]] = []
        merges: list[dict[str, object]] = []
        tagged: dict[int, list[str]] = {}
        for key, (bookmark, tags) in keyed.items():
            entry_id = existing.get(key)
            if entry_id is None:
                entry_id = next_id
                next_id += 1
                inserts.append(self._new_row(entry_id, bookmark, key))
            else:
                merges.append(self._merge_params(entry_id, bookmark, person))
            saves.append(self._new_save(person, entry_id, bookmark, tags))
            if tags:
                tagged[entry_id] = tags
        self._conn.executemany(
            "INSERT INTO entries (id, url, url_key, title, source, updated, first_seen,"
            " sort_date, indexed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(*row, unindexed(self._conn)) for row in inserts],
        )
        if inserts:
            ids_given(self._conn, "entries")
        kept = {
            int(row[0])
            for row in select_in(
                self._conn,
                "SELECT entry_id FROM saves WHERE person_id = ? AND entry_id IN ({marks})",
                [m["id"] for m in merges],
                before=(person,),
            )
        }
        # A page already saved keeps its save; one the person had not saved gets a new one.
        self._conn.executemany(
            "INSERT INTO saves (person_id, entry_id, saved_at, note, to_read, private, tags_text)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (person_id, entry_id) DO NOTHING",
            saves,
        )
        # Only rows that would change are written: an UPDATE naming the note or title
        # re-indexes the row even when the values stay the same.
        lines = f"{NEWLINE} || coalesce(note, '') || {NEWLINE}"
        held = contains(self._conn, lines, f"{NEWLINE} || CAST(:note AS TEXT) || {NEWLINE}")
        self._conn.executemany(
            "UPDATE saves SET"
            " to_read = CASE WHEN to_read > :to_read THEN to_read ELSE :to_read END,"
            " private = CASE WHEN private > :private THEN private ELSE :private END,"
            f" note = {merged_note(self._conn)} WHERE person_id = :me AND entry_id = :id"
            " AND (to_read < :to_read OR private < :private"
            f"  OR (coalesce(CAST(:note AS TEXT), '') != '' AND NOT ({held})))",
            merges,
        )
        self._conn.executemany(
            "UPDATE entries SET title = :title WHERE id = :id AND title IS NULL"
            " AND CAST(:title AS TEXT) IS NOT NULL",
            [{"title": m["title"], "id": m["id"]} for m in merges],
        )
        self._link(person, tagged, kept)
        # New rows skip the per-row index triggers: one batch insert into the index is cheaper.
        EntryRepository(self._conn).index_pending()
        return BatchResult(len(inserts), len(merges) + repeated, tuple(skipped))

    def _link(self, person: int, tagged: dict[int, list[str]], kept: set[int]) -> None:
        """Give the person's saves of these entries their tags. A new save was written
        with its tag names; of those ``kept`` (saved before, by entry id), the ones that
        gained a tag get their tag names again."""
        save_ids = {
            int(entry_id): int(save_id)
            for save_id, entry_id in select_in(
                self._conn,
                "SELECT id, entry_id FROM saves WHERE person_id = ? AND entry_id IN ({marks})",
                list(tagged),
                before=(person,),
            )
        }
        links = [
            (save_ids[entry_id], self._tag_ids[t])
            for entry_id, tags in tagged.items()
            for t in tags
        ]
        kept_saves = [save_ids[entry_id] for entry_id in kept if entry_id in save_ids]
        before = self._link_count(kept_saves)
        self._conn.executemany(
            "INSERT INTO save_tags (save_id, tag_id) VALUES (?, ?) ON CONFLICT DO NOTHING", links
        )
        after = self._link_count(kept_saves)
        gained = [save_id for save_id, count in after.items() if count != before[save_id]]
        if gained:
            from pkm.storage.tags import TagRepository

            TagRepository(self._conn).refresh_saves(gained)

    def _link_count(self, save_ids: list[int]) -> dict[int, int]:
        """How many tags each save has."""
        counts = dict.fromkeys(save_ids, 0)
        rows = select_in(
            self._conn,
            "SELECT save_id, count(*) FROM save_tags WHERE save_id IN ({marks}) GROUP BY save_id",
            save_ids,
        )
        counts.update((int(save_id), int(count)) for save_id, count in rows)
        return counts

    def _tags(self, raw: Sequence[str]) -> list[str]:
        """The keys of a bookmark's tags, each once, in the order given."""
        keys: list[str] = []
        for item in raw:
            key = self._tag_key(item)
            if key is not None and key not in keys:
                keys.append(key)
        return keys

    def _tag_key(self, raw: str) -> str | None:
        """The key of a tag as another tool wrote it, the tag stored on first sight; a file
        repeats a few thousand tags over and over, so each spelling is read once."""
        if raw in self._keys:
            return self._keys[raw]
        name = salvage_tag(raw)
        key = None if name is None else name.casefold()
        self._keys[raw] = key
        if key is None or key in self._tag_ids:
            return key
        self._conn.execute(
            "INSERT INTO tags (name, key) VALUES (?, ?) ON CONFLICT (key) DO NOTHING", (name, key)
        )
        tag_id, stored = self._conn.execute(
            "SELECT id, name FROM tags WHERE key = ?", (key,)
        ).fetchone()
        self._tag_ids[key] = int(tag_id)
        self._tag_names[key] = str(stored)
        return key

    def _new_row(self, entry_id: int, bookmark: BookmarkData, key: str) -> tuple[object, ...]:
        saved = to_ts(bookmark.added) or self._now
        return (
            entry_id,
            bookmark.url.strip(),
            key,
            bookmark.title or None,
            searchable(key),
            to_ts(bookmark.modified),
            self._now,
            saved,
        )

    def _new_save(
        self, person: int, entry_id: int, bookmark: BookmarkData, tags: list[str]
    ) -> tuple[object, ...]:
        return (
            person,
            entry_id,
            to_ts(bookmark.added) or self._now,
            bookmark.note or None,
            int(bookmark.to_read),
            int(bookmark.private),
            " ".join(sorted((self._tag_names[t] for t in tags), key=str.casefold)) or None,
        )

    def _merge_params(
        self, entry_id: int, bookmark: BookmarkData, person: int
    ) -> dict[str, object]:
        return {
            "title": bookmark.title or None,
            "to_read": int(bookmark.to_read),
            "private": int(bookmark.private),
            "note": bookmark.note or None,
            "id": entry_id,
            "me": person,
        }
