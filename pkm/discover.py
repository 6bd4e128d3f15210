"""What a web page says about itself: its feeds, title and description. Pure functions.

Pages come from the wild, so every function here accepts any bytes (truncated, binary,
mis-declared) and degrades to "nothing found" instead of raising.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import lxml.etree
import lxml.html

from pkm.text import LATIN1_CODECS, clean_line, codec_name, decode_8bit, drop_script, split_bom

__all__ = [
    "FEED_TYPES",
    "DiscoveredFeed",
    "PageMeta",
    "discover_feeds",
    "looks_like_html",
    "page_metadata",
]

# Plain application/json is deliberately absent: WordPress and others advertise their REST
# API as <link rel="alternate" type="application/json">, which is not a feed.
FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/feed+json",
        "application/x-rss+xml",
        "application/x-atom+xml",
        "application/x.atom+xml",
    }
)

_SNIFF_BYTES = 2048


@dataclass(frozen=True)
class DiscoveredFeed:
    url: str
    title: str | None
    type: str  # the advertised media type, lower-case, without parameters


@dataclass(frozen=True)
class PageMeta:
    title: str | None
    description: str | None


def discover_feeds(html: bytes, base_url: str) -> list[DiscoveredFeed]:
    """Feeds advertised by ``<link rel="alternate">``, in document order, without duplicates.

    Relative hrefs are resolved against ``<base href>`` (itself relative to ``base_url``).
    Only http(s) results are kept; ``feed:`` URLs are unwrapped to http(s).
    """
    doc = _parse(html)
    if doc is None:
        return []
    base = _document_base(doc, base_url)
    found: list[DiscoveredFeed] = []
    seen: set[str] = set()
    for link in doc.iter("link"):
        feed = _feed_link(link, base)
        if feed is not None and feed.url not in seen:
            seen.add(feed.url)
            found.append(feed)
    return found


def page_metadata(html: bytes, base_url: str) -> PageMeta:
    """og:title, else ``<title>``; og:description, else meta description. Plain, one line.

    ``base_url`` is accepted for symmetry with :func:`discover_feeds` (and for resolving
    URLs, should metadata ever include any); the text fields don't need it.
    """
    doc = _parse(html)
    if doc is None:
        return PageMeta(None, None)
    meta = _meta_values(doc)
    title = _first_text(meta.get("og:title"), _title_element_text(doc), meta.get("twitter:title"))
    description = _first_text(
        meta.get("og:description"), meta.get("description"), meta.get("twitter:description")
    )
    return PageMeta(title, description)


_XML_PROLOGUE = re.compile(
    r"""\A(?:\s+|<\?[^>]*\?>|<!--.*?-->|<!doctype[^>]*>)*""", re.DOTALL | re.IGNORECASE
)
_FIRST_TAG = re.compile(r"<([a-z][a-z0-9:._-]*)", re.IGNORECASE)
_HTML_DOCTYPE = re.compile(r"<!doctype\s+html", re.IGNORECASE)
_HTML_MARKERS = re.compile(r"<(?:html|head|body)[\s>/]", re.IGNORECASE)
_FEED_ROOTS = frozenset({"rss", "feed", "rdf:rdf", "rdf", "channel", "opml"})
_HTML_FIRST_TAGS = frozenset(
    "html head body meta title link base script style noscript div p span a table header "
    "nav main section article form iframe img br h1 h2 h3 h4 h5 h6 ul ol pre center font".split()
)


def looks_like_html(body: bytes) -> bool:
    """Whether ``body`` is an HTML (or XHTML) page rather than a feed, JSON or binary."""
    head = _decode(body[:_SNIFF_BYTES]).lstrip("\ufeff")
    if _HTML_DOCTYPE.search(head[:512]):
        return True
    prologue = _XML_PROLOGUE.match(head)
    rest = head[prologue.end() :] if prologue else head
    if not rest.startswith("<"):
        return False  # JSON, plain text, binary
    first = _FIRST_TAG.match(rest)
    if first is None:
        return False
    tag = first.group(1).lower()
    if tag in _FEED_ROOTS:
        return False
    # Sloppy pages start with <meta>, <title>, <div>...: a known HTML element first, or an
    # <html>/<head>/<body> tag early on, is HTML; other XML (sitemaps, SVG) is not.
    return tag in _HTML_FIRST_TAGS or bool(_HTML_MARKERS.search(head))


# --- parsing -------------------------------------------------------------------------------


def _parse(html: bytes) -> lxml.html.HtmlElement | None:
    text = _decode(html)
    if not text.strip():
        return None
    # Re-encoded as UTF-8 and parsed with an explicit encoding, so lxml neither guesses
    # (it defaults to Latin-1) nor trips over a stale <meta charset> or XML declaration.
    parser = lxml.html.HTMLParser(encoding="utf-8", recover=True, no_network=True)
    try:
        doc = lxml.html.document_fromstring(text.encode("utf-8", "replace"), parser=parser)
    except (lxml.etree.ParserError, ValueError):
        return None
    return doc if isinstance(doc, lxml.html.HtmlElement) else None


_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.IGNORECASE
)


def _decode(data: bytes) -> str:
    """Bytes to text the way a browser would, roughly: BOM, then <meta charset>, then UTF-8,
    then windows-1252 (what browsers assume for undeclared Western pages)."""
    bom = split_bom(data)
    if bom is not None:
        return bom[1].decode(bom[0], "replace")
    declared = _META_CHARSET.search(data[:_SNIFF_BYTES])
    label = _page_encoding(declared.group(1).decode("ascii")) if declared else None
    if label is not None:
        return data.decode(label, "replace")
    return decode_8bit(data)


def _page_encoding(label: str) -> str | None:
    # A page can't really be UTF-16 if the declaration was readable as ASCII (HTML spec):
    # codec_name refuses it, and the page is read as undeclared.
    name = codec_name(label)
    # Browsers treat "latin-1"/"ascii" labels as windows-1252; so do we.
    return "cp1252" if name in LATIN1_CODECS else name


# --- feeds ---------------------------------------------------------------------------------


def _document_base(doc: lxml.html.HtmlElement, base_url: str) -> str:
    for base in doc.iter("base"):
        href = (base.get("href") or "").strip()
        if href:
            resolved = _join(base_url, href)
            return resolved if resolved is not None else base_url
    return base_url


def _feed_link(link: lxml.html.HtmlElement, base: str) -> DiscoveredFeed | None:
    rel = (link.get("rel") or "").lower().split()
    if "alternate" not in rel and "feed" not in rel:
        return None
    media_type = (link.get("type") or "").split(";")[0].strip().lower()
    if media_type not in FEED_TYPES:
        return None
    href = (link.get("href") or "").strip()
    if not href:
        return None
    url = _join(base, _unwrap_feed_scheme(href))
    if url is None:
        return None
    return DiscoveredFeed(url=url, title=_clean(link.get("title")), type=media_type)


def _unwrap_feed_scheme(href: str) -> str:
    """``feed://host/x`` → ``http://host/x``; ``feed:https://host/x`` → ``https://host/x``."""
    if not href[:5].lower() == "feed:":
        return href
    rest = href[5:]
    if rest.startswith("//"):
        return "http:" + rest
    return rest


def _join(base: str, href: str) -> str | None:
    """Resolve ``href`` against ``base``; None unless the result is an http(s) URL with a host."""
    try:
        url = urljoin(base, href)
        parts = urlsplit(url)
    except ValueError:  # e.g. an invalid IPv6 literal
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


# --- metadata ------------------------------------------------------------------------------


def _meta_values(doc: lxml.html.HtmlElement) -> dict[str, str]:
    """The first non-empty content for each meta name/property, keys lower-cased."""
    values: dict[str, str] = {}
    for meta in doc.iter("meta"):
        content = meta.get("content")
        if not content or not content.strip():
            continue
        for attribute in ("property", "name"):
            key = (meta.get(attribute) or "").strip().lower()
            if key:
                values.setdefault(key, content)
    return values


def _title_element_text(doc: lxml.html.HtmlElement) -> str | None:
    # The document title, not an SVG <title> further down: prefer the one in <head>.
    head = doc.find("head")
    candidates = head.iter("title") if head is not None else doc.iter("title")
    for title in candidates:
        text = title.text_content()
        if text.strip():
            return str(text)
    return None


def _first_text(*candidates: str | None) -> str | None:
    return next((c for c in map(_clean, candidates) if c), None)


def _clean(value: str | None) -> str | None:
    """One line of plain text: no script, no escapes or control characters, whitespace
    collapsed."""
    if value is None:
        return None
    return clean_line(drop_script(value.replace("\ufffd", ""))) or None
