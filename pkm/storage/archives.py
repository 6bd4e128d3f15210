"""Archived pages: the ``archives`` rows and the plain text kept in ``entries.archived_text``
(which the search index reads, so storing it reindexes the entry)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from pkm.storage.people import me
from pkm.storage.rows import from_ts, select_in
from pkm.types import Archive, PageText

_COLUMNS = (
    "a.entry_id, a.attempted_at, a.archived_at, a.final_url, a.content_type, a.size,"
    " a.content, e.archived_text, a.error"
)

# A failed try records why and when, and what the page was; a text an earlier try kept
# stays, with the facts of the page it came from: a page gone since is why it was kept.
_STORE_FAILURE = """
INSERT INTO archives (entry_id, attempted_at, final_url, content_type, size, error)
VALUES (:id, :now, :final_url, :content_type, :size, :error)
ON CONFLICT (entry_id) DO UPDATE SET
    attempted_at = excluded.attempted_at,
    error = excluded.error,
    final_url = CASE WHEN archives.content IS NULL THEN excluded.final_url
        ELSE archives.final_url END,
    content_type = CASE WHEN archives.content IS NULL THEN excluded.content_type
        ELSE archives.content_type END,
    size = CASE WHEN archives.content IS NULL THEN excluded.size ELSE archives.size END
"""
_STORE_TEXT = """
INSERT INTO archives (entry_id, attempted_at, archived_at, final_url, content_type, size,
                      content, error)
VALUES (:id, :now, :now, :final_url, :content_type, :size, :html, NULL)
ON CONFLICT (entry_id) DO UPDATE SET
    attempted_at = excluded.attempted_at,
    archived_at = excluded.archived_at,
    final_url = excluded.final_url,
    content_type = excluded.content_type,
    size = excluded.size,
    content = excluded.content,
    error = NULL
"""
# The person's saved entries with a URL, and whether a try already kept their text.
_SAVED = (
    "SELECT e.id, e.url, a.archived_at IS NOT NULL FROM entries e"
    " JOIN saves s ON s.entry_id = e.id LEFT JOIN archives a ON a.entry_id = e.id"
    " WHERE s.person_id = {me} AND e.url IS NOT NULL"
)


def _archive(row: Sequence[Any]) -> Archive:
    entry_id, attempted, archived, final_url, content_type, size, content, text, error = row
    attempted_at = from_ts(attempted)
    assert attempted_at is not None  # NOT NULL in the schema
    return Archive(
        entry_id=int(entry_id),
        attempted=attempted_at,
        archived=from_ts(archived),
        final_url=final_url,
        content_type=content_type,
        size=size,
        content=content,
        text=text,
        error=error,
    )


class ArchiveRepository:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def get(self, entry_id: int) -> Archive | None:
        row = self._conn.execute(
            f"SELECT {_COLUMNS} FROM archives a JOIN entries e ON e.id = a.entry_id"
            " WHERE a.entry_id = ?",
            (entry_id,),
        ).fetchone()
        return _archive(row) if row else None

    def tried(self, entry_id: int) -> bool:
        """Whether archiving this entry's page was ever tried."""
        row = self._conn.execute("SELECT 1 FROM archives WHERE entry_id = ?", (entry_id,))
        return row.fetchone() is not None

    def store(self, entry_id: int, page: PageText, now: int) -> None:
        """One try's outcome; call inside a write transaction."""
        values = {
            "id": entry_id,
            "now": now,
            "final_url": page.final_url,
            "content_type": page.content_type,
            "size": page.size,
            "html": page.html,
            "error": page.error,
        }
        if page.html is None or page.text is None:
            self._conn.execute(_STORE_FAILURE, values)
            return
        self._conn.execute(_STORE_TEXT, values)
        self._conn.execute(
            "UPDATE entries SET archived_text = ? WHERE id = ?", (page.text, entry_id)
        )

    def _saved(self) -> str:
        return _SAVED.format(me=me(self._conn))

    def saved_pages(self, entry_ids: Sequence[int] | None) -> list[tuple[int, str, bool]]:
        """(id, URL, archived) of the saved entries with a URL, all of them or those of
        ``entry_ids``, in id order."""
        if entry_ids is None:
            rows = list(self._conn.execute(self._saved() + " ORDER BY e.id"))
        else:
            rows = sorted(
                select_in(self._conn, self._saved() + " AND e.id IN ({marks})", entry_ids)
            )
        return [(int(row[0]), str(row[1]), bool(row[2])) for row in rows]
