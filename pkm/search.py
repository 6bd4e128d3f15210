"""Full-text search: what a search asks and how its hits are ranked.

Ranking is BM25 with column weights (title and tags above notes, notes above the
body, and the feed's name and host far below: a word that is only in the name of the
feed an entry came from says little about the entry; :data:`BM25_WEIGHTS`).  The page
(title, text, feed, archived text) and the person's own save of it (tags and note,
:data:`SAVE_WEIGHTS`) are two documents in two indexes, so that nobody's search reads
words another person wrote, except in a search ``by:`` people, which reads their
public saves of it too (all of one's own): an entry matches when the words, term by
term, are in any of these, and scores the sum of the page's rank and its saves'.  An
entry the person saved has its score multiplied by :data:`SAVED_BOOST`, and, for a
query of plain words, that of an entry holding them side by side by
:data:`PHRASE_BOOST` (``Query.near``).  Equal scores go to the newer entry.  Without
words, the newest come first.

On a PostgreSQL store the same rules run on its tsvector index: ``ts_rank_cd`` with
weights in BM25_WEIGHTS' order stands in for BM25, with the same boosts and windows
(:mod:`pkm.storage.search_pg`, chosen by the connection's dialect in :func:`_store`).

How it stays fast on a store of a million entries (the SQL that does it is
:mod:`pkm.storage.search`'s):

* The index ranks its matches itself and hands them over best raw score first; the
  boosts lift an entry by at most their product, so reading stops at the first row
  whose raw score, even boosted, cannot beat the current ``limit + offset``-th result.
  The ranking is exact (tests compare it with a brute force one).
* BM25 costs 1–2 µs a match and word, so a query matching more than
  :func:`window_size` entries (:data:`RANK_WINDOW` for one word, half that for two,
  a third for three or more) ranks the newest window of them (by rowid: as stored),
  and older windows only while filters leave fewer hits than asked for.
  :class:`SearchHits` says when that happened.
* A selective filter (a tag, a tag prefix, a feed, ``is:saved``, ``since:``) becomes
  a *driver*: the ids of its entries, from an index.  Listings by date then read only
  those entries instead of walking the date index.  Ranked searches test each match
  against the driver before any entry row is read, and first list the matches the
  driver allows (cheap: no ranking, no entry read) to return nothing at once when
  there are none and to pass over windows without any.  Whether a filter is selective
  enough is decided per query (:data:`_DRIVE`) from counts that stop early.
* ``site:`` has no index of its own: URLs are tested one by one while that stays
  cheap (:data:`SITE_SCAN_BUDGET`), then the ``url_key`` index is scanned for the
  host (a superset, tested exactly) and used as a driver.
"""

from __future__ import annotations

import bisect
import heapq
import math
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Protocol, TypeVar

from pkm.errors import EntryNotFoundError
from pkm.query import AllOf, AnyOf, Query, Term, Without, Words
from pkm.storage import search as sqlite_store
from pkm.storage.dialect import POSTGRESQL, dialect_of
from pkm.storage.search import MARK_END, MARK_START, Driver, RankedRow, SaveMatches
from pkm.types import DEFAULT_LIMIT, Entry, SearchHit, SearchHits

if TYPE_CHECKING:
    from pkm.storage.db import Connection

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

# Weights in the order of the entries' FTS columns: title, text, source, archived_text
# (the kept page is body text, like the feed's); and of the saves': tags_text, note.
BM25_WEIGHTS = (10.0, 1.0, 0.1, 1.0)
SAVE_WEIGHTS = (8.0, 4.0)
SAVED_BOOST = 1.25
# A query of several plain words ranks entries that have them side by side, in order,
# this much higher (see Query.near).
PHRASE_BOOST = 1.5
# A filter drives the query when (its entries)² ≤ _DRIVE × (limit + offset) × (entries):
# walking the date index (or the ranked matches) would read about k·N/n rows to find k
# of n, reading the driver costs about n.
_DRIVE = 8
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


T = TypeVar("T")


class _Ranking(Protocol):
    def allowed(self, limit: int) -> list[int]: ...
    def window_start(self, high: int | None, size: int) -> int | None: ...
    def rank(
        self, low: int | None, high: int | None, take: Callable[[Iterable[RankedRow]], None]
    ) -> None: ...
    def saved_matches(self, words: Words, weights: Sequence[float]) -> SaveMatches: ...
    def holding(self, words: Words, ids: Sequence[int], *, saves: bool) -> set[int]: ...
    def entries(self, ids: Sequence[int]) -> dict[int, Entry]: ...
    def snippets(self, ids: Sequence[int]) -> dict[int, tuple[object, object, object]]: ...


class _RankingType(Protocol):
    def __call__(
        self,
        conn: Connection,
        query: Query,
        driver: Driver | None,
        *,
        skip_id: int | None,
        weights: Sequence[float],
    ) -> _Ranking: ...


class _Store(Protocol):
    """What pkm.storage.search (SQLite) and pkm.storage.search_pg (PostgreSQL) offer."""

    @property
    def Ranking(self) -> _RankingType: ...  # noqa: N802 (the modules' class)
    def highest_id(self, conn: Connection) -> int: ...
    def newest(
        self,
        conn: Connection,
        query: Query,
        driver: Driver | None,
        *,
        skip_id: int | None,
        limit: int,
        offset: int,
    ) -> list[Entry]: ...
    def drivers(self, conn: Connection, q: Query, cap: int) -> list[Driver] | None: ...
    def within(self, conn: Connection, budget: int, work: Callable[[], T]) -> T | None: ...
    def site_driver(self, q: Query) -> Driver: ...
    def indexed_text(self, conn: Connection, entry_id: int) -> tuple[object, ...] | None: ...
    def match_count(self, conn: Connection, word: str, cap: int) -> int: ...


def _store(conn: Connection) -> _Store:
    """The search SQL of the connection's engine (the PostgreSQL module loads only for a
    PostgreSQL store)."""
    if dialect_of(conn) == POSTGRESQL:
        from pkm.storage import search_pg

        return search_pg
    return sqlite_store


def window_size(query: Query) -> int:
    """How many matches of ``query`` one ranking window holds: RANK_WINDOW over its
    number of words (at most 3), as each word adds to the cost of a match."""
    words = sum(len(term.split()) for term in query.terms)
    return max(1, RANK_WINDOW // min(3, max(1, words)))


def search(
    conn: Connection, query: Query, *, limit: int = DEFAULT_LIMIT, offset: int = 0
) -> SearchHits:
    """The hits for ``query``: best match first, or newest first when it has no words."""
    return _Search(conn, query, limit, offset).run()


def related(
    conn: Connection,
    entry_id: int,
    query: Query | None = None,
    *,
    limit: int = DEFAULT_LIMIT,
    offset: int = 0,
) -> SearchHits:
    """Entries most like ``entry_id``: its rarest telling words, ranked by BM25.

    ``query`` narrows the result (its words must match too; its filters apply).
    """
    like = like_expression(conn, entry_id)
    if like is None:
        return SearchHits()
    base = query if query is not None else _EMPTY
    match = AllOf((like, base.match)) if base.match else like
    narrowed = replace(base, match=match, near=None)  # near would widen the match
    return _Search(conn, narrowed, limit, offset, skip_id=entry_id).run()


_EMPTY = Query(None, (), (), (), (), (), None)


class _Search:
    def __init__(
        self,
        conn: Connection,
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
        self.store = _store(conn)

    def run(self) -> SearchHits:
        store = self.store
        total = store.highest_id(self.conn)
        if not total:
            return SearchHits()
        want = self.limit + self.offset
        driver: Driver | None = None
        threshold = math.isqrt(_DRIVE * want * total) + 1
        drivers = store.drivers(self.conn, self.query, threshold + 1)
        if drivers is None:  # a tag or feed that does not exist: nothing can match
            return SearchHits()
        if drivers and drivers[0].count <= threshold:
            driver = drivers[0]
        if driver is None and self.query.sites:
            # No index knows URL hosts: walking the date index (or the ranked matches)
            # and testing each URL is quick for a common site and slow for a rare one
            # (9 s at a million entries).  Past a budget, list the site's entries from
            # the url_key index first.
            hits = store.within(self.conn, SITE_SCAN_BUDGET, lambda: self._find(None))
            if hits is not None:
                return hits
            driver = store.site_driver(self.query)
        return self._find(driver)

    def _find(self, driver: Driver | None) -> SearchHits:
        if self.query.match is None:
            entries = self.store.newest(
                self.conn,
                self.query,
                driver,
                skip_id=self.skip_id,
                limit=self.limit,
                offset=self.offset,
            )
            return SearchHits(SearchHit(entry=entry) for entry in entries)
        return self._best(driver)

    def _best(self, driver: Driver | None) -> SearchHits:
        ranking = self.store.Ranking(
            self.conn, self.query, driver, skip_id=self.skip_id, weights=BM25_WEIGHTS
        )
        # The person's saves whose words, with their pages', match: few (one person's),
        # all ranked, and in the heap before the pages' own matches.
        assert self.query.match is not None
        mine, vetoed = _saved_matches(ranking, self.query.match)
        # With a driver, the matches it allows, newest first: none means no hits, and a
        # window without any of them is passed over unranked.
        allowed: list[int] | None = None
        want = self.limit + self.offset
        if driver is not None:
            allowed = ranking.allowed(want)
            if not allowed and not mine:
                return SearchHits()
            # Below the oldest one listed, unknown unless the list is complete.
            scanned_to = 0 if len(allowed) < want else allowed[-1]
        boost = SAVED_BOOST * (PHRASE_BOOST if self.query.near else 1.0)
        # The best so far as a min-heap of (-score, sort_date, id): its top is the worst
        # of them (highest score, then oldest, then lowest id). An entry of ``mine``
        # whose page matches too is in it twice (the sum beside its save's score), so
        # that it holds ``want`` distinct entries at any time.
        capacity = want + len(mine)
        best: list[tuple[float, int, int]] = []
        for entry_id, (raw, sort_date, saved) in mine.items():
            _push(best, capacity, (-raw * (SAVED_BOOST if saved else 1.0), sort_date, entry_id))
        ranked = 0
        size = window_size(self.query)
        high: int | None = None
        while True:
            low = ranking.window_start(high, size)
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
            ranking.rank(
                low, high, lambda rows: _rank_into(best, capacity, rows, boost, mine, vetoed)
            )
            if low is None:
                break  # every match was ranked
            ranked += size
            if len(best) == capacity:
                break  # enough hits among the newest matches
            high = low
        top = _distinct(sorted(best, reverse=True))[self.offset : want]
        hits = _hits(ranking, [(rowid, -neg) for neg, _, rowid in top])
        return SearchHits(hits, ranked=ranked if low is not None else None)


def _saved_matches(ranking: _Ranking, words: Words) -> tuple[SaveMatches, set[int]]:
    """The entries whose counted saves (the person's, and the public ones of the people
    the query is by:) ``words`` match when each word may be in one of those saves (tags,
    note) or in the page, with the raw rank of their saves for the words they hold; and
    the entries whose page alone matches but not with their saves' words (a word of a
    note that the query excludes).

    Candidates are the entries with a counted save holding any of the words; for a query
    of several, which word each candidate holds where is asked of both indexes, and the
    query is evaluated on that (a word of the note and one of the title match "word1
    word2").
    """
    terms = list(dict.fromkeys(_terms(words)))
    candidates = ranking.saved_matches(
        terms[0] if len(terms) == 1 else AnyOf(tuple(terms)), SAVE_WEIGHTS
    )
    if isinstance(words, Term) or not candidates:
        return candidates, set()
    ids = list(candidates)
    held: dict[int, set[Term]] = {entry_id: set() for entry_id in ids}
    for term in terms:
        for entry_id in ranking.holding(term, ids, saves=False) | ranking.holding(
            term, ids, saves=True
        ):
            held[entry_id].add(term)
    matched = {
        entry_id: found
        for entry_id, found in candidates.items()
        if _satisfied(words, held[entry_id].__contains__)
    }
    return matched, set(candidates) - set(matched)


def _terms(words: Words) -> Iterable[Term]:
    if isinstance(words, Term):
        yield words
    elif isinstance(words, Without):
        yield from _terms(words.base)
        yield from _terms(words.excluded)
    else:
        for item in words.items:
            yield from _terms(item)


def _satisfied(words: Words, holds: Callable[[Term], bool]) -> bool:
    """Whether ``words`` match, given which of their terms hold."""
    if isinstance(words, Term):
        return holds(words)
    if isinstance(words, Without):
        return _satisfied(words.base, holds) and not _satisfied(words.excluded, holds)
    if isinstance(words, AllOf):
        return all(_satisfied(item, holds) for item in words.items)
    return any(_satisfied(item, holds) for item in words.items)


def _hits(ranking: _Ranking, ranked: list[tuple[int, float]]) -> list[SearchHit]:
    if not ranked:
        return []
    ids = [rowid for rowid, _ in ranked]
    entries = ranking.entries(ids)
    snippets = ranking.snippets(ids)
    hits = []
    for rowid, score in ranked:
        entry = entries.get(rowid)
        if entry is None:  # deleted between the two reads
            continue
        text, spans = _highlights(_pick_snippet(*snippets.get(rowid, (None, None, None))))
        hits.append(SearchHit(entry=entry, snippet=text, highlights=spans, rank=score))
    return hits


def _any_within(newest_first: list[int], low: int | None, high: int | None) -> bool:
    """Whether some rowid of the descending list lies in [low, high)."""
    start = 0
    if high is not None:  # the first index whose rowid is below high
        start = bisect.bisect_right(newest_first, -high, key=lambda rowid: -rowid)
    return start < len(newest_first) and (low is None or newest_first[start] >= low)


def _rank_into(
    best: list[tuple[float, int, int]],
    want: int,
    rows: Iterable[RankedRow],
    boost: float,
    mine: SaveMatches,
    vetoed: set[int],
) -> None:
    """Feed rows (rowid, raw rank, saved, sort_date, side by side), best raw rank first,
    into ``best``.

    A saved entry's score is multiplied by SAVED_BOOST, one with the query's words side
    by side by PHRASE_BOOST; one whose save matches too (``mine``) adds that raw rank,
    one whose save's own words the query excludes (``vetoed``) is left out.
    Stops at the first row that could not enter even with ``boost`` (the largest
    possible product) and the best save's rank: every later row has a raw rank at
    least as high.
    """
    best_save = min((raw for raw, _, _ in mine.values()), default=0.0)
    for rowid, rank, saved, sort_date, side_by_side in rows:
        if len(best) == want and (rank + best_save) * boost > -best[0][0]:
            break
        if rowid in vetoed:
            continue
        also = mine.get(int(rowid))
        score = rank + also[0] if also else rank
        if saved:
            score *= SAVED_BOOST
        if side_by_side:
            score *= PHRASE_BOOST
        _push(best, want, (-score, int(sort_date), int(rowid)))


def _push(best: list[tuple[float, int, int]], want: int, item: tuple[float, int, int]) -> None:
    if len(best) < want:
        heapq.heappush(best, item)
    elif item > best[0]:
        heapq.heapreplace(best, item)


def _distinct(ranked: list[tuple[float, int, int]]) -> list[tuple[float, int, int]]:
    """The best-first items with each entry once, at its best."""
    seen: set[int] = set()
    kept = []
    for item in ranked:
        if item[2] not in seen:
            seen.add(item[2])
            kept.append(item)
    return kept


# --- snippets ---------------------------------------------------------------------------


def _pick_snippet(text: object, note: object, archived: object) -> str | None:
    """The body's snippet, or the note's when only the note has the words, or the
    archived page's when only it has them."""
    body = text if isinstance(text, str) and text.strip() else None
    memo = note if isinstance(note, str) and note.strip() else None
    if body is not None and MARK_START in body:
        return body
    if memo is not None and MARK_START in memo:
        return memo
    if isinstance(archived, str) and MARK_START in archived:
        return archived
    return body or memo


def _highlights(marked: str | None) -> tuple[str | None, tuple[tuple[int, int], ...]]:
    """Split a marked snippet into plain text and the spans that matched."""
    if marked is None:
        return None, ()
    plain: list[str] = []
    spans: list[tuple[int, int]] = []
    length = 0
    start = 0
    for char in marked:
        if char == MARK_START:
            start = length
        elif char == MARK_END:
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


def like_expression(conn: Connection, entry_id: int) -> Words | None:
    """The entry's most telling words (any of them), or None if it has none.

    Words are weighted by where they occur (title and tags above the note, the note
    above the body) and by how rare they are in the index; words that only this entry
    has, or that too many entries have, tell nothing and are left out.
    """
    store = _store(conn)
    row = store.indexed_text(conn, entry_id)
    if row is None:
        raise EntryNotFoundError(f"no entry with id {entry_id}")
    weights: Counter[str] = Counter()
    for value, weight in zip(row, _LIKE_WEIGHTS, strict=True):
        if isinstance(value, str):
            for word in _words(value[:_LIKE_TEXT_CHARS]):
                weights[word] += weight
    total = store.highest_id(conn)
    cap = max(50, total // 200)  # a word in more entries than this tells little
    scored: list[tuple[float, str, int]] = []
    for word, weight in weights.most_common(_LIKE_CANDIDATES):
        df = store.match_count(conn, word, cap)
        if 2 <= df < cap:
            scored.append((weight * math.log(total / df), word, df))
    scored.sort(reverse=True)
    chosen: list[Words] = []
    matches = 0
    for _, word, df in scored:
        if len(chosen) == _LIKE_TERMS or (chosen and matches + df > _LIKE_MAX_MATCHES):
            break
        chosen.append(Term(word))
        matches += df
    if not chosen:
        return None
    return chosen[0] if len(chosen) == 1 else AnyOf(tuple(chosen))


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
