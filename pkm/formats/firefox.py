"""Firefox's bookmark backup (Library → Import and Backup → Backup…, a ``.json`` file).

One tree of nodes: containers (``"type": "text/x-moz-place-container"``, ``children``),
bookmarks (``"text/x-moz-place"`` with ``uri``, ``title``, ``dateAdded`` and
``lastModified`` in microseconds since 1970, ``tags`` comma-separated) and separators. The
roots Firefox makes itself (``"root": "bookmarksMenuFolder"`` and the like) are not tags;
the folders below them are. ``place:`` queries (smart folders) and ``javascript:``
bookmarklets are not pages: they are skipped, and counted as skipped.
"""

from __future__ import annotations

from collections.abc import Sequence

from pkm.formats._common import Collector, ReadError, load_json, parse_date, split_tags, text
from pkm.types import BookmarkImport

WHAT = "a Firefox bookmark backup"
CONTAINER = "text/x-moz-place-container"
BOOKMARK = "text/x-moz-place"
_MAX_DEPTH = 200


def looks_like(document: object) -> bool:
    return isinstance(document, dict) and (
        document.get("type") == CONTAINER or str(document.get("guid", "")).startswith("root__")
    )


def parse_firefox(data: bytes, *, folders_as_tags: bool = True) -> BookmarkImport:
    document = load_json(data, WHAT)
    if not looks_like(document):
        raise ReadError(WHAT, f"the top is not a {CONTAINER}")
    assert isinstance(document, dict)
    collector = Collector()
    _walk(collector, document, (), folders_as_tags, 0)
    return collector.result


def _walk(
    collector: Collector, folder: dict[str, object], path: Sequence[str], tags: bool, depth: int
) -> None:
    children = folder.get("children")
    if not isinstance(children, list):
        return
    if depth > _MAX_DEPTH:
        raise ReadError(WHAT, f"folders nested more than {_MAX_DEPTH} deep")
    for number, node in enumerate(children, 1):
        if not isinstance(node, dict):
            collector.skip(f"{text(folder.get('title')) or 'folder'} item {number}: not a node")
            continue
        kind = node.get("type")
        if kind == CONTAINER or (kind is None and "children" in node):
            name = "" if node.get("root") else text(node.get("title")).strip()
            _walk(collector, node, (*path, name) if name else path, tags, depth + 1)
        elif kind == BOOKMARK or "uri" in node:
            collector.add(
                node.get("uri"),
                label=text(node.get("title")) or f"item {number}",
                title=node.get("title"),
                tags=[*split_tags(node.get("tags"), ","), *(path if tags else ())],
                added=parse_date(node.get("dateAdded")),
                modified=parse_date(node.get("lastModified")),
            )
        # Separators (and node types Firefox may add later) hold no page: not a record.
