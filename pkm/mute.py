"""Mute rules: what a scan should not show (the items are still stored and searchable).

A rule is one or more terms, all of which must match:

- ``title:"sponsored post"`` or ``title:sponsored``: in the title;
- ``feed:NAME``: the feed's title;
- ``author:NAME``: the author;
- a word or ``"a phrase"``: anywhere in the title, author or text.

Matching ignores case and accents and takes whole words (``ad`` does not mute "read").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from pkm.errors import UsageError

FIELDS = ("title", "feed", "author", "any")
_TERM = re.compile(r'\s*(?:(\w+):)?(?:"([^"]*)"|(\S+))')


@dataclass(frozen=True)
class MuteRule:
    id: int
    text: str
    terms: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Muteable:
    """The parts of an entry a rule looks at."""

    title: str | None
    feed: str | None
    author: str | None
    text: str | None


def fold(text: str) -> str:
    """Case and accents folded: "Ideeën" and "ideeen" compare equal."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def parse_rule(text: str) -> tuple[tuple[str, str], ...]:
    """The terms of a rule, or UsageError saying what is wrong with it."""
    if text.count('"') % 2:
        raise UsageError(f"unbalanced quote in mute rule {text!r}")
    terms: list[tuple[str, str]] = []
    position = 0
    stripped = text.strip()
    while position < len(stripped):
        match = _TERM.match(stripped, position)
        if match is None or match.end() == position:
            raise UsageError(f"cannot read mute rule {text!r} at position {position}")
        field, quoted, bare = match.group(1), match.group(2), match.group(3)
        value = quoted if quoted is not None else bare
        if field is not None and field.lower() not in FIELDS:
            raise UsageError(f"unknown field {field}: in mute rule (use title:, feed:, author:)")
        folded = " ".join(fold(value or "").split())
        if not folded:
            raise UsageError(f"empty term in mute rule {text!r}")
        terms.append(((field or "any").lower(), folded))
        position = match.end()
        while position < len(stripped) and stripped[position].isspace():
            position += 1
    if not terms:
        raise UsageError("a mute rule needs at least one word, phrase or field:value")
    return tuple(terms)


def matches(terms: tuple[tuple[str, str], ...], item: Muteable) -> bool:
    return all(_term_matches(field, value, item) for field, value in terms)


def _term_matches(field: str, value: str, item: Muteable) -> bool:
    if field == "any":
        haystack = " ".join(part for part in (item.title, item.author, item.text) if part)
    else:
        haystack = getattr(item, field) or ""
    return _contains_words(fold(haystack), value)


def _contains_words(haystack: str, words: str) -> bool:
    pattern = r"(?<!\w)" + r"\s+".join(re.escape(w) for w in words.split()) + r"(?!\w)"
    return re.search(pattern, haystack) is not None
