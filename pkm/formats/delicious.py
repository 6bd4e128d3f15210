"""delicious's JSON: the API's posts (``href``, ``description``, ``extended``, ``tags``,
``time``) and the short form of its JSON feeds (``u``, ``d``, ``n``, ``t``, ``dt``).

A list of posts, or an object holding one as ``posts``. Tags are a list or a
space-separated string; dates ISO 8601 or seconds since 1970. ``shared: "no"`` or
``private: true`` make a bookmark private, ``toread: "yes"`` to-read.
"""

from __future__ import annotations

from pkm.formats._common import Collector, ReadError, load_json, split_tags, text
from pkm.types import BookmarkImport

WHAT = "a delicious JSON export"
_SHORT_KEYS = frozenset({"u", "d", "n", "t", "dt"})


def posts_of(document: object) -> list[object] | None:
    if isinstance(document, dict):
        document = document.get("posts")
    return document if isinstance(document, list) else None


def looks_like(document: object) -> bool:
    """delicious rather than Pinboard: short keys, tags as a list, or posts in an object."""
    posts = posts_of(document)
    if not posts:
        return False
    sample = [post for post in posts[:50] if isinstance(post, dict)]
    return isinstance(document, dict) or any(
        _SHORT_KEYS & post.keys() or isinstance(post.get("tags"), list) for post in sample
    )


def parse_delicious(data: bytes) -> BookmarkImport:
    posts = posts_of(load_json(data, WHAT))
    if posts is None:
        raise ReadError(WHAT, "expected a list of posts")
    collector = Collector()
    for number, post in enumerate(posts, 1):
        if not isinstance(post, dict):
            collector.skip(f"post {number}: not an object")
            continue
        tags = _first(post, "tags", "t", "tag")
        collector.add(
            _first(post, "href", "u", "url"),
            label=f"post {number}",
            title=_first(post, "description", "d", "title"),
            note=_first(post, "extended", "n", "note"),
            tags=split_tags(tags, None if isinstance(tags, list) else " "),
            added=collector.date(_first(post, "time", "dt"), f"post {number}"),
            to_read=text(post.get("toread")).lower() == "yes",
            private=text(post.get("shared")).lower() == "no" or post.get("private") is True,
        )
    return collector.result


def _first(post: dict[str, object], *keys: str) -> object:
    for key in keys:
        value = post.get(key)
        if value is not None and value != "":
            return value
    return None
