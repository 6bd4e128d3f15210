"""Full-text search: the one owner of how the FTS5 index is queried and ranked.

Ranking is BM25 with column weights (title and tags above notes, notes above the
body, feed and host lowest); saved entries get a gentle boost; ties go to the newer.
"""

from __future__ import annotations

import sqlite3

from pkm.query import Query, where_clause
from pkm.storage.rows import ENTRY_LIST_COLUMNS, entry_from_row
from pkm.types import SearchHit

# Weights in the order of the FTS columns: title, tags_text, note, text, source.
BM25_WEIGHTS = (10.0, 8.0, 4.0, 1.0, 2.0)
SAVED_BOOST = 1.25
_MARK_START, _MARK_END = "\x02", "\x03"
_SNIPPET_TOKENS = 16


def search(
    conn: sqlite3.Connection, query: Query, *, limit: int = 20, offset: int = 0
) -> list[SearchHit]:
    where, params = where_clause(query)
    if query.match is None:
        sql = (
            f"SELECT {ENTRY_LIST_COLUMNS}, NULL, NULL FROM entries e"
            " LEFT JOIN feeds f ON f.id = e.feed_id"
            + (f" WHERE {where}" if where else "")
            + " ORDER BY e.sort_date DESC, e.id DESC LIMIT ? OFFSET ?"
        )
        rows = conn.execute(sql, [*params, limit, offset])
    else:
        weights = ", ".join(str(w) for w in BM25_WEIGHTS)
        sql = (
            f"SELECT {ENTRY_LIST_COLUMNS},"
            f" snippet(entries_fts, -1, '{_MARK_START}', '{_MARK_END}', '…', {_SNIPPET_TOKENS}),"
            f" bm25(entries_fts, {weights})"
            f" * (CASE WHEN e.saved_at IS NULL THEN 1.0 ELSE {SAVED_BOOST} END) AS score"
            " FROM entries_fts JOIN entries e ON e.id = entries_fts.rowid"
            " LEFT JOIN feeds f ON f.id = e.feed_id"
            " WHERE entries_fts MATCH ?"
            + (f" AND {where}" if where else "")
            + " ORDER BY score, e.sort_date DESC, e.id DESC LIMIT ? OFFSET ?"
        )
        rows = conn.execute(sql, [query.match, *params, limit, offset])
    return [_hit(row) for row in rows]


def _hit(row: tuple[object, ...]) -> SearchHit:
    raw_snippet, score = row[-2], row[-1]
    snippet, spans = _highlights(raw_snippet) if isinstance(raw_snippet, str) else (None, ())
    return SearchHit(
        entry=entry_from_row(row),
        snippet=snippet,
        highlights=spans,
        rank=float(score) if isinstance(score, (int, float)) else None,
    )


def _highlights(marked: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """Split FTS5's marked snippet into plain text and the spans that matched."""
    plain: list[str] = []
    spans: list[tuple[int, int]] = []
    length = 0
    start = 0
    for char in marked:
        if char == _MARK_START:
            start = length
        elif char == _MARK_END:
            spans.append((start, length))
        else:
            plain.append(char)
            length += 1
    return "".join(plain), tuple(spans)
