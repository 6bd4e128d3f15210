"""Firefox's own database, ``places.sqlite``, read while Firefox may be running.

The file (and its ``-wal`` journal, which holds the latest changes until Firefox
checkpoints it) is copied to a temporary directory and the copy opened read-only: the
profile is never written, and a running Firefox's lock does not stop the import.

``moz_bookmarks`` holds the tree: type 1 is a bookmark (``fk`` points into ``moz_places``
for the URL), type 2 a folder. The folder whose guid is ``tags________`` holds one folder
per tag, and in each a bookmark row per tagged URL: those rows are tags, not bookmarks.
``dateAdded`` and ``lastModified`` are microseconds since 1970.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from pkm.formats._common import Collector, ReadError, parse_date
from pkm.storage.firefox import BookmarkRow, FolderRow, PlacesError, read_places
from pkm.types import BookmarkImport

WHAT = "a Firefox places.sqlite"
SQLITE_HEADER = b"SQLite format 3\x00"
TAGS_ROOT = "tags________"
# The roots Firefox creates; their names ("menu", "toolbar", …) are not tags.
ROOTS = frozenset({"root________", "menu________", "toolbar_____", "unfiled_____", "mobile______"})


def looks_like(data: bytes) -> bool:
    return data.startswith(SQLITE_HEADER)


def parse_places(
    data: bytes, *, wal: bytes | None = None, folders_as_tags: bool = True
) -> BookmarkImport:
    """Read the bookmarks of a ``places.sqlite`` given as bytes (and its ``-wal``, if any)."""
    if not looks_like(data):
        raise ReadError(WHAT, "not an SQLite database")
    with tempfile.TemporaryDirectory(prefix="pkm-places-") as tmp:
        copy = Path(tmp) / "places.sqlite"
        copy.write_bytes(data)
        if wal:
            (Path(tmp) / "places.sqlite-wal").write_bytes(wal)
        try:
            folder_rows, rows = read_places(copy)
        except PlacesError as exc:
            raise ReadError(WHAT, str(exc)) from None
    return _bookmarks(folder_rows, rows, folders_as_tags)


def _bookmarks(
    folder_rows: list[FolderRow], rows: list[BookmarkRow], folders_as_tags: bool
) -> BookmarkImport:
    # id -> parent, title, guid
    folders: dict[object, tuple[object, str, str]] = {}
    for folder_id, parent, title, guid in folder_rows:
        folders[folder_id] = (parent, str(title or ""), str(guid or ""))
    tags_root = next((fid for fid, (_, _, guid) in folders.items() if guid == TAGS_ROOT), None)
    tag_names = {
        fid: title
        for fid, (parent, title, _) in folders.items()
        if tags_root is not None and parent == tags_root
    }
    place_tags: dict[object, list[str]] = {}
    bookmarks = []
    for row in rows:
        parent = row[1]
        if parent in tag_names:
            if row[5] is not None and tag_names[parent].strip():
                place_tags.setdefault(row[5], []).append(tag_names[parent].strip())
        else:
            bookmarks.append(row)
    collector = Collector()
    for _id, parent, title, added, modified, place_id, url, place_title in bookmarks:
        path = _path(folders, parent) if folders_as_tags else []
        tags = place_tags.get(place_id, []) if place_id is not None else []
        collector.add(
            url,
            label=str(title or place_title or f"bookmark {_id}"),
            title=title or place_title,
            tags=[*tags, *path],
            added=parse_date(added),
            modified=parse_date(modified),
        )
    return collector.result


def _path(folders: dict[object, tuple[object, str, str]], parent: object) -> list[str]:
    """The names of the folders from the roots down to ``parent`` (loops cut short)."""
    names: list[str] = []
    seen: set[object] = set()
    while parent is not None and parent in folders and parent not in seen:
        seen.add(parent)
        grandparent, title, guid = folders[parent]
        if guid not in ROOTS and title.strip():
            names.append(title.strip())
        parent = grandparent
    return names[::-1]
