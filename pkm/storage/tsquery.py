"""A parsed query's words (:data:`pkm.query.Words`) as a PostgreSQL ``tsquery`` expression.

User text never reaches ``to_tsquery`` as syntax.  A word or phrase is the parameter of
``phraseto_tsquery``, which reads it as plain text (its words side by side, ``<->``);
a prefix (``async*``, ``"event lo"*``) is the phrase before its last word followed
(``<->``) by that word as one quoted tsquery literal with ``:*``: the literal is made
here (``'`` and ``\\`` doubled, which ``quote_literal`` would instead write as an
``E'…'`` string that ``to_tsquery`` cannot read), so ``&|!():*<->`` inside it are text.
AND, OR and NOT are the tsquery operators ``&&``, ``||`` and ``!!`` on the compiled
operands, each in parentheses.  The ``pkm`` text search configuration folds case and
accents, as the index does.

The SQL uses ``?`` placeholders (pkm's storage dialect; PostgresConnection translates).
"""

from __future__ import annotations

from pkm.query import AllOf, Term, Without, Words

__all__ = ["CONFIG", "compile_tsquery", "tsquery_literal"]

# The text search configuration the migrations create (simple + unaccent).
CONFIG = "pkm"


def tsquery_literal(word: str) -> str:
    """``word`` as one quoted tsquery operand with the prefix flag: ``'word':*``."""
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "':*"


def _is_word_char(ch: str) -> bool:
    cp = ord(ch)
    return ch.isalnum() or 0xE000 <= cp <= 0xF8FF or cp >= 0xF0000


def split_last_word(text: str) -> tuple[str, str]:
    """``text`` as (what comes before its last run of letters and digits, that run);
    the run is empty when there is none."""
    end = len(text)
    while end and not _is_word_char(text[end - 1]):
        end -= 1
    start = end
    while start and _is_word_char(text[start - 1]):
        start -= 1
    return text[:start], text[start:end]


def _term(term: Term, params: list[object]) -> str:
    if not term.prefix:
        params.append(term.text)
        return f"phraseto_tsquery('{CONFIG}', ?)"
    head, last = split_last_word(term.text)
    if not last:  # nothing a prefix could extend: the text as a phrase
        params.append(term.text)
        return f"phraseto_tsquery('{CONFIG}', ?)"
    prefix = f"to_tsquery('{CONFIG}', ?)"
    if not any(_is_word_char(ch) for ch in head):
        params.append(tsquery_literal(last))
        return prefix
    params.extend((head, tsquery_literal(last)))
    return f"(phraseto_tsquery('{CONFIG}', ?) <-> {prefix})"


def compile_tsquery(words: Words, params: list[object]) -> str:
    """The SQL expression (a ``tsquery``) that matches what ``words`` means; its
    parameters are appended to ``params`` in order."""
    if isinstance(words, Term):
        return _term(words, params)
    if isinstance(words, Without):
        base = compile_tsquery(words.base, params)
        excluded = compile_tsquery(words.excluded, params)
        return f"({base} && !!{excluded})"
    joint = " && " if isinstance(words, AllOf) else " || "
    return "(" + joint.join(compile_tsquery(item, params) for item in words.items) + ")"
