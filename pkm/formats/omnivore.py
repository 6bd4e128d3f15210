"""Omnivore's export (the zip it offered before it closed in November 2024).

What this is based on: the zip holds ``metadata_0_to_N.json`` files, each a list of
records ``{"id", "slug", "title", "description", "author", "url", "state",
"readingProgress", "thumbnail", "labels": [...], "savedAt", "updatedAt", "publishedAt"}``
with ISO 8601 dates, as Omnivore's own importer types describe them
(``OmnivoreImportRecord``) and Linkwarden's Omnivore importer reads them. Labels become
tags; ``"state": "Archived"`` is read, anything else (``Active``: still in the inbox) is
to-read. The article's ``description`` is the site's, not the user's, and is not kept.
Omnivore documented no CSV export: CSV files made from this JSON by hand have no fixed
columns, so only the JSON is read.
"""

from __future__ import annotations

from pkm.formats._common import Collector, ReadError, load_json, parse_date, split_tags, text
from pkm.types import BookmarkImport

WHAT = "an Omnivore export"
_KEYS = frozenset({"slug", "savedAt", "labels", "readingProgress"})


def looks_like(document: object) -> bool:
    return isinstance(document, list) and any(
        isinstance(item, dict) and len(_KEYS & item.keys()) >= 2 for item in document[:50]
    )


def parse_omnivore(data: bytes) -> BookmarkImport:
    records = load_json(data, WHAT)
    if not isinstance(records, list):
        raise ReadError(WHAT, "expected a list of records")
    collector = Collector()
    for number, record in enumerate(records, 1):
        if not isinstance(record, dict):
            collector.skip(f"record {number}: not an object")
            continue
        collector.add(
            record.get("url"),
            label=text(record.get("title")) or f"record {number}",
            title=record.get("title"),
            tags=split_tags(record.get("labels")),
            added=collector.date(record.get("savedAt"), f"record {number}"),
            modified=parse_date(record.get("updatedAt")),
            to_read=text(record.get("state")).lower() != "archived",
        )
    return collector.result
