"""A reading list as a JSON Feed 1.1 document (https://jsonfeed.org/version/1.1).

Each item carries the sanitized summary (a saved page's description) as ``content_html``
and its text as ``content_text``; the note, which is the sharer's and not the article's,
is in pkm's own ``_pkm`` extension object with the other fields: ``{"saved": ...,
"note": ..., "to_read": ..., "private": ..., "feed_title": ...}`` (private entries are
here only when the user asked for them).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pkm.formats._shared import entry_uid, html_to_text, is_web_url, iso8601, summary_html
from pkm.text import clean_block, clean_line
from pkm.types import Entry

__all__ = ["VERSION", "dump"]

VERSION = "https://jsonfeed.org/version/1.1"


def dump(
    entries: Sequence[Entry],
    *,
    title: str,
    description: str | None = None,
    generated: datetime | None = None,
    link: str | None = None,
) -> str:
    feed: dict[str, Any] = {"version": VERSION, "title": clean_line(title) or "Reading list"}
    if link and is_web_url(link):
        feed["home_page_url"] = link
    if description:
        feed["description"] = clean_block(description)
    ext: dict[str, Any] = {"generator": "pkm"}
    if generated is not None:
        ext["generated"] = iso8601(generated)
    feed["_pkm"] = ext
    feed["items"] = [_item(entry) for entry in entries]
    return json.dumps(feed, ensure_ascii=False, indent=2) + "\n"


def _item(entry: Entry) -> dict[str, Any]:
    item: dict[str, Any] = {"id": entry_uid(entry)}
    if entry.url and is_web_url(entry.url):
        item["url"] = entry.url
    entry_title = clean_line(entry.title)
    if entry_title:
        item["title"] = entry_title
    note = clean_block(entry.note)
    content_html = summary_html(entry)
    summary_text = html_to_text(content_html)
    item["content_text"] = summary_text or entry_title or clean_line(entry.url)
    if content_html:
        item["content_html"] = content_html
    if summary_text:
        item["summary"] = summary_text
    published = entry.published or entry.saved
    if published is not None:
        item["date_published"] = iso8601(published)
    if entry.saved is not None:
        item["date_modified"] = iso8601(entry.saved)
    author = clean_line(entry.author)
    if author:
        item["authors"] = [{"name": author}]
    tags = [t for t in (clean_line(tag) for tag in entry.tags) if t]
    if tags:
        item["tags"] = tags
    item["_pkm"] = {
        "saved": iso8601(entry.saved) if entry.saved is not None else None,
        "note": note or None,
        "to_read": entry.to_read,
        "private": entry.private,
        "feed_title": clean_line(entry.feed_title) or None,
    }
    return item
