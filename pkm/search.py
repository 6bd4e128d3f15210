"""Full-text search: the one owner of how the FTS5 index is queried and ranked.

Ranking is BM25 with column weights (title and tags above notes, notes above the
body, and the feed's name and host far below: a word that is only in the name of the
feed an entry came from says little about the entry; :data:`BM25_WEIGHTS`).  A saved
entry's score is multiplied by :data:`SAVED_BOOST`, and, for a query of plain words,
that of an entry holding them side by side by :data:`PHRASE_BOOST` (``Query.near``).
Equal scores go to the newer entry.  Without words, the newest come first.

How it stays fast on a store of a million entries:

* FTS5 ranks inside the index (``ORDER BY rank`` with ``rank MATCH 'bm25(…)'``), so
  no row of ``entries`` is read for a match that is not shown.  Rows come out best
  raw score first; the boosts lift an entry by at most their product, so reading
  stops at the first row whose raw score, even boosted, cannot beat the current
  ``limit + offset``-th result.  The ranking is exact (tests compare it with a brute
  force one).
* BM25 inside FTS5 costs 1–2 µs a match and word, so a query matching more than
  :func:`window_size` entries (:data:`RANK_WINDOW` for one word, half that for two,
  a third for three or more) ranks the newest window of them (by rowid: as stored),
  and older windows only while filters leave fewer hits than asked for.
  :class:`SearchHits` says when that happened.
* A selective filter (a tag, a tag prefix, a feed, ``is:saved``, ``since:``) becomes
  a *driver*: the ids of its entries, from an index.  Listings by date then read only
  those entries instead of walking the date index.  Ranked searches test ``+rowid IN
  (driver)`` in the FTS loop, before any entry row is read (the ``+`` keeps the test
  out of FTS5, which would re-run the MATCH for every id), and first list the matches
  the driver allows (cheap: no ranking, no entry read) to return nothing at once when
  there are none and to pass over windows without any.  Whether a filter is selective
  enough is decided per query from counts that stop early (:func:`_drivers`).
* Listings without a driver walk ``ix_entries_sort_date`` newest first and stop at
  the limit.  Snippets are made only for the rows shown.
* ``site:`` has no index of its own: URLs are tested one by one while that stays
  cheap (:data:`SITE_SCAN_BUDGET`), then the ``url_key`` index is scanned for the
  host (a superset, tested exactly) and used as a driver.
"""

from __future__ import annotations

import bisect
import heapq
import math
import sqlite3
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace

from pkm.errors import EntryNotFoundError
from pkm.query import (
    FTS_TABLE,
    Query,
    feed_condition,
    tag_prefix_condition,
    where_clause,
)
from pkm.storage.rows import ENTRY_LIST_COLUMNS, entry_from_row, like_escape
from pkm.types import SearchHit, SearchHits

__all__ = [
    "BM25_WEIGHTS",
    "PHRASE_BOOST",
    "RANK_WINDOW",
    "SAVED_BOOST",
    "SearchHits",
    "like_expression",
    "window_size",
    "related",
    "search",
]

# Weights in the order of the FTS columns: title, tags_text, note, text, source,
# archived_text (the kept page is body text, like the feed's).
BM25_WEIGHTS = (10.0, 8.0, 4.0, 1.0, 0.1, 1.0)
SAVED_BOOST = 1.25
# A query of several plain words ranks entries that have them side by side, in order,
# this much higher (see Query.near).
PHRASE_BOOST = 1.5
_RANK = "bm25(" + ", ".join(str(w) for w in BM25_WEIGHTS) + ")"
_MARK_START, _MARK_END = "\x02", "\x03"
_SNIPPET_TOKENS = 16
# A filter drives the query when (its entries)² ≤ _DRIVE × (limit + offset) × (entries):
# walking the date index (or the ranked matches) would read about k·N/n rows to find k
# of n, reading the driver costs about n.
_DRIVE = 8
_F = FTS_TABLE
# BM25 over every match costs 1-2 µs a match and word inside FTS5: ranking a word in
# one entry of ten of a million-entry store would take 150 ms.  A query matching more
# than window_size() entries ranks the newest window of them (by rowid, i.e. as
# stored); older windows follow only while filters leave fewer hits than asked for.
# Within the windows read, the ranking is exact.  8,000 keeps a common word near 15 ms
# at a million entries (the newest 8,000 of its matches reach back months in a store
# that a thousand feeds fill); ranking 15,000 took half as long again, for top-20 scores
# within 1% of these.
RANK_WINDOW = 8_000
# How much work (SQLite VM instructions) a search with site: may spend testing URLs one
# by one before it asks the url_key index instead (which costs ~0.3 s at a million
# entries).  400,000 is ~50 ms: a common site is found well within it.
SITE_SCAN_BUDGET = 400_000
_PROGRESS_STEP = 10_000


def window_size(query: Query) -> int:
    """How many matches of ``query`` one ranking window holds: RANK_WINDOW over its
    number of words (at most 3), as each word adds to the cost of a match."""
    words = sum(len(term.split()) for term in query.terms)
    return max(1, RANK_WINDOW // min(3, max(1, words)))


def search(
    conn: sqlite3.Connection, query: Query, *, limit: int = 20, offset: int = 0
) -> SearchHits:
    """The hits for ``query``: best match first, or newest first when it has no words."""
    return _Search(conn, query, limit, offset).run()


def related(
    conn: sqlite3.Connection,
    entry_id: int,
    query: Query | None = None,
    *,
    limit: int = 20,
    offset: int = 0,
) -> SearchHits:
    """Entries most like ``entry_id``: its rarest telling words, ranked by BM25.

    ``query`` narrows the result (its words must match too; its filters apply).
    """
    like = like_expression(conn, entry_id)
    if like is None:
        return SearchHits()
    base = query if query is not None else _EMPTY
    match = f"({like}) AND ({base.match})" if base.match else like
    narrowed = replace(base, match=match, near=None)  # near would widen the match
    return _Search(conn, narrowed, limit, offset, skip_id=entry_id).run()


_EMPTY = Query(None, (), (), (), (), (), None)


@dataclass(frozen=True)
class _Driver:
    """A filter as the ids of the entries it allows (``sql`` selects them as ``id``)."""

    sql: str
    params: tuple[object, ...]
    count: int
    rest: Query  # the query without this filter (the driver already applies it)


class _Search:
    def __init__(
        self,
        conn: sqlite3.Connection,
        query: Query,
        limit: int,
        offset: int,
        skip_id: int | None = None,
    ) -> None:
        self.conn = conn
        self.query = query
        self.limit = limit
        self.offset = offset
        self.skip_id = skip_id

    def run(self) -> SearchHits:
        total = self.conn.execute("SELECT max(id) FROM entries").fetchone()[0]
        if not total:
            return SearchHits()
        want = self.limit + self.offset
        driver: _Driver | None = None
        threshold = math.isqrt(_DRIVE * want * int(total)) + 1
        drivers = _drivers(self.conn, self.query, threshold + 1)
        if drivers is None:  # a tag or feed that does not exist: nothing can match
            return SearchHits()
        if drivers and drivers[0].count <= threshold:
            driver = drivers[0]
        if driver is None and self.query.sites:
            # No index knows URL hosts: walking the date index (or the ranked matches)
            # and testing each URL is quick for a common site and slow for a rare one
            # (9 s at a million entries).  Past a budget, list the site's entries from
            # the url_key index first.
            hits = _within(self.conn, SITE_SCAN_BUDGET, lambda: self._find(None))
            if hits is not None:
                return hits
            driver = _site_driver(self.query)
        return self._find(driver)

    def _find(self, driver: _Driver | None) -> SearchHits:
        if self.query.match is None:
            return self._newest(driver)
        return self._best(driver)

    # --- newest first ---------------------------------------------------------------

    def _newest(self, driver: _Driver | None) -> SearchHits:
        query = driver.rest if driver else self.query
        where, params = where_clause(query)
        if self.skip_id is not None:
            where += " AND e.id != ?"
            params.append(self.skip_id)
        if driver is not None:
            # The driver's few ids first (CROSS JOIN fixes the loop order), then sort them.
            source = f"({driver.sql}) AS d CROSS JOIN entries e ON e.id = d.id"
            params = [*driver.params, *params]
        else:
            source = "entries e"
        sql = (
            f"SELECT {ENTRY_LIST_COLUMNS} FROM {source} LEFT JOIN feeds f ON f.id = e.feed_id"
            f" WHERE {where} ORDER BY e.sort_date DESC, e.id DESC LIMIT ? OFFSET ?"
        )
        rows = self.conn.execute(sql, [*params, self.limit, self.offset])
        return SearchHits(SearchHit(entry=entry_from_row(row)) for row in rows)

    # --- best match first -------------------------------------------------------------

    def _best(self, driver: _Driver | None) -> SearchHits:
        match = self.query.match
        assert match is not None
        query = driver.rest if driver else self.query
        where, params = where_clause(query)
        conds: list[str] = []
        args: list[object] = []
        if driver is not None:
            # "+" keeps the IN test out of FTS5, which would otherwise run the whole
            # MATCH (and the BM25 statistics) once for every id in the list.
            conds.append(f"+{_F}.rowid IN ({driver.sql})")
            args.extend(driver.params)
        if self.skip_id is not None:
            conds.append(f"+{_F}.rowid != ?")
            args.append(self.skip_id)
        if where != "1":
            conds.append(where)
            args.extend(params)
        # With a driver, the matches it allows, newest first (FTS5 walks the doclists and
        # tests each rowid against the driver's ids, reading no entry): none means no
        # hits, and a window without any of them is passed over unranked.
        allowed: list[int] | None = None
        want = self.limit + self.offset
        if driver is not None:
            allowed = [
                int(row[0])
                for row in self.conn.execute(
                    f"SELECT rowid FROM {_F} WHERE {_F} MATCH ? AND +rowid IN ({driver.sql})"
                    " ORDER BY rowid DESC LIMIT ?",
                    [match, *driver.params, want],
                )
            ]
            if not allowed:
                return SearchHits()
            # Below the oldest one listed, unknown unless the list is complete.
            scanned_to = 0 if len(allowed) < want else allowed[-1]
        near = self.query.near
        boost = SAVED_BOOST * (PHRASE_BOOST if near else 1.0)
        # The best ``want`` so far as a min-heap of (-score, sort_date, id): its top is
        # the worst of them (highest score, then oldest, then lowest id).
        best: list[tuple[float, int, int]] = []
        ranked = 0
        size = window_size(self.query)
        high: int | None = None
        while True:
            low = self._window_start(match, high, size)
            if (
                allowed is not None
                and (low or 1) >= scanned_to
                and not _any_within(allowed, low, high)
            ):
                if low is None:
                    break
                ranked += size
                high = low
                continue
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
            if near:
                inner = " AND ".join(
                    [f"n.{_F} MATCH ?", *(w.replace(f"{_F}.", "n.") for w in window)]
                )
                near_sql = f"{_F}.rowid IN (SELECT n.rowid FROM {_F} n WHERE {inner})"
                near_args = [near, *bounds]
            sql = (
                f"SELECT {_F}.rowid, {_F}.rank, e.saved_at IS NOT NULL, e.sort_date, {near_sql}"
                f" FROM {_F} JOIN entries e ON e.id = {_F}.rowid"
                f" WHERE {' AND '.join([f'{_F} MATCH ?', f'{_F}.rank MATCH ?', *window, *conds])}"
                f" ORDER BY {_F}.rank"
            )
            rows = self.conn.execute(sql, [*near_args, match, _RANK, *bounds, *args])
            _rank_into(best, want, rows, boost)
            if low is None:
                break  # every match was ranked
            ranked += size
            if len(best) == want:
                break  # enough hits among the newest matches
            high = low
        top = sorted(best, reverse=True)[self.offset :]
        hits = self._hits([(rowid, -neg) for neg, _, rowid in top], match)
        return SearchHits(hits, ranked=ranked if low is not None else None)

    def _window_start(self, match: str, high: int | None, size: int) -> int | None:
        """The lowest rowid of the newest ``size`` matches below ``high``; None when
        there are no more than that (the window reaches back to the first match)."""
        sql = f"SELECT rowid FROM {_F} WHERE {_F} MATCH ?"
        args: list[object] = [match]
        if high is not None:
            sql += " AND rowid < ?"
            args.append(high)
        row = self.conn.execute(
            sql + " ORDER BY rowid DESC LIMIT 1 OFFSET ?", [*args, size]
        ).fetchone()
        return None if row is None else int(row[0]) + 1

    def _hits(self, ranked: list[tuple[int, float]], match: str) -> list[SearchHit]:
        if not ranked:
            return []
        ids = [rowid for rowid, _ in ranked]
        marks = ", ".join("?" * len(ids))
        entries = {
            int(row[0]): row
            for row in self.conn.execute(
                f"SELECT {ENTRY_LIST_COLUMNS} FROM entries e LEFT JOIN feeds f"
                f" ON f.id = e.feed_id WHERE e.id IN ({marks})",
                ids,
            )
        }
        snippet = f"snippet({_F}, {{}}, '{_MARK_START}', '{_MARK_END}', '…', {_SNIPPET_TOKENS})"
        if '" *' in match:
            # FTS5 merges a prefix's doclists anew for each id of an IN list: one pass
            # over the ids' range is cheaper.
            where = f"rowid BETWEEN ? AND ? AND +rowid IN ({marks})"
            args: list[object] = [match, min(ids), max(ids), *ids]
        else:
            where = f"rowid IN ({marks})"
            args = [match, *ids]
        snippets = {
            int(row[0]): _pick_snippet(row[1], row[2], row[3])
            for row in self.conn.execute(
                f"SELECT rowid, {snippet.format(3)}, {snippet.format(2)}, {snippet.format(5)}"
                f" FROM {_F}"
                f" WHERE {_F} MATCH ? AND {where}",
                args,
            )
        }
        hits = []
        for rowid, score in ranked:
            row = entries.get(rowid)
            if row is None:  # deleted between the two reads
                continue
            text, spans = _highlights(snippets.get(rowid))
            hits.append(
                SearchHit(entry=entry_from_row(row), snippet=text, highlights=spans, rank=score)
            )
        return hits


def _any_within(newest_first: list[int], low: int | None, high: int | None) -> bool:
    """Whether some rowid of the descending list lies in [low, high)."""
    start = 0
    if high is not None:  # the first index whose rowid is below high
        start = bisect.bisect_right(newest_first, -high, key=lambda rowid: -rowid)
    return start < len(newest_first) and (low is None or newest_first[start] >= low)


def _rank_into(
    best: list[tuple[float, int, int]], want: int, rows: sqlite3.Cursor, boost: float
) -> None:
    """Feed rows (rowid, raw rank, saved, sort_date, side by side), best raw rank first,
    into ``best``.

    A saved entry's score is multiplied by SAVED_BOOST, one with the query's words side
    by side by PHRASE_BOOST.  Stops at the first row that could not enter even with ``boost``
    (the largest possible product): every later row has a raw rank at least as high.
    """
    try:
        for rowid, rank, saved, sort_date, side_by_side in rows:
            if len(best) == want and rank * boost > -best[0][0]:
                break
            score = rank * SAVED_BOOST if saved else rank
            if side_by_side:
                score *= PHRASE_BOOST
            item = (-score, int(sort_date), int(rowid))
            if len(best) < want:
                heapq.heappush(best, item)
            elif item > best[0]:
                heapq.heapreplace(best, item)
    finally:
        rows.close()


def _within(
    conn: sqlite3.Connection, budget: int, work: Callable[[], SearchHits]
) -> SearchHits | None:
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
    except sqlite3.OperationalError:
        # The interrupt surfaces as "interrupted", or as whatever it broke off (opening
        # the FTS table on a fresh connection fails as "vtable constructor failed").
        if stopped:
            return None
        raise
    finally:
        conn.set_progress_handler(None, 0)


def _site_driver(q: Query) -> _Driver:
    """Entries whose normalised URL contains one of the ``site:`` hosts (a superset the
    exact test then narrows), read from the url_key index; and those without a
    normalised URL, tested as they are."""
    like = " OR ".join("url_key LIKE ? ESCAPE '\\'" for _ in q.sites)
    params = tuple(f"%{like_escape(site)}%" for site in q.sites)
    sql = (
        f"SELECT id FROM entries WHERE {like}"
        " UNION SELECT id FROM entries WHERE url_key IS NULL AND url IS NOT NULL"
    )
    return _Driver(sql, params, 0, q)


def _count(conn: sqlite3.Connection, sql: str, params: tuple[object, ...], cap: int) -> int:
    """How many rows ``sql`` yields, counting no further than ``cap``."""
    row = conn.execute(f"SELECT count(*) FROM ({sql} LIMIT ?)", (*params, cap)).fetchone()
    return int(row[0])


def _drivers(conn: sqlite3.Connection, q: Query, cap: int) -> list[_Driver] | None:
    """The positive filters as id sources, smallest first; None when one is empty.

    Counts stop at ``cap`` (a filter with more entries than that does not drive), so
    each costs at most a short index range scan.
    """
    found: list[_Driver] = []
    for key in q.tags:
        tag = conn.execute("SELECT id FROM tags WHERE key = ?", (key,)).fetchone()
        if tag is None:
            return None
        sql = "SELECT entry_id AS id FROM entry_tags WHERE tag_id = ?"
        params: tuple[object, ...] = (int(tag[0]),)
        rest = replace(q, tags=tuple(t for t in q.tags if t != key))
        found.append(_Driver(sql, params, _count(conn, sql, params, cap), rest))
    for prefix in q.tag_prefixes:
        plist: list[object] = []
        cond = tag_prefix_condition(prefix, plist)
        sql = (
            "SELECT DISTINCT et.entry_id AS id FROM tags t"
            f" JOIN entry_tags et ON et.tag_id = t.id WHERE {cond}"
        )
        rest = replace(q, tag_prefixes=tuple(p for p in q.tag_prefixes if p != prefix))
        found.append(_Driver(sql, tuple(plist), _count(conn, sql, tuple(plist), cap), rest))
    if q.feeds:
        plist = []
        cond = feed_condition(q, plist)
        feed_ids = [
            int(r[0]) for r in conn.execute(f"SELECT ff.id FROM feeds ff WHERE {cond}", plist)
        ]
        if not feed_ids:
            return None
        marks = ", ".join("?" * len(feed_ids))
        sql = f"SELECT id FROM entries WHERE feed_id IN ({marks})"
        found.append(
            _Driver(
                sql, tuple(feed_ids), _count(conn, sql, tuple(feed_ids), cap), replace(q, feeds=())
            )
        )
    if q.saved:
        sql = "SELECT id FROM entries WHERE saved_at IS NOT NULL"
        found.append(_Driver(sql, (), _count(conn, sql, (), cap), replace(q, saved=False)))
    if q.since is not None:
        sql = "SELECT id FROM entries WHERE sort_date >= ?"
        params = (int(q.since.timestamp()),)
        found.append(_Driver(sql, params, _count(conn, sql, params, cap), replace(q, since=None)))
    for driver in found:
        if driver.count == 0:
            return None
    found.sort(key=lambda d: d.count)
    return found


# --- snippets ---------------------------------------------------------------------------


def _pick_snippet(text: object, note: object, archived: object) -> str | None:
    """The body's snippet, or the note's when only the note has the words, or the
    archived page's when only it has them."""
    body = text if isinstance(text, str) and text.strip() else None
    memo = note if isinstance(note, str) and note.strip() else None
    if body is not None and _MARK_START in body:
        return body
    if memo is not None and _MARK_START in memo:
        return memo
    if isinstance(archived, str) and _MARK_START in archived:
        return archived
    return body or memo


def _highlights(marked: str | None) -> tuple[str | None, tuple[tuple[int, int], ...]]:
    """Split FTS5's marked snippet into plain text and the spans that matched."""
    if marked is None:
        return None, ()
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


# --- related entries ----------------------------------------------------------------------

# Words too common in any of the four languages to say what an entry is about.
_STOP = frozenset(
    """
    the and for that with this from are was were have has had not but they their them
    which you your all one can will would there what when who out about into than its
    also only other some more been just like our his her she him how why where these
    those then very any each most such over after before while being both same here
    een het van dat die voor met zijn niet aan als ook maar bij dan nog wel uit door
    over naar tot worden meer geen wat heeft deze kan hun wordt hebben werd waar zou
    der die das und den von ist mit sich des auf für nicht eine als auch werden aus hat
    dass sie nach bei einem über zum war haben nur oder aber vor zur bis mehr durch wir
    les des une est que qui dans pour pas sur plus par ses sont ont été mais comme son
    leur aux cette être fait tout nous vous avec elle
    """.split()
)
_LIKE_WEIGHTS = (3, 3, 2, 1)  # title, tags, note, text
_LIKE_TEXT_CHARS = 20_000
_LIKE_CANDIDATES = 24  # the most frequent words of the entry, whose rarity is looked up
_LIKE_TERMS = 8
# Together the chosen words match at most about this many entries: BM25 over an OR of
# eight words costs several µs a match.
_LIKE_MAX_MATCHES = 3_000


def like_expression(conn: sqlite3.Connection, entry_id: int) -> str | None:
    """An FTS5 expression (OR of the entry's most telling words), or None if it has none.

    Words are weighted by where they occur (title and tags above the note, the note
    above the body) and by how rare they are in the index; words that only this entry
    has, or that too many entries have, tell nothing and are left out.
    """
    row = conn.execute(
        "SELECT title, tags_text, note, text FROM entries WHERE id = ?", (entry_id,)
    ).fetchone()
    if row is None:
        raise EntryNotFoundError(f"no entry with id {entry_id}")
    weights: Counter[str] = Counter()
    for value, weight in zip(row, _LIKE_WEIGHTS, strict=True):
        if isinstance(value, str):
            for word in _words(value[:_LIKE_TEXT_CHARS]):
                weights[word] += weight
    total = int(conn.execute("SELECT max(id) FROM entries").fetchone()[0] or 0)
    cap = max(50, total // 200)  # a word in more entries than this tells little
    scored: list[tuple[float, str, int]] = []
    for word, weight in weights.most_common(_LIKE_CANDIDATES):
        df = _count(conn, f"SELECT 1 FROM {_F} WHERE {_F} MATCH ?", (_quote(word),), cap)
        if 2 <= df < cap:
            scored.append((weight * math.log(total / df), word, df))
    scored.sort(reverse=True)
    chosen: list[str] = []
    matches = 0
    for _, word, df in scored:
        if len(chosen) == _LIKE_TERMS or (chosen and matches + df > _LIKE_MAX_MATCHES):
            break
        chosen.append(_quote(word))
        matches += df
    return " OR ".join(chosen) if chosen else None


def _quote(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def _words(text: str) -> list[str]:
    """Words roughly as the unicode61 tokenizer sees them: lower case, accents removed."""
    words = []
    for raw in "".join(ch if ch.isalnum() else " " for ch in text).split():
        word = raw.lower()
        if not word.isascii():
            word = "".join(
                ch for ch in unicodedata.normalize("NFD", word) if not unicodedata.combining(ch)
            )
        if len(word) >= 3 and not word.isdigit() and word not in _STOP:
            words.append(word)
    return words
