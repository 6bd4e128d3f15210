"""Search: ranking on a hand-built corpus, the query language end to end, plans, and
properties (the fast paths give exactly what a brute-force ranking gives)."""

from __future__ import annotations

import json
import random
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import RunCli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from people_corpus import TAGS, VOCAB, acting_as, add_others, counted_saves, summed

from pkm import search as search_mod
from pkm.api import Pkm
from pkm.errors import EntryNotFoundError, NotFoundError, QueryError, UsageError
from pkm.query import AllOf, Query, Term, Without, Words, merge, parse_query
from pkm.search import (
    BM25_WEIGHTS,
    PHRASE_BOOST,
    SAVE_WEIGHTS,
    SAVED_BOOST,
    SearchHits,
    related,
    search,
)
from pkm.storage import search as search_store
from pkm.storage.db import open_store, transaction
from pkm.storage.entries import EntryRepository
from pkm.storage.feeds import FeedRepository
from pkm.storage.filters import where_clause
from pkm.storage.fts5 import FTS_TABLE, SAVES_FTS_TABLE, match_expression
from pkm.storage.people import entry_joins, me
from pkm.storage.tags import TagRepository
from pkm.types import FindOptions, ParsedEntry

NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)


def ts(year: int, month: int, day: int) -> int:
    return int(datetime(year, month, day, tzinfo=UTC).timestamp())


# --- the hand-built corpus ------------------------------------------------------------------


@dataclass(frozen=True)
class Doc:
    name: str
    title: str
    text: str = ""
    date: int = ts(2026, 1, 1)
    feed: str | None = None  # "jarche" or "events"; None: a page saved by URL
    url: str | None = None
    saved: bool = False
    tags: tuple[str, ...] = ()
    note: str | None = None
    to_read: bool = False
    muted: bool = False


DOCS = [
    # title beats body (same words, same length)
    Doc("title_hit", "Hybrid meetings guide", "rooms chairs tables screens", feed="jarche"),
    Doc("body_hit", "Rooms chairs tables", "hybrid meetings guide screens", feed="jarche"),
    # tag beats body (both saved)
    Doc("tag_hit", "Bread notes", "flour water salt", saved=True, tags=("sourdough",)),
    Doc("tagbody_hit", "Bread notes", "sourdough flour water", saved=True, tags=("baking",)),
    # note beats body (both saved)
    Doc("note_hit", "Garden log", "soil compost", saved=True, note="permaculture garden"),
    Doc("notebody_hit", "Garden log", "permaculture garden soil compost", saved=True),
    # the phrase beats the scattered words, though the scattered one is newer
    Doc("phrase", "Planning", "remote hybrid events planning", date=ts(2025, 5, 1), feed="events"),
    Doc(
        "scattered", "Planning", "events planning remote hybrid", date=ts(2025, 6, 1), feed="events"
    ),
    # saved beats newer; equal scores go to the newer
    Doc("saved_old", "Zettelkasten method", date=ts(2024, 1, 1), feed="jarche", saved=True),
    Doc("unsaved_new", "Zettelkasten method", date=ts(2025, 1, 1), feed="jarche"),
    Doc("tie_old", "Kanban boards", date=ts(2024, 2, 1), feed="events"),
    Doc("tie_new", "Kanban boards", date=ts(2024, 3, 1), feed="events"),
    # accents and case
    Doc("accent1", "Nieuwe ideeën voor het netwerk", "netwerken en leren", feed="jarche"),
    Doc("accent2", "IDEEËN", "over netwerken", saved=True, tags=("Ideeën",)),
    Doc("accent3", "Ideeen zonder accent", "een net", feed="jarche"),
    # filters
    Doc(
        "conf",
        "Keynote at the unconference",
        "hybrid session notes",
        date=ts(2026, 3, 1),
        url="https://blog.example.org/keynote",
        saved=True,
        tags=("Conference2.0", "keynote"),
        note="good overview of hybrid sessions",
        to_read=True,
    ),
    Doc(
        "confold",
        "Conference travel",
        "trains and hotels",
        date=ts(2025, 9, 1),
        url="https://example.org/travel",
        saved=True,
        tags=("conference-travel",),
    ),
    Doc(
        "evil",
        "Evil site",
        "tracking pixels",
        url="https://evil.com/x.example.org/",
        saved=True,
        muted=True,
    ),
    # FTS5 syntax as text
    Doc("syntax", "c++ and NEAR(x y) title:python", "a*b ^caret", feed="events"),
]


@dataclass
class Corpus:
    path: Path
    ids: dict[str, int]

    def name(self, entry_id: int) -> str:
        return next(n for n, i in self.ids.items() if i == entry_id)

    def names(self, hits: list[object]) -> list[str]:
        return [self.name(h.entry.id) for h in hits]  # type: ignore[attr-defined]


def _store(path: Path, docs: list[Doc]) -> dict[str, int]:
    conn = open_store(path)
    feeds, entries, tags = FeedRepository(conn), EntryRepository(conn), TagRepository(conn)
    ids: dict[str, int] = {}
    with transaction(conn):
        feed_ids = {
            "jarche": feeds.add("https://jarche.com/feed/", title="Harold Jarche")[0],
            "events": feeds.add("https://events.example/rss", title="Events Blog")[0],
        }
        scan = int(conn.execute("INSERT INTO scans (started_at) VALUES (0)").lastrowid or 0)
        for n, doc in enumerate(docs):
            if doc.feed is not None:
                host = "jarche.com" if doc.feed == "jarche" else "events.example"
                url = doc.url or f"https://{host}/{n}"
                item = ParsedEntry(
                    key=f"guid:{n}",
                    url=url,
                    title=doc.title,
                    author=None,
                    summary_html=None,
                    content_html=f"<p>{doc.text}</p>",
                    text=doc.text,
                    published=datetime.fromtimestamp(doc.date, UTC),
                    updated=None,
                    content_hash=str(n),
                )
                source = f"{'Harold Jarche' if doc.feed == 'jarche' else 'Events Blog'} {host}"
                (entry_id,) = entries.store_items(feed_ids[doc.feed], source, [item], 0, scan).new
            else:
                url = doc.url or f"https://pages.example/{n}"
                entry_id = entries.add_page(
                    url, title=doc.title, description=doc.text, source="pages.example", now=doc.date
                )
            if doc.saved:
                entries.mark_saved(entry_id, now=doc.date, note=doc.note, to_read=doc.to_read)
            if doc.tags:
                tags.add(entry_id, doc.tags)
            if doc.muted:  # as a mute rule would set it
                conn.execute(
                    "INSERT INTO entry_states (person_id, entry_id, muted) VALUES (?, ?, 1)",
                    (me(conn), entry_id),
                )
            ids[doc.name] = entry_id
        index_pending = getattr(entries, "index_pending", None)
        if index_pending is not None:  # as a scan does at its end (deferred indexing)
            index_pending()
    conn.close()
    return ids


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    path = tmp_path_factory.mktemp("search") / "pkm.db"
    return Corpus(path, _store(path, DOCS))


@pytest.fixture
def pkm(corpus: Corpus) -> Iterator[Pkm]:
    with Pkm.open(corpus.path) as store:
        yield store


def names(corpus: Corpus, pkm: Pkm, query: str = "", **options: object) -> list[str]:
    return corpus.names(pkm.find(query, **options))  # type: ignore[arg-type]


def before(order: list[str], first: str, second: str) -> bool:
    return order.index(first) < order.index(second)


# --- ranking --------------------------------------------------------------------------------


def test_title_beats_body(corpus: Corpus, pkm: Pkm) -> None:
    assert names(corpus, pkm, "hybrid meetings")[:2] == ["title_hit", "body_hit"]
    order = names(corpus, pkm, "hybrid")
    assert before(order, "title_hit", "body_hit")


def test_tag_beats_body(corpus: Corpus, pkm: Pkm) -> None:
    assert names(corpus, pkm, "sourdough") == ["tag_hit", "tagbody_hit"]


def test_note_beats_body(corpus: Corpus, pkm: Pkm) -> None:
    assert names(corpus, pkm, "permaculture") == ["note_hit", "notebody_hit"]


def test_phrase_beats_scattered_words(corpus: Corpus, pkm: Pkm) -> None:
    assert names(corpus, pkm, "hybrid events") == ["phrase", "scattered"]
    assert names(corpus, pkm, '"hybrid events"') == ["phrase"]
    # Without the side-by-side boost the two tie, and the newer would come first.
    assert names(corpus, pkm, "hybrid events planning") == ["phrase", "scattered"]
    assert names(corpus, pkm, "events hybrid") == ["scattered", "phrase"]


def test_saved_boost_and_recency(corpus: Corpus, pkm: Pkm) -> None:
    assert names(corpus, pkm, "zettelkasten") == ["saved_old", "unsaved_new"]
    assert names(corpus, pkm, "kanban") == ["tie_new", "tie_old"]
    hits = pkm.find("zettelkasten")
    assert hits[0].rank is not None and hits[1].rank is not None
    assert hits[0].rank == pytest.approx(hits[1].rank * SAVED_BOOST)


def test_scores_are_bm25_with_the_documented_weights(corpus: Corpus, pkm: Pkm) -> None:
    conn = sqlite3.connect(corpus.path)
    weights = ", ".join(map(str, BM25_WEIGHTS))
    raw = dict(
        conn.execute(
            f"SELECT rowid, bm25({FTS_TABLE}, {weights}) FROM {FTS_TABLE}"
            f" WHERE {FTS_TABLE} MATCH 'hybrid'"
        ).fetchall()
    )
    save_weights = ", ".join(map(str, SAVE_WEIGHTS))
    saved = dict(
        conn.execute(
            f"SELECT s.entry_id, bm25({SAVES_FTS_TABLE}, {save_weights}) FROM {SAVES_FTS_TABLE}"
            f" JOIN saves s ON s.id = {SAVES_FTS_TABLE}.rowid"
            f" WHERE {SAVES_FTS_TABLE} MATCH 'hybrid'"
        ).fetchall()
    )
    conn.close()
    hits = pkm.find("hybrid")
    assert hits and set(raw) <= {hit.entry.id for hit in hits}
    for hit in hits:
        factor = SAVED_BOOST if hit.entry.saved else 1.0
        expected = raw.get(hit.entry.id, 0.0) + saved.get(hit.entry.id, 0.0)
        assert hit.rank == pytest.approx(expected * factor)


# --- words, accents, prefixes, operators ----------------------------------------------------


@pytest.mark.parametrize("query", ["ideeen", "ideeën", "Ideeën", "IDEEËN", "IDEEEN"])
def test_accents_and_case_are_folded(corpus: Corpus, pkm: Pkm, query: str) -> None:
    assert set(names(corpus, pkm, query)) == {"accent1", "accent2", "accent3"}


def test_prefix(corpus: Corpus, pkm: Pkm) -> None:
    assert set(names(corpus, pkm, "netwerk*")) == {"accent1", "accent2"}
    assert set(names(corpus, pkm, "netwerk")) == {"accent1"}
    assert set(names(corpus, pkm, "net*")) == {"accent1", "accent2", "accent3"}
    assert set(names(corpus, pkm, '"nieuwe idee"*')) == {"accent1"}


JARCHE = {"title_hit", "body_hit", "saved_old", "unsaved_new", "accent1", "accent3"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("hybrid meetings", {"title_hit", "body_hit"}),
        ("hybrid AND meetings", {"title_hit", "body_hit"}),
        ("zettelkasten OR kanban", {"saved_old", "unsaved_new", "tie_old", "tie_new"}),
        ("hybrid -meetings", {"phrase", "scattered", "conf"}),
        ("hybrid NOT meetings", {"phrase", "scattered", "conf"}),
        ("hybrid -(meetings OR events)", {"conf"}),
        ("(sourdough OR permaculture) notes", {"tag_hit", "tagbody_hit"}),
        ('"meetings guide"', {"title_hit", "body_hit"}),
        ('"guide meetings"', set()),
        ("c++", {"syntax"}),
        ("NEAR(x y)", {"syntax"}),
        ('"NEAR(x y)"', {"syntax"}),
        ("title:python", {"syntax"}),
        ("a*b", {"syntax"}),
        ("^caret", {"syntax"}),
        ("jarche", JARCHE),
        ("unconference keynote", {"conf"}),  # the tag is indexed too
        ("hybrid -#keynote", {"title_hit", "body_hit", "phrase", "scattered"}),
    ],
)
def test_words_and_operators(corpus: Corpus, pkm: Pkm, query: str, expected: set[str]) -> None:
    assert set(names(corpus, pkm, query)) == expected


# --- filters --------------------------------------------------------------------------------

SAVED = {
    "tag_hit",
    "tagbody_hit",
    "note_hit",
    "notebody_hit",
    "saved_old",
    "accent2",
    "conf",
    "confold",
    "evil",
}


@pytest.mark.parametrize(
    ("query", "options", "expected"),
    [
        ("#conference2.0", {}, {"conf"}),
        ("#CONFERENCE2.0", {}, {"conf"}),
        ("", {"tags": ["Conference2.0"]}, {"conf"}),
        ("", {"tags": ["#conference2.0"]}, {"conf"}),
        ("#conf*", {}, {"conf", "confold"}),
        ("", {"tags": ["conf*"]}, {"conf", "confold"}),
        ("#ideeën", {}, {"accent2"}),
        ("#IDEEËN", {}, {"accent2"}),
        ("#conf* -#keynote", {}, {"confold"}),
        ("#conf* -#key*", {}, {"confold"}),
        ("hybrid #keynote", {}, {"conf"}),
        ("hybrid", {"tags": ["keynote"]}, {"conf"}),
        ("feed:jarche", {}, JARCHE),
        ("", {"feed": "Jarche"}, JARCHE),
        ("hybrid feed:events", {}, {"phrase", "scattered"}),
        ('feed:"events blog" kanban', {}, {"tie_old", "tie_new"}),
        ("site:example.org", {}, {"conf", "confold"}),
        ("site:blog.example.org", {}, {"conf"}),
        ("site:evil.com", {}, {"evil"}),
        (
            "since:2026-01-01",
            {},
            {"title_hit", "body_hit", "conf", "accent1", "accent2", "accent3"}
            | {"tagbody_hit", "tag_hit", "note_hit", "notebody_hit", "evil", "syntax"},
        ),
        ("since:2026-02-01", {}, {"conf"}),
        ("", {"since": "2026-02-01"}, {"conf"}),
        ("is:saved", {}, SAVED),
        ("", {"saved": True}, SAVED),
        ("is:saved hybrid", {}, {"conf"}),
        ("is:unread #conference2.0", {}, {"conf"}),
        ("is:toread is:saved", {}, {"conf"}),
        ("is:toread", {}, {"conf"}),
        # Nothing here was ever shown: every saved entry is still unread.
        ("is:unread is:saved", {}, SAVED),
        ("", {"unread": True, "saved": True}, SAVED),
        ("!untagged is:saved", {}, {"note_hit", "notebody_hit", "evil", "saved_old"}),
        ("is:muted", {}, {"evil"}),
        ("tracking", {}, {"evil"}),  # muted entries are found like any other
        ("-#sourdough bread", {}, {"tagbody_hit"}),
        ("#sourdough -flour", {}, set()),
        ("#sourdough -kanban", {}, {"tag_hit"}),
    ],
)
def test_filters(
    corpus: Corpus, pkm: Pkm, query: str, options: dict[str, object], expected: set[str]
) -> None:
    assert set(names(corpus, pkm, query, limit=100, **options)) == expected


@pytest.mark.parametrize(
    ("query", "options", "error"),
    [
        ("#ideeen", {}, "no tag 'ideeen'"),  # tags are exact: accents count
        ("#nope", {}, "no tag 'nope'"),
        ("", {"tags": ["nope"]}, "no tag 'nope'"),
        ("feed:nothing", {}, "no feed matches 'nothing'"),
        ("", {"feed": "nothing"}, "no feed matches 'nothing'"),
    ],
)
def test_a_name_nothing_has_is_an_error(
    pkm: Pkm, query: str, options: dict[str, Any], error: str
) -> None:
    with pytest.raises(NotFoundError, match=error):
        pkm.find(query, **options)


def test_a_known_name_with_nothing_else_matching_is_just_empty(pkm: Pkm) -> None:
    assert pkm.find("nowordlikethis #sourdough") == []


def test_no_words_lists_newest_first(corpus: Corpus, pkm: Pkm) -> None:
    hits = pkm.find("", limit=100)
    dates = [h.entry.published or h.entry.first_seen for h in hits]
    assert len(hits) == len(DOCS)
    sort_dates = [_sort_date(corpus, h.entry.id) for h in hits]
    assert sort_dates == sorted(sort_dates, reverse=True)
    assert all(d is not None for d in dates)
    assert all(h.snippet is None and h.rank is None for h in hits)


def _sort_date(corpus: Corpus, entry_id: int) -> int:
    conn = sqlite3.connect(corpus.path)
    try:
        return int(
            conn.execute("SELECT sort_date FROM entries WHERE id = ?", (entry_id,)).fetchone()[0]
        )
    finally:
        conn.close()


def test_limit_and_offset_page_through(corpus: Corpus, pkm: Pkm) -> None:
    for query in ("", "hybrid", "is:saved", "#conf*"):
        everything = [h.entry.id for h in pkm.find(query, limit=100)]
        pages = [h.entry.id for o in range(0, 30, 3) for h in pkm.find(query, limit=3, offset=o)]
        assert pages == everything, query


def test_options_in_one_find_options_mean_what_they_mean_one_by_one(pkm: Pkm) -> None:
    ids = [h.entry.id for h in pkm.find("", tags=["conf*"], limit=2, offset=1)]
    options = FindOptions(tags=("conf*",), limit=2, offset=1)
    assert [h.entry.id for h in pkm.find("", options=options)] == ids and ids
    with pytest.raises(UsageError, match="not both"):
        pkm.find("hybrid", saved=True, options=options)


def test_snippets_highlight_the_matched_words(corpus: Corpus, pkm: Pkm) -> None:
    (hit,) = pkm.find('"soil compost" permaculture garden log', limit=1)
    assert hit.snippet is not None
    marked = " ".join(hit.snippet[a:b].lower() for a, b in hit.highlights).split()
    assert marked and set(marked) <= {"soil", "compost", "permaculture", "garden", "log"}
    note = pkm.find("permaculture", limit=1)[0]
    assert note.snippet == "permaculture garden"  # only the note has it: the note is shown
    assert [note.snippet[a:b] for a, b in note.highlights] == ["permaculture"]
    accented = pkm.find("ideeen netwerken", limit=5)
    assert any("netwerken" in (h.snippet or "") for h in accented)


def test_search_hits_say_when_all_matches_were_ranked(corpus: Corpus, pkm: Pkm) -> None:
    hits = pkm.find("hybrid")
    assert isinstance(hits, SearchHits) and hits.ranked is None


# --- the query reaches SQL only as parameters -------------------------------------------------


@pytest.mark.parametrize(
    "query",
    ['"hybrid', "(hybrid", "hybrid)", "OR", '"', "*", "NEAR(", "-", "a OR", "#", "is:nope"],
)
def test_malformed_queries_are_usage_errors(pkm: Pkm, query: str) -> None:
    with pytest.raises(QueryError) as info:
        pkm.find(query)
    assert "\n" not in str(info.value)
    assert "position" in str(info.value) or "is:" in str(info.value)


SYMBOLS = [*"abcdeéë \"()*-#:!^+.,\\'%_", " OR ", " AND ", " NOT ", "NEAR", "is:", "site:"]
query_texts = st.lists(st.sampled_from(SYMBOLS), max_size=16).map("".join) | st.text(max_size=24)


@settings(
    max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=query_texts, like=st.booleans())
def test_any_query_text_gives_hits_or_a_query_error(pkm: Pkm, text: str, like: bool) -> None:
    try:
        hits = pkm.find(text, limit=5, like=1 if like else None)
    except (QueryError, NotFoundError) as exc:  # a malformed query, or a name nothing has
        assert str(exc) and "\n" not in str(exc)
        return
    assert isinstance(hits, list)


# --- related ----------------------------------------------------------------------------------

RELATED_DOCS = [
    Doc("loaf", "Rye loaf with a levain starter", "levain hydration crumb oven", saved=True),
    Doc("starter", "Feeding a rye starter", "levain hydration schedule", saved=True),
    Doc("crumb", "Open crumb rye bake", "hydration levain shaping", feed="jarche"),
    Doc("stew", "Winter stew", "beans onions oven", feed="events"),
    Doc("salad", "Summer salad", "tomatoes basil", feed="events"),
]


@pytest.fixture(scope="module")
def baking(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    path = tmp_path_factory.mktemp("related") / "pkm.db"
    return Corpus(path, _store(path, DOCS + RELATED_DOCS))


def test_related_pulls_the_thread(baking: Corpus) -> None:
    with Pkm.open(baking.path) as store:
        order = baking.names(store.related(baking.ids["loaf"]))
        assert order[:2] and set(order[:2]) == {"starter", "crumb"}
        assert "loaf" not in order and "salad" not in order
        like = baking.names(store.find(like=baking.ids["loaf"], saved=True))
        assert like == ["starter"]
        narrowed = baking.names(store.find("shaping", like=baking.ids["loaf"]))
        assert narrowed == ["crumb"]
        assert store.related(baking.ids["salad"]) == []  # nothing shares its words
        with pytest.raises(EntryNotFoundError):
            store.related(99999)


# --- plans: the indexes that keep a million entries fast ---------------------------------------


def _plan(conn: sqlite3.Connection, sql: str, params: list[object]) -> str:
    return " | ".join(row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", params))


def test_plans_use_the_indexes(corpus: Corpus, monkeypatch: pytest.MonkeyPatch) -> None:
    conn = open_store(corpus.path)
    seen: list[tuple[str, list[object]]] = []

    def record(q: Query, **kw: int) -> None:
        seen.clear()
        original = conn.execute

        class Spy:
            def __getattr__(self, name: str) -> object:
                return getattr(conn, name)

            def execute(self, sql: str, params: object = ()) -> sqlite3.Cursor:
                seen.append((sql, list(params)))  # type: ignore[call-overload]
                return original(sql, params)  # type: ignore[arg-type]

        search(Spy(), q, **kw)  # type: ignore[arg-type]

    # Newest first without filters: the date index, no sort.
    record(parse_query(""))
    listing = next(s for s in seen if "ORDER BY e.sort_date" in s[0])
    plan = _plan(conn, *listing)
    assert "ix_entries_sort_date" in plan and "TEMP B-TREE" not in plan, plan

    # A small tag drives: its entries from save_tags, then sorted.
    record(parse_query("#conference2.0"))
    listing = next(s for s in seen if "ORDER BY e.sort_date" in s[0])
    plan = _plan(conn, *listing)
    assert "ix_save_tags_tag_id" in plan and "SCAN e" not in plan, plan

    # Words: FTS5 orders by rank itself, entries are read by rowid; a driver does not
    # turn into one FTS5 query per id.
    record(parse_query("hybrid #keynote"))
    ranked = next(s for s in seen if ".rank MATCH" in s[0])
    plan = _plan(conn, *ranked)
    assert "VIRTUAL TABLE INDEX 32:" in plan and "TEMP B-TREE" not in plan, plan
    assert "INTEGER PRIMARY KEY" in plan, plan
    conn.close()


# --- properties: fast paths == brute force ---------------------------------------------------


def _random_docs(seed: int, n: int) -> list[Doc]:
    rng = random.Random(seed)
    docs = []
    for i in range(n):
        weights = [1 / (k + 1) for k in range(len(VOCAB))]
        title = " ".join(rng.choices(VOCAB, weights, k=rng.randint(1, 4)))
        text = " ".join(rng.choices(VOCAB, weights, k=rng.randint(0, 12)))
        saved = rng.random() < 0.4
        docs.append(
            Doc(
                f"r{i}",
                title,
                text,
                date=ts(2020, 1, 1) + rng.randrange(6 * 365) * 86_400,
                feed=None if saved and rng.random() < 0.5 else rng.choice(["jarche", "events"]),
                saved=saved,
                tags=tuple(rng.sample(TAGS, rng.randint(0, 2))) if saved else (),
                note=" ".join(rng.choices(VOCAB, k=3)) if saved and rng.random() < 0.3 else None,
            )
        )
    return docs


@pytest.fixture(scope="module")
def random_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sqlite3.Connection]:
    path = tmp_path_factory.mktemp("random") / "pkm.db"
    _store(path, _random_docs(7, 240))
    conn = open_store(path)
    with transaction(conn):
        add_others(conn, 11)
    yield conn
    conn.close()


def _word_terms(words: Words) -> list[Term]:
    if isinstance(words, Term):
        return [words]
    if isinstance(words, Without):
        return _word_terms(words.base) + _word_terms(words.excluded)
    return [term for item in words.items for term in _word_terms(item)]


def _holds(words: Words, held: set[Term]) -> bool:
    if isinstance(words, Term):
        return words in held
    if isinstance(words, Without):
        return _holds(words.base, held) and not _holds(words.excluded, held)
    if isinstance(words, AllOf):
        return all(_holds(item, held) for item in words.items)
    return any(_holds(item, held) for item in words.items)


def _saves_matched(
    conn: sqlite3.Connection, q: Query, allowed: dict[int, tuple[int, int]]
) -> tuple[dict[int, set[Term]], dict[int, float]]:
    """Which term each entry with counted saves holds (in its page or in one of those
    saves' tags and note), and the BM25 rank of those the query matches so (the sum of
    their saves')."""
    assert q.match is not None
    terms = list(dict.fromkeys(_word_terms(q.match)))
    counted = counted_saves(conn, q.by)
    held: dict[int, set[Term]] = {entry_id: set() for entry_id in counted.values()}
    for term in terms:
        expression = match_expression(term)
        for (rowid,) in conn.execute(
            f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ?", (expression,)
        ):
            if rowid in held:
                held[rowid].add(term)
        for (save_id,) in conn.execute(
            f"SELECT rowid FROM {SAVES_FTS_TABLE} WHERE {SAVES_FTS_TABLE} MATCH ?", (expression,)
        ):
            if save_id in counted:
                held[counted[save_id]].add(term)
    any_term = " OR ".join(f"({match_expression(term)})" for term in terms)
    save_weights = ", ".join(map(str, SAVE_WEIGHTS))
    ranks = [
        (counted[save_id], rank)
        for save_id, rank in conn.execute(
            f"SELECT rowid, bm25({SAVES_FTS_TABLE}, {save_weights}) FROM {SAVES_FTS_TABLE}"
            f" WHERE {SAVES_FTS_TABLE} MATCH ?",
            (any_term,),
        )
        if save_id in counted
    ]
    return held, summed(ranks, allowed, lambda entry_id: _holds(q.match, held[entry_id]))


def brute_force(
    conn: sqlite3.Connection, q: Query, limit: int, offset: int, window: int | None
) -> list[int]:
    """What search must return, computed the slow, obvious way: the page's words ranked
    by BM25 (newest windows first), the entries whose counted saves' words (the
    person's, and the by: people's public ones) with their page's match ranked by those
    saves' BM25 (always; boosted when the person saved it), one whose page matches too
    scoring the sum."""
    where, params = where_clause(q)
    joined = f"entries e{entry_joins(conn)}"
    if q.match is None:
        rows = conn.execute(
            f"SELECT e.id FROM {joined} WHERE {where} ORDER BY e.sort_date DESC, e.id DESC",
            params,
        )
        return [r[0] for r in rows][offset : offset + limit]
    weights = ", ".join(map(str, BM25_WEIGHTS))
    raw = dict(
        conn.execute(
            f"SELECT rowid, bm25({FTS_TABLE}, {weights}) FROM {FTS_TABLE}"
            f" WHERE {FTS_TABLE} MATCH ?",
            (match_expression(q.match),),
        ).fetchall()
    )
    near = set()
    if q.near:
        near = {
            r[0]
            for r in conn.execute(
                f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ?",
                (match_expression(q.near),),
            )
        }
    allowed = {
        r[0]: (r[1], r[2])
        for r in conn.execute(
            f"SELECT e.id, s.id IS NOT NULL, e.sort_date FROM {joined} WHERE {where}", params
        )
    }
    held, save_raw = _saves_matched(conn, q, allowed)
    kept: list[tuple[float, int, int]] = [
        (rank * (SAVED_BOOST if allowed[entry_id][0] else 1.0), -allowed[entry_id][1], -entry_id)
        for entry_id, rank in save_raw.items()
    ]
    newest_first = sorted(raw, reverse=True)
    if window:
        words = sum(len(term.split()) for term in q.terms)
        window = window // min(3, max(1, words))
    chunks = (
        [newest_first[i : i + window] for i in range(0, len(newest_first), window)]
        if window
        else [newest_first]
    )
    for chunk in chunks:
        for rowid in chunk:
            if rowid in held and not _holds(q.match, held[rowid]):
                continue  # a word of a counted save the query excludes
            if rowid in allowed:
                saved, sort_date = allowed[rowid]
                score = raw[rowid] + save_raw.get(rowid, 0.0)
                if saved:
                    score *= SAVED_BOOST
                if rowid in near:
                    score *= PHRASE_BOOST
                kept.append((score, -sort_date, -rowid))
        if len(kept) >= limit + offset + len(save_raw):
            break
    kept.sort()
    seen: list[int] = []
    for _, _, rowid in kept:
        if -rowid not in seen:
            seen.append(-rowid)
    return seen[offset : offset + limit]


words = st.sampled_from(VOCAB + ["alp*", "ep*", '"alpha beta"', '"beta alpha"'])
filters = st.sampled_from(
    [
        "site:jarche.com",
        "site:pages.example",
        "site:example",
        "#red",
        "#green",
        "#GRÜN",
        "#gr*",
        "-#blue",
        "is:saved",
        "is:unread",
        "!untagged",
        "feed:jarche",
        "since:2023-01-01",
        "-gamma",
        "-#green",
        "feed:events",
        "by:alice",
        "by:bob",
    ]
)
queries = st.builds(
    lambda ws, op, fs: (
        ("(" + " OR ".join(ws) + ")" if op and ws else " ".join(ws)) + " " + " ".join(fs)
    ),
    st.lists(words, max_size=3),
    st.sampled_from(["", "OR"]),
    st.lists(filters, max_size=3),
)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    text=queries,
    limit=st.integers(1, 12),
    offset=st.integers(0, 8),
    window=st.sampled_from([None, 3, 7, 40]),
    drive=st.sampled_from([0, 8, 10**9]),
    budget=st.sampled_from([10**9, 0]),
    person=st.sampled_from([None, None, "alice"]),
)
def test_search_equals_brute_force(
    random_store: sqlite3.Connection,
    monkeypatch: pytest.MonkeyPatch,
    text: str,
    limit: int,
    offset: int,
    window: int | None,
    drive: int,
    budget: int,
    person: str | None,
) -> None:
    q = parse_query(text.strip(), now=NOW)
    with monkeypatch.context() as patch, acting_as(random_store, person):
        patch.setattr(search_mod, "RANK_WINDOW", window or 10**9)
        patch.setattr(search_mod, "_DRIVE", drive)
        patch.setattr(search_mod, "SITE_SCAN_BUDGET", budget)
        got = [h.entry.id for h in search(random_store, q, limit=limit, offset=offset)]
        assert got == brute_force(random_store, q, limit, offset, window), (text, person)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(entry_id=st.integers(1, 240), tags=st.lists(st.sampled_from(TAGS), max_size=1))
def test_related_never_returns_the_entry_itself(
    random_store: sqlite3.Connection, entry_id: int, tags: list[str]
) -> None:
    q = merge(parse_query(""), tags=tags)
    hits = related(random_store, entry_id, q, limit=10)
    assert entry_id not in [h.entry.id for h in hits]
    ranks = [h.rank for h in hits]
    assert all(r is not None for r in ranks)


def test_a_rare_site_asks_the_url_index(
    random_store: sqlite3.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_mod, "SITE_SCAN_BUDGET", 0)  # always over budget,
    monkeypatch.setattr(search_store, "_PROGRESS_STEP", 1)  # however small the store
    statements: list[str] = []
    random_store.set_trace_callback(statements.append)
    try:
        for text in ("site:pages.example", "alpha site:jarche.com", "site:nowhere.example"):
            q = parse_query(text)
            got = [h.entry.id for h in search(random_store, q, limit=7)]
            assert got == brute_force(random_store, q, 7, 0, None), text
    finally:
        random_store.set_trace_callback(None)
    assert any("url_key LIKE" in sql for sql in statements)
    assert random_store.execute("SELECT 1").fetchone() == (1,)  # no progress handler left


def test_windows_rank_the_newest_matches(random_store: sqlite3.Connection) -> None:
    q = parse_query("alpha")
    everything = search(random_store, q, limit=500)
    assert everything.ranked is None
    original = search_mod.RANK_WINDOW
    try:
        search_mod.RANK_WINDOW = 10
        windowed = search(random_store, q, limit=5)
    finally:
        search_mod.RANK_WINDOW = original
    assert windowed.ranked == 10
    newest = sorted((h.entry.id for h in everything), reverse=True)[:10]
    # The person's saves whose own tags or note hold the word are always ranked.
    assert all(
        h.entry.id in newest or "alpha" in f"{h.entry.note} {' '.join(h.entry.tags)}"
        for h in windowed
    )


# --- the command line ---------------------------------------------------------------------------


def _run_json(cli: RunCli, corpus: Corpus, *args: str) -> list[dict[str, object]]:
    result = cli("--db", str(corpus.path), "find", *args, "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert isinstance(data, list)
    return data


def test_cli_find_tag_lists_it(cli: RunCli, corpus: Corpus) -> None:
    found = _run_json(cli, corpus, "#conference2.0")
    assert [h["id"] for h in found] == [corpus.ids["conf"]]
    hit = found[0]
    assert hit["tags"] == ["Conference2.0", "keynote"] and hit["saved"] is True
    assert hit["date"] == "2026-03-01T00:00:00Z" and hit["note"]
    text = cli("--db", str(corpus.path), "find", "#conference2.0")
    assert text.exit_code == 0
    assert "Keynote at the unconference" in text.stdout
    assert "#Conference2.0 #keynote" in text.stdout and "saved" in text.stdout


def test_cli_dash_words_exclude(cli: RunCli, corpus: Corpus) -> None:
    names = {corpus.name(int(h["id"])) for h in _run_json(cli, corpus, "hybrid", "-meetings")}  # type: ignore[call-overload]
    assert names == {"phrase", "scattered", "conf"}
    # Words that start like the -t and -h options are words too.
    for word in ("-tables", "-hybrid"):
        found = _run_json(cli, corpus, "guide", word)
        assert [corpus.name(int(h["id"])) for h in found] == [], word  # type: ignore[call-overload]
    found = _run_json(cli, corpus, "hybrid", "-#keynote", "-t", "keynote")
    assert found == []
    found = _run_json(cli, corpus, "-#keynote", "hybrid", "--tag=conf*")
    assert found == []
    after = cli("--db", str(corpus.path), "find", "--json", "--", "hybrid", "-meetings")
    assert len(json.loads(after.stdout)) == 3


def test_cli_snippet_json_is_plain_and_terminal_is_highlighted(cli: RunCli, corpus: Corpus) -> None:
    (hit,) = _run_json(cli, corpus, "permaculture", "--limit", "1")
    assert hit["snippet"] == "permaculture garden"
    assert isinstance(hit["score"], float)
    out = cli("--db", str(corpus.path), "find", "permaculture").stdout
    assert "permaculture garden" in out and "\x02" not in out and "\x03" not in out


def test_cli_nothing_found_suggests_dropping_a_filter(cli: RunCli, corpus: Corpus) -> None:
    result = cli("--db", str(corpus.path), "find", "kanban", "#conf*", "--saved")
    assert result.exit_code == 0 and result.stdout == ""
    assert "Nothing found. Try dropping a filter: #conf*, --saved." in result.stderr
    result = cli("--db", str(corpus.path), "find", "kanban", "sourdough")
    assert "Nothing found. Try fewer words" in result.stderr
    result = cli("--db", str(corpus.path), "find", "kanban", "--offset", "5")
    assert "Nothing more" in result.stderr


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ('"hybrid', "unbalanced quote at position 0"),
        ("(hybrid", "unbalanced parenthesis at position 0"),
        ("hybrid OR", "OR at position 7 needs a term on both sides"),
        ('"', "unbalanced quote at position 0"),
        ("*", "'*' at position 0 must end a word"),
        ("NEAR(", "unbalanced parenthesis at position 4"),
        ("-", "'-' at position 0 needs a term right after it"),
        ("#a,b", "bad tag '#a,b' at position 0: tags cannot contain commas"),
    ],
)
def test_cli_malformed_query_is_one_line_exit_2(
    cli: RunCli, corpus: Corpus, query: str, message: str
) -> None:
    result = cli("--db", str(corpus.path), "find", query)
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stderr.startswith("pkm: error: " + message), result.stderr
    assert result.stderr.count("\n") == 1 and result.stdout == ""


def test_cli_related_and_like(cli: RunCli, baking: Corpus) -> None:
    db = str(baking.path)
    result = cli("--db", db, "related", str(baking.ids["loaf"]), "--json")
    assert result.exit_code == 0, result.stderr
    assert {h["id"] for h in json.loads(result.stdout)[:2]} == {
        baking.ids["starter"],
        baking.ids["crumb"],
    }
    like = cli("--db", db, "find", "--like", str(baking.ids["loaf"]), "--saved", "--json")
    assert [h["id"] for h in json.loads(like.stdout)] == [baking.ids["starter"]]
    missing = cli("--db", db, "related", "99999")
    assert missing.exit_code == 1 and "no entry with id 99999" in missing.stderr
    nothing = cli("--db", db, "related", str(baking.ids["salad"]))
    assert "Nothing like entry" in nothing.stderr


def test_replace_keeps_query_frozen() -> None:
    q = parse_query("a b")
    assert replace(q, near=None).match == q.match


def test_cli_notes_a_windowed_ranking(
    cli: RunCli, corpus: Corpus, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_mod, "RANK_WINDOW", 2)
    result = cli("--db", str(corpus.path), "find", "hybrid", "--limit", "1")
    assert result.exit_code == 0 and result.stdout
    assert "Many matches: the newest 2 were ranked" in result.stderr
    everything = cli("--db", str(corpus.path), "find", "hybrid")  # 2 < 20: all windows read
    assert everything.stdout.count("https://") == 5 and "Many" not in everything.stderr


def test_plain_output_is_what_rich_prints_without_styles(corpus: Corpus, pkm: Pkm) -> None:
    import io

    from rich.console import Console

    from pkm.cli.hits import plain_text, rich_lines

    hits = pkm.find("hybrid OR permaculture OR ideeen", limit=50)
    plain = plain_text(hits)
    buffer = io.StringIO()
    console = Console(file=buffer, width=200, color_system=None, highlight=False, markup=False)
    for hit in hits:
        for text in rich_lines(hit):
            console.print(text, soft_wrap=True)
    assert buffer.getvalue() == plain
    assert "\x02" not in plain and "ideeën" in plain.lower()


def test_a_word_only_in_the_feeds_name_ranks_below_the_entries_that_hold_it(
    tmp_path: Path,
) -> None:
    """Every item of "Events Blog" has "blog" in its source; the one entry about blogs
    must come first, whatever its length."""
    docs = [
        Doc(f"events{n}", f"Session notes {n}", "rooms and chairs", feed="events")
        for n in range(12)
    ]
    long_body = " ".join(["networks learning sensemaking practice"] * 40) + " a blog post"
    docs.append(Doc("about", "Knowledge work", long_body, feed="jarche", date=ts(2020, 1, 1)))
    path = tmp_path / "pkm.db"
    ids = _store(path, docs)
    with Pkm.open(path) as pkm:
        hits = pkm.find("blog", limit=20)
    assert hits[0].entry.id == ids["about"]
    assert len(hits) == 13
