"""Tags: a tag table with case-insensitive identity, linked to each person's saves.

A tag's name is shared (it is shown as first written), its use is a person's own: this
repository works on the connection's person's saves (pkm.storage.people). Each save also
carries its tag names in ``saves.tags_text`` so that the search index of saves covers
them; this repository is the one place that keeps that column right.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence

from pkm.errors import TagNotFoundError
from pkm.storage.db import Repository
from pkm.storage.dialect import byte_order, joined_words
from pkm.storage.people import PeopleRepository, me
from pkm.storage.rows import now_ts
from pkm.tagnames import clean_tag, clean_tags, tag_key
from pkm.types import TagCount


class TagRepository(Repository):
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def ensure(self, names: Iterable[str]) -> list[int]:
        ids = []
        for name in clean_tags(names):
            key = tag_key(name)
            self._conn.execute(
                "INSERT INTO tags (name, key) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                (name, key),
            )
            row = self._conn.execute("SELECT id FROM tags WHERE key = ?", (key,)).fetchone()
            ids.append(int(row[0]))
        return ids

    def add(self, entry_id: int, names: Iterable[str]) -> None:
        """Tag the person's save of an entry (saving it now if it was not)."""
        tag_ids = self.ensure(names)
        save_id = PeopleRepository(self._conn).ensure_save(entry_id, now_ts())
        self._conn.executemany(
            "INSERT INTO save_tags (save_id, tag_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
            [(save_id, tag_id) for tag_id in tag_ids],
        )
        self.refresh_saves([save_id])

    def remove(self, entry_id: int, names: Iterable[str]) -> list[str]:
        """Remove tags from an entry; returns the names it did not have."""
        missing = []
        for name in clean_tags(names):
            cursor = self._conn.execute(
                "DELETE FROM save_tags WHERE save_id ="
                " (SELECT id FROM saves WHERE person_id = ? AND entry_id = ?)"
                " AND tag_id = (SELECT id FROM tags WHERE key = ?)",
                (me(self._conn), entry_id, tag_key(name)),
            )
            if cursor.rowcount == 0:
                missing.append(name)
        self.refresh([entry_id])
        return missing

    def refresh(self, entry_ids: Sequence[int]) -> None:
        """Recompute ``tags_text`` (sorted by key) of the person's saves of these entries."""
        self.refresh_saves(
            [
                int(row[0])
                for entry_id in entry_ids
                for row in self._conn.execute(
                    "SELECT id FROM saves WHERE person_id = ? AND entry_id = ?",
                    (me(self._conn), entry_id),
                )
            ]
        )

    def refresh_saves(self, save_ids: Sequence[int]) -> None:
        """Recompute ``tags_text`` (sorted by key) of these saves."""
        names = joined_words(self._conn, "name", "key")
        self._conn.executemany(
            f"UPDATE saves SET tags_text = (SELECT {names} FROM"
            " (SELECT t.name, t.key FROM save_tags st JOIN tags t ON t.id = st.tag_id"
            f"  WHERE st.save_id = ? ORDER BY {byte_order(self._conn, 't.key')}) AS n)"
            " WHERE id = ?",
            [(save_id, save_id) for save_id in save_ids],
        )

    def counts(self, *, sort: str = "name", everyone: bool = False) -> list[TagCount]:
        """The person's tags and how many of their saves carry each; with ``everyone``,
        across the store's people (the others' public saves, and the person's own)."""
        key = byte_order(self._conn, "t.key")
        order = f"x.n DESC, {key}" if sort == "count" else key
        whose = "(s.person_id = ? OR s.private = 0)" if everyone else "s.person_id = ?"
        # Grouping the bare tag ids first and naming them after is half the time of
        # grouping the joined names (60 instead of 136 ms for 117,000 tags of a person).
        rows = self._conn.execute(
            "SELECT t.name, x.n FROM (SELECT st.tag_id, count(*) AS n FROM saves s"
            f" JOIN save_tags st ON st.save_id = s.id WHERE {whose} GROUP BY st.tag_id) AS x"
            f" JOIN tags t ON t.id = x.tag_id ORDER BY {order}",
            (me(self._conn),),
        )
        return [TagCount(name, int(count)) for name, count in rows]

    def missing_keys(self, keys: Sequence[str]) -> list[str]:
        """Those of these tag keys that none of the person's saves carries."""
        return [
            key
            for key in keys
            if self._conn.execute(
                "SELECT 1 FROM tags t JOIN save_tags st ON st.tag_id = t.id"
                " JOIN saves s ON s.id = st.save_id WHERE t.key = ? AND s.person_id = ?"
                " LIMIT 1",
                (key, me(self._conn)),
            ).fetchone()
            is None
        ]

    def _lookup(self, name: str) -> tuple[int, str]:
        row = self._conn.execute(
            "SELECT id, name FROM tags WHERE key = ?", (tag_key(name),)
        ).fetchone()
        if row is None or not self._saves_of(int(row[0])):
            raise TagNotFoundError(f"no tag {name!r}")
        return int(row[0]), str(row[1])

    def _saves_of(self, tag_id: int) -> list[int]:
        """The person's saves that carry the tag."""
        rows = self._conn.execute(
            "SELECT st.save_id FROM save_tags st JOIN saves s ON s.id = st.save_id"
            " WHERE st.tag_id = ? AND s.person_id = ?",
            (tag_id, me(self._conn)),
        )
        return [int(r[0]) for r in rows]

    def _unlink(self, tag_id: int, save_ids: Sequence[int]) -> None:
        self._conn.executemany(
            "DELETE FROM save_tags WHERE tag_id = ? AND save_id = ?",
            [(tag_id, save_id) for save_id in save_ids],
        )

    def rename(self, old: str, new: str) -> bool:
        """Rename one of the person's tags (others' tags of that name stay); when ``new``
        is already a tag of theirs the two are merged. Returns merged."""
        old_id, _ = self._lookup(old)
        new_name = clean_tag(new)
        saves = self._saves_of(old_id)
        merged = False
        target = self._conn.execute(
            "SELECT id FROM tags WHERE key = ?", (tag_key(new_name),)
        ).fetchone()
        if target is not None and int(target[0]) == old_id:  # a new spelling of the same tag
            self._conn.execute("UPDATE tags SET name = ? WHERE id = ?", (new_name, old_id))
        else:
            (new_id,) = self.ensure([new_name])
            merged = bool(self._saves_of(new_id))
            self._conn.executemany(
                "INSERT INTO save_tags (save_id, tag_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
                [(save_id, new_id) for save_id in saves],
            )
            self._unlink(old_id, saves)
        self.refresh_saves(saves)
        return merged

    def delete(self, name: str) -> int:
        """Take a tag off every save of the person's (the saves stay); how many had it."""
        tag_id, _ = self._lookup(name)
        saves = self._saves_of(tag_id)
        self._unlink(tag_id, saves)
        self.refresh_saves(saves)
        return len(saves)
