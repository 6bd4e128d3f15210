"""A reading list as an Atom 1.0 feed (RFC 4287), so a colleague can follow it like a blog.

Entry ids are name-based UUID URNs derived from the entry's URL: the same saved link has the
same id in every export, so a reader subscribed to the list does not see it twice. The note
becomes ``<summary>``, the sanitized feed summary ``<content type="html">``, and each tag a
``<category term=...>``. Built with ``xml.etree``, so everything is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from pkm.formats._shared import entry_uid, feed_uid, is_web_url, iso8601, summary_html
from pkm.text import clean_block, clean_line
from pkm.types import Entry

__all__ = ["ATOM_NS", "dump"]

ATOM_NS = "http://www.w3.org/2005/Atom"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def dump(
    entries: Sequence[Entry],
    *,
    title: str,
    description: str | None = None,
    generated: datetime | None = None,
    link: str | None = None,
) -> str:
    feed_title = clean_line(title) or "Reading list"
    # The namespace is written as a plain attribute: ElementTree's namespace registry is
    # process-global and not ours to change.
    root = ET.Element("feed", {"xmlns": ATOM_NS})
    _sub(root, "title", feed_title)
    if description:
        _sub(root, "subtitle", clean_block(description))
    web_link = link if link and is_web_url(link) else None
    _sub(root, "id", feed_uid(feed_title, web_link))
    updates = [_updated(entry) for entry in entries]
    stamps = [u for u in updates if u is not None]
    if generated is not None:
        feed_updated = generated
    elif stamps:
        feed_updated = max(stamps)
    else:
        feed_updated = datetime.now(UTC)
    _sub(root, "updated", iso8601(feed_updated))
    if web_link:
        _sub(root, "link", rel="self", href=clean_line(web_link))
    author = _sub(root, "author")
    _sub(author, "name", "pkm")
    _sub(root, "generator", "pkm")
    for entry, updated in zip(entries, updates, strict=True):
        _entry(root, entry, updated or feed_updated)
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _updated(entry: Entry) -> datetime | None:
    return entry.saved or entry.published or entry.first_seen


def _entry(root: ET.Element, entry: Entry, updated: datetime) -> None:
    element = _sub(root, "entry")
    entry_title = clean_line(entry.title) or clean_line(entry.url) or f"entry {entry.id}"
    _sub(element, "title", entry_title)
    _sub(element, "id", entry_uid(entry))
    _sub(element, "updated", iso8601(updated))
    if entry.published is not None:
        _sub(element, "published", iso8601(entry.published))
    has_link = bool(entry.url and is_web_url(entry.url))
    if entry.url and has_link:
        _sub(element, "link", rel="alternate", href=clean_line(entry.url))
    name = clean_line(entry.author)
    if name:
        author = _sub(element, "author")
        _sub(author, "name", name)
    for tag in entry.tags:
        term = clean_line(tag)
        if term:
            _sub(element, "category", term=term)
    note = clean_block(entry.note)
    if note:
        _sub(element, "summary", note)
    content = summary_html(entry)
    if content:
        _sub(element, "content", content, type="html")
    elif not has_link:
        # RFC 4287: an entry without an alternate link must have content.
        _sub(element, "content", note or entry_title, type="text")
