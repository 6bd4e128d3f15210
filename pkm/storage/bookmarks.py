"""Bookmarks arriving in bulk (imports): merged by normalised URL, fast, idempotent.

Importing the same file twice changes nothing: an existing entry keeps its save
date, gains only tags it lacks, and a note it already holds is not repeated.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from pkm.errors import InvalidTagError, InvalidURLError
from pkm.storage.rows import MERGED_NOTE, to_ts
from pkm.tagnames import clean_tag
from pkm.types import BookmarkData
from pkm.urls import host_of, normalize_url


@dataclass(frozen=True)
class BatchResult:
    imported: int
    merged: int
    skipped: tuple[str, ...]


class BookmarkImporter:
    """One import: caches tag ids across batches; each batch is one transaction."""

    def __init__(self, conn: sqlite3.Connection, now: int) -> None:
        self._conn = conn
        self._now = now
        self._tag_ids: dict[str, int] = {}
        self._tag_names: dict[str, str] = {}

    def add(self, batch: Sequence[BookmarkData]) -> BatchResult:
        imported = merged = 0
        skipped: list[str] = []
        links: list[tuple[int, int]] = []
        touched: list[int] = []
        for bookmark in batch:
            try:
                key = normalize_url(bookmark.url)
                tags = self._tags(bookmark.tags)
            except (InvalidURLError, InvalidTagError) as exc:
                skipped.append(f"{bookmark.url[:200]}: {exc}")
                continue
            row = self._conn.execute("SELECT id FROM entries WHERE url_key = ?", (key,)).fetchone()
            if row is None:
                entry_id = self._insert(bookmark, key, tags)
                imported += 1
            else:
                entry_id = int(row[0])
                self._merge(entry_id, bookmark)
                touched.append(entry_id)
                merged += 1
            links.extend((entry_id, self._tag_ids[t.casefold()]) for t in tags)
        self._conn.executemany(
            "INSERT OR IGNORE INTO entry_tags (entry_id, tag_id) VALUES (?, ?)", links
        )
        if touched:
            from pkm.storage.tags import TagRepository

            TagRepository(self._conn).refresh(touched)
        return BatchResult(imported, merged, tuple(skipped))

    def _tags(self, raw: Sequence[str]) -> list[str]:
        names: list[str] = []
        for item in raw:
            name = clean_tag(item)
            key = name.casefold()
            if key in self._tag_ids:
                if self._tag_names[key] not in names:
                    names.append(self._tag_names[key])
                continue
            self._conn.execute(
                "INSERT INTO tags (name, key) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                (name, key),
            )
            tag_id, stored = self._conn.execute(
                "SELECT id, name FROM tags WHERE key = ?", (key,)
            ).fetchone()
            self._tag_ids[key] = int(tag_id)
            self._tag_names[key] = str(stored)
            names.append(str(stored))
        return names

    def _insert(self, bookmark: BookmarkData, key: str, tags: list[str]) -> int:
        saved = to_ts(bookmark.added) or self._now
        tags_text = " ".join(sorted(tags, key=str.casefold)) or None
        cursor = self._conn.execute(
            "INSERT INTO entries (url, url_key, title, note, source, tags_text, updated,"
            " first_seen, sort_date, saved_at, to_read, private)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                bookmark.url.strip(),
                key,
                bookmark.title or None,
                bookmark.note or None,
                host_of(bookmark.url),
                tags_text,
                to_ts(bookmark.modified),
                self._now,
                saved,
                saved,
                int(bookmark.to_read),
                int(bookmark.private),
            ),
        )
        return int(cursor.lastrowid or 0)

    def _merge(self, entry_id: int, bookmark: BookmarkData) -> None:
        self._conn.execute(
            "UPDATE entries SET saved_at = coalesce(saved_at, :saved),"
            " title = coalesce(title, :title), to_read = max(to_read, :to_read),"
            f" private = max(private, :private), note = {MERGED_NOTE} WHERE id = :id",
            {
                "saved": to_ts(bookmark.added) or self._now,
                "title": bookmark.title or None,
                "to_read": int(bookmark.to_read),
                "private": int(bookmark.private),
                "note": bookmark.note or None,
                "id": entry_id,
            },
        )
