"""What every format module shares: stable ids, dates, sanitized HTML, and decoding the
files other tools write. (The helpers for reading other tools' bookmark files are in
:mod:`pkm.formats._common`.)"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

from pkm.text import LATIN1_CODECS, clean_line, codec_name, split_bom, strip_control
from pkm.types import Entry

# Namespace for the name-based UUIDs that serve as stable ids in Atom and JSON Feed exports:
# uuid5(NAMESPACE_URL, "https://pkm.invalid/"). Never change it: ids would change with it.
PKM_NAMESPACE = "63e84d0c-d7f2-54d6-b8f8-ea70ce291910"


def _uuid5(name: str) -> str:
    import uuid  # imported here: it costs more than the rest of this package

    return f"urn:uuid:{uuid.uuid5(uuid.UUID(PKM_NAMESPACE), name)}"


def is_web_url(url: str | None) -> bool:
    """True for an absolute http(s) URL with a host: the only links exports make clickable."""
    if not url:
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def entry_date(entry: Entry) -> datetime | None:
    """The date a reading list shows for an entry: when it was saved, else published."""
    return entry.saved or entry.published or entry.first_seen


def entry_uid(entry: Entry) -> str:
    """A stable id for an exported entry: a name-based UUID URN derived from its URL.

    The same URL gives the same id in every export (and from every pkm store); an entry
    without a URL falls back to its store id.
    """
    return _uuid5(entry.url if entry.url else f"pkm:entry:{entry.id}")


def feed_uid(title: str, link: str | None) -> str:
    """A stable id for an exported list: derived from its link, else its title."""
    return _uuid5("pkm:list:" + (link or title))


def utc(dt: datetime) -> datetime:
    """``dt`` in UTC; naive datetimes are taken to be UTC already."""
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def iso8601(dt: datetime) -> str:
    """RFC 3339 timestamp in UTC with a ``Z``, whole seconds: ``2024-05-01T09:30:00Z``."""
    return utc(dt).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def sanitize_html(fragment: str | None) -> str:
    """An HTML fragment made safe to show in a browser: no script, no event handlers, no
    ``javascript:`` URLs, no images (they would load from remote hosts when opened)."""
    if not fragment:
        return ""
    import nh3

    tags = set(nh3.ALLOWED_TAGS) - {"img"}
    return nh3.clean(
        strip_control(fragment),
        tags=tags,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    ).strip()


def html_to_text(fragment: str | None) -> str:
    """The plain text of an HTML fragment (tags dropped, script/style content removed)."""
    if not fragment:
        return ""
    import html

    import nh3

    # Cleaned once the entities are decoded: "\x1b[&#51;1m" is an escape sequence too.
    return clean_line(html.unescape(nh3.clean(fragment, tags=set())))


def summary_html(entry: Entry) -> str:
    """What an export shows of an entry's content, sanitized: a feed item's summary, or the
    description of a page saved by URL (plain text, kept in its ``text``)."""
    if entry.summary:
        return sanitize_html(entry.summary)
    if entry.feed_id is None and entry.text:
        import html

        return f"<p>{html.escape(clean_line(entry.text))}</p>"
    return ""


# --- decoding import files --------------------------------------------------------------


def decode_markup(data: bytes, declared: str | None) -> tuple[str, str | None]:
    """Decode an import file: BOM first, then the declared encoding, then UTF-8, then
    Windows-1252. Returns the text and, when the declaration could not be trusted, a
    one-line problem saying how the file was read."""
    bom = split_bom(data)
    if bom is not None:
        return bom[1].decode(bom[0], errors="replace"), None
    head = data[:4]
    if head[:2] == b"<\x00" and head[2:4] != b"\x00\x00":
        return data.decode("utf-16-le", errors="replace"), None
    if head[:2] == b"\x00<":
        return data.decode("utf-16-be", errors="replace"), None
    codec = codec_name(declared)
    if codec is not None and codec not in ("utf-8",):
        try:
            text = data.decode(codec)
        except Exception:
            pass
        else:
            if codec in LATIN1_CODECS and not data.isascii():
                # A file declared Latin-1 that is valid UTF-8 is almost certainly UTF-8.
                try:
                    utf8 = data.decode("utf-8")
                except UnicodeDecodeError:
                    return text, None
                return utf8, f"declared encoding {declared} but the file is UTF-8; read as UTF-8"
            return text, None
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    said = declared if declared else "UTF-8"
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    return text, f"not valid {said}; read as Windows-1252"
