"""Text hygiene, decided once: what is removed from untrusted text, and how bytes become text.

Everything pkm stores or prints comes from somewhere it does not control (feeds, pages,
import files, a pasted note), so every place that cleans text asks this module. Pure.

Escape sequences are removed whole, as a terminal would read them, so that nothing of
them is left behind: ``"\\x1b[31mRED"`` is ``"RED"``, not ``"[31mRED"``.
"""

from __future__ import annotations

import codecs
import functools
import re

__all__ = [
    "BIDI_CONTROLS",
    "ESCAPE_BYTES",
    "LATIN1_CODECS",
    "XML_ILLEGAL_BYTES",
    "clean_block",
    "clean_line",
    "charset_of",
    "codec_name",
    "controls_as_spaces",
    "decode_8bit",
    "drop_script",
    "feed_text",
    "remove_escapes",
    "split_bom",
    "strip_control",
    "terminal_text",
    "xml_legal",
]

# Unicode controls that reorder text: a title can make a list, or a terminal, show a URL
# or a name backwards ("Trojan Source").
BIDI_CONTROLS = "\u200e\u200f\u202a-\u202e\u2066-\u2069"

# ECMA-48 sequences, 7-bit (ESC ...) and 8-bit (a C1 introducer):
#   CSI  ESC [ or 0x9B, parameter bytes, intermediate bytes, one final byte;
#   OSC  ESC ] or 0x9D, up to BEL or ST (ESC \\ or 0x9C);
#   DCS, SOS, PM, APC  ESC P/X/^/_ or 0x90/0x98/0x9E/0x9F, up to ST;
#   and the short escapes: ESC, intermediate bytes (ESC ( B), one final byte (ESC c, ESC 7).
# A string without its terminator runs to the end, as it would on a terminal. A lone
# ESC left over is removed with the other controls.


def _escape_pattern(st: str, stop: str, *, markup: bool = False) -> str:
    """The 7-bit sequences, with ``st`` the string terminators and ``stop`` the bytes that
    end a string's body. In ``markup`` not parsed yet, "<" and "&" are markup, never part
    of a sequence, and a reference may stand for one of its bytes ("&lt;" or "&#60;")."""
    parameter, intermediate, final = "[0-?]", "[ -/]", "[0-~]"
    if markup:
        number = "&#(?:[0-9]{1,7}|x[0-9a-fA-F]{1,6});|"
        parameter = f"(?:{number}&[lg]t;|[0-;=-?])"
        intermediate = f"(?:{number}&amp;|&quot;|&apos;|[ -%'-/])"
        final = f"(?:{number}&[lg]t;|[0-;=-~])"
    return (
        rf"\x1b\[{parameter}*{intermediate}*[@-~]"
        rf"|\x1b\][^\x07{stop}]*(?:\x07|{st})?"
        rf"|\x1b[PX^_][^{stop}]*(?:{st})?"
        rf"|\x1b{intermediate}*{final}"
    )


_ESCAPES_7BIT = _escape_pattern(r"\x1b\\|\x9c", r"\x1b\x9c")
_ESCAPES = re.compile(
    _ESCAPES_7BIT + r"|\x9b[0-?]*[ -/]*[@-~]"
    r"|\x9d[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|[\x90\x98\x9e\x9f][^\x1b\x9c]*(?:\x1b\\|\x9c)?"
)
_ESCAPE_START = re.compile("[\x1b\x90\x98\x9b\x9d\x9e\x9f]")
# For markup not parsed yet: 7-bit only (0x9B and 0x9C are parts of characters in UTF-8
# and letters in other encodings); as bytes, for a document not decoded yet.
_ESCAPES_IN_MARKUP = _escape_pattern(r"\x1b\\", r"\x1b", markup=True)
ESCAPE_BYTES = _ESCAPES_IN_MARKUP.encode()
# What XML 1.0 forbids: C0 controls but tab, newline and carriage return; lone surrogates;
# U+FFFE and U+FFFF. As bytes, the C0 controls.
XML_ILLEGAL_BYTES = rb"[\x00-\x08\x0b\x0c\x0e-\x1f]"
_XML_ILLEGAL = re.compile(
    _ESCAPES_IN_MARKUP + "|[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]"
)

# C0 controls but tab, newline and carriage return; DEL and C1; lone surrogates; the two
# non-characters XML 1.0 forbids; the bidi controls.
_CONTROLS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff" + BIDI_CONTROLS + "]"
)
_SPACE = re.compile(r"\s+")
# What clean_line changes: whitespace other than single spaces, and what _CONTROLS removes.
_UNCLEAN_LINE = re.compile(
    "[^\\S ]|  |[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff" + BIDI_CONTROLS + "]"
)
_TERMINAL_SPACE = re.compile(r"[\t\n]+")

# Feed text: C0 but tab and newline, DEL and C1, lone surrogates. C1 "controls" in feeds are
# nearly always cp1252 punctuation (&#x85; for "…"): HTML reads them so, and so does
# feedparser; so here they are translated first, and 0x9B is "›", not a CSI.
_FEED_CONTROLS = "[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]"
_C1_AS_CP1252 = {c: bytes([c]).decode("cp1252", "ignore") or None for c in range(0x80, 0xA0)}
_FEED_ESCAPES = re.compile(_ESCAPES_7BIT)

# A NUL inside an FTS5 string ends it early.
_CONTROLS_AS_SPACES = dict.fromkeys((*range(32), 127), " ")


def remove_escapes(text: str) -> str:
    """``text`` without terminal escape sequences, each removed whole."""
    if _ESCAPE_START.search(text) is None:
        return text
    return _ESCAPES.sub("", text)


def strip_control(text: str) -> str:
    """Escape sequences and control characters removed, keeping tab and newline; CR LF and
    CR become LF."""
    text = _CONTROLS.sub("", remove_escapes(text))
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def clean_line(text: str | None) -> str:
    """One line of plain text: escapes and controls removed, whitespace runs collapsed."""
    if not text:
        return ""
    if _UNCLEAN_LINE.search(text) is None:  # most lines: skip the regular expressions
        return text.strip(" ")
    return _SPACE.sub(" ", _CONTROLS.sub("", remove_escapes(text))).strip()


def clean_block(text: str | None) -> str:
    """Multi-line plain text (a note): escapes and controls removed, line ends normalised."""
    if not text:
        return ""
    lines = strip_control(text).split("\n")
    return "\n".join(line.rstrip() for line in lines).strip("\n")


def xml_legal(markup: str) -> str:
    """Markup without escape sequences and the characters XML 1.0 forbids, so that it
    parses (and no sequence is left half removed once it has)."""
    return _XML_ILLEGAL.sub("", markup)


def terminal_text(text: str, *, multiline: bool = False) -> str:
    """Text safe to show on a terminal: no escape sequences, no control characters (a
    carriage return would move the cursor back over what was printed)."""
    value = _CONTROLS.sub("", remove_escapes(text)).replace("\r", "")
    return value if multiline else _TERMINAL_SPACE.sub(" ", value)


def feed_text(text: str) -> str:
    """Text from a feed: C1 characters read as cp1252, escapes and controls (but tab and
    newline) removed. Bidi controls stay: they are part of right-to-left titles, and are
    removed where text is shown."""
    controls = _compiled(_FEED_CONTROLS)
    if controls.search(text) is None:
        return text
    return controls.sub("", _FEED_ESCAPES.sub("", text.translate(_C1_AS_CP1252)))


def controls_as_spaces(text: str) -> str:
    """C0 controls and DEL as spaces: for a query, where removing them would join words."""
    return text.translate(_CONTROLS_AS_SPACES)


# Elements whose text a browser never shows: code, style rules, inert templates, and what
# only a browser without scripts shows. Their text is no part of a title or of search text.
_HIDDEN_NAMES = ("script", "style", "template", "noscript")
# "[^<>]*", not "[^>]*": a search for each "<script" then stops at the next tag, so that a
# title of a million unclosed "<script" costs linear time, not quadratic.
_HIDDEN_START = re.compile(r"<(" + "|".join(_HIDDEN_NAMES) + r")\b[^<>]*>", re.I)
_HIDDEN_END = {name: re.compile(rf"</{name}\s*>", re.I) for name in _HIDDEN_NAMES}
# A start tag, quoted attribute values included (onerror="a>b"), and an event handler in it.
_START_TAG = re.compile(r"""<[A-Za-z][^\s/<>]*(?:[^<>"']|"[^"<]*"|'[^'<]*')*>""")
_EVENT_HANDLER = re.compile(r"""[\s"'/]on[a-z]+\s*=""", re.I)


def drop_script(markup: str) -> str:
    """``markup`` without what a browser never shows as text: script, style, template and
    noscript elements with their content, and tags that carry an event handler."""
    if "<" not in markup:
        return markup
    parts = []
    position = 0
    unclosed: set[str] = set()
    while (start := _HIDDEN_START.search(markup, position)) is not None:
        name = start.group(1).lower()
        end = None if name in unclosed else _HIDDEN_END[name].search(markup, start.end())
        if end is None:  # an unclosed <script> is only a tag: "Why <script> blocks"
            unclosed.add(name)
            parts.append(markup[position : start.end()])
            position = start.end()
            continue
        parts.append(markup[position : start.start()] + " ")
        position = end.end()
    markup = "".join(parts) + markup[position:]
    if _EVENT_HANDLER.search(markup) is None:
        return markup
    return _START_TAG.sub(_without_handler, markup)


def _without_handler(tag: re.Match[str]) -> str:
    return " " if _EVENT_HANDLER.search(tag.group()) else tag.group()


# --- bytes to text --------------------------------------------------------------------------

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Codecs Python knows that no file or page is in; decoding with them would garble text or
# execute escapes.
_NOT_TEXT_ENCODINGS = frozenset(
    {"unicode-escape", "raw-unicode-escape", "idna", "punycode", "undefined", "utf-7"}
)
LATIN1_CODECS = frozenset({"iso8859-1", "cp1252", "ascii"})
# Compiled on first use (see _compiled): the widest classes take milliseconds to compile,
# at every start of pkm, for commands that never decode a document.
_STRAY_BYTES = "[\udc80-\udcff]"
_UTF8_CHARACTER = "[\u0080-\ud7ff\ue000-\U0010ffff]"
# Latin, Greek, Cyrillic; general punctuation and currency signs; emoji.
_WESTERN_CHARACTER = "[\u0080-\u07ff\u2000-\u20cf\U0001f000-\U0010ffff]"


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def split_bom(data: bytes) -> tuple[str, bytes] | None:
    """The encoding a byte order mark names and the bytes after it, or None."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding, data[len(bom) :]
    return None


def codec_name(label: str | None) -> str | None:
    """Python's name for an encoding label found in ASCII text (an XML or HTML declaration,
    an HTTP header), or None when it names no ASCII-compatible text encoding: a declaration
    readable as ASCII that names UTF-16, base64 or rot13 is wrong about the bytes it is in."""
    if not label:
        return None
    try:
        info = codecs.lookup(label)
    except (LookupError, ValueError):
        return None
    if info.name in _NOT_TEXT_ENCODINGS:
        return None
    try:
        if "<?xml charset=>".encode(info.name) != b"<?xml charset=>":
            return None
        b"<x>".decode(info.name)
    except Exception:
        return None
    return info.name


def charset_of(content_type: str | None) -> str | None:
    """The codec an HTTP Content-Type's charset parameter names, when it is a usable one."""
    for parameter in (content_type or "").split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            return codec_name(value.strip().strip("\"'"))
    return None


def decode_8bit(data: bytes) -> str:
    """Undeclared 8-bit text: UTF-8 when it is UTF-8, else Windows-1252 (Western text, as
    browsers assume), except that a UTF-8 document with a few stray cp1252 bytes (a quote
    pasted from Word) keeps its UTF-8 and only the strays are read as cp1252.

    Which one is decided for the whole text, by counting: in Latin-1 text, byte runs that
    happen to be valid UTF-8 ("é\\xa0»" reads as "頻") are far rarer than accented letters
    followed by ASCII, which are not; and they read as CJK or stranger, where a Western
    UTF-8 text has accented letters and punctuation, which count twice.
    """
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", "surrogateescape")
    stray = _compiled(_STRAY_BYTES)
    strays = len(stray.findall(text))
    utf8 = len(_compiled(_UTF8_CHARACTER).findall(text))
    utf8 += len(_compiled(_WESTERN_CHARACTER).findall(text))
    if utf8 >= strays:
        return stray.sub(_stray_as_cp1252, text)
    return data.decode("cp1252", "replace")


def _stray_as_cp1252(match: re.Match[str]) -> str:
    return match.group().encode("utf-8", "surrogateescape").decode("cp1252", "replace")
