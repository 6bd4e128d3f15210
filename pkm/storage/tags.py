"""Tags: a tag table with case-insensitive identity, linked to entries.

Each entry also carries its tag names in ``entries.tags_text`` so the full-text
index (kept in sync by triggers on ``entries``) covers them; this repository is
the one place that keeps that column right.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence

from pkm.errors import TagNotFoundError
from pkm.storage.db import Repository
from pkm.storage.dialect import byte_order, joined_words
from pkm.tagnames import clean_tag, clean_tags
from pkm.types import TagCount


class TagRepository(Repository):
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def ensure(self, names: Iterable[str]) -> list[int]:
        ids = []
        for name in clean_tags(names):
            key = name.casefold()
            self._conn.execute(
                "INSERT INTO tags (name, key) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                (name, key),
            )
            row = self._conn.execute("SELECT id FROM tags WHERE key = ?", (key,)).fetchone()
            ids.append(int(row[0]))
        return ids

    def add(self, entry_id: int, names: Iterable[str]) -> None:
        tag_ids = self.ensure(names)
        self._conn.executemany(
            "INSERT INTO entry_tags (entry_id, tag_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
            [(entry_id, tag_id) for tag_id in tag_ids],
        )
        self.refresh([entry_id])

    def remove(self, entry_id: int, names: Iterable[str]) -> list[str]:
        """Remove tags from an entry; returns the names it did not have."""
        missing = []
        for name in clean_tags(names):
            cursor = self._conn.execute(
                "DELETE FROM entry_tags WHERE entry_id = ? AND tag_id ="
                " (SELECT id FROM tags WHERE key = ?)",
                (entry_id, name.casefold()),
            )
            if cursor.rowcount == 0:
                missing.append(name)
        self.refresh([entry_id])
        return missing

    def refresh(self, entry_ids: Sequence[int]) -> None:
        """Recompute ``tags_text`` (sorted by key) for these entries."""
        names = joined_words(self._conn, "name", "key")
        self._conn.executemany(
            f"UPDATE entries SET tags_text = (SELECT {names} FROM"
            " (SELECT t.name, t.key FROM entry_tags et JOIN tags t ON t.id = et.tag_id"
            f"  WHERE et.entry_id = ? ORDER BY {byte_order(self._conn, 't.key')}) AS s)"
            " WHERE id = ?",
            [(entry_id, entry_id) for entry_id in entry_ids],
        )

    def counts(self, *, sort: str = "name") -> list[TagCount]:
        key = byte_order(self._conn, "t.key")
        order = f"count(et.entry_id) DESC, {key}" if sort == "count" else key
        rows = self._conn.execute(
            "SELECT t.name, count(et.entry_id) FROM tags t"
            " JOIN entry_tags et ON et.tag_id = t.id GROUP BY t.id"
            f" ORDER BY {order}"
        )
        return [TagCount(name, int(count)) for name, count in rows]

    def missing_keys(self, keys: Sequence[str]) -> list[str]:
        """Those of these tag keys that no entry carries."""
        return [
            key
            for key in keys
            if self._conn.execute(
                "SELECT 1 FROM tags t JOIN entry_tags et ON et.tag_id = t.id WHERE t.key = ?"
                " LIMIT 1",
                (key,),
            ).fetchone()
            is None
        ]

    def _lookup(self, name: str) -> tuple[int, str]:
        row = self._conn.execute(
            "SELECT id, name FROM tags WHERE key = ?", (clean_tag(name).casefold(),)
        ).fetchone()
        if row is None or not self._entries_of(int(row[0])):
            raise TagNotFoundError(f"no tag {name!r}")
        return int(row[0]), str(row[1])

    def _entries_of(self, tag_id: int) -> list[int]:
        rows = self._conn.execute("SELECT entry_id FROM entry_tags WHERE tag_id = ?", (tag_id,))
        return [int(r[0]) for r in rows]

    def rename(self, old: str, new: str) -> bool:
        """Rename a tag; when ``new`` already exists the two are merged. Returns merged."""
        old_id, _ = self._lookup(old)
        new_name = clean_tag(new)
        entries = self._entries_of(old_id)
        target = self._conn.execute(
            "SELECT id FROM tags WHERE key = ?", (new_name.casefold(),)
        ).fetchone()
        merged = target is not None and int(target[0]) != old_id
        if merged:
            self._conn.execute(
                "INSERT INTO entry_tags (entry_id, tag_id)"
                " SELECT entry_id, ? FROM entry_tags WHERE tag_id = ? ON CONFLICT DO NOTHING",
                (int(target[0]), old_id),
            )
            self._conn.execute("DELETE FROM tags WHERE id = ?", (old_id,))
        else:
            self._conn.execute(
                "UPDATE tags SET name = ?, key = ? WHERE id = ?",
                (new_name, new_name.casefold(), old_id),
            )
        self.refresh(entries)
        return merged

    def delete(self, name: str) -> int:
        """Delete a tag from every entry (the entries stay); returns how many had it."""
        tag_id, _ = self._lookup(name)
        entries = self._entries_of(tag_id)
        self._conn.execute("DELETE FROM tags WHERE id = ?", (tag_id,))
        self.refresh(entries)
        return len(entries)
