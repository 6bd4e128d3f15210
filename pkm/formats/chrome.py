"""The ``Bookmarks`` file of Chrome, Chromium, Edge, Brave, Vivaldi and Opera (JSON).

``{"roots": {"bookmark_bar": {...}, "other": {...}, "synced": {...}}, "version": 1}``; each
node is ``{"type": "folder", "name", "children": [...]}`` or ``{"type": "url", "name",
"url", "date_added"}``, ``date_added`` being microseconds since 1601-01-01 as a string. The
browser's own roots are not tags; every folder below them is.
"""

from __future__ import annotations

from collections.abc import Sequence

from pkm.formats._common import Collector, ReadError, load_json, since_1601, text
from pkm.types import BookmarkImport

WHAT = "a Chrome Bookmarks file"
_MAX_DEPTH = 200  # folders nested deeper than this are a hostile file, not a collection


def looks_like(document: object) -> bool:
    return isinstance(document, dict) and isinstance(document.get("roots"), dict)


def parse_chrome(data: bytes, *, folders_as_tags: bool = True) -> BookmarkImport:
    document = load_json(data, WHAT)
    if not looks_like(document):
        raise ReadError(WHAT, 'no "roots" object')
    assert isinstance(document, dict)
    collector = Collector()
    for root in document["roots"].values():
        if isinstance(root, dict):  # "sync_transaction_version" and the like are not nodes
            _children(collector, root, (), folders_as_tags, 0)
    return collector.result


def _children(
    collector: Collector, folder: dict[str, object], path: Sequence[str], tags: bool, depth: int
) -> None:
    children = folder.get("children")
    if not isinstance(children, list):
        return
    if depth > _MAX_DEPTH:
        raise ReadError(WHAT, f"folders nested more than {_MAX_DEPTH} deep")
    for number, node in enumerate(children, 1):
        if not isinstance(node, dict):
            collector.skip(f"{text(folder.get('name')) or 'folder'} item {number}: not a node")
        elif node.get("type") == "folder" or "children" in node:
            name = text(node.get("name")).strip()
            _children(collector, node, (*path, name) if name else path, tags, depth + 1)
        else:
            collector.add(
                node.get("url"),
                label=f"{text(node.get('name')) or 'bookmark'}",
                title=node.get("name"),
                tags=path if tags else (),
                added=since_1601(node.get("date_added")),
                modified=since_1601(node.get("date_modified")),
            )
