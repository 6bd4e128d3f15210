"""Pocket's export (``part_000000.csv`` in the zip Pocket mailed before it shut down in 2025).

Columns ``title,url,time_added,tags,status``: ``time_added`` in seconds since 1970, tags
separated by ``|``, ``status`` either ``unread`` (saved to read later: to-read in pkm) or
``archive``.
"""

from __future__ import annotations

from pkm.formats._common import Collector, read_csv, split_tags
from pkm.types import BookmarkImport

WHAT = "a Pocket CSV export"
COLUMNS = ("title", "url", "time_added")


def looks_like(header: list[str]) -> bool:
    return all(name in header for name in COLUMNS)


def parse_pocket(data: bytes) -> BookmarkImport:
    collector = Collector()
    for number, row in enumerate(read_csv(data, WHAT, COLUMNS), 1):
        collector.add(
            row.get("url"),
            label=f"row {number}",
            title=row.get("title"),
            tags=split_tags(row.get("tags"), "|"),
            added=collector.date(row.get("time_added"), f"row {number}"),
            to_read=(row.get("status") or "").strip().lower() == "unread",
        )
    return collector.result
