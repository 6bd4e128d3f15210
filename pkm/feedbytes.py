"""A feed's bytes made readable before any parser sees them.

Feeds in the wild hold control bytes, declare one encoding and use another, use HTML's
named entities that XML does not define, write emoji as pairs of surrogate references,
and now and then declare entities that would expand to gigabytes. Each is undone (or
refused) here, on bytes, so that the strict fast path of :mod:`pkm.parse` can read most
feeds and feedparser's fallback never meets an entity bomb.
"""

from __future__ import annotations

import re
from html.entities import name2codepoint

from pkm.errors import ParseError
from pkm.text import ESCAPE_BYTES, LATIN1_CODECS, XML_ILLEGAL_BYTES, charset_of, decode_8bit

__all__ = [
    "FIRST_ELEMENT",
    "fix_char_refs",
    "fix_encoding",
    "html_entities_to_refs",
    "is_wide",
    "prepared",
    "refuse_entity_expansion",
    "remove_control_bytes",
]

# Removed from an 8-bit document before parsing: escape sequences whole, then C0 control
# bytes (illegal in XML 1.0).
_CONTROL_BYTES = re.compile(ESCAPE_BYTES + b"|" + XML_ILLEGAL_BYTES)
_ANY_CONTROL_BYTE = re.compile(XML_ILLEGAL_BYTES)
FIRST_ELEMENT = re.compile(rb"<\w")
# Character references of 4+ hex or 5+ decimal digits, one or a pair: where the bad ones are.
_BIG_CHAR_REF = rb"&#(x0*[0-9a-f]{4,}|0*[0-9]{5,});"
_BIG_CHAR_REFS = re.compile(_BIG_CHAR_REF + b"(?:" + _BIG_CHAR_REF + b")?", re.I)
_HTML_ENTITY = re.compile(rb"&(?!(?:amp|lt|gt|quot|apos);)([A-Za-z][A-Za-z0-9]{1,15});")
_ENTITY_DECL = re.compile(rb"<!ENTITY([^>]*)>")
_HARMLESS_ENTITY = re.compile(rb'\s+\w+\s+"(?:&#\w+;|[^&%"]{0,64})"\s*')
_XML_ENCODING = re.compile(rb"\s*<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9._-]+)")
_LATIN1_NAMES = {b"iso-8859-1", b"latin-1", b"latin1", b"windows-1252", b"cp1252", b"us-ascii"}


def prepared(body: bytes, content_type: str | None) -> bytes:
    """``body`` with control bytes dropped, its encoding mistakes undone and its entities
    and character references made ones XML reads (see the functions below)."""
    return fix_char_refs(
        html_entities_to_refs(fix_encoding(remove_control_bytes(body), content_type))
    )


def is_wide(body: bytes) -> bool:
    """UTF-16/32 (by BOM or by '<' padded with NULs), where NUL bytes are legitimate."""
    return body[:2] in (b"\xff\xfe", b"\xfe\xff") or 0 in body[:4]


def remove_control_bytes(body: bytes) -> bytes:
    """Drop C0 control bytes (NUL, ESC, ...) that make an 8-bit document ill-formed."""
    if is_wide(body) or (b"\x1b" in body and b"2022" in body[:256]):  # ISO-2022 uses ESC
        return body
    return _CONTROL_BYTES.sub(b"", body) if _ANY_CONTROL_BYTE.search(body) else body


def fix_encoding(body: bytes, content_type: str | None = None) -> bytes:
    """Undo the common encoding mistakes, so that the fast path can read the document.

    The document's own declaration comes first, then the HTTP charset, then UTF-8, then
    Windows-1252 (:func:`pkm.text.decode_8bit`). Declared Latin-1/cp1252/ASCII but plainly
    UTF-8: the declaration is changed to UTF-8. Undeclared, or declared UTF-8, but not valid
    UTF-8: the document is rewritten as UTF-8 from the HTTP charset when there is one, else
    from decode_8bit's guess (Latin-1 feeds are written by hand without a declaration).
    """
    if body.isascii() or is_wide(body):
        return body
    declaration = _XML_ENCODING.match(body)
    declared = declaration.group(1).lower() if declaration else b"utf-8"
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        if declared not in (b"utf-8", b"utf8"):
            return body
        charset = None if declaration else charset_of(content_type)
        if charset is None or charset == "utf-8":
            return decode_8bit(body).encode("utf-8")
        # Browsers read a Latin-1 label as cp1252, and so do feed writers.
        charset = "cp1252" if charset in LATIN1_CODECS else charset
        return body.decode(charset, "replace").encode("utf-8")
    if declaration is None or declared not in _LATIN1_NAMES:
        return body
    return body[: declaration.start(1)] + b"utf-8" + body[declaration.end(1) :]


def html_entities_to_refs(body: bytes) -> bytes:
    """Write HTML's named entities (&eacute;), undefined in XML, as character references.

    lxml and feedparser's SAX parser would drop them (RSS 0.91's DTD, say, is never loaded).
    """
    if _HTML_ENTITY.search(body) is None:
        return body

    def numeric(match: re.Match[bytes]) -> bytes:
        codepoint = name2codepoint.get(match.group(1).decode())
        return b"&#%d;" % codepoint if codepoint else match.group(0)

    return _HTML_ENTITY.sub(numeric, body)


def fix_char_refs(body: bytes) -> bytes:
    """Join UTF-16 surrogate pairs written as two references (&#55357;&#56832;), and make
    references to no character at all (lone surrogates, past U+10FFFF) read U+FFFD."""
    return _BIG_CHAR_REFS.sub(_fixed_char_refs, body) if b"&#" in body else body


def _fixed_char_refs(match: re.Match[bytes]) -> bytes:
    codes = [int(ref[1:], 16) if ref[:1] in b"xX" else int(ref) for ref in match.groups() if ref]
    if len(codes) == 2 and 0xD800 <= codes[0] < 0xDC00 <= codes[1] < 0xE000:
        return b"&#%d;" % (0x10000 + ((codes[0] - 0xD800) << 10) + codes[1] - 0xDC00)
    return b"".join(
        b"&#xFFFD;" if 0xD800 <= code < 0xE000 or code > 0x10FFFF else b"&#%d;" % code
        for code in codes
    )


def refuse_entity_expansion(body: bytes) -> None:
    """Refuse DTD entities that could expand hugely (billion laughs, quadratic blow-up).

    lxml is run with entity resolution off, but feedparser's fallback parser expands the
    entities it finds in the prolog; only short literal ones are let through to it.
    """
    probe = body.replace(b"\x00", b"") if is_wide(body) else body
    first = FIRST_ELEMENT.search(probe)
    head = probe[: first.start()] if first else probe
    for declaration in _ENTITY_DECL.findall(head):
        if not _HARMLESS_ENTITY.fullmatch(declaration):
            raise ParseError("refused: the feed declares XML entities that could expand hugely")
