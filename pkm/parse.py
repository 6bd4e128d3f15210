"""Feed parsing: bytes in, a cleaned :class:`ParsedFeed` out. Pure: no I/O, no globals written.

RSS 0.9x/1.0/2.0 and Atom go through a fast path (a strict lxml parse plus fastfeedparser)
when the document is well-formed and the fast result can be trusted; anything else falls
back to feedparser, which salvages broken feeds. JSON Feed is read with :mod:`json`.
Either way the result is normalised here the same way: absolute http(s) URLs, HTML
sanitised with nh3 (relative links resolved against xml:base / the feed URL), plain-text
titles, UTC datetimes and a content hash.
"""

from __future__ import annotations

import calendar
import copy
import hashlib
import html
import io
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import fastfeedparser
import feedparser
import nh3
from lxml import etree

from pkm.errors import ParseError
from pkm.feedbytes import FIRST_ELEMENT, is_wide, prepared, refuse_entity_expansion
from pkm.text import drop_script, feed_text
from pkm.types import ParsedEntry, ParsedFeed

# Titles and author names longer than this are garbage (or an attack): the rest is dropped,
# so that a 12 MB title does not travel through the store, the index and the terminal.
MAX_TITLE = 1000

_ATOM = "{http://www.w3.org/2005/Atom}"
_RSS1 = "{http://purl.org/rss/1.0/}"
_RSS090 = "{http://my.netscape.com/rdf/simple/0.9/}"
_RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
_DC = "{http://purl.org/dc/elements/1.1/}"
_CONTENT_ENCODED = "{http://purl.org/rss/1.0/modules/content/}encoded"
_XHTML_DIV = "{http://www.w3.org/1999/xhtml}div"
_ENTRY_TAGS = ("item", _RSS1 + "item", _RSS090 + "item", _ATOM + "entry")
_FAST_ROOTS = {"rss": "rss", _RDF + "RDF": "rdf", _ATOM + "feed": "atom"}

_TAG = re.compile(r"<!--.*?-->|<[/!?]?[A-Za-z][^<>]*>", re.S)
# Inline tags vanish from plain text, other tags become spaces; nh3's output is lower case.
_INLINE_TAG = re.compile(
    r"</?(?:a|abbr|b|bdi|bdo|cite|code|del|dfn|em|i|ins|kbd|mark|q|s|samp|small|span|"
    r"strike|strong|sub|sup|time|tt|u|var)(?:\s[^<>]*)?>"
)
_DOCTYPE = re.compile(rb"<!DOCTYPE[^>]*>")
_HTML_PAGE = re.compile(
    rb"\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)[\s>]",
    re.I | re.S,
)
_HOST = re.compile(r"[\w.:-]+")
_LOOSE_SPACE = re.compile(r"\s{2,}|[^\S ]")  # what _collapse must change: not single spaces
_SPLIT_LIMIT = 1 << 20
_EMAIL_THEN_NAME = re.compile(r"\S+@\S+\s+\((.+)\)")
_SANITIZE_OPTS: dict[str, Any] = {
    "clean_content_tags": {"script", "style", "iframe", "noscript", "object", "template"},
    "url_schemes": {"http", "https", "mailto"},
}


@dataclass
class _Raw:
    """One entry as a parser saw it, before cleaning."""

    id: str | None
    link: str | None
    base: str | None
    title: str | None
    author: str | None
    summary: str | None
    content: str | None
    content_base: str | None
    published: datetime | None
    updated: datetime | None
    summary_is_text: bool = False
    content_is_text: bool = False


def parse_feed(body: bytes, url: str, content_type: str | None = None) -> ParsedFeed:
    """Parse a fetched feed; raise ParseError (one line) when ``body`` is not a feed.

    ``url`` is where the feed was fetched from: relative links resolve against it.
    ``content_type`` sharpens the error for HTML pages, and its charset reads a document
    that declares no encoding and is not UTF-8; otherwise the format and the encoding are
    read from the document itself (servers label feeds wrongly more often than not).
    """
    try:
        return _parse(body, url, content_type)
    except ParseError:
        raise
    except Exception as exc:  # a parser library tripped over hostile bytes
        raise ParseError(f"unreadable feed: {type(exc).__name__}") from exc


def _parse(body: bytes, url: str, content_type: str | None) -> ParsedFeed:
    ctype = (content_type or "").split(";")[0].strip().lower()
    stripped = body.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not stripped.strip(b"\x00"):
        raise ParseError("not a feed: empty document")
    if stripped.startswith((b"{", b"[")):
        return _parse_json(body, url)
    if _HTML_PAGE.match(stripped[:4096]):
        raise ParseError("not a feed: got an HTML page")
    body = prepared(body, content_type)
    refuse_entity_expansion(body)
    try:
        fast = _parse_fast(body, url)
    except Exception:  # whatever surprised the fast path, feedparser gets a go
        fast = None
    if fast is not None:
        title, site_url, raws = fast
    else:
        title, site_url, raws = _parse_slow(body, url, ctype)
    return ParsedFeed(
        title=_plain(title),
        site_url=_abs_url(site_url, url),
        entries=_clean_entries(raws, url),
    )


# --- fast path: strict lxml + fastfeedparser ----------------------------------------------


def _parse_fast(body: bytes, url: str) -> tuple[str | None, str | None, list[_Raw]] | None:
    """The feed read with lxml and fastfeedparser, or None when that result is not trusted.

    Trusted only for a well-formed RSS/RDF/Atom 1.0 document without an internal DTD
    subset, when fastfeedparser finds exactly the entry elements lxml sees, entry for entry
    (same titles), and every entry has a title or a link. Ids, links, summaries and content
    are taken from the lxml tree, which knows xml:base and what each element really was
    (fastfeedparser ignores xml:base, makes links of non-permalink guids, copies RSS
    descriptions into content and truncates synthesised summaries); fastfeedparser
    supplies the dates and authors.
    """
    first = FIRST_ELEMENT.search(body)
    if first is not None and b"<!DOCTYPE" in body[: first.start()]:
        if b"[" in body[: first.start()]:
            return None  # an internal subset, maybe with entities: feedparser vets those
        body = _DOCTYPE.sub(b"", body, count=1)  # libxml2 would try to fetch the DTD
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, collect_ids=False
    )
    try:
        root = (
            etree.fromstring(body, parser, base_url=url) if url else etree.fromstring(body, parser)
        )
    except etree.XMLSyntaxError:
        return None
    kind = _FAST_ROOTS.get(root.tag) if isinstance(root.tag, str) else None
    if kind is None:
        return None
    elements = list(root.iter(*_ENTRY_TAGS))
    try:
        fast_entries = fastfeedparser.parse(body).get("entries") or []
    except Exception:
        return None
    if len(fast_entries) != len(elements):
        return None
    raws: list[_Raw] = []
    for element, fast in zip(elements, fast_entries, strict=True):
        raw = _raw_from_element(element, fast, url)
        if raw is None or not (raw.title or raw.link):
            return None
        raws.append(raw)
    title, site_url = _feed_head(root, kind, url)
    return title, site_url, raws


def _feed_head(root: etree._Element, kind: str, url: str) -> tuple[str | None, str | None]:
    if kind == "atom":
        return _text_of(root.find(_ATOM + "title")), _atom_link(root, url)
    ns = "" if kind == "rss" else _RSS1
    channel = root.find(ns + "channel")
    if channel is None and kind == "rdf":
        ns = _RSS090
        channel = root.find(ns + "channel")
    if channel is None:
        return None, None
    link = _text_of(channel.find(ns + "link"))
    base = channel.base or url
    return _text_of(channel.find(ns + "title")), _abs_url(link, base) or _atom_link(channel, url)


def _raw_from_element(element: etree._Element, fast: Any, url: str) -> _Raw | None:
    ns = element.tag[: element.tag.index("}") + 1] if element.tag.startswith("{") else ""
    title = _text_of(element.find(ns + "title"))
    if _collapse(title or "") != _collapse(fast.get("title") or ""):
        return None  # fastfeedparser read another element, or read this one differently
    base = element.base or url
    content_base = base
    if ns == _ATOM:
        id_ = _text_of(element.find(_ATOM + "id"))
        link = _atom_link(element, base)
        summary, summary_is_text = _atom_html(element.find(_ATOM + "summary"))
        content_el = element.find(_ATOM + "content")
        content, content_is_text = _atom_html(content_el)
        if content_el is not None:
            content_base = content_el.base or base
    else:
        id_ = element.get(_RDF + "about") if ns else _text_of(element.find("guid"))
        link = _abs_url(_text_of(element.find(ns + "link")), base) or _atom_link(element, base)
        if link is None and not ns:
            link = _permalink_guid(element)
        summary = _inner_html(element.find(ns + "description"))
        if summary is None:
            summary = _inner_html(element.find(_DC + "description"))
        content = _inner_html(element.find(_CONTENT_ENCODED))
        summary_is_text = content_is_text = False
    return _Raw(
        id=id_,
        link=link,
        base=base,
        title=title,
        author=fast.get("author"),
        summary=summary,
        content=content,
        content_base=content_base,
        published=_iso_date(fast.get("published")),
        updated=_iso_date(fast.get("updated")),
        summary_is_text=summary_is_text,
        content_is_text=content_is_text,
    )


def _text_of(element: etree._Element | None) -> str | None:
    if element is None:
        return None
    if len(element) == 0:
        return element.text
    return etree.tostring(element, method="text", encoding="unicode", with_tail=False)


def _inner_html(element: etree._Element | None) -> str | None:
    """An element's content as HTML: its text, or its child markup when it has children."""
    if element is None:
        return None
    if len(element) == 0:
        return element.text
    parent = element
    if len(element) == 1 and element[0].tag == _XHTML_DIV and not (element.text or "").strip():
        parent = element[0]  # Atom xhtml content: the div is a wrapper, not content
    # Serialised as HTML (<br>, <a></a>: no XML self-closing tags), so without namespaces.
    parent = copy.deepcopy(parent)
    for node in parent.iter():
        if isinstance(node.tag, str) and node.tag.startswith("{"):
            node.tag = node.tag.partition("}")[2]
    etree.cleanup_namespaces(parent)
    parts = [html.escape(parent.text or "", quote=False)]
    parts.extend(etree.tostring(child, method="html", encoding="unicode") for child in parent)
    return "".join(parts)


def _atom_html(element: etree._Element | None) -> tuple[str | None, bool]:
    """(value, is plain text) of an Atom text construct; None for out-of-line/binary content."""
    if element is None or element.get("src"):
        return None, False
    kind = (element.get("type") or "text").lower()
    if kind in ("text", "text/plain"):
        return _text_of(element), True
    if kind in ("html", "text/html", "xhtml", "application/xhtml+xml"):
        return _inner_html(element), False
    return None, False


def _atom_link(element: etree._Element, base: str) -> str | None:
    """The alternate link of an Atom feed/entry (or an atom:link inside RSS)."""
    candidates = [
        link
        for link in element.findall(_ATOM + "link")
        if (link.get("rel") or "alternate") == "alternate" and link.get("href")
    ]
    for link in candidates:
        if (link.get("type") or "text/html") in ("text/html", "application/xhtml+xml"):
            return _abs_url(link.get("href"), link.base or base)
    return _abs_url(candidates[0].get("href"), candidates[0].base or base) if candidates else None


def _permalink_guid(item: etree._Element) -> str | None:
    guid = item.find("guid")
    if guid is None or (guid.get("isPermaLink") or "true").strip().lower() == "false":
        return None
    return _abs_url(guid.text, None)


def _iso_date(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return _as_utc(datetime.fromisoformat(value))
    except (ValueError, OverflowError):  # not ISO 8601, or out of range once in UTC
        return None


def _as_utc(value: datetime) -> datetime:
    """UTC, whole seconds (feedparser drops fractions; both paths must agree)."""
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value.replace(microsecond=0)


# --- slow path: feedparser ----------------------------------------------------------------


def _parse_slow(body: bytes, url: str, ctype: str) -> tuple[str | None, str | None, list[_Raw]]:
    result = feedparser.parse(
        io.BytesIO(body),  # bytes would be taken for a file name
        sanitize_html=False,
        resolve_relative_uris=False,
        # application/xml: trust the document's own encoding declaration (RFC 3023).
        response_headers={"content-location": url, "content-type": "application/xml"},
    )
    feed = result.get("feed", {})
    entries = result.get("entries", [])
    is_atom = str(result.get("version", "")).startswith("atom")
    if not entries and not feed.get("title"):
        if "html" in ctype:
            raise ParseError("not a feed: got an HTML page")
        if not (is_wide(body) or body.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")):
            raise ParseError("not a feed: neither XML nor JSON")
        if result.get("bozo"):
            reason = str(result.get("bozo_exception", "")).strip().partition("\n")[0]
            reason = re.sub(r"^<unknown>:\d+:\d+: ", "", reason)  # feedparser's line is off
            raise ParseError(f"malformed XML: {reason[:160] or 'unreadable'}")
        if not result.get("version"):
            raise ParseError("not a feed: no RSS, Atom or JSON Feed content found")
    return feed.get("title"), feed.get("link"), [_raw_from_fp(e, url, is_atom) for e in entries]


def _raw_from_fp(entry: Any, url: str, is_atom: bool) -> _Raw:
    link = entry.get("link")
    if entry.get("guidislink") and not entry.get("links"):
        link = _abs_url(entry.get("id"), None)  # made from the guid: only if that is a URL
    summary_detail = entry.get("summary_detail") or {}
    contents = entry.get("content") or [{}]
    content, summary = contents[0].get("value"), entry.get("summary")
    if summary == content:
        summary = None  # a lone content is copied to summary
    detail = entry.get("author_detail") or {}
    return _Raw(
        id=entry.get("id"),
        link=link,
        base=summary_detail.get("base") or url,
        title=entry.get("title"),
        author=detail.get("name") or entry.get("author"),
        summary=_fp_value(summary, summary_detail.get("type")),
        content=_fp_value(content, contents[0].get("type")),
        content_base=contents[0].get("base") or url,
        published=_struct_date(entry.get("published_parsed")),
        updated=_struct_date(dict.get(entry, "updated_parsed")),  # .get() maps it to published
        summary_is_text=is_atom and summary_detail.get("type") == "text/plain",
        content_is_text=is_atom and contents[0].get("type") == "text/plain",
    )


def _fp_value(value: str | None, kind: str | None) -> str | None:
    """feedparser writes XHTML's <br/> as <br></br>, which HTML reads as two line breaks."""
    return value.replace("</br>", "") if value and kind == "application/xhtml+xml" else value


def _struct_date(value: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(calendar.timegm(value), UTC) if value else None
    except (TypeError, ValueError, OverflowError):
        return None


# --- JSON Feed ----------------------------------------------------------------------------


def _parse_json(body: bytes, url: str) -> ParsedFeed:
    try:
        doc = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise ParseError(f"not a feed: malformed JSON ({str(exc)[:80]})") from None
    version = doc.get("version") if isinstance(doc, dict) else None
    if not isinstance(version, str) or "jsonfeed.org/version/" not in version:
        raise ParseError("not a feed: JSON document is not a JSON Feed")
    items = doc.get("items")
    raws = (
        [_raw_from_json(item, url) for item in items if isinstance(item, dict)]
        if isinstance(items, list)
        else []
    )
    return ParsedFeed(
        title=_plain(_str(doc.get("title"))),
        site_url=_abs_url(_str(doc.get("home_page_url")), url),
        entries=_clean_entries(raws, url),
    )


def _raw_from_json(item: dict[str, Any], url: str) -> _Raw:
    authors = item.get("authors")
    author = authors[0] if isinstance(authors, list) and authors else item.get("author")
    item_id = item.get("id")
    content_html, content_text = _str(item.get("content_html")), _str(item.get("content_text"))
    return _Raw(
        id=str(item_id) if isinstance(item_id, str | int) and str(item_id) else None,
        link=_abs_url(_str(item.get("url")) or _str(item.get("external_url")), url),
        base=url,
        title=_str(item.get("title")),
        author=_str(author.get("name")) if isinstance(author, dict) else None,
        summary=_str(item.get("summary")),
        summary_is_text=True,
        content=content_html if content_html is not None else content_text,
        content_is_text=content_html is None,
        content_base=url,
        published=_iso_date(_str(item.get("date_published"))),
        updated=_iso_date(_str(item.get("date_modified"))),
    )


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


# --- cleaning, shared by all paths --------------------------------------------------------


def _clean_entries(raws: list[_Raw], feed_url: str) -> tuple[ParsedEntry, ...]:
    bases: dict[str, str | None] = {}  # a feed's entries share one base URL or a few
    return tuple(_clean_entry(raw, feed_url, bases) for raw in raws)


def _clean_entry(raw: _Raw, feed_url: str, bases: dict[str, str | None]) -> ParsedEntry:
    url = _abs_url(raw.link, raw.base or feed_url)
    title = _plain(raw.title)
    summary_base = _absolute_base(raw.base or feed_url, bases)
    summary = sanitize(raw.summary, summary_base, raw.summary_is_text)
    content_base = _absolute_base(raw.content_base or feed_url, bases)
    if (raw.content, content_base, raw.content_is_text) == (
        raw.summary,
        summary_base,
        raw.summary_is_text,
    ):
        content = summary  # RSS often repeats the description as content: sanitize it once
    else:
        content = sanitize(raw.content, content_base, raw.content_is_text)
    if summary == content:
        summary = None  # the same text twice: keep it once, as content
    summary_text, content_text = (html_text(part or "") for part in (summary, content))
    if summary_text in content_text:  # the summary is often the content's first paragraph
        summary_text = ""
    text = " ".join(part for part in (summary_text, content_text) if part)
    digest = hashlib.sha256(
        "\x1f".join(part or "" for part in (title, url, summary, content)).encode()
    ).hexdigest()
    entry_id = _collapse(feed_text(raw.id or ""))
    key = f"guid:{entry_id}" if entry_id else f"link:{url}" if url else f"hash:{digest}"
    published = raw.published or raw.updated
    return ParsedEntry(
        key=key,
        url=url,
        title=title,
        author=_author(raw.author),
        summary_html=summary,
        content_html=content,
        text=text,
        published=published,
        updated=raw.updated or published,
        content_hash=digest,
    )


def _abs_url(href: str | None, base: str | None) -> str | None:
    """``href`` made absolute against ``base``; None unless the result is http(s) with a host."""
    if not href:
        return None
    href = feed_text(href).strip()
    try:
        absolute = urljoin(base, href) if base else href
        parts = urlsplit(absolute)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not _HOST.fullmatch(parts.hostname or ""):
        return None
    return absolute


def _absolute_base(base: str, known: dict[str, str | None]) -> str | None:
    """``base`` as an absolute http(s) URL or None, worked out once per feed (``known``)."""
    if base not in known:
        known[base] = _abs_url(base, None)
    return known[base]


def sanitize(value: str | None, absolute_base: str | None, is_text: bool) -> str | None:
    """Safe HTML: nh3 with its default allow-list, relative URLs resolved against
    ``absolute_base`` when there is one."""
    value = feed_text(value or "").strip()
    if not value:
        return None
    if is_text:
        value = html.escape(value, quote=False)
    relative: Any = ("rewrite_with_base", absolute_base) if absolute_base else "passthrough"
    try:
        cleaned = nh3.clean(value, url_relative=relative, **_SANITIZE_OPTS)
    except ValueError:  # a base URL that nh3 will not parse: relative URLs are dropped
        cleaned = nh3.clean(value, url_relative="deny", **_SANITIZE_OPTS)
    if "&#" in value:  # a reference to a control character is one now
        cleaned = feed_text(cleaned)
    return cleaned.strip() or None


def html_text(fragment: str) -> str:
    """Plain text of HTML: tags dropped (block tags become spaces), entities decoded, no
    controls, whitespace collapsed."""
    return _collapse(feed_text(html.unescape(_TAG.sub(" ", _INLINE_TAG.sub("", fragment)))))


def _plain(value: str | None) -> str | None:
    """A title as plain text: no script, no tags, entities decoded, no controls, whitespace
    collapsed, at most MAX_TITLE characters."""
    if not value:
        return None
    return html_text(drop_script(feed_text(value)))[:MAX_TITLE].rstrip() or None


def _author(value: str | None) -> str | None:
    name = _plain(value)
    match = _EMAIL_THEN_NAME.fullmatch(name or "")
    return match.group(1).strip() if match else name


def _collapse(text: str) -> str:
    """Whitespace runs as one space, trimmed. Splitting is fastest, but makes an object per
    word: on a 12 MB description that peaked at 150 MB more, so huge texts take a regex."""
    if len(text) > _SPLIT_LIMIT:
        return _LOOSE_SPACE.sub(" ", text).strip()
    return " ".join(text.split())
