"""OPML subscription lists: a liberal reader and an OPML 2.0 writer.

Real-world OPML is often broken: bare ``&``, HTML entities, quotes or ``<`` inside attribute
values, no ``<body>`` or no ``<opml>`` root, a byte order mark, a wrong encoding declaration,
``xmlurl`` spelt in any case. :func:`parse_opml` reads in stages and stops at the first that
works:

1. a strict XML parse (no DTD, no entity expansion, no network);
2. the same after repairing entities (bare ``&`` escaped, HTML entities turned into character
   references) inside a wrapper element, so a missing root does not matter;
3. lxml's recovering parser and a tolerant tag scanner of our own, whichever reads more feeds.

What could not be imported is reported in ``OpmlImport.problems``, one line each.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from html.entities import html5 as _HTML5_ENTITIES
from typing import TYPE_CHECKING
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

from pkm.errors import FormatError
from pkm.formats._shared import decode_markup
from pkm.text import clean_line, xml_legal
from pkm.types import Feed, OpmlImport, OutlineFeed

if TYPE_CHECKING:
    from lxml import etree

__all__ = ["dump_opml", "parse_opml"]

_XML_DECL_RE = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']?([A-Za-z0-9._:-]+)")
_LEADING_DECL_RE = re.compile(r"^\s*<\?xml\b[^>]*>")
_DOCTYPE_RE = re.compile(r"<!doctype\b", re.IGNORECASE)
_COMMENT_RE = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_ENTITY_RE = re.compile(
    r"&(?:#([0-9]{1,8});|#[xX]([0-9a-fA-F]{1,8});|([A-Za-z][A-Za-z0-9]{0,31});)?"
)
_XML_PREDEFINED = frozenset({"amp", "lt", "gt", "quot", "apos"})
_WRAPPER = "pkm-opml-wrapper"
_MAX_TITLE_IN_MESSAGE = 60
_MAX_FOLDER_DEPTH = 20  # deeper outlines stay in the folder 20 levels down
# pkm's own outline attributes (pkm:fullText="1") live in this namespace, which other
# readers ignore; read under the "pkm:" prefix, they never meet another reader's names.
PKM_NAMESPACE = "https://github.com/pkm-tool/pkm/opml"
_FULL_TEXT = "pkm:fulltext"


# --- reading -----------------------------------------------------------------------------


@dataclass
class _Outline:
    """One ``<outline>`` as read, whatever the parser: attributes by lower-case name."""

    attrs: dict[str, str]
    folder: tuple[str, ...]
    has_children: bool = False


def parse_opml(data: bytes) -> OpmlImport:
    """Read the feeds of an OPML file, as liberally as possible.

    Raises :class:`FormatError` only when nothing could be read and the data does not look
    like OPML at all.
    """
    declared = _XML_DECL_RE.match(data[:512])
    text, encoding_problem = decode_markup(
        data, declared.group(1).decode("ascii") if declared else None
    )
    problems: list[str] = [encoding_problem] if encoding_problem else []
    text = _prepare(text)

    outlines, parse_problem = _read_outlines(text)
    if parse_problem:
        problems.append(parse_problem)
    if not outlines and not _looks_like_opml(text):
        raise FormatError(f"not an OPML file: {_what_is_it(text)}")
    feeds, outline_problems = _to_feeds(outlines)
    return OpmlImport(feeds=tuple(feeds), problems=tuple(problems + outline_problems))


def _prepare(text: str) -> str:
    """Drop what can only hurt: a BOM, the XML declaration (the text is decoded already),
    the DOCTYPE (no entity definitions, no external DTD), escape sequences and characters
    XML forbids."""
    text = text.lstrip("\ufeff")
    text = _LEADING_DECL_RE.sub("", text, count=1)
    text = xml_legal(text)
    return _remove_doctype(text)


def _remove_doctype(text: str) -> str:
    match = _DOCTYPE_RE.search(text)
    if match is None:
        return text
    start = match.start()
    i = match.end()
    bracket = text.find("[", i)
    close = text.find(">", i)
    if close == -1:
        return text[:start]
    if bracket != -1 and bracket < close:
        end_subset = text.find("]", bracket)
        close = text.find(">", end_subset) if end_subset != -1 else -1
        if close == -1:
            return text[:start]
    # Keep the line count, so XML error messages point at the right line.
    removed = text[start : close + 1]
    return text[:start] + "\n" * removed.count("\n") + text[close + 1 :]


def _read_outlines(text: str) -> tuple[list[_Outline], str | None]:
    from lxml import etree

    try:
        root = etree.fromstring(text.encode("utf-8"), _xml_parser(recover=False))
    except etree.XMLSyntaxError:
        pass
    else:
        return _tree_outlines(root), None

    repaired = f"<{_WRAPPER}>{_repair_entities(text)}</{_WRAPPER}>".encode()
    try:
        root = etree.fromstring(repaired, _xml_parser(recover=False))
    except etree.XMLSyntaxError as exc:
        error = clean_line(exc.msg).replace(_WRAPPER, "end of file") or "syntax error"
    else:
        return _tree_outlines(root), None

    problem = f"not well-formed XML ({error}); read leniently, some outlines may be lost"
    recovered: list[_Outline] = []
    try:
        root = etree.fromstring(repaired, _xml_parser(recover=True))
    except etree.XMLSyntaxError:
        pass
    else:
        if root is not None:
            recovered = _tree_outlines(root)
    scanned = _scan_outlines(text)
    if _count_feeds(scanned) > _count_feeds(recovered):
        return scanned, problem
    return recovered, problem


def _xml_parser(*, recover: bool) -> etree.XMLParser:
    from lxml import etree

    return etree.XMLParser(
        encoding="utf-8",
        recover=recover,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def _repair_entities(text: str) -> str:
    """Escape bare ampersands, turn HTML named entities into character references and drop
    references to characters XML forbids."""

    def fix(match: re.Match[str]) -> str:
        decimal, hexadecimal, name = match.groups()
        if decimal is not None or hexadecimal is not None:
            code = int(decimal) if decimal is not None else int(hexadecimal, 16)
            ok = code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF
            ok = ok or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF
            return match.group(0) if ok else ""
        if name is not None:
            if name in _XML_PREDEFINED:
                return match.group(0)
            chars = _HTML5_ENTITIES.get(name + ";")
            if chars is not None:
                return "".join(f"&#{ord(c)};" for c in chars)
            return "&amp;" + name + ";"
        return "&amp;"

    return _ENTITY_RE.sub(fix, text)


def _local_name(tag: object) -> str:
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2].lower()


def _attribute_name(name: str) -> str:
    """An attribute by lower-case local name; pkm's own keep their "pkm:" prefix."""
    local = _local_name(name)
    return f"pkm:{local}" if name.startswith(f"{{{PKM_NAMESPACE}}}") else local


def _tree_outlines(root: etree._Element) -> list[_Outline]:
    """Every ``<outline>`` in document order, wherever it is (no ``<body>`` needed)."""
    outlines: list[_Outline] = []
    by_element: dict[etree._Element, _Outline] = {}
    for element in root.iter():
        if _local_name(element.tag) != "outline":
            continue
        attrs = {_attribute_name(str(k)): str(v) for k, v in element.attrib.items()}
        parent = element.getparent()
        while parent is not None and _local_name(parent.tag) != "outline":
            parent = parent.getparent()
        parent_outline = by_element.get(parent) if parent is not None else None
        outline = _Outline(attrs, _child_folder(parent_outline))
        if parent_outline is not None:
            parent_outline.has_children = True
        by_element[element] = outline
        outlines.append(outline)
    return outlines


def _child_folder(parent: _Outline | None) -> tuple[str, ...]:
    """The folder path of the children of ``parent``: its own path plus its name, unless it
    is itself a feed (a feed with children does not make a folder)."""
    if parent is None:
        return ()
    if _feed_url(parent.attrs) is not None or len(parent.folder) >= _MAX_FOLDER_DEPTH:
        return parent.folder
    name = _outline_name(parent.attrs)
    return (*parent.folder, name) if name else parent.folder


# The tolerant scanner: finds <outline ...> and </outline> tags, reads attributes whose
# values may contain unescaped quotes or '<', and keeps track of nesting.
_OUTLINE_TAG_RE = re.compile(r"<(/?)outline\b", re.IGNORECASE)
_ATTR_NAME_RE = re.compile(r"[^\s=/>\"'<]+")
_VALUE_END_RE = re.compile(r"""\s*(?:/?>|\Z)|\s+[^\s=/>"'<]+\s*=""")
_UNQUOTED_RE = re.compile(r"""[^\s>]*""")
_MAX_VALUE = 4096
_MAX_QUOTES_IN_VALUE = 8


def _scan_outlines(text: str) -> list[_Outline]:
    text = _COMMENT_RE.sub("", text)
    outlines: list[_Outline] = []
    stack: list[_Outline] = []
    pos = 0
    while True:
        match = _OUTLINE_TAG_RE.search(text, pos)
        if match is None:
            break
        if match.group(1):
            if stack:
                stack.pop()
            pos = match.end()
            continue
        attrs, self_closing, pos = _scan_attributes(text, match.end())
        parent = stack[-1] if stack else None
        outline = _Outline(attrs, _child_folder(parent))
        if parent is not None:
            parent.has_children = True
        outlines.append(outline)
        if not self_closing:
            stack.append(outline)
    return outlines


def _scan_attributes(text: str, pos: int) -> tuple[dict[str, str], bool, int]:
    """Read attributes from ``pos`` to the end of the tag; returns them, whether the tag was
    self-closing, and the position after it."""
    attrs: dict[str, str] = {}
    n = len(text)
    while pos < n:
        while pos < n and text[pos].isspace():
            pos += 1
        if pos >= n:
            break
        if text.startswith("/>", pos):
            return attrs, True, pos + 2
        char = text[pos]
        if char == ">":
            return attrs, False, pos + 1
        if char == "<":  # a new tag began: this one was never closed
            return attrs, True, pos
        name_match = _ATTR_NAME_RE.match(text, pos)
        if name_match is None:
            pos += 1
            continue
        prefix, _, local = name_match.group(0).lower().rpartition(":")
        name = f"pkm:{local}" if prefix == "pkm" else local
        pos = name_match.end()
        while pos < n and text[pos].isspace():
            pos += 1
        if pos >= n or text[pos] != "=":
            attrs.setdefault(name, "")
            continue
        pos += 1
        while pos < n and text[pos].isspace():
            pos += 1
        if pos < n and text[pos] in "\"'":
            value, pos = _scan_quoted(text, pos)
        else:
            unquoted = _UNQUOTED_RE.match(text, pos)
            assert unquoted is not None  # matches the empty string at worst
            value = unquoted.group(0)
            if value.endswith("/") and text.startswith(">", unquoted.end()):
                value = value[:-1]
                pos = unquoted.end() - 1
            else:
                pos = unquoted.end()
        attrs.setdefault(name, html.unescape(value))
    return attrs, True, n


def _scan_quoted(text: str, pos: int) -> tuple[str, int]:
    """A quoted value starting at ``pos``: it ends at the first matching quote that is
    followed by the end of the tag or by another ``name=`` (so quotes inside survive)."""
    quote = text[pos]
    start = pos + 1
    limit = min(len(text), start + _MAX_VALUE)
    first = -1
    i = start
    for _ in range(_MAX_QUOTES_IN_VALUE):
        j = text.find(quote, i, limit)
        if j == -1:
            break
        if first == -1:
            first = j
        if _VALUE_END_RE.match(text, j + 1):
            return text[start:j], j + 1
        i = j + 1
    if first != -1:
        return text[start:first], first + 1
    end = text.find(">", start, limit)
    if end == -1:
        end = limit
    return text[start:end], end


# --- from outlines to feeds --------------------------------------------------------------


def _outline_name(attrs: dict[str, str]) -> str | None:
    for key in ("text", "title"):
        value = clean_line(attrs.get(key))
        if value:
            return value
    return None


def _feed_url(attrs: dict[str, str]) -> str | None:
    url = clean_line(attrs.get("xmlurl"))
    if not url and attrs.get("type", "").strip().lower() in ("rss", "atom", "feed"):
        url = clean_line(attrs.get("url"))
    return url or None


def _normalise_url(url: str) -> str | None:
    """An http(s) URL as given (``feed:`` prefixes resolved), or None if it is not one."""
    lowered = url.lower()
    if lowered.startswith("feed://"):
        url = "http://" + url[7:]
    elif lowered.startswith("feed:"):
        url = url[5:]
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url


def _label(attrs: dict[str, str]) -> str:
    name = _outline_name(attrs)
    if name is None:
        return "(untitled)"
    if len(name) > _MAX_TITLE_IN_MESSAGE:
        name = name[: _MAX_TITLE_IN_MESSAGE - 1] + "…"
    return repr(name)


def _count_feeds(outlines: list[_Outline]) -> int:
    return sum(1 for outline in outlines if _feed_url(outline.attrs))


def _to_feeds(outlines: list[_Outline]) -> tuple[list[OutlineFeed], list[str]]:
    feeds: list[OutlineFeed] = []
    problems: list[str] = []
    seen: set[str] = set()
    for outline in outlines:
        attrs = outline.attrs
        raw_url = _feed_url(attrs)
        if raw_url is None:
            if outline.has_children:
                continue  # a folder
            kind = attrs.get("type", "").strip().lower()
            if kind == "include":
                problems.append(f"outline {_label(attrs)} includes another OPML file; not read")
            elif kind or attrs.get("htmlurl") or attrs.get("url"):
                problems.append(f"outline {_label(attrs)} has no xmlUrl")
            continue  # otherwise: an empty folder
        url = _normalise_url(raw_url)
        if url is None:
            problems.append(f"outline {_label(attrs)}: {raw_url!r} is not an http(s) URL")
            continue
        if url in seen:
            problems.append(f"outline {_label(attrs)}: {url} is listed twice; kept once")
            continue
        seen.add(url)
        title = _outline_name(attrs)
        if title == raw_url or title == url:
            title = None  # a title that only repeats the URL says nothing
        site = _normalise_url(clean_line(attrs.get("htmlurl")))
        feeds.append(
            OutlineFeed(
                url=url,
                title=title,
                folder="/".join(outline.folder) or None,
                site_url=site,
                full_text=attrs.get(_FULL_TEXT, "").strip().lower() in ("1", "true"),
            )
        )
    return feeds, problems


def _looks_like_opml(text: str) -> bool:
    head = text[:65536].lower()
    return "<opml" in head or "<outline" in text.lower()


def _what_is_it(text: str) -> str:
    stripped = text.strip()
    if not stripped:
        return "the file is empty"
    head = stripped[:4096].lower()
    if "<rss" in head or "<rdf:rdf" in head or "<feed" in head:
        return "it is an RSS/Atom feed, not a subscription list"
    if "<html" in head or "<!doctype html" in head:
        return "it is an HTML page"
    if "<!doctype netscape-bookmark-file" in head:
        return "it is a bookmark file"
    return "no <opml> or <outline> element found"


# --- writing -----------------------------------------------------------------------------


def dump_opml(
    feeds: Iterable[Feed],
    *,
    title: str = "pkm subscriptions",
    created: datetime | None = None,
) -> str:
    """The feeds as an OPML 2.0 document; folder ``A/B`` becomes nested outlines."""
    ET.register_namespace("pkm", PKM_NAMESPACE)
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = _xml_text(title)
    when = created if created is not None else datetime.now(UTC)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    ET.SubElement(head, "dateCreated").text = format_datetime(when.astimezone(UTC), usegmt=True)
    body = ET.SubElement(root, "body")
    folders: dict[tuple[str, ...], ET.Element] = {(): body}
    for feed in feeds:
        path = tuple(_folder_segments(feed.folder))
        parent = _folder_element(folders, path)
        attrs = {"type": "rss"}
        name = _xml_text(feed.title)
        attrs["text"] = name or _xml_text(feed.url)
        if name:
            attrs["title"] = name
        attrs["xmlUrl"] = _xml_text(feed.url)
        if feed.site_url:
            attrs["htmlUrl"] = _xml_text(feed.site_url)
        if feed.full_text:
            attrs[f"{{{PKM_NAMESPACE}}}fullText"] = "1"
        ET.SubElement(parent, "outline", attrs)
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _folder_segments(folder: str | None) -> Iterator[str]:
    for segment in (folder or "").split("/"):
        segment = _xml_text(segment)
        if segment:
            yield segment


def _folder_element(
    folders: dict[tuple[str, ...], ET.Element], path: tuple[str, ...]
) -> ET.Element:
    element = folders.get(path)
    if element is None:
        parent = _folder_element(folders, path[:-1])
        element = ET.SubElement(parent, "outline", {"text": path[-1], "title": path[-1]})
        folders[path] = element
    return element


def _xml_text(value: str | None) -> str:
    return clean_line(value)
