"""Netscape bookmark files: the HTML that browsers and bookmarking services export.

:func:`parse_netscape` reads what Firefox, Chrome, Edge, Safari, Pinboard, delicious,
linkding, Shaarli and buku write, with their quirks: dates in seconds, milliseconds,
microseconds or as date strings (``10/Oct/2000:13:55:36 +0300``), comma- or space-separated
``TAGS``, ``<DD>`` descriptions spanning lines, unclosed ``<DT>``/``<DD>``/``<p>``, nested
``<H3>`` folders (turned into tags, except the browsers' own root folders). Links that are
not http(s) (``place:``, ``javascript:``, …) are skipped with a reason. :func:`dump` writes
a reading list in the same format.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from html import escape, unescape
from html.parser import HTMLParser

from pkm.errors import FormatError
from pkm.formats._common import (
    date_problem,
    dedupe,
    parse_date,
    quote,
    scheme_of,
    unreadable_date,
)
from pkm.formats._shared import decode_markup, entry_date, utc
from pkm.text import clean_block, clean_line
from pkm.types import BookmarkData, BookmarkImport, Entry

__all__ = ["BookmarkImport", "dump", "parse_netscape"]

DOCTYPE = "<!DOCTYPE NETSCAPE-Bookmark-file-1>"

# Folders that browsers create themselves; their names say nothing about the bookmarks.
ROOT_FOLDERS = frozenset(
    name.casefold()
    for name in (
        "Bookmarks",
        "Bookmarks Toolbar",
        "Bookmarks Menu",
        "Bookmarks bar",
        "BookmarksBar",
        "BookmarksMenu",
        "Other Bookmarks",
        "Mobile Bookmarks",
        "Unsorted Bookmarks",
        "Favorites",
        "Favourites",
        "Favorites bar",
        "Favourites bar",
        "Other favorites",
        "Other favourites",
        "Mobile favorites",
        "buku bookmarks",
    )
)
# Attributes that mark a browser's root folder whatever its (localised) name.
_ROOT_ATTRS = ("personal_toolbar_folder", "unfiled_bookmarks_folder")
_READING_LIST_IDS = ("com.apple.readinglist",)
_READING_LIST_NAMES = frozenset({"reading list"})

_CHARSET_RE = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_LOOKS_RE = re.compile(r"<!doctype\s+netscape-bookmark-file|<dt\b|<dl\b", re.IGNORECASE)
_LINKDING_NOTES_RE = re.compile(r"\s*\[linkding-notes\](.*?)\[/linkding-notes\]\s*", re.DOTALL)
_TRUE = frozenset({"1", "true", "yes", "on"})
_WEB_URL_RE = re.compile(r"(?i:https?)://(?:[^/?#\s]*@)?[^/?#\s:@]")

# Start tags are read by our own regular expressions rather than HTMLParser's, which are
# slower and, on a tag whose quote never closes, take quadratic time. In order:
# a well-formed tag up to the first '>'; a tag whose quoted values hide '<' or '>' (looked for
# up to the end of the line); anything from '<name' up to the first '>'.
_FAST_TAG_RE = re.compile(
    r"""<([a-zA-Z][a-zA-Z0-9]*)((?:\s+[a-zA-Z_:][-a-zA-Z0-9_:.]*"""
    r"""(?:\s*=\s*(?:"[^"<]*"|'[^'<]*'|[^\s"'=<>`]+))?)*)\s*(/?)>"""
)
_QUOTED_TAG_RE = re.compile(
    r"""<([a-zA-Z][a-zA-Z0-9]*)((?:\s+[^\s=/>"'<]+"""
    r"""(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?)*)\s*(/?)>"""
)
_LOOSE_TAG_RE = re.compile(r"<([a-zA-Z][^\s/>]*)([^>]*?)\s*(/?)>")
_ATTR_RE = re.compile(r"""([^\s=/>"'<]+)(?:\s*(=)\s*(?:"([^"]*)"?|'([^']*)'?|([^\s>]+)))?""")


# --- reading -----------------------------------------------------------------------------


def parse_netscape(data: bytes, *, folders_as_tags: bool = True) -> BookmarkImport:
    """Read a Netscape bookmark file.

    With ``folders_as_tags`` every folder a bookmark sits in (below the browser's own root
    folders) becomes one of its tags. Raises :class:`FormatError` when the data is not a
    bookmark file at all.
    """
    declared = _CHARSET_RE.search(data[:4096])
    text, _problem = decode_markup(data, declared.group(1).decode("ascii") if declared else None)
    text = text.lstrip("\ufeff")
    if not _LOOKS_RE.search(text):
        raise FormatError("not a Netscape bookmark file: no <DT> or <DL> element found")
    parser = _BookmarkParser(folders_as_tags=folders_as_tags)
    try:
        parser.feed(text)
        parser.close()
    except Exception as exc:  # HTMLParser is lenient, but not documented never to raise
        raise FormatError(f"cannot read the bookmark file: {exc}") from exc
    parser.flush()
    return BookmarkImport(
        bookmarks=parser.bookmarks, skipped=parser.skipped, problems=parser.problems
    )


@dataclass
class _Link:
    attrs: dict[str, str | None]
    folders: tuple[str, ...]
    to_read: bool
    title: list[str] = field(default_factory=list)
    note: list[str] | None = None


@dataclass
class _Folder:
    name: str | None  # None: not a tag (a browser root, or a <DL> without a heading)
    reading_list: bool = False


class _BookmarkParser(HTMLParser):
    """A small state machine over the tag stream; tolerant of unclosed DT, DD, P and A.

    An ``<A>`` collects its title until ``</A>`` (or the next structural tag); the finished
    link then waits as ``_pending`` for a ``<DD>`` description, and is emitted when anything
    else begins.
    """

    # Never switch to raw-text mode: an unescaped "<script>" in a title must not swallow
    # the rest of the file.
    CDATA_CONTENT_ELEMENTS = ()  # type: ignore[misc]

    def __init__(self, *, folders_as_tags: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.folders_as_tags = folders_as_tags
        self.bookmarks: list[BookmarkData] = []
        self.skipped: list[str] = []
        self.problems: list[str] = []
        self._folders: list[_Folder] = []
        self._folder_tags: tuple[str, ...] = ()  # the names of self._folders that are tags
        self._in_reading_list = False
        self._next_folder: _Folder | None = None  # from the last <H3>, for the next <DL>
        self._heading: list[str] | None = None
        self._heading_attrs: dict[str, str | None] = {}
        self._link: _Link | None = None  # an <A> whose title is being read
        self._pending: _Link | None = None  # a finished link a <DD> may still describe
        self._text: list[str] | None = None  # where character data goes, if anywhere
        self._line_end = -1  # position of a newline with none between it and the last tag

    def updatepos(self, i: int, j: int) -> int:
        # Line and column bookkeeping (for getpos()) is not needed and costs a tenth.
        return j

    def parse_starttag(self, i: int) -> int:
        rawdata = self.rawdata
        close = rawdata.find(">", i + 1)
        if close == -1:
            # No tag ends after this point, and the whole file is fed at once: the rest is
            # text. (HTMLParser would look for the end again at every '<': quadratic time.)
            self.handle_data(rawdata[i:])
            return len(rawdata)
        match = _FAST_TAG_RE.match(rawdata, i, close + 1)
        if match is None:
            if self._line_end < close:  # the newline after close, found once per line
                found = rawdata.find("\n", close)
                self._line_end = len(rawdata) if found == -1 else found
            match = _QUOTED_TAG_RE.match(rawdata, i, self._line_end)
            if match is None:
                match = _LOOSE_TAG_RE.match(rawdata, i, close + 1)
                if match is None:  # cannot happen: HTMLParser calls this at '<' + letter
                    return super().parse_starttag(i)
        name, attr_text, self_closing = match.groups()
        tag = name.lower()
        self.lasttag = tag
        attrs: list[tuple[str, str | None]] = []
        for name, equals, double, single, bare in _ATTR_RE.findall(attr_text):
            value: str | None = (double or single or bare) if equals else None
            if value and "&" in value:
                value = unescape(value)
            attrs.append((name.lower(), value))
        if self_closing:
            self.handle_startendtag(tag, attrs)
        else:
            self.handle_starttag(tag, attrs)
        return match.end()

    # HTMLParser passes lower-case tag and attribute names.
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            if self._pending is not None or self._link is not None or self._heading is not None:
                self.flush()
            link = _Link(dict(attrs), self._folder_tags, self._in_reading_list)
            self._link = link
            self._text = link.title
        elif tag == "dt":
            if self._pending is not None or self._link is not None or self._heading is not None:
                self.flush()
        elif tag == "dd":
            self._end_heading()
            self._end_link()
            pending = self._pending
            if pending is not None and pending.note is None:
                pending.note = []
                self._text = pending.note
            else:
                self._text = None  # a folder's description, or a stray <DD>
        elif tag in ("br", "p"):
            if self._text is not None and self._pending is not None:
                if self._text is self._pending.note:
                    self._text.append("\n")
        elif tag == "dl":
            self.flush()
            self._folders.append(self._next_folder or _Folder(None))
            self._next_folder = None
            self._folders_changed()
        elif tag == "h3":
            self.flush()
            self._next_folder = None
            self._heading = []
            self._heading_attrs = dict(attrs)
            self._text = self._heading
        elif tag in ("hr", "h1", "title"):
            self.flush()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "a":
            self._end_link()

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._end_link()
        elif tag == "h3":
            self._end_heading()
        elif tag == "dl":
            self.flush()
            self._next_folder = None
            if self._folders:
                self._folders.pop()
                self._folders_changed()
        elif tag in ("dd", "dt"):
            self.flush()

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)

    def _folders_changed(self) -> None:
        self._folder_tags = tuple(f.name for f in self._folders if f.name)
        self._in_reading_list = any(f.reading_list for f in self._folders)

    def flush(self) -> None:
        """Finish whatever is open (heading, link, description) and emit the bookmark."""
        self._end_heading()
        self._end_link()
        pending = self._pending
        if pending is not None:
            self._pending = None
            self._text = None
            self._emit(pending)

    def _end_heading(self) -> None:
        if self._heading is None:
            return
        name = clean_line("".join(self._heading))
        attrs = self._heading_attrs
        self._heading = None
        self._text = None
        reading_list = (attrs.get("id") or "").lower() in _READING_LIST_IDS or (
            name.casefold() in _READING_LIST_NAMES
        )
        is_root = (
            reading_list
            or not name
            or name.casefold() in ROOT_FOLDERS
            or any(attrs.get(key) is not None for key in _ROOT_ATTRS)
        )
        self._next_folder = _Folder(None if is_root else name, reading_list)

    def _end_link(self) -> None:
        link = self._link
        if link is None:
            return
        self._link = None
        self._text = None
        if self._pending is not None:  # two links without a <DT> between them
            pending, self._pending = self._pending, None
            self._emit(pending)
        self._pending = link

    def _emit(self, link: _Link) -> None:
        href = clean_line(link.attrs.get("href") or "")
        title = clean_line("".join(link.title)) or None
        if not href:
            self.skipped.append(f"{quote(title or '(untitled)')}: link without an address")
            return
        if title == href:  # how an untitled bookmark is written (pkm does so too)
            title = None
        if not _WEB_URL_RE.match(href):
            scheme = scheme_of(href)
            what = f"{scheme}: link" if scheme else "relative link"
            self.skipped.append(f"{quote(href)}: {what}, not http(s)")
            return
        raw_date = link.attrs.get("add_date")
        added = parse_timestamp(raw_date)
        if unreadable_date(raw_date, added):
            self.problems.append(date_problem(quote(href), raw_date or ""))
        tags = _split_tags(link.attrs.get("tags"))
        if self.folders_as_tags:
            tags.extend(link.folders)
        self.bookmarks.append(
            BookmarkData(
                url=href,
                title=title,
                note=_note(link.note),
                tags=dedupe(tags) if len(tags) > 1 else tuple(tags),
                added=added,
                modified=parse_timestamp(link.attrs.get("last_modified")),
                to_read=link.to_read or _flag(link.attrs.get("toread")),
                private=_flag(link.attrs.get("private")),
            )
        )


def _note(parts: list[str] | None) -> str | None:
    if not parts:
        return None
    text = "".join(parts)
    if "[linkding-notes]" in text:
        text = _LINKDING_NOTES_RE.sub(lambda m: "\n\n" + m.group(1).strip() + "\n\n", text)
    text = clean_block(text).strip()
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text or None


def _flag(value: str | None) -> bool:
    return value is not None and value.strip().lower() in _TRUE


def _split_tags(value: str | None) -> list[str]:
    if not value:
        return []
    parts = value.split(",") if "," in value else value.split()
    return [tag for tag in (clean_line(part) for part in parts) if tag]


def parse_timestamp(value: str | None) -> datetime | None:
    """A bookmark date in seconds, milliseconds, microseconds or nanoseconds since the
    epoch, or a date string (ISO 8601, RFC 2822, ``10/Oct/2000:13:55:36 +0300``), as an
    aware UTC datetime; None if missing or absurd."""
    return parse_date(value)


# --- writing -----------------------------------------------------------------------------


def _attr(value: str) -> str:
    return escape(value, quote=True)


def dump(
    entries: Sequence[Entry],
    *,
    title: str,
    description: str | None = None,
    generated: datetime | None = None,
    link: str | None = None,
) -> str:
    """Entries as a Netscape bookmark file any browser or bookmarking service can import.

    Entries without a URL cannot be bookmarks and are left out. ``description``,
    ``generated`` and ``link`` have no place in the format and are ignored.
    """
    del description, generated, link
    heading = escape(clean_line(title) or "Bookmarks", quote=False)
    out = [
        DOCTYPE,
        "<!-- This is an automatically generated file.",
        "     It will be read and overwritten.",
        "     DO NOT EDIT! -->",
        '<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">',
        f"<TITLE>{heading}</TITLE>",
        f"<H1>{heading}</H1>",
        "<DL><p>",
    ]
    for entry in entries:
        url = clean_line(entry.url)
        if not url:
            continue
        attrs = [f'HREF="{_attr(url)}"']
        when = entry_date(entry)
        if when is not None:
            attrs.append(f'ADD_DATE="{int(utc(when).timestamp())}"')
        tags = [t.replace(",", " ").strip() for t in (clean_line(tag) for tag in entry.tags)]
        tags = [t for t in tags if t]
        if tags:
            joined = ",".join(tags)
            if len(tags) == 1 and " " in joined:
                joined += ","  # so a reader splitting on spaces sees one tag
            attrs.append(f'TAGS="{_attr(joined)}"')
        if entry.to_read:
            attrs.append('TOREAD="1"')
        attrs.append(f'PRIVATE="{int(entry.private)}"')
        text = escape(clean_line(entry.title) or url, quote=False)
        out.append(f"    <DT><A {' '.join(attrs)}>{text}</A>")
        note = clean_block(entry.note)
        if note:
            out.append(f"    <DD>{escape(note, quote=False)}")
    out.append("</DL><p>")
    return "\n".join(out) + "\n"
