"""Tag names: trimmed, spaces as dashes, compared case-insensitively, display case kept.

Every tag enters through :func:`clean_tag` (tag, save, import, rename, and ``#tag`` in a
query), so a tag that can be stored can be searched: the characters the query language
gives a meaning to (``"``, ``(``, ``)``, ``*``) and the comma that separates tags in
bookmark files are refused.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from pkm.errors import InvalidTagError
from pkm.text import remove_escapes

MAX_TAG_LENGTH = 100
_RESERVED = {",": "commas", '"': "quotes", "(": "parentheses", ")": "parentheses", "*": "asterisks"}


def clean_tag(raw: str) -> str:
    """The display form of a tag, or InvalidTagError. Idempotent."""
    text = raw
    if not text.isprintable():  # the rare tag with control or format characters
        text = "".join(ch for ch in remove_escapes(text) if _visible(ch))
    # NFC after removing them: "A\x1b\u0300" is "A\u0300" without the ESC, and that is "À".
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    text = "-".join(text.split())
    text = text.lstrip("#")
    if not text:
        raise InvalidTagError(f"empty tag: {raw!r}")
    reserved = sorted({_RESERVED[ch] for ch in text if ch in _RESERVED})
    if reserved:
        raise InvalidTagError(f"tags cannot contain {' or '.join(reserved)}: {raw!r}")
    if len(text) > MAX_TAG_LENGTH:
        raise InvalidTagError(f"tag longer than {MAX_TAG_LENGTH} characters: {text[:20]!r}…")
    return text


def _visible(char: str) -> bool:
    return char.isspace() or unicodedata.category(char)[0] != "C"


def tag_key(name: str) -> str:
    """Identity of a tag: 'Conference2.0' and 'conference2.0' are one tag. Idempotent.

    NFC again after case folding, which can uncompose: "ß\u0301" folds to "ss\u0301",
    whose NFC is "sś", so without it the key of a key was another key.
    """
    return _key_of_clean(clean_tag(name))


def _key_of_clean(name: str) -> str:
    folded = name.casefold()
    if unicodedata.is_normalized("NFC", folded):
        return folded
    return unicodedata.normalize("NFC", folded)


def clean_tags(raw: Iterable[str]) -> list[str]:
    """Cleaned, de-duplicated by key, in the order given."""
    seen: set[str] = set()
    result = []
    for item in raw:
        name = clean_tag(item)
        key = _key_of_clean(name)
        if key not in seen:
            seen.add(key)
            result.append(name)
    return result


def changed_names(raw: Iterable[str]) -> list[tuple[str, str]]:
    """The tags given whose stored form differs from what was typed (beyond the spaces
    around it): ``("two words", "two-words")``, so the user can be told."""
    changed = []
    for item in raw:
        name = clean_tag(item)
        if name != item.strip():
            changed.append((item, name))
    return changed


def salvage_tag(raw: str) -> str | None:
    """A tag from another tool's file, made storable rather than refused: its bookmark
    matters more than the tag's punctuation. None when nothing of it is left."""
    text = "".join(ch for ch in raw if ch not in _RESERVED).strip()[:MAX_TAG_LENGTH]
    try:
        return clean_tag(text)
    except InvalidTagError:  # nothing visible was left
        return None
