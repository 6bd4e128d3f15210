"""Follows: whose public saves (all, or one tag's) each person follows, and the saves
that brings them. Another person's saves are read only where ``private = 0``."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime

from pkm.storage.db import Repository
from pkm.storage.people import PeopleRepository, entry_joins, me
from pkm.storage.rows import ENTRY_LIST_COLUMNS, entry_from_row, now_ts, select_in
from pkm.types import Follow, NetworkItem

# One followed person's public saves (``{tag}``: narrowed to the follow's tag), newest
# first: the index (person_id, saved_at) gives them in order, and a tag is checked save by
# save (the key of save_tags), so that a common tag does not read all of its saves.
_THEIR_SAVES = (
    "SELECT o.id, o.saved_at FROM saves o WHERE o.person_id = ? AND o.private = 0"
    " AND o.saved_at >= ?{tag} ORDER BY o.saved_at DESC, o.id DESC LIMIT ?"
)
_WITH_TAG = (
    " AND EXISTS (SELECT 1 FROM save_tags st WHERE st.save_id = o.id"
    " AND st.tag_id = (SELECT t.id FROM tags t WHERE t.key = ?))"
)


class FollowRepository(Repository):
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def add(self, followed_id: int, tag_key: str) -> None:
        """Follow a person (``tag_key`` '') or one tag of theirs (inside a write)."""
        person = PeopleRepository(self._conn).ensure_me()
        self._conn.execute(
            "INSERT INTO follows (person_id, followed_id, tag_key, created_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (person_id, followed_id, tag_key) DO NOTHING",
            (person, followed_id, tag_key, now_ts()),
        )

    def remove(self, followed_id: int, tag_key: str) -> bool:
        """Stop following; False when the person did not follow that."""
        cursor = self._conn.execute(
            "DELETE FROM follows WHERE person_id = ? AND followed_id = ? AND tag_key = ?",
            (me(self._conn), followed_id, tag_key),
        )
        return cursor.rowcount > 0

    def listing(self) -> list[Follow]:
        """What the person follows, by name then tag, with the public saves each covers."""
        rows = self._conn.execute(
            "SELECT p.name, fo.tag_key, (SELECT t.name FROM tags t WHERE t.key = fo.tag_key),"
            " CASE WHEN fo.tag_key = '' THEN (SELECT count(*) FROM saves o"
            "  WHERE o.person_id = fo.followed_id AND o.private = 0)"
            " ELSE (SELECT count(*) FROM saves o JOIN save_tags st ON st.save_id = o.id"
            "  JOIN tags t ON t.id = st.tag_id WHERE o.person_id = fo.followed_id"
            "  AND o.private = 0 AND t.key = fo.tag_key) END"
            " FROM follows fo JOIN people p ON p.id = fo.followed_id"
            " WHERE fo.person_id = ? ORDER BY p.name, fo.tag_key",
            (me(self._conn),),
        )
        return [
            Follow(str(name), (name_shown or key) if key else None, int(count))
            for name, key, name_shown, count in rows
        ]

    def items(self, *, since: int, limit: int) -> list[NetworkItem]:
        """The public saves of the people and tags followed, saved at or after ``since``,
        newest first, at most ``limit``: one per save, which is one per (entry, saver),
        however many follows bring it."""
        follows = self._conn.execute(
            "SELECT followed_id, tag_key FROM follows WHERE person_id = ? AND followed_id != ?",
            (me(self._conn), me(self._conn)),
        ).fetchall()
        found: dict[int, int] = {}
        for followed_id, key in follows:
            sql = _THEIR_SAVES.format(tag=_WITH_TAG if key else "")
            params = (followed_id, since, *([key] if key else []), limit)
            for save_id, saved_at in self._conn.execute(sql, params):
                found[int(save_id)] = int(saved_at)
        newest = sorted(found, key=lambda save_id: (found[save_id], save_id), reverse=True)
        return self._items(newest[:limit])

    def _items(self, save_ids: Sequence[int]) -> list[NetworkItem]:
        rows = select_in(
            self._conn,
            f"SELECT {ENTRY_LIST_COLUMNS}, p.name, o.saved_at, o.tags_text, o.note, o.id"
            " FROM saves o JOIN people p ON p.id = o.person_id"
            f" JOIN entries e ON e.id = o.entry_id{entry_joins(self._conn)}"
            f" WHERE o.private = 0 AND o.id IN ({{marks}})",
            save_ids,
        )
        by_save = {int(row[-1]): row for row in rows}
        return [
            NetworkItem(
                entry=entry_from_row(row),
                saved_by=str(row[-5]),
                saved_at=datetime.fromtimestamp(int(row[-4]), UTC),
                their_tags=tuple(str(row[-3]).split()) if row[-3] else (),
                their_note=row[-2],
            )
            for save_id in save_ids
            if (row := by_save.get(save_id)) is not None
        ]
