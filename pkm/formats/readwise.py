"""Readwise Reader's library export, as CSV or as the JSON its API returns.

What this is based on (Readwise documents the API, not the CSV): the CSV columns
``Title,URL,ID,Document tags,Saved date,Reading progress,Location,Seen`` are those that
Linkwarden's Readwise importer reads (linkwarden/linkwarden, importFromReadwise.ts), with
tags written as a list literal (``['ai', 'to try']``) and dates as ``2022-12-20
19:47:00.442000+00:00``. The JSON is the Reader API's document list
(readwise.io/reader_api: ``{"count", "nextPageCursor", "results": [...]}``, or the bare
list of results), each document with ``source_url`` (the page; ``url`` is its copy in
Reader), ``title``, ``tags`` (an object keyed by tag name), ``notes``, ``saved_at``,
``updated_at``, ``location`` and ``parent_id`` (set on highlights and notes, which are
not documents).

``Location`` ``new``, ``later`` and ``shortlist`` are to-read; ``archive`` is read;
``feed`` items were delivered by a subscription and never saved: they are skipped.
"""

from __future__ import annotations

import re

from pkm.formats._common import Collector, ReadError, load_json, parse_date, read_csv, text
from pkm.types import BookmarkImport

WHAT = "a Readwise Reader export"
COLUMNS = ("title", "url", "document tags", "saved date")
TO_READ = frozenset({"new", "later", "shortlist"})
_QUOTED_RE = re.compile(r"""'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)\"""")


def looks_like_csv(header: list[str]) -> bool:
    return all(name in header for name in COLUMNS)


def looks_like_json(document: object) -> bool:
    docs = _documents(document)
    return docs is not None and any(isinstance(d, dict) and "source_url" in d for d in docs[:50])


def parse_readwise(data: bytes) -> BookmarkImport:
    if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"["):
        return _parse_json(data)
    collector = Collector()
    for number, row in enumerate(read_csv(data, WHAT, COLUMNS), 1):
        location = (row.get("location") or "").strip().lower()
        if location == "feed":
            collector.skip(f"row {number}: in the feed, never saved")
            continue
        collector.add(
            row.get("url"),
            label=f"row {number}",
            title=row.get("title"),
            tags=_list_literal(row.get("document tags") or ""),
            added=collector.date(row.get("saved date"), f"row {number}"),
            to_read=location in TO_READ,
        )
    return collector.result


def _parse_json(data: bytes) -> BookmarkImport:
    docs = _documents(load_json(data, WHAT))
    if docs is None:
        raise ReadError(WHAT, 'expected a list of documents or "results"')
    collector = Collector()
    for number, doc in enumerate(docs, 1):
        if not isinstance(doc, dict):
            collector.skip(f"document {number}: not an object")
            continue
        location = text(doc.get("location")).lower()
        if doc.get("parent_id"):
            collector.skip(f"document {number}: a highlight or note, not a document")
        elif location == "feed":
            collector.skip(f"document {number}: in the feed, never saved")
        else:
            tags = doc.get("tags")
            collector.add(
                doc.get("source_url") or doc.get("url"),
                label=f"document {number}",
                title=doc.get("title"),
                note=doc.get("notes"),
                tags=[t for t in tags if isinstance(t, str)]
                if isinstance(tags, dict | list)
                else (),
                added=collector.date(
                    doc.get("saved_at") or doc.get("created_at"), f"document {number}"
                ),
                modified=parse_date(doc.get("updated_at")),
                to_read=location in TO_READ,
            )
    return collector.result


def _documents(document: object) -> list[object] | None:
    if isinstance(document, dict):
        document = document.get("results")
    return document if isinstance(document, list) else None


def _list_literal(value: str) -> list[str]:
    """``['a', "b's"]`` as ``["a", "b's"]``; a bare ``a, b`` as ``["a", "b"]``."""
    value = value.strip()
    if not value.startswith("["):
        return [part.strip() for part in value.split(",") if part.strip()]
    found = [single or double for single, double in _QUOTED_RE.findall(value)]
    return [re.sub(r"\\(.)", r"\1", tag).strip() for tag in found if tag.strip()]
