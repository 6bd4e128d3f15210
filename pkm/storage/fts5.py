"""A parsed query's words (:data:`pkm.query.Words`) as an SQLite FTS5 MATCH expression.

Every word and phrase becomes a double-quoted FTS5 string (internal ``"`` doubled), a
prefix ``"word" *``, and the operators are written out (``AND``/``OR``/``NOT``, a
compound operand in parentheses), so FTS5 syntax in user text (``NEAR(``, ``^``, ``:``,
``+``, ``*``) is always literal.  The unicode61 tokenizer folds case and accents.
"""

from __future__ import annotations

from pkm.query import AllOf, Term, Without, Words

__all__ = ["FTS_TABLE", "SAVES_FTS_TABLE", "match_expression", "quote"]

# Must equal pkm.storage.models' FTS_TABLE and SAVES_FTS_TABLE (not imported: that pulls
# in SQLAlchemy). Their rowids are entries.id and saves.id (content_rowid='id').
FTS_TABLE = "entries_fts"
SAVES_FTS_TABLE = "saves_fts"


def quote(text: str) -> str:
    """``text`` as one FTS5 string: a word, or a phrase of its words."""
    return '"' + text.replace('"', '""') + '"'


def match_expression(words: Words) -> str:
    """The FTS5 MATCH expression that matches what ``words`` means."""
    if isinstance(words, Term):
        return quote(words.text) + (" *" if words.prefix else "")
    if isinstance(words, Without):
        return f"{_operand(words.base)} NOT {_operand(words.excluded)}"
    joint = " AND " if isinstance(words, AllOf) else " OR "
    return joint.join(_operand(item) for item in words.items)


def _operand(words: Words) -> str:
    text = match_expression(words)
    return text if isinstance(words, Term) else f"({text})"
