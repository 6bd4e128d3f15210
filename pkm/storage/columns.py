"""Column types shared by the models and the migrations, so that both engines agree."""

from __future__ import annotations

import sqlalchemy as sa

# Unix seconds. INTEGER is 64 bits on SQLite but 32 on PostgreSQL, where it would end in
# 2038 and refuse the far dates some imported files carry.
SECONDS = sa.Integer().with_variant(sa.BigInteger(), "postgresql")


# The share of a byte budget taken as characters, tried in turn: the longest prefix that
# fits (all of it for ASCII, less for wider characters, a quarter at worst: no character
# is wider than 4 bytes).
_CHAR_SHARES = (1.0, 0.9, 0.75, 0.5, 1 / 3)
# Between two parts, a lexeme no query can ask for (a space): concatenated tsvectors
# number the right one's words on from the left one's last, so without it a phrase
# would match the last word of the title and the first of the tags, where FTS5's
# phrases stay inside a column. (The backslash keeps SQLAlchemy from reading ":1" as a
# bind parameter.)
_BOUNDARY = "''' ''\\:1'::tsvector"


def _capped(column: str, budget: int) -> str:
    """``column`` cut to a prefix of at most ``budget`` bytes of UTF-8, with functions a
    generated column may call (left() counts characters; octet_length() bytes)."""
    value = f"coalesce({column}, '')"
    steps = [f"WHEN octet_length({value}) <= {budget} THEN {value}"]
    for share in _CHAR_SHARES:
        chars = int(budget * share)
        steps.append(f"WHEN octet_length(left({value}, {chars})) <= {budget}")
        steps[-1] += f" THEN left({value}, {chars})"
    return f"CASE {' '.join(steps)} ELSE left({value}, {budget // 4}) END"


def tsvector_document(parts: tuple[tuple[str, int, str], ...]) -> str:
    """PostgreSQL's generated search document of (column, byte cap, weight) parts: each
    part capped in bytes so that the tsvector stays below its 1 MB limit (see 0006)."""
    return f" || {_BOUNDARY} || ".join(
        f"setweight(to_tsvector('pkm', {_capped(column, budget)}), '{weight}')"
        for column, budget, weight in parts
    )
