"""The SQL of a search on PostgreSQL: what :mod:`pkm.storage.search` answers on SQLite,
asked of the generated ``entries.fts`` tsvector and its GIN index.

The same functions and the same :class:`Ranking` interface, so that :mod:`pkm.search`
runs unchanged on both engines (it picks this module by the connection's dialect):

* Words match as ``e.fts @@ query``, the query compiled by :mod:`pkm.storage.tsquery`.
* The raw rank is ``-ts_rank_cd(weights, fts, query, 1)``: negated so that, as BM25's
  on SQLite, lower is better and the boosts (multiplications) of pkm.search lift an
  entry; the weights {D, C, B, A} mirror BM25_WEIGHTS' order (title and tags above the
  note, the note above the body and archived page, the feed's name and host far
  below); normalisation 1 divides by the log of the document's length, as BM25 favours
  the shorter of two documents with the same words.
* Ranking windows are the newest matches by id, as SQLite's by rowid.
* Snippets are ``ts_headline`` of the text, the note and the archived text, matched
  words between MARK_START and MARK_END.
* ``within``'s budget (SQLite VM instructions) is a statement timeout here; past it
  the site: search asks :func:`site_driver` (SQL both engines read), as on SQLite.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from pkm.errors import StoreError
from pkm.query import Query, Term, Words
from pkm.storage.dialect import POSTGRESQL
from pkm.storage.filters import seen_by_construction, where_clause
from pkm.storage.people import VISIBLE, entry_joins, me, save_join
from pkm.storage.rows import ENTRY_LIST_COLUMNS, entry_from_row
from pkm.storage.search import (
    MARK_END,
    MARK_START,
    Driver,
    RankedRow,
    SaveMatches,
    SqlConnection,
    by_entry,
    chosen_notes,
    count_at_most,
    counted_saves,
    drivers,
    entries_by_id,
    highest_id,
    indexed_text,
    save_conditions,
    site_driver,
)
from pkm.storage.tsquery import CONFIG, compile_tsquery
from pkm.types import Entry

__all__ = [
    "RANK_WEIGHTS",
    "Ranking",
    "drivers",
    "highest_id",
    "indexed_text",
    "match_count",
    "newest",
    "site_driver",
    "within",
]

# ts_rank_cd's weights of the labels D (source), C (text, archived text), B (a save's
# note) and A (title, a save's tags), in entries.fts and saves.fts alike.
RANK_WEIGHTS = "{0.01,0.1,0.4,1}"
# Divide the rank by 1 + log(document length), as BM25 prefers the shorter document.
_NORMALIZATION = 1
# ts_headline's choice of fragment; words as FTS5's snippet of 16 tokens.
_HEADLINE = (
    f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=16, MinWords=6,"
    " MaxFragments=1, FragmentDelimiter=…"
)
# ts_headline parses the whole text it is given: about as much as the index reads (its
# byte budgets, migration 0006).
_HEADLINE_CHARS = {"e.text": 150_000, "s.note": 40_000, "e.archived_text": 150_000}
# SQLite runs about this many VM instructions a millisecond (pkm.search's
# SITE_SCAN_BUDGET of 400,000 is ~50 ms).
_INSTRUCTIONS_PER_MS = 8_000
T = TypeVar("T")


def newest(
    conn: SqlConnection,
    query: Query,
    driver: Driver | None,
    *,
    skip_id: int | None,
    limit: int,
    offset: int,
) -> list[Entry]:
    """The entries ``query``'s filters allow (its words are not looked at), newest first."""
    where, params = where_clause(driver.rest if driver else query, POSTGRESQL, words_by=query.by)
    if not seen_by_construction(query):
        where += f" AND {VISIBLE}"
    if skip_id is not None:
        where += " AND e.id != ?"
        params.append(skip_id)
    if driver is not None:
        source = f"({driver.sql}) AS d JOIN entries e ON e.id = d.id"
        params = [*driver.params, *params]
    else:
        source = "entries e"
    sql = (
        f"SELECT {ENTRY_LIST_COLUMNS} FROM {source}{entry_joins(conn)}"
        f" WHERE {where} ORDER BY e.sort_date DESC, e.id DESC LIMIT ? OFFSET ?"
    )
    return [entry_from_row(row) for row in conn.execute(sql, [*params, limit, offset])]


class Ranking:
    """The matches of ``query``'s words that its filters (and ``driver``) allow, ranked
    by ``ts_rank_cd`` (``weights``, BM25's on SQLite, are not used: RANK_WEIGHTS are
    their counterpart)."""

    def __init__(
        self,
        conn: SqlConnection,
        query: Query,
        driver: Driver | None,
        *,
        skip_id: int | None,
        weights: Sequence[float],
    ) -> None:
        assert query.match is not None
        self._conn = conn
        self._match_args: list[object] = []
        self._match = compile_tsquery(query.match, self._match_args)
        self._near_args: list[object] = []
        self._near = compile_tsquery(query.near, self._near_args) if query.near else None
        self._driver = driver
        self._skip_id = skip_id
        self._by = query.by
        self._counted = counted_saves(conn, query.by)
        where, params = where_clause(
            driver.rest if driver else query, POSTGRESQL, words_by=query.by
        )
        self._where = (where, params)
        conds: list[str] = []
        args: list[object] = []
        if driver is not None:
            conds.append(f"e.id IN ({driver.sql})")
            args.extend(driver.params)
        if skip_id is not None:
            conds.append("e.id != ?")
            args.append(skip_id)
        if where != "TRUE":
            conds.append(where)
            args.extend(params)
        if not seen_by_construction(query):  # not in saved_matches: the person's own
            conds.append(VISIBLE)
        self._conds = conds
        self._args = args

    def allowed(self, limit: int) -> list[int]:
        """The newest ``limit`` matches the driver allows, newest first."""
        assert self._driver is not None
        return [
            int(row[0])
            for row in self._conn.execute(
                f"SELECT e.id FROM entries e WHERE e.fts @@ {self._match}"
                f" AND e.id IN ({self._driver.sql}) ORDER BY e.id DESC LIMIT ?",
                [*self._match_args, *self._driver.params, limit],
            )
        ]

    def window_start(self, high: int | None, size: int) -> int | None:
        """The lowest id of the newest ``size`` matches below ``high``; None when there
        are no more than that (the window reaches back to the first match)."""
        sql = f"SELECT e.id FROM entries e WHERE e.fts @@ {self._match}"
        args: list[object] = [*self._match_args]
        if high is not None:
            sql += " AND e.id < ?"
            args.append(high)
        row = self._conn.execute(
            sql + " ORDER BY e.id DESC LIMIT 1 OFFSET ?", [*args, size]
        ).fetchone()
        return None if row is None else int(row[0]) + 1

    def rank(
        self, low: int | None, high: int | None, take: Callable[[Iterable[RankedRow]], None]
    ) -> None:
        """Hand ``take`` the allowed matches with ids in [low, high), best raw rank first
        (:data:`RankedRow`); it may stop reading at any row."""
        window: list[str] = []
        bounds: list[object] = []
        if low is not None:
            window.append("e.id >= ?")
            bounds.append(low)
        if high is not None:
            window.append("e.id < ?")
            bounds.append(high)
        near_sql, near_args = "FALSE", []
        if self._near:
            near_sql, near_args = f"e.fts @@ {self._near}", self._near_args
        conds = ["e.fts @@ q.query", *window, *self._conds]
        sql = (
            f"SELECT e.id, -ts_rank_cd('{RANK_WEIGHTS}', e.fts, q.query, {_NORMALIZATION})"
            f" AS raw, s.id IS NOT NULL, e.sort_date, {near_sql}"
            f" FROM (SELECT {self._match} AS query) AS q, entries e{entry_joins(self._conn)}"
            f" WHERE {' AND '.join(conds)} ORDER BY raw, e.id DESC"
        )
        rows = self._conn.execute(sql, [*near_args, *self._match_args, *bounds, *self._args])
        try:
            take((int(i), float(r), int(s), int(d), int(n)) for i, r, s, d, n in rows)
        finally:
            rows.close()

    def saved_matches(self, words: Words, weights: Sequence[float]) -> SaveMatches:
        """The raw rank of the counted saves (:func:`counted_saves`) whose tags or note
        match ``words``, by entry id, where the filters allow (``weights``: see the
        class)."""
        match_args: list[object] = []
        match = compile_tsquery(words, match_args)
        conds, args = save_conditions(
            self._counted, self._driver, self._skip_id, self._where, "TRUE"
        )
        rows = self._conn.execute(
            f"SELECT o.entry_id, -ts_rank_cd('{RANK_WEIGHTS}', o.fts, q.query, {_NORMALIZATION}),"
            " e.sort_date, s.id IS NOT NULL"
            f" FROM (SELECT {match} AS query) AS q, saves o JOIN entries e ON e.id = o.entry_id"
            f"{entry_joins(self._conn)} WHERE o.fts @@ q.query AND {' AND '.join(conds)}",
            [*match_args, *args],
        )
        return by_entry(rows)

    def holding(self, words: Words, ids: Sequence[int], *, saves: bool) -> set[int]:
        """Those of the entries ``ids`` whose page (or, with ``saves``, one of their
        counted saves: :func:`counted_saves`) ``words`` match."""
        match_args: list[object] = []
        match = compile_tsquery(words, match_args)
        if saves:
            counted, counted_args = self._counted
            sql = (
                f"SELECT o.entry_id FROM saves o WHERE o.fts @@ {match} AND {counted}"
                " AND o.entry_id = ANY(?)"
            )
            args = [*match_args, *counted_args, list(ids)]
        else:
            sql = f"SELECT e.id FROM entries e WHERE e.fts @@ {match} AND e.id = ANY(?)"
            args = [*match_args, list(ids)]
        return {int(row[0]) for row in self._conn.execute(sql, args)}

    def entries(self, ids: Sequence[int]) -> dict[int, Entry]:
        """The entries with these ids (one deleted meanwhile is missing)."""
        return entries_by_id(self._conn, ids)

    def snippets(self, ids: Sequence[int]) -> dict[int, tuple[object, object, object]]:
        """Each entry's snippets of its text, its note and its archived page, matched
        words marked from :data:`MARK_START` to :data:`MARK_END` (None when the column
        is empty)."""
        marks = ", ".join("?" * len(ids))
        heads = ", ".join(
            f"CASE WHEN {column} IS NULL THEN NULL ELSE ts_headline('{CONFIG}',"
            f" left({column}, {chars}), q.query, ?) END"
            for column, chars in _HEADLINE_CHARS.items()
        )
        found = {
            int(row[0]): (row[1], row[2], row[3])
            for row in self._conn.execute(
                f"SELECT e.id, {heads} FROM (SELECT {self._match} AS query) AS q, entries e"
                f"{save_join(self._conn)} WHERE e.id IN ({marks})",
                [*([_HEADLINE] * len(_HEADLINE_CHARS)), *self._match_args, *ids],
            )
        }
        if not self._by:
            return found
        # A search by: people shows their note's words where one's own note has none.
        counted, counted_args = self._counted
        theirs = self._conn.execute(
            f"SELECT o.entry_id, ts_headline('{CONFIG}', left(o.note, {_HEADLINE_CHARS['s.note']}),"
            f" q.query, ?), FALSE FROM (SELECT {self._match} AS query) AS q, saves o"
            f" WHERE o.entry_id = ANY(?) AND o.person_id != ? AND {counted}"
            " AND o.note IS NOT NULL AND o.fts @@ q.query",
            [_HEADLINE, *self._match_args, list(ids), me(self._conn), *counted_args],
        )
        own = [(entry_id, note, True) for entry_id, (_, note, _) in found.items()]
        notes = chosen_notes([*own, *theirs])
        return {
            entry_id: (text, notes.get(entry_id), archived)
            for entry_id, (text, _, archived) in found.items()
        }


def within(conn: SqlConnection, budget: int, work: Callable[[], T]) -> T | None:
    """``work()``, or None when one of its statements ran longer than ``budget`` would
    last on SQLite (in VM instructions, about _INSTRUCTIONS_PER_MS a millisecond): the
    server cancels it (``statement_timeout``)."""
    import psycopg

    conn.execute(f"SET statement_timeout = {max(1, budget // _INSTRUCTIONS_PER_MS)}")
    try:
        return work()
    except StoreError as exc:
        # PostgresConnection raises the driver's error as StoreError "from None": the
        # cancel is its context.
        if isinstance(exc.__context__, psycopg.errors.QueryCanceled):
            return None
        raise
    finally:
        conn.execute("RESET statement_timeout")


def match_count(conn: SqlConnection, word: str, cap: int) -> int:
    """How many entries hold ``word``, counting no further than ``cap``."""
    params: list[object] = []
    match = compile_tsquery(Term(word), params)
    return count_at_most(
        conn, f"SELECT 1 FROM entries e WHERE e.fts @@ {match}", tuple(params), cap
    )
