"""The SQL of reading Firefox's ``places.sqlite``: the rows :mod:`pkm.formats.places`
turns into bookmarks.

A copy of the database is opened read-only (the caller makes the copy, so a running
Firefox's lock does not matter and the profile is never written).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

_BOOKMARK, _FOLDER = 1, 2
# (id, parent, title, guid), as SQLite gives them: a damaged file may hold text ids.
FolderRow = tuple[object, object, object, object]
# (id, parent, title, dateAdded, lastModified, place id, url, place title)
BookmarkRow = tuple[object, object, object, object, object, object, object, object]


class PlacesError(Exception):
    """The file cannot be read as Firefox's bookmarks; the message says why."""


def read_places(path: Path) -> tuple[list[FolderRow], list[BookmarkRow]]:
    """The folders and the bookmarks (in each folder's order) of the places.sqlite at
    ``path``, opened read-only."""
    try:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise PlacesError(f"cannot open the copy: {exc}") from None
    try:
        folders = conn.execute(
            "SELECT id, parent, title, guid FROM moz_bookmarks WHERE type = ?", (_FOLDER,)
        ).fetchall()
        bookmarks = conn.execute(
            "SELECT b.id, b.parent, b.title, b.dateAdded, b.lastModified, p.id, p.url, p.title"
            " FROM moz_bookmarks AS b LEFT JOIN moz_places AS p ON p.id = b.fk"
            " WHERE b.type = ? ORDER BY b.parent, b.position, b.id",
            (_BOOKMARK,),
        ).fetchall()
    except sqlite3.Error as exc:
        raise PlacesError(f"an SQLite database without Firefox's tables ({exc})") from None
    finally:
        conn.close()
    return folders, bookmarks
