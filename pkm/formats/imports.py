"""Every format ``pkm import`` reads, by name, and the one place a file's format is guessed.

:data:`FORMATS` maps a ``--format`` name to its label (as the import summary names it) and
reader; :func:`detect` looks at the content, never at the file name. ``backup`` and
``opml`` are detected here but read by :class:`pkm.Pkm` itself (a restore, feeds).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from pkm.errors import FormatError, UsageError
from pkm.formats import (
    _common,
    chrome,
    delicious,
    firefox,
    instapaper,
    netscape,
    omnivore,
    pinboard,
    places,
    pocket,
    readwise,
)
from pkm.types import BookmarkImport

Reader = Callable[[bytes, bool, bytes | None], BookmarkImport]


@dataclass(frozen=True)
class ImportFormat:
    name: str
    label: str
    read: Reader | None  # None: read by Pkm (a backup restore, OPML feeds)


FORMATS: dict[str, ImportFormat] = {
    f.name: f
    for f in (
        ImportFormat(
            "netscape",
            "Netscape bookmark file",
            lambda d, f, w: netscape.parse_netscape(d, folders_as_tags=f),
        ),
        ImportFormat(
            "chrome",
            "Chrome Bookmarks JSON",
            lambda d, f, w: chrome.parse_chrome(d, folders_as_tags=f),
        ),
        ImportFormat(
            "firefox",
            "Firefox bookmark backup JSON",
            lambda d, f, w: firefox.parse_firefox(d, folders_as_tags=f),
        ),
        ImportFormat(
            "places",
            "Firefox places.sqlite",
            lambda d, f, w: places.parse_places(d, wal=w, folders_as_tags=f),
        ),
        ImportFormat("pocket", "Pocket CSV", lambda d, f, w: pocket.parse_pocket(d)),
        ImportFormat(
            "instapaper", "Instapaper CSV", lambda d, f, w: instapaper.parse_instapaper(d)
        ),
        ImportFormat(
            "readwise", "Readwise Reader export", lambda d, f, w: readwise.parse_readwise(d)
        ),
        ImportFormat("omnivore", "Omnivore JSON", lambda d, f, w: omnivore.parse_omnivore(d)),
        ImportFormat("pinboard", "Pinboard JSON", lambda d, f, w: pinboard.parse_pinboard(d)),
        ImportFormat("delicious", "delicious JSON", lambda d, f, w: delicious.parse_delicious(d)),
        ImportFormat("backup", "pkm backup", None),
        ImportFormat("opml", "OPML feed list", None),
    )
}

_NETSCAPE_RE = re.compile(rb"<!doctype\s+netscape-bookmark-file|<dt\b|<dl\b", re.IGNORECASE)
_HTML_RE = re.compile(rb"<(?:!doctype|html|head|body|meta|title|a)\b", re.IGNORECASE)
_XML_RE = re.compile(rb"\s*<\?xml|\s*<[a-zA-Z]")


def names() -> str:
    """The format names, for help and error messages."""
    return ", ".join(FORMATS)


def format_for(name: str | None, data: bytes) -> ImportFormat:
    """The format called ``name``, or (name None) the one ``data`` is in."""
    if name is None:
        return FORMATS[detect(data)]
    found = FORMATS.get(name.strip().lower())
    if found is None:
        raise UsageError(f"unknown import format {name!r} ({names()})")
    return found


def read(
    fmt: ImportFormat,
    data: bytes,
    *,
    folders_as_tags: bool,
    wal: bytes | None,
    detected: bool,
) -> BookmarkImport:
    """Read ``data`` as ``fmt``; a file that is not in it is a FormatError naming it (and,
    when ``detected``, saying that it looked like it)."""
    assert fmt.read is not None
    try:
        return fmt.read(data, folders_as_tags, wal)
    except _common.ReadError as exc:
        if detected:
            raise FormatError(f"looks like {fmt.label}, but cannot be read: {exc.reason}") from None
        raise


def detect(data: bytes) -> str:
    """The name of the format ``data`` is in; FormatError saying what it looked like."""
    if places.looks_like(data):
        return "places"
    head = data[:65536].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:1] in (b"{", b"["):
        return _detect_json(data)
    lowered = head[:4096].lower()
    if b"<opml" in lowered:
        return "opml"
    if _NETSCAPE_RE.search(head):
        return "netscape"
    header = _common.csv_header(head)
    if pocket.looks_like(header):
        return "pocket"
    if instapaper.looks_like(header):
        return "instapaper"
    if readwise.looks_like_csv(header):
        return "readwise"
    what, say_which = _looks_like(head, header)
    if say_which:  # text in some table or list: the user knows which export it is
        raise FormatError(
            f"not a file pkm can import: {what}",
            option="format",
            advice=f"; use {{}} to say which ({names()})",
        )
    raise FormatError(f"not a file pkm can import: {what}")


def _detect_json(data: bytes) -> str:
    from pkm.formats.backup import looks_like_backup

    if looks_like_backup(data):  # before parsing: a damaged backup is still a backup
        return "backup"
    try:
        document = _common.load_json(data, "JSON")
    except _common.ReadError as exc:
        raise FormatError(f"looks like JSON, but cannot be parsed: {exc.reason}") from None
    for name, looks_like in (
        ("chrome", chrome.looks_like),
        ("firefox", firefox.looks_like),
        ("readwise", readwise.looks_like_json),
        ("omnivore", omnivore.looks_like),
        ("delicious", delicious.looks_like),
    ):
        if looks_like(document):
            return name
    posts = delicious.posts_of(document)
    if posts and any(isinstance(post, dict) and "href" in post for post in posts[:50]):
        return "pinboard"
    if isinstance(document, list) and not document:
        return "pinboard"  # an empty export of any of the list formats: nothing to import
    raise FormatError(f"not a file pkm can import: JSON, {_json_shape(document)}")


def _json_shape(document: object) -> str:
    if isinstance(document, dict):
        keys = ", ".join(sorted(str(key) for key in document)[:8]) or "none"
        return f"an object with keys {_common.quote(keys)}, not a bookmark export pkm knows"
    if isinstance(document, list):
        first = next((item for item in document if isinstance(item, dict)), None)
        if first is None:
            return "a list of no objects, not a bookmark export pkm knows"
        keys = ", ".join(sorted(str(key) for key in first)[:8]) or "none"
        return f"a list of objects with keys {_common.quote(keys)}, not a bookmark export pkm knows"
    return "a single value, not a bookmark export"


def _looks_like(head: bytes, header: list[str]) -> tuple[str, bool]:
    """What the file looks like, and whether naming its format could make it readable."""
    if not head.strip():
        return "the file is empty", False
    if b"\x00" in head[:4096] or _binary(head[:4096]):
        return "binary data, not a bookmark export", False
    if _HTML_RE.search(head[:4096]):
        return "an HTML page with no bookmark list (<DL>/<DT>) in it", False
    if _XML_RE.match(head):
        return "XML, but not OPML", False
    if len(header) > 1 and all(0 < len(column) <= 40 for column in header):
        columns = _common.quote(", ".join(header[:8]))
        return f"a CSV file with columns {columns}, not Pocket, Instapaper or Readwise Reader", True
    return "plain text, not a bookmark export", True


def _binary(head: bytes) -> bool:
    controls = sum(1 for byte in head if byte < 32 and byte not in (9, 10, 13))
    return controls * 10 > len(head)
