"""A reading list in Markdown, the kind a person pastes into a mail or a wiki page::

    # conference2.0

    What I read while following how social media change conferences.

    - [Hybrid conferences that work](https://example.org/hybrid) — 2024-05-01 · conference2.0
      A checklist for hybrid conferences, from the venue to the stream.
      > Good checklist for the next event.

Entries stay in the order given. Text is escaped so that titles and notes show literally
(no stray emphasis, links, headings or raw HTML), and link targets cannot break out of the
parentheses.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from datetime import datetime

from pkm.formats._shared import entry_date, html_to_text, is_web_url, summary_html, utc
from pkm.text import clean_block, clean_line
from pkm.types import Entry

__all__ = ["dump", "escape", "escape_url"]

# A summary longer than this is cut at a word: the list shows what each link is about.
SUMMARY_CHARS = 300

# Backslash escapes are valid before any ASCII punctuation in CommonMark; escape those that
# can start markup anywhere in a line.
_INLINE_RE = re.compile(r"([\\`*_\[\]<>!|~{}])")
# ...and those that only mean something at the start of a line.
_LINE_START_RE = re.compile(r"^(\s*)([#>+=-]|\d+(?=[.)]))")
_ENTITY_RE = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
_URL_UNSAFE = {
    " ": "%20",
    "(": "%28",
    ")": "%29",
    "<": "%3C",
    ">": "%3E",
    "\\": "%5C",
    "[": "%5B",
    "]": "%5D",
    "`": "%60",
    '"': "%22",
    "'": "%27",
    "\n": "",
    "\t": "",
}
_URL_UNSAFE_RE = re.compile("[ ()<>\\\\\\[\\]`\"'\n\t]")


def escape(text: str) -> str:
    """Escape one line of text so Markdown shows it literally."""
    text = _INLINE_RE.sub(r"\\\1", text)
    text = _ENTITY_RE.sub("&amp;", text)
    return _LINE_START_RE.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def escape_url(url: str) -> str:
    """Percent-encode what would end or break a ``(...)`` link target."""
    return _URL_UNSAFE_RE.sub(lambda m: _URL_UNSAFE[m.group(0)], clean_line(url))


def dump(
    entries: Sequence[Entry],
    *,
    title: str,
    description: str | None = None,
    generated: datetime | None = None,
    link: str | None = None,
) -> str:
    lines = [f"# {escape(clean_line(title)) or 'Reading list'}", ""]
    if description:
        for line in clean_block(description).split("\n"):
            lines.append(escape(line.strip()))
        lines.append("")
    meta: list[str] = []
    if link and is_web_url(link):
        meta.append(f"<{escape_url(link)}>")
    count = len(entries)
    meta.append(f"{count} link" + ("" if count == 1 else "s"))
    if generated is not None:
        meta.append(f"exported {utc(generated):%Y-%m-%d}")
    lines.append(" · ".join(meta))
    lines.append("")
    for entry in entries:
        lines.extend(_entry_lines(entry))
    return "\n".join(lines).rstrip("\n") + "\n"


def _entry_lines(entry: Entry) -> list[str]:
    text = escape(clean_line(entry.title) or clean_line(entry.url) or f"entry {entry.id}")
    if entry.url and is_web_url(entry.url):
        head = f"- [{text}]({escape_url(entry.url)})"
    else:
        head = f"- {text}"
    details: list[str] = []
    when = entry_date(entry)
    if when is not None:
        details.append(f"{utc(when):%Y-%m-%d}")
    source = clean_line(entry.feed_title)
    if source:
        details.append(f"*{escape(source)}*")
    tags = [escape(t) for t in (clean_line(tag) for tag in entry.tags) if t]
    if tags:
        details.append(", ".join(tags))
    if details:
        head += " — " + " · ".join(details)
    lines = [head]
    summary = html_to_text(summary_html(entry))
    if summary:  # a taste of the article, below its link
        lines.append(f"  {escape(textwrap.shorten(summary, SUMMARY_CHARS, placeholder=' …'))}")
    note = clean_block(entry.note)
    if note:
        for line in note.split("\n"):
            line = line.strip()
            lines.append(f"  > {escape(line)}" if line else "  >")
    return lines
