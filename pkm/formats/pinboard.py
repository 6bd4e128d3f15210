"""Pinboard's JSON export (``/v1/posts/all?format=json``): a list of posts.

Each post has ``href``, ``description`` (the title), ``extended`` (the note), ``time``
(ISO 8601), ``shared`` and ``toread`` ("yes"/"no") and ``tags`` (space-separated).
"""

from __future__ import annotations

import json

from pkm.errors import FormatError
from pkm.formats._common import parse_date
from pkm.formats._shared import is_web_url
from pkm.text import clean_block, clean_line
from pkm.types import BookmarkData, BookmarkImport


def parse_pinboard(data: bytes) -> BookmarkImport:
    try:
        posts = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FormatError(f"not a Pinboard JSON export: {exc}") from None
    except RecursionError:  # thousands of nested brackets: not an export, and no crash
        raise FormatError("not a Pinboard JSON export: nested too deeply") from None
    if not isinstance(posts, list):
        raise FormatError("not a Pinboard JSON export: expected a list of posts")
    result = BookmarkImport()
    for number, post in enumerate(posts, 1):
        if not isinstance(post, dict) or not isinstance(post.get("href"), str):
            result.skipped.append(f"post {number}: no href")
            continue
        url = post["href"].strip()
        if not is_web_url(url):
            result.skipped.append(f"{url[:200]}: not an http(s) link")
            continue
        result.bookmarks.append(
            BookmarkData(
                url=url,
                title=clean_line(_text(post.get("description"))) or None,
                note=clean_block(_text(post.get("extended"))) or None,
                tags=tuple(clean_line(_text(post.get("tags"))).split()),
                added=parse_date(post.get("time")),
                to_read=_text(post.get("toread")).lower() == "yes",
                private=_text(post.get("shared")).lower() == "no",
            )
        )
    return result


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""
