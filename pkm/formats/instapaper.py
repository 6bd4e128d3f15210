"""Instapaper's CSV export (Settings → Export → Download .CSV file).

Columns ``URL,Title,Selection,Folder,Timestamp``: ``Selection`` is the text highlighted when
the link was saved (kept as the note), ``Timestamp`` seconds since 1970. ``Folder`` is
``Unread`` (to-read in pkm), ``Archive`` (read: no tag), or a folder of the user's own,
which becomes a tag; ``Starred`` becomes the tag ``starred``.
"""

from __future__ import annotations

from pkm.formats._common import Collector, read_csv
from pkm.types import BookmarkImport

WHAT = "an Instapaper CSV export"
COLUMNS = ("url", "title", "folder")


def looks_like(header: list[str]) -> bool:
    return all(name in header for name in COLUMNS) and "selection" in header


def parse_instapaper(data: bytes) -> BookmarkImport:
    collector = Collector()
    for number, row in enumerate(read_csv(data, WHAT, COLUMNS), 1):
        folder = (row.get("folder") or "").strip()
        kind = folder.lower()
        tags = [] if kind in ("", "unread", "archive") else [kind if kind == "starred" else folder]
        collector.add(
            row.get("url"),
            label=f"row {number}",
            title=row.get("title"),
            note=row.get("selection"),
            tags=tags,
            added=collector.date(row.get("timestamp"), f"row {number}"),
            to_read=kind == "unread",
        )
    return collector.result
