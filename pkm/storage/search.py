"""The SQL of a search: what :mod:`pkm.search` asks of the FTS5 index and the tables.

pkm.search decides what to ask (which filter drives, how many matches a window holds,
how scores are boosted, when to stop); this module knows how SQLite answers fast:

* FTS5 ranks inside the index (``ORDER BY rank`` with ``rank MATCH 'bm25(…)'``), so no
  row of ``entries`` is read for a match that is not shown.
* A driver (the ids of a selective filter's entries, from an index) is tested as
  ``+rowid IN (driver)`` in the FTS loop, before any entry row is read: the ``+`` keeps
  the test out of FTS5, which would re-run the MATCH for every id.  Listings read the
  driver's few ids first (``CROSS JOIN`` fixes the loop order), then sort them.
* Listings without a driver walk ``ix_entries_sort_date`` newest first and stop at the
  limit.  Snippets are made only for the rows shown.
* ``site:`` has no index of its own; :func:`site_driver` scans the ``url_key`` index for
  the host (a superset, tested exactly), and :func:`within` bounds the work of testing
  URLs one by one before that.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from pkm.errors import StoreError
from pkm.query import Query, Term, Words
from pkm.storage.db import Repository, SqlConnection, wrap_exceptions
from pkm.storage.dialect import dialect_of
from pkm.storage.filters import (
    feed_condition,
    seen_by_construction,
    tag_prefix_condition,
    where_clause,
)
from pkm.storage.fts5 import FTS_TABLE, SAVES_FTS_TABLE, match_expression
from pkm.storage.people import VISIBLE, entry_joins, me, save_join
from pkm.storage.rows import ENTRY_LIST_COLUMNS, entry_from_row, like_escape, select_in
from pkm.types import Entry

__all__ = [
    "MARK_END",
    "MARK_START",
    "Driver",
    "Ranking",
    "SqlConnection",
    "count_at_most",
    "drivers",
    "highest_id",
    "indexed_text",
    "match_count",
    "newest",
    "site_driver",
    "within",
]

# A snippet marks each matched word from MARK_START to MARK_END.
MARK_START, MARK_END = "\x02", "\x03"
_SNIPPET_TOKENS = 16
_F = FTS_TABLE
_S = SAVES_FTS_TABLE
# A budget of within() is counted in steps of this many SQLite VM instructions.
_PROGRESS_STEP = 10_000
# (rowid, raw BM25 rank, saved, sort_date, whether the words stand side by side)
RankedRow = tuple[int, float, int, int, int]
T = TypeVar("T")


@dataclass(frozen=True)
class Driver:
    """A filter as the ids of the entries it allows (``sql`` selects them as ``id``)."""

    sql: str
    params: tuple[object, ...]
    count: int
    rest: Query  # the query without this filter (the driver already applies it)


@wrap_exceptions
def highest_id(conn: SqlConnection) -> int:
    """The largest entry id, 0 for an empty store: about the number of entries."""
    return int(conn.execute("SELECT max(id) FROM entries").fetchone()[0] or 0)


@wrap_exceptions
def newest(
    conn: sqlite3.Connection,
    query: Query,
    driver: Driver | None,
    *,
    skip_id: int | None,
    limit: int,
    offset: int,
) -> list[Entry]:
    """The entries ``query``'s filters allow (its words are not looked at), newest first."""
    where, params = where_clause(driver.rest if driver else query, words_by=query.by)
    if not seen_by_construction(query):
        where += f" AND {VISIBLE}"
    if skip_id is not None:
        where += " AND e.id != ?"
        params.append(skip_id)
    if driver is not None:
        # The driver's few ids first (CROSS JOIN fixes the loop order), then sort them.
        source = f"({driver.sql}) AS d CROSS JOIN entries e ON e.id = d.id"
        params = [*driver.params, *params]
    else:
        source = "entries e"
    sql = (
        f"SELECT {ENTRY_LIST_COLUMNS} FROM {source}{entry_joins(conn)}"
        f" WHERE {where} ORDER BY e.sort_date DESC, e.id DESC LIMIT ? OFFSET ?"
    )
    return [entry_from_row(row) for row in conn.execute(sql, [*params, limit, offset])]


def entries_by_id(conn: SqlConnection, ids: Sequence[int]) -> dict[int, Entry]:
    """The entries with these ids, by id (one deleted meanwhile is missing): what both
    engines' rankings show of their hits."""
    marks = ", ".join("?" * len(ids))
    rows = conn.execute(
        f"SELECT {ENTRY_LIST_COLUMNS} FROM entries e{entry_joins(conn)} WHERE e.id IN ({marks})",
        list(ids),
    )
    return {entry.id: entry for entry in map(entry_from_row, rows)}


def counted_saves(conn: SqlConnection, by: Sequence[str]) -> tuple[str, list[object]]:
    """Which saves (alias ``o``) a search reads the words of, beside the pages': the
    person's own, and the public ones of the people the query is ``by:``. (Their ids are
    looked up first: PostgreSQL then reads the saves of these people from their index
    beside the words' one.)"""
    if not by:
        return "o.person_id = ?", [me(conn)]
    marks = ", ".join("?" * len(by))
    people = [
        int(row[0])
        for row in conn.execute(f"SELECT id FROM people WHERE name IN ({marks})", list(by))
    ]
    ids = [me(conn), *people]
    return (
        f"o.person_id IN ({', '.join('?' * len(ids))}) AND (o.private = 0 OR o.person_id = ?)",
        [*ids, me(conn)],
    )


def save_conditions(
    counted: tuple[str, list[object]],
    driver: Driver | None,
    skip_id: int | None,
    where: tuple[str, list[object]],
    nothing: str,
) -> tuple[list[str], list[object]]:
    """What a save (alias ``o``; ``s`` is the person's own of its entry, LEFT JOINed, as
    the filters expect) whose words match must meet beyond them, and its parameters: one
    that ``counted`` (:func:`counted_saves`) takes, of an entry the driver allows and
    that is not ``skip_id``, where the filters (``where``; ``nothing``: the engine's "no
    condition") allow. Both engines' rankings ask it."""
    conds = [counted[0]]
    args = list(counted[1])
    if driver is not None:
        conds.append(f"o.entry_id IN ({driver.sql})")
        args.extend(driver.params)
    if skip_id is not None:
        conds.append("o.entry_id != ?")
        args.append(skip_id)
    condition, params = where
    if condition != nothing:
        conds.append(condition)
        args.extend(params)
    return conds, args


# The saves' words that match, by entry: (raw rank, summed over the entry's counted saves;
# sort date; whether the person saved the entry).
SaveMatches = dict[int, tuple[float, int, bool]]


def by_entry(rows: Iterable[Sequence[Any]]) -> SaveMatches:
    """Rows (entry id, raw rank, sort date, saved by the person) of matching saves as
    :data:`SaveMatches`: an entry saved by several people scores the sum of their saves
    (``fsum``: the same sum in any order)."""
    found: SaveMatches = {}
    several: dict[int, list[float]] = {}  # the entries of more than one save: few
    for row in rows:
        entry_id, raw = int(row[0]), float(row[1])
        if entry_id in found:
            several.setdefault(entry_id, [found[entry_id][0]]).append(raw)
        found[entry_id] = (raw, int(row[2]), bool(row[3]))
    for entry_id, ranks in several.items():
        _, sort_date, saved = found[entry_id]
        found[entry_id] = (math.fsum(ranks), sort_date, saved)
    return found


def chosen_notes(rows: Iterable[Sequence[Any]]) -> dict[int, object]:
    """Of rows (entry id, snippet of a counted save's note, whether it is the person's
    own), the note snippet each entry shows: the person's own, unless the words are not
    in it and they are in the note of someone the search is by:."""
    own: dict[int, object] = {}
    theirs: dict[int, object] = {}
    for entry_id, marked, mine in rows:
        if mine:
            own[int(entry_id)] = marked
        elif isinstance(marked, str) and MARK_START in marked:
            theirs.setdefault(int(entry_id), marked)
    for entry_id, marked in theirs.items():
        held = own.get(entry_id)
        if not (isinstance(held, str) and MARK_START in held):
            own[entry_id] = marked
    return own


class Ranking(Repository):
    """The matches of ``query``'s words that its filters (and ``driver``) allow, ranked
    by BM25 with ``weights`` (one per FTS column) inside the index."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        query: Query,
        driver: Driver | None,
        *,
        skip_id: int | None,
        weights: Sequence[float],
    ) -> None:
        assert query.match is not None
        self._conn = conn
        self._match = match_expression(query.match)
        self._near = match_expression(query.near) if query.near else None
        self._rank = "bm25(" + ", ".join(str(w) for w in weights) + ")"
        self._driver = driver
        self._skip_id = skip_id
        self._counted = counted_saves(conn, query.by)
        where, params = where_clause(driver.rest if driver else query, words_by=query.by)
        conds: list[str] = []
        args: list[object] = []
        if driver is not None:
            # "+" keeps the IN test out of FTS5, which would otherwise run the whole
            # MATCH (and the BM25 statistics) once for every id in the list.
            conds.append(f"+{_F}.rowid IN ({driver.sql})")
            args.extend(driver.params)
        if skip_id is not None:
            conds.append(f"+{_F}.rowid != ?")
            args.append(skip_id)
        if where != "1":
            conds.append(where)
            args.extend(params)
        if not seen_by_construction(query):  # not in saved_matches: the person's own
            conds.append(VISIBLE)
        self._conds = conds
        self._args = args
        self._where = (where, params)

    def allowed(self, limit: int) -> list[int]:
        """The newest ``limit`` matches the driver allows, newest first.

        FTS5 walks the doclists and tests each rowid against the driver's ids, reading no
        entry: cheap, as nothing is ranked.
        """
        assert self._driver is not None
        return [
            int(row[0])
            for row in self._conn.execute(
                f"SELECT rowid FROM {_F} WHERE {_F} MATCH ? AND +rowid IN ({self._driver.sql})"
                " ORDER BY rowid DESC LIMIT ?",
                [self._match, *self._driver.params, limit],
            )
        ]

    def window_start(self, high: int | None, size: int) -> int | None:
        """The lowest rowid of the newest ``size`` matches below ``high``; None when
        there are no more than that (the window reaches back to the first match)."""
        sql = f"SELECT rowid FROM {_F} WHERE {_F} MATCH ?"
        args: list[object] = [self._match]
        if high is not None:
            sql += " AND rowid < ?"
            args.append(high)
        row = self._conn.execute(
            sql + " ORDER BY rowid DESC LIMIT 1 OFFSET ?", [*args, size]
        ).fetchone()
        return None if row is None else int(row[0]) + 1

    def rank(
        self, low: int | None, high: int | None, take: Callable[[Iterable[RankedRow]], None]
    ) -> None:
        """Hand ``take`` the allowed matches with rowids in [low, high), best raw rank
        first (:data:`RankedRow`); it may stop reading at any row."""
        window: list[str] = []
        bounds: list[object] = []
        if low is not None:
            window.append(f"{_F}.rowid >= ?")
            bounds.append(low)
        if high is not None:
            window.append(f"{_F}.rowid < ?")
            bounds.append(high)
        # Whether the words stand side by side: a set FTS5 builds once per window.
        near_sql, near_args = "0", []
        if self._near:
            inner = " AND ".join([f"n.{_F} MATCH ?", *(w.replace(f"{_F}.", "n.") for w in window)])
            near_sql = f"{_F}.rowid IN (SELECT n.rowid FROM {_F} n WHERE {inner})"
            near_args = [self._near, *bounds]
        conds = [f"{_F} MATCH ?", f"{_F}.rank MATCH ?", *window, *self._conds]
        sql = (
            f"SELECT {_F}.rowid, {_F}.rank, s.id IS NOT NULL, e.sort_date, {near_sql}"
            f" FROM {_F} JOIN entries e ON e.id = {_F}.rowid{entry_joins(self._conn)}"
            f" WHERE {' AND '.join(conds)} ORDER BY {_F}.rank"
        )
        rows = self._conn.execute(sql, [*near_args, self._match, self._rank, *bounds, *self._args])
        try:
            take(rows)
        finally:
            rows.close()

    def saved_matches(self, words: Words, weights: Sequence[float]) -> SaveMatches:
        """The raw BM25 rank (by ``weights``: tags, note) of the counted saves
        (:func:`counted_saves`) whose tags or note match ``words``, by entry id, where
        the filters allow."""
        conds, args = save_conditions(self._counted, self._driver, self._skip_id, self._where, "1")
        rank = f"bm25({_S}, " + ", ".join(str(w) for w in weights) + ")"
        rows = self._conn.execute(
            # The index first (CROSS JOIN fixes the loop order): BM25 needs the MATCH to
            # drive the query.
            f"SELECT o.entry_id, {rank}, e.sort_date, s.id IS NOT NULL FROM {_S}"
            f" CROSS JOIN saves o ON o.id = {_S}.rowid CROSS JOIN entries e"
            f" ON e.id = o.entry_id{entry_joins(self._conn)}"
            f" WHERE {_S} MATCH ? AND {' AND '.join(conds)}",
            [match_expression(words), *args],
        )
        return by_entry(rows)

    def holding(self, words: Words, ids: Sequence[int], *, saves: bool) -> set[int]:
        """Those of the entries ``ids`` whose page (or, with ``saves``, one of their
        counted saves: :func:`counted_saves`) ``words`` match."""
        if saves:
            counted, counted_args = self._counted
            sql = (
                f"SELECT o.entry_id FROM {_S} CROSS JOIN saves o ON o.id = {_S}.rowid"
                f" WHERE {_S} MATCH ? AND {counted} AND o.entry_id IN ({{marks}})"
            )
            before: tuple[object, ...] = (match_expression(words), *counted_args)
        else:
            sql = f"SELECT rowid FROM {_F} WHERE {_F} MATCH ? AND rowid IN ({{marks}})"
            before = (match_expression(words),)
        return {int(row[0]) for row in select_in(self._conn, sql, ids, before=before)}

    def entries(self, ids: Sequence[int]) -> dict[int, Entry]:
        """The entries with these ids (one deleted meanwhile is missing)."""
        return entries_by_id(self._conn, ids)

    def snippets(self, ids: Sequence[int]) -> dict[int, tuple[object, object, object]]:
        """Each entry's snippets of its text, its note and its archived page, matched
        words marked from :data:`MARK_START` to :data:`MARK_END` (None or empty when
        there is none)."""
        marks = ", ".join("?" * len(ids))
        snippet = f"snippet({_F}, {{}}, '{MARK_START}', '{MARK_END}', '…', {_SNIPPET_TOKENS})"
        if '" *' in self._match:
            # FTS5 merges a prefix's doclists anew for each id of an IN list: one pass
            # over the ids' range is cheaper.
            where = f"rowid BETWEEN ? AND ? AND +rowid IN ({marks})"
            args: list[object] = [self._match, min(ids), max(ids), *ids]
        else:
            where = f"rowid IN ({marks})"
            args = [self._match, *ids]
        found: dict[int, list[object]] = {
            int(row[0]): [row[1], None, row[2]]
            for row in self._conn.execute(
                f"SELECT rowid, {snippet.format(1)}, {snippet.format(3)}"
                f" FROM {_F} WHERE {_F} MATCH ? AND {where}",
                args,
            )
        }
        note = f"snippet({_S}, 1, '{MARK_START}', '{MARK_END}', '…', {_SNIPPET_TOKENS})"
        counted, counted_args = self._counted
        notes = chosen_notes(
            self._conn.execute(
                f"SELECT o.entry_id, {note}, o.person_id = ? FROM {_S}"
                f" JOIN saves o ON o.id = {_S}.rowid"
                f" WHERE {_S} MATCH ? AND {counted} AND o.entry_id IN ({marks})",
                [me(self._conn), self._match, *counted_args, *ids],
            )
        )
        for entry_id, marked in notes.items():
            found.setdefault(entry_id, [None, None, None])[1] = marked
        return {
            entry_id: (text, note, archived) for entry_id, (text, note, archived) in found.items()
        }


@wrap_exceptions
def within(conn: sqlite3.Connection, budget: int, work: Callable[[], T]) -> T | None:
    """``work()``, or None when its statements ran more than ``budget`` VM instructions
    (counted in steps of _PROGRESS_STEP; SQLite interrupts the statement)."""
    steps = 0
    stopped = False

    def tick() -> bool:
        nonlocal steps, stopped
        steps += 1
        stopped = steps * _PROGRESS_STEP > budget
        return stopped

    conn.set_progress_handler(tick, _PROGRESS_STEP)
    try:
        return work()
    except (sqlite3.OperationalError, StoreError):
        # The interrupt surfaces as "interrupted", or as whatever it broke off (opening
        # the FTS table on a fresh connection fails as "vtable constructor failed"),
        # translated by the storage function work() called.
        if stopped:
            return None
        raise
    finally:
        conn.set_progress_handler(None, 0)


def site_driver(q: Query) -> Driver:
    """Entries whose normalised URL contains one of the ``site:`` hosts (a superset the
    exact test then narrows), read from the url_key index; and those without a
    normalised URL, tested as they are."""
    like = " OR ".join("url_key LIKE ? ESCAPE '\\'" for _ in q.sites)
    params = tuple(f"%{like_escape(site)}%" for site in q.sites)
    sql = (
        f"SELECT id FROM entries WHERE {like}"
        " UNION SELECT id FROM entries WHERE url_key IS NULL AND url IS NOT NULL"
    )
    return Driver(sql, params, 0, q)


def count_at_most(conn: SqlConnection, sql: str, params: tuple[object, ...], cap: int) -> int:
    """How many rows ``sql`` yields, counting no further than ``cap``."""
    row = conn.execute(f"SELECT count(*) FROM ({sql} LIMIT ?) AS c", (*params, cap)).fetchone()
    return int(row[0])


@wrap_exceptions
def drivers(conn: SqlConnection, q: Query, cap: int) -> list[Driver] | None:
    """The positive filters as id sources, smallest first; None when one is empty.

    Counts stop at ``cap`` (a filter with more entries than that does not drive), so
    each costs at most a short index range scan.  (SQL both engines read.)
    """
    dialect = dialect_of(conn)
    found: list[Driver] = []
    for key in q.tags:
        tag = conn.execute("SELECT id FROM tags WHERE key = ?", (key,)).fetchone()
        if tag is None:
            return None
        # The tag's links first (CROSS JOIN fixes SQLite's loop order; without ON, as
        # PostgreSQL reads it too): fewer than the person's saves, for any tag that drives.
        sql = (
            "SELECT s.entry_id AS id FROM save_tags st CROSS JOIN saves s"
            " WHERE s.id = st.save_id AND st.tag_id = ? AND s.person_id = ?"
        )
        params: tuple[object, ...] = (int(tag[0]), me(conn))
        rest = replace(q, tags=tuple(t for t in q.tags if t != key))
        found.append(Driver(sql, params, count_at_most(conn, sql, params, cap), rest))
    for prefix in q.tag_prefixes:
        plist: list[object] = []
        cond = tag_prefix_condition(prefix, plist, dialect)
        sql = (
            "SELECT DISTINCT s.entry_id AS id FROM tags t JOIN save_tags st ON st.tag_id = t.id"
            f" JOIN saves s ON s.id = st.save_id WHERE {cond} AND s.person_id = ?"
        )
        plist.append(me(conn))
        rest = replace(q, tag_prefixes=tuple(p for p in q.tag_prefixes if p != prefix))
        found.append(Driver(sql, tuple(plist), count_at_most(conn, sql, tuple(plist), cap), rest))
    if q.feeds:
        plist = []
        cond = feed_condition(q.feeds, plist, dialect)
        feed_ids = [
            int(r[0]) for r in conn.execute(f"SELECT ff.id FROM feeds ff WHERE {cond}", plist)
        ]
        if not feed_ids:
            return None
        marks = ", ".join("?" * len(feed_ids))
        sql = f"SELECT id FROM entries WHERE feed_id IN ({marks})"
        found.append(
            Driver(
                sql,
                tuple(feed_ids),
                count_at_most(conn, sql, tuple(feed_ids), cap),
                replace(q, feeds=()),
            )
        )
    if q.saved:
        sql = "SELECT entry_id AS id FROM saves WHERE person_id = ?"
        params = (me(conn),)
        found.append(
            Driver(sql, params, count_at_most(conn, sql, params, cap), replace(q, saved=False))
        )
    for name in q.by:
        person = conn.execute("SELECT id FROM people WHERE name = ?", (name,)).fetchone()
        if person is None:
            return None
        # Their saves another person may see: the public ones, or all when they are mine.
        pid = int(person[0])
        sql = "SELECT entry_id AS id FROM saves WHERE person_id = ?"
        if pid != me(conn):
            sql += " AND private = 0"
        rest = replace(q, by=tuple(n for n in q.by if n != name))
        found.append(Driver(sql, (pid,), count_at_most(conn, sql, (pid,), cap), rest))
    if q.since is not None:
        sql = "SELECT id FROM entries WHERE sort_date >= ?"
        params = (int(q.since.timestamp()),)
        found.append(
            Driver(sql, params, count_at_most(conn, sql, params, cap), replace(q, since=None))
        )
    for driver in found:
        if driver.count == 0:
            return None
    found.sort(key=lambda d: d.count)
    return found


@wrap_exceptions
def indexed_text(conn: SqlConnection, entry_id: int) -> tuple[object, ...] | None:
    """The entry's title, the person's tags and note of it, and its text, as the indexes
    hold them; None if no such entry."""
    row = conn.execute(
        f"SELECT e.title, s.tags_text, s.note, e.text FROM entries e{save_join(conn)}"
        " WHERE e.id = ?",
        (entry_id,),
    ).fetchone()
    return None if row is None else tuple(row)


@wrap_exceptions
def match_count(conn: sqlite3.Connection, word: str, cap: int) -> int:
    """How many entries hold ``word``, counting no further than ``cap``."""
    match = match_expression(Term(word))
    return count_at_most(conn, f"SELECT 1 FROM {_F} WHERE {_F} MATCH ?", (match,), cap)
