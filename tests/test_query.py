"""The search query language: parsing, FTS5 safety, and the SQL filters."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pkm.errors import QueryError, UsageError
from pkm.query import AllOf, AnyOf, Query, Term, Without, Words, merge, parse_query, parse_since
from pkm.storage.filters import where_clause
from pkm.storage.fts5 import FTS_TABLE, SAVES_FTS_TABLE, match_expression

NOW = datetime(2026, 3, 15, 12, 30, tzinfo=UTC)
PLUS2 = timezone(timedelta(hours=2))
TOKENIZE = "tokenize='unicode61 remove_diacritics 2'"


def q(text: str) -> Query:
    return parse_query(text, now=NOW)


def fts(words: Words | None) -> str | None:
    """The FTS5 MATCH expression the store runs for a query's words."""
    return None if words is None else match_expression(words)


def ts(year: int, month: int, day: int) -> int:
    return int(datetime(year, month, day, tzinfo=UTC).timestamp())


# --- a small real store -------------------------------------------------------

SCHEMA = f"""
CREATE TABLE feeds (
    id INTEGER PRIMARY KEY, url TEXT UNIQUE NOT NULL, title TEXT, site_url TEXT,
    folder TEXT, added_at INTEGER NOT NULL, etag TEXT, last_modified TEXT,
    body_hash VARCHAR(64), last_fetched INTEGER, last_status INTEGER, last_error TEXT,
    error_count INTEGER NOT NULL DEFAULT 0, next_fetch_at INTEGER, retired_at INTEGER
);
CREATE TABLE entries (
    id INTEGER PRIMARY KEY, url TEXT, url_key TEXT UNIQUE,
    feed_id INTEGER REFERENCES feeds(id) ON DELETE SET NULL,
    title TEXT, author TEXT, summary TEXT, content TEXT, text TEXT, source TEXT,
    content_hash VARCHAR(64), published INTEGER,
    updated INTEGER, first_seen INTEGER NOT NULL, sort_date INTEGER NOT NULL
);
CREATE TABLE subscriptions (
    id INTEGER PRIMARY KEY, person_id INTEGER NOT NULL, feed_id INTEGER NOT NULL, title TEXT
);
CREATE TABLE entry_states (
    person_id INTEGER NOT NULL, entry_id INTEGER REFERENCES entries(id) ON DELETE CASCADE,
    read_at INTEGER, muted INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (person_id, entry_id)
);
CREATE TABLE saves (
    id INTEGER PRIMARY KEY, person_id INTEGER NOT NULL,
    entry_id INTEGER REFERENCES entries(id) ON DELETE CASCADE, saved_at INTEGER NOT NULL,
    note TEXT, to_read INTEGER NOT NULL DEFAULT 0, private INTEGER NOT NULL DEFAULT 0,
    tags_text TEXT
);
CREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT NOT NULL, key TEXT UNIQUE NOT NULL);
CREATE TABLE save_tags (
    save_id INTEGER REFERENCES saves(id) ON DELETE CASCADE,
    tag_id INTEGER REFERENCES tags(id) ON DELETE CASCADE,
    PRIMARY KEY (save_id, tag_id)
);
CREATE TABLE archives (entry_id INTEGER PRIMARY KEY, archived_at INTEGER);
CREATE TABLE link_checks (
    entry_id INTEGER PRIMARY KEY, state TEXT NOT NULL, broken_since INTEGER
);
CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(title, text, source,
    content='entries', content_rowid='id', {TOKENIZE});
CREATE VIRTUAL TABLE {SAVES_FTS_TABLE} USING fts5(tags_text, note,
    content='saves', content_rowid='id', {TOKENIZE});
"""

FEEDS = [(1, "Harold Jarche"), (2, "Example Blog"), (3, "1843"), (4, "50% Off_Sale")]
# id, url, feed_id, title, text, sort_date, saved_at, to_read, read_at, tags
ENTRIES: list[tuple[int, str | None, int | None, str, str, int, int | None, int, int | None]] = [
    (1, "https://example.org/a", 1, "Python asyncio tips", "", ts(2026, 1, 10), 100, 1, None),
    (2, "https://blog.example.org/b?x=1", 2, "Rust and Python", "", ts(2025, 12, 1), None, 0, 5),
    (
        3,
        "https://evil.com/x.example.org/",
        2,
        "Django deep dive",
        "",
        ts(2026, 2, 1),
        None,
        0,
        None,
    ),
    (4, "https://EXAMPLE.ORG:8443", None, "Hybrid events guide", "", ts(2025, 6, 1), 50, 0, 7),
    (5, "http://notexample.org", 3, "Pure fun", "", ts(2024, 1, 1), None, 0, None),
    (6, None, 4, "Note only", "Café culture", ts(2026, 3, 1), None, 0, None),
]
TAGS = {1: ["python", "conf2026"], 2: ["rust"], 4: ["conférence"]}


@pytest.fixture(scope="module")
def db() -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(":memory:")
    conn.executescript(SCHEMA)
    conn.executemany(
        "INSERT INTO feeds (id, url, title, added_at) VALUES (?, ?, ?, 0)",
        [(i, f"https://feed{i}.test/", t) for i, t in FEEDS],
    )
    # Someone's own name for the Example Blog.
    conn.execute("INSERT INTO subscriptions (person_id, feed_id, title) VALUES (2, 2, 'Rusty')")
    conn.executemany(
        "INSERT INTO entries (id, url, url_key, feed_id, title, text, first_seen, sort_date)"
        " VALUES (?, ?, ?, ?, ?, ?, 0, ?)",
        [(e[0], e[1], e[1], *e[2:6]) for e in ENTRIES],
    )
    # Person 1's read state.
    conn.executemany(
        "INSERT INTO entry_states (person_id, entry_id, read_at) VALUES (1, ?, ?)",
        [(e[0], e[8]) for e in ENTRIES if e[8] is not None],
    )
    # The saves of person 1 (a tagged entry is saved).
    conn.executemany(
        "INSERT INTO saves (id, person_id, entry_id, saved_at, to_read) VALUES (?, 1, ?, ?, ?)",
        [(e[0], e[0], e[6] or 1, e[7]) for e in ENTRIES if e[6] is not None or e[0] in TAGS],
    )
    keys = sorted({t for tags in TAGS.values() for t in tags})
    conn.executemany(
        "INSERT INTO tags (id, name, key) VALUES (?, ?, ?)",
        [(i, k, k) for i, k in enumerate(keys, 1)],
    )
    conn.executemany(
        "INSERT INTO save_tags (save_id, tag_id) VALUES (?, (SELECT id FROM tags WHERE key = ?))",
        [(e, t) for e, tags in TAGS.items() for t in tags],
    )
    conn.execute(
        "UPDATE saves SET tags_text = (SELECT group_concat(t.name, ' ') FROM save_tags st"
        " JOIN tags t ON t.id = st.tag_id WHERE st.save_id = saves.id)"
    )
    conn.execute("INSERT INTO entry_states (person_id, entry_id, muted) VALUES (1, 5, 1)")
    conn.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")
    conn.execute(f"INSERT INTO {SAVES_FTS_TABLE}({SAVES_FTS_TABLE}) VALUES ('rebuild')")
    # the bare table of the brief, for checking MATCH syntax on random queries
    conn.execute(f"CREATE VIRTUAL TABLE t USING fts5(a, b, {TOKENIZE})")
    conn.execute("INSERT INTO t VALUES ('hello world', 'Café crème')")
    yield conn
    conn.close()


def find(conn: sqlite3.Connection, query: Query | str) -> set[int]:
    if isinstance(query, str):
        query = q(query)
    where, params = where_clause(query)
    sql = (
        "SELECT e.id FROM entries e LEFT JOIN feeds f ON f.id = e.feed_id"
        " LEFT JOIN saves s ON s.entry_id = e.id AND s.person_id = 1"
        f" LEFT JOIN entry_states es ON es.entry_id = e.id AND es.person_id = 1 WHERE {where}"
    )
    if query.match is not None:  # in the page, or in the person's tags and note
        sql += (
            f" AND (e.id IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ?)"
            f" OR s.id IN (SELECT rowid FROM {SAVES_FTS_TABLE} WHERE {SAVES_FTS_TABLE} MATCH ?))"
        )
        params.extend([match_expression(query.match)] * 2)
    return {row[0] for row in conn.execute(sql, params)}


# --- words and operators ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("python", '"python"'),
        ("python asyncio", '"python" AND "asyncio"'),
        ("python AND asyncio", '"python" AND "asyncio"'),
        ('"hybrid events"', '"hybrid events"'),
        ('remote "hybrid events"', '"remote" AND "hybrid events"'),
        ("python OR rust", '"python" OR "rust"'),
        ("a b OR c", '("a" AND "b") OR "c"'),
        ("a (b OR c)", '"a" AND ("b" OR "c")'),
        ("(a OR b) (c OR d)", '("a" OR "b") AND ("c" OR "d")'),
        ("python -django", '"python" NOT "django"'),
        ("-django python", '"python" NOT "django"'),
        ("python NOT django", '"python" NOT "django"'),
        ("a b -c -d", '("a" AND "b") NOT ("c" OR "d")'),
        ("a -(b OR c)", '"a" NOT ("b" OR "c")'),
        ("a -(b -c)", '"a" NOT ("b" NOT "c")'),
        ("a OR b -c", '"a" OR ("b" NOT "c")'),
        ("--a", '"a"'),
        ("NOT -a", '"a"'),
        ("-(-a -b)", '"a" OR "b"'),
        ("async*", '"async" *'),
        ("async**", '"async" *'),
        ('"event lo"*', '"event lo" *'),
        ("py* -java*", '"py" * NOT "java" *'),
        ("((a))", '"a"'),
        ("a (b c)", '"a" AND "b" AND "c"'),
        ("Über café", '"Über" AND "café"'),
        ("日本語", '"日本語"'),
        ('a"b c"', '"a" AND "b c"'),
    ],
)
def test_words_and_operators(text: str, match: str) -> None:
    assert fts(q(text).match) == match


def test_the_words_are_a_tree_of_typed_nodes() -> None:
    a, b, c = Term("a"), Term("b"), Term("c")
    assert q("a b OR c").match == AnyOf((AllOf((a, b)), c))
    assert q("a -(b OR c*)").match == Without(a, AnyOf((b, Term("c", prefix=True))))
    assert q('"event lo"* "NEAR(x" "OR"').match == AllOf(
        (Term("event lo", prefix=True), Term("NEAR(x"), Term("OR"))
    )
    assert q("#t -a -b").exclude_match == AnyOf((a, b))
    assert q("a b").near == Term("a b") and q("a OR b").near is None
    assert hash(q("a b").match) == hash(AllOf((a, b))) and repr(a) == "Term('a', False)"


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("NEAR(a b)", '"NEAR" AND "a" AND "b"'),
        ('"title:python"', '"title:python"'),  # quoted: a word; bare, the title filter
        ('"a:b"', '"a:b"'),
        ("^start", '"^start"'),
        ("+plus", '"+plus"'),
        ("a*b", '"a*b"'),
        ("c++", '"c++"'),
        ("http://example.org/x", '"http://example.org/x"'),
        ('"NEAR(a b, 2)"', '"NEAR(a b, 2)"'),
        ('"a OR b"', '"a OR b"'),
        ('"-x #y is:z"', '"-x #y is:z"'),
        ("or and not", '"or" AND "and" AND "not"'),
        ("e-mail", '"e-mail"'),
        ("x\x00y", '"x" AND "y"'),  # control characters are spaces
    ],
)
def test_fts5_syntax_in_words_is_literal(text: str, match: str) -> None:
    assert fts(q(text).match) == match


@pytest.mark.parametrize("text", ["", "   ", "!!!", "...", '""', '"..."*', "(...)", "-...", "!"])
def test_no_words(text: str) -> None:
    assert q(text).match is None
    assert q(text).exclude_match is None
    assert q(text).terms == ()


def test_punctuation_words_are_dropped() -> None:
    assert fts(q("python !!! ... -...").match) == '"python"'
    assert fts(q("a OR ...").match) == '"a"'
    assert q("#py ...").match is None
    assert q("#py ...").tags == ("py",)


def test_only_exclusions_go_to_exclude_match() -> None:
    query = q("#py -django -flask")
    assert query.match is None
    assert fts(query.exclude_match) == '"django" OR "flask"'
    assert fts(q("-(a b)").exclude_match) == '"a" AND "b"'
    assert fts(q("-(a -b)").exclude_match) == '"a" NOT "b"'
    assert q("python -django").exclude_match is None


def test_terms_are_positive_words_and_phrases() -> None:
    assert q('python "hybrid events" async* -django #tag feed:x (a OR b)').terms == (
        "python",
        "hybrid events",
        "async",
        "a",
        "b",
    )
    assert q("python python").terms == ("python",)
    assert q("-(a -b)").terms == ()


# --- filters --------------------------------------------------------------------


def test_tags() -> None:
    query = q("#Python #conf* -#Meta -#draft* #python")
    assert query.tags == ("python",)
    assert query.tag_prefixes == ("conf",)
    assert query.exclude_tags == ("meta",)
    assert query.exclude_tag_prefixes == ("draft",)
    assert query.match is None
    assert q("NOT #meta").exclude_tags == ("meta",)
    assert q("#ÉTÉ").tags == ("été",)
    assert q("#c#").tags == ("c#",)


def test_feed_site_since_is() -> None:
    query = q(
        'feed:jarche feed:"Harold Jarche" feed:12 site:Example.ORG '
        "site:https://www.x.com:8080/path?q since:2026-01-01 is:saved IS:Unread !untagged"
    )
    assert query.feeds == ("jarche", "Harold Jarche", "12")
    assert query.sites == ("example.org", "www.x.com")
    assert query.since == datetime(2026, 1, 1, tzinfo=UTC)
    assert (query.saved, query.unread, query.untagged, query.muted) == (True, True, True, False)
    assert query.match is None
    assert q("site:*.example.org.").sites == ("example.org",)
    assert q("Feed:x").feeds == ("x",)


def test_filters_with_words() -> None:
    query = q("#py python since:7d -django site:example.org")
    assert fts(query.match) == '"python" NOT "django"'
    assert query.tags == ("py",)
    assert query.sites == ("example.org",)
    assert query.since == NOW - timedelta(days=7)


def test_latest_since_wins() -> None:
    assert q("since:30d since:yesterday since:2020-01-01").since == datetime(
        2026, 3, 14, tzinfo=UTC
    )


def test_empty_query() -> None:
    assert q("") == Query(None, (), (), (), (), (), None)


# --- errors -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('remote "hybrid events', "unbalanced quote at position 7: '\"hybrid events'"),
        ('feed:"Harold', "unbalanced quote at position 5"),
        ("(a b", "unbalanced parenthesis at position 0: '(' is never closed"),
        ("(a (b)", "unbalanced parenthesis at position 0"),
        ("a b)", "unbalanced parenthesis at position 3: ')' has no '('"),
        (")", "unbalanced parenthesis at position 0"),
        ("(", "unbalanced parenthesis at position 0"),
        ("()", "empty parentheses at position 0"),
        ("OR", "OR at position 0 needs a term on both sides"),
        ("OR a", "OR at position 0 needs a term on both sides"),
        ("a OR", "OR at position 2 needs a term on both sides"),
        ("a OR OR b", "OR at position 2 needs a term on both sides"),
        ("(a OR) b", "OR at position 3 needs a term on both sides"),
        ("AND a", "AND at position 0 needs a term on both sides"),
        ("a AND", "AND at position 2 needs a term on both sides"),
        ("NOT", "NOT at position 0 needs a term after it"),
        ("a NOT", "NOT at position 2 needs a term after it"),
        ("NOT OR a", "NOT at position 0 needs a term after it"),
        ("-", "'-' at position 0 needs a term right after it"),
        ("a - b", "'-' at position 2 needs a term right after it"),
        ("(a -)", "'-' at position 3 needs a term right after it"),
        ("-OR a", "'-' at position 0 needs a term after it"),
        ("#", "empty tag '#' at position 0"),
        ("a -#", "empty tag '#' at position 3"),
        ("#*", "empty tag '#*' at position 0"),
        ('#"a b"', "empty tag '#' at position 0"),
        (
            "is:foo",
            "unknown filter is:foo (use is:saved, is:read, is:unread, is:toread, is:muted,"
            " is:archived, is:broken, is:moved)",
        ),
        ("!foo", "unknown filter !foo at position 0 (use !untagged"),
        ("since:2026-13-01", "bad date in since:2026-13-01 (use YYYY-MM-DD, 7d"),
        ("since:soon", "bad date in since:soon"),
        ("since:99999999999d", "bad date in since:99999999999d"),
        ("since:", "empty filter since: at position 0"),
        ("feed:", "empty filter feed: at position 0"),
        ('feed:""', "empty filter feed: at position 0"),
        ('a feed:"  "', "empty filter feed: at position 2"),
        ("site:", "empty filter site: at position 0"),
        ("site:https://", "bad host in site:https://"),
        ("site:a%b.org", "bad host in site:a%b.org"),
        ("is:", "empty filter is: at position 0"),
        ("*", "'*' at position 0 must end a word"),
        ("foo *", "'*' at position 4 must end a word"),
        ("(#a b)", "filter #a at position 1 cannot be inside parentheses or joined with OR"),
        ("#a OR #b", "filter #a at position 0 cannot be inside parentheses or joined with OR"),
        ("a OR b feed:x", "filter feed:x at position 7 cannot be inside parentheses"),
        ("-(#a)", "filter #a at position 2 cannot be inside parentheses"),
        ("-feed:x", "feed:x cannot be negated (only -#tag can)"),
        ("NOT is:saved", "is:saved cannot be negated"),
        ("-!untagged", "!untagged cannot be negated"),
        ("a OR -b", "exclusion at position 5 cannot be an OR alternative on its own"),
        ("(-a) OR b", "exclusion at position 1 cannot be an OR alternative on its own"),
        ("\udcff", "invalid character (not UTF-8) at position 0"),
        ("(" * 40 + "a" + ")" * 40, "query is nested too deeply at position 32"),
        ("NOT " * 40 + "a", "query is nested too deeply"),
    ],
)
def test_malformed_queries(text: str, message: str) -> None:
    with pytest.raises(QueryError) as info:
        q(text)
    assert str(info.value).startswith(message)
    assert "\n" not in str(info.value)
    assert isinstance(info.value, UsageError)


# --- parse_since ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-01", datetime(2026, 1, 1, tzinfo=UTC)),
        ("2026-01-01T08:15", datetime(2026, 1, 1, 8, 15, tzinfo=UTC)),
        ("2026-01-01T08:15:00+02:00", datetime(2026, 1, 1, 6, 15, tzinfo=UTC)),
        ("2026-01-01T08:15:00Z", datetime(2026, 1, 1, 8, 15, tzinfo=UTC)),
        (" 2026-01-01 ", datetime(2026, 1, 1, tzinfo=UTC)),
        ("12h", NOW - timedelta(hours=12)),
        ("7d", NOW - timedelta(days=7)),
        ("7D", NOW - timedelta(days=7)),
        ("0d", NOW),
        ("2w", NOW - timedelta(weeks=2)),
        ("1m", datetime(2026, 2, 15, 12, 30, tzinfo=UTC)),
        ("3m", datetime(2025, 12, 15, 12, 30, tzinfo=UTC)),
        ("1y", datetime(2025, 3, 15, 12, 30, tzinfo=UTC)),
        ("today", datetime(2026, 3, 15, tzinfo=UTC)),
        ("Yesterday", datetime(2026, 3, 14, tzinfo=UTC)),
    ],
)
def test_parse_since(text: str, expected: datetime) -> None:
    got = parse_since(text, now=NOW)
    assert got == expected
    assert got.tzinfo is UTC


def test_parse_since_months_clamp_day() -> None:
    now = datetime(2026, 3, 31, 9, 0, tzinfo=UTC)
    assert parse_since("1m", now=now) == datetime(2026, 2, 28, 9, 0, tzinfo=UTC)
    assert parse_since("13m", now=now) == datetime(2025, 2, 28, 9, 0, tzinfo=UTC)
    leap = datetime(2024, 2, 29, tzinfo=UTC)
    assert parse_since("1y", now=leap) == datetime(2023, 2, 28, tzinfo=UTC)
    assert parse_since("48m", now=leap) == datetime(2020, 2, 29, tzinfo=UTC)


def test_parse_since_uses_the_timezone_of_now() -> None:
    now = datetime(2026, 3, 15, 0, 30, tzinfo=PLUS2)  # 2026-03-14 22:30 UTC
    assert parse_since("2026-01-01", now=now) == datetime(2025, 12, 31, 22, tzinfo=UTC)
    assert parse_since("today", now=now) == datetime(2026, 3, 14, 22, tzinfo=UTC)
    assert parse_since("yesterday", now=now) == datetime(2026, 3, 13, 22, tzinfo=UTC)
    naive_now = datetime(2026, 3, 15, 12, 30)
    assert parse_since("today", now=naive_now) == datetime(2026, 3, 15, tzinfo=UTC)


def test_parse_since_default_now() -> None:
    got = parse_since("1d")
    assert got.tzinfo is UTC
    assert abs(datetime.now(UTC) - timedelta(days=1) - got) < timedelta(minutes=1)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "soon",
        "7",
        "d",
        "7x",
        "-7d",
        "7.5d",
        "²d",
        "2026-13-01",
        "2026-02-30",
        "99999999999d",
        "999999999w",
        "30000y",
        "100000m",
        "1" * 5000 + "d",
        "0001-01-01T00:00+01:00",
    ],
)
def test_parse_since_errors(text: str) -> None:
    with pytest.raises(QueryError, match="bad date"):
        parse_since(text, now=NOW)


# --- merge ----------------------------------------------------------------------


def test_merge_cli_options() -> None:
    base = q("python #py feed:a since:2026-01-01")
    merged = merge(
        base,
        tags=["#Rust", "conf*", "py"],
        feeds=["b", "a"],
        since=datetime(2026, 2, 1, 1, 0, tzinfo=PLUS2),
        saved=True,
        unread=True,
    )
    assert merged.tags == ("py", "rust")
    assert merged.tag_prefixes == ("conf",)
    assert merged.feeds == ("a", "b")
    assert merged.since == datetime(2026, 1, 31, 23, 0, tzinfo=UTC)
    assert (merged.saved, merged.unread) == (True, True)
    assert merged.match == base.match
    assert merge(base) == base
    assert merge(base, since=datetime(2020, 1, 1, tzinfo=UTC)).since == base.since
    assert merge(q(""), since=datetime(2020, 1, 1)).since == datetime(2020, 1, 1, tzinfo=UTC)
    with pytest.raises(QueryError, match="empty tag"):
        merge(base, tags=["#"])
    with pytest.raises(QueryError, match="empty feed"):
        merge(base, feeds=[" "])


# --- SQL ------------------------------------------------------------------------


def test_where_clause_is_parameterised() -> None:
    assert where_clause(q("")) == ("1", [])
    assert where_clause(q("#py is:saved")) == (
        "EXISTS (SELECT 1 FROM save_tags st JOIN tags t ON t.id = st.tag_id "
        "WHERE st.save_id = s.id AND t.key = ?) AND s.id IS NOT NULL",
        ["py"],
    )
    evil = "x'; DROP TABLE entries; --"
    sql, params = where_clause(q(f'feed:"{evil}" #x\';DROP site:x.org'))
    assert "DROP" not in sql and "'x'" not in sql
    # the feed's title, and the titles people subscribed to it under
    assert params == ["x';drop", f"%{evil}%", f"%{evil}%", "%.x.org"]
    sql, params = where_clause(q("since:2026-01-01"))
    assert (sql, params) == ("e.sort_date >= ?", [ts(2026, 1, 1)])
    muted = where_clause(Query(None, (), (), (), (), (), None, muted=True))
    assert muted == ("es.muted = 1", [])


def test_fts_table_name_matches_the_models() -> None:
    models = pytest.importorskip("pkm.storage.models")
    assert models.FTS_TABLE == FTS_TABLE


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        ("", {1, 2, 3, 4, 5, 6}),
        ("#python", {1}),
        ("#PYTHON", {1}),
        ("#conf*", {1, 4}),
        ("#conf* #python", {1}),
        ("#CONFÉ*", {4}),
        ("-#rust", {1, 3, 4, 5, 6}),
        ("-#rust -#python", {3, 4, 5, 6}),
        ("-#conf*", {2, 3, 5, 6}),
        ("!untagged", {3, 5, 6}),
        ("site:example.org", {1, 2, 4}),
        ("site:EXAMPLE.org", {1, 2, 4}),
        ("site:blog.example.org", {2}),
        ("site:notexample.org", {5}),
        ("site:evil.com", {3}),
        ("site:example.org site:evil.com", {1, 2, 3, 4}),
        ("site:org", {1, 2, 4, 5}),
        ("site:example_org", set()),
        ("feed:jarche", {1}),
        ("feed:rusty", {2, 3}),
        ('feed:"example BLOG"', {2, 3}),
        ("feed:1", {1}),
        ("feed:1843", {5}),
        ("feed:184", set()),
        ("feed:99999999999999999999999", set()),
        ("feed:jarche feed:2", {1, 2, 3}),
        ("feed:%", {6}),
        ("feed:_", {6}),
        ("feed:o%f", set()),
        ("since:2026-01-01", {1, 3, 6}),
        ("since:2026-02-01", {3, 6}),
        ("is:saved", {1, 2, 4}),  # a tagged entry is saved
        ("is:unread", {1, 3, 5, 6}),
        ("is:read", {2, 4}),
        ("is:saved is:unread", {1}),
        ("is:saved is:read", {2, 4}),
        ("is:toread", {1}),
        ("is:toread is:read", set()),
        ("is:muted", {5}),
        ("IS:MUTED site:org", {5}),
        ("python", {1, 2}),
        ("python -rust", {1}),
        ("-python", {3, 4, 5, 6}),
        ("#python -asyncio", set()),
        ("-(python rust)", {1, 3, 4, 5, 6}),
        ("python OR django", {1, 2, 3}),
        ('"hybrid events"', {4}),
        ('"events hybrid"', set()),
        ("hyb*", {4}),
        ('"hybrid ev"*', {4}),
        ("cafe", {6}),
        ("CAFÉ", {6}),
        ("conference", {4}),  # tags_text is indexed too
        ("python site:blog.example.org", {2}),
        ("python (asyncio OR rust) -rust", {1}),
    ],
)
def test_filters_select_the_right_entries(db: sqlite3.Connection, text: str, ids: set[int]) -> None:
    assert find(db, text) == ids


def test_tag_prefix_ranges_at_the_edge_of_unicode(db: sqlite3.Connection) -> None:
    for prefix in ("\U0010ffff", "a\U0010ffff", "\ud7ff", "z"):
        query = Query(None, (), (prefix,), (), (), (), None, exclude_tag_prefixes=(prefix,))
        where, params = where_clause(query)
        db.execute(
            f"SELECT count(*) FROM entries e LEFT JOIN saves s ON s.entry_id = e.id WHERE {where}",
            params,
        ).fetchall()


# --- properties -----------------------------------------------------------------

FRAGMENTS = [
    " ",
    " ",
    " ",
    "(",
    ")",
    '"',
    "*",
    "-",
    "#",
    ":",
    "!",
    "^",
    "+",
    "OR",
    "AND",
    "NOT",
    "NEAR",
    "NEAR(",
    "a",
    "b",
    "python",
    "é",
    "日本",
    "\U0001f600",
    "\x00",
    "\t",
    "''",
    "#py",
    "#conf*",
    "-#x",
    "feed:",
    'feed:"x y"',
    "feed:12",
    "site:",
    "site:example.org",
    "since:",
    "since:7d",
    "since:2026-01-01",
    "is:",
    "is:saved",
    "is:unread",
    "is:muted",
    "!untagged",
    "!",
    "title:",
    "{a b}",
    "\\",
    "%",
    "_",
    "'",
]
query_texts = st.one_of(
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=3)), max_size=14).map("".join),
    st.text(max_size=30),
)
FAST = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FAST
@given(query_texts)
def test_random_text_raises_only_query_error_and_runs(db: sqlite3.Connection, text: str) -> None:
    try:
        query = parse_query(text, now=NOW)
    except QueryError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    for expr in (query.match, query.exclude_match):
        if expr is not None:
            db.execute("SELECT count(*) FROM t WHERE t MATCH ?", (fts(expr),)).fetchall()
            db.execute(
                f"SELECT count(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ?", (fts(expr),)
            ).fetchall()
    find(db, query)  # the WHERE fragment and the MATCH run on the real schema


@FAST
@given(query_texts)
def test_merge_and_where_clause_accept_any_parsed_query(db: sqlite3.Connection, text: str) -> None:
    try:
        query = parse_query(text, now=NOW)
    except QueryError:
        return
    find(db, merge(query, tags=("x*", "y"), feeds=("1",), saved=True, since=NOW))


@FAST
@given(
    st.text(
        alphabet=st.characters(codec="utf-8", exclude_characters='"()'), min_size=1, max_size=12
    ).filter(lambda w: not w.strip(" *") == "" and w.strip() == w)
)
def test_any_word_is_one_quoted_string(db: sqlite3.Connection, word: str) -> None:
    try:
        query = parse_query(f'"{word}"', now=NOW)
    except QueryError:  # a phrase never fails
        raise AssertionError(word) from None
    if query.match is not None:
        assert fts(query.match) == '"' + word.translate(dict.fromkeys((*range(32), 127), " ")) + '"'
        db.execute("SELECT count(*) FROM t WHERE t MATCH ?", (fts(query.match),)).fetchall()


latin_words = st.text(
    alphabet=st.characters(min_codepoint=0x30, max_codepoint=0x24F, categories=("L", "N")),
    min_size=1,
    max_size=10,
).filter(lambda w: w not in ("AND", "OR", "NOT"))  # operators, not words


@settings(max_examples=150, deadline=None)
@given(latin_words, st.integers(min_value=1, max_value=10))
def test_a_word_finds_the_text_that_contains_it(word: str, cut: int) -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute(f"CREATE VIRTUAL TABLE t USING fts5(a, b, {TOKENIZE})")
    conn.execute("INSERT INTO t VALUES (?, 'other')", (f"before {word} after",))
    for text in (
        word,
        f"before {word}",
        f'"before {word} after"',
        f"{word[:cut]}*",
        f"-nothing {word}",
        f"nothing OR {word}",
    ):
        match = fts(parse_query(text, now=NOW).match)
        assert match is not None
        assert conn.execute("SELECT count(*) FROM t WHERE t MATCH ?", (match,)).fetchone() == (1,)
    match = fts(parse_query(f"before -{word}", now=NOW).match)
    assert conn.execute("SELECT count(*) FROM t WHERE t MATCH ?", (match,)).fetchone() == (0,)
    conn.close()


def _nested(pattern: str, depth: int) -> str:
    text = "x"
    for i in range(depth):
        text = pattern.format(text, f"w{i}")
    return text


@pytest.mark.parametrize(
    "pattern",
    [
        "{1} ({0} OR z)",
        "({0} OR {1}) z",
        "{1} -({0})",
        "-(-{0} {1})",
        "({0}) OR {1} y",
        "({0})",
        "NOT {0}",
        "-({0} OR {1}) q",
        "{1} -(a OR -({0}))",
    ],
)
def test_deep_nesting_is_an_error_or_valid_fts5(db: sqlite3.Connection, pattern: str) -> None:
    for depth in range(1, 45):
        try:
            query = parse_query(_nested(pattern, depth), now=NOW)
        except QueryError as exc:
            assert "nested too deeply" in str(exc) or "OR alternative" in str(exc)
            continue
        for expr in (query.match, query.exclude_match):
            if expr is not None:
                db.execute("SELECT count(*) FROM t WHERE t MATCH ?", (fts(expr),)).fetchall()


def test_fields_other_tools_use_and_unknown_ones() -> None:
    assert q("tag:Python").tags == ("python",)
    assert q("title:rails").titles == ("rails",) and q("title:rails").match is None
    assert q('author:"Ann Author" x').authors == ("Ann Author",)
    for typo in ("titel:rails", "auther:dhh", "a:b"):
        with pytest.raises(QueryError, match=r"unknown field .*: at position 0 \(use #tag"):
            q(typo)
    # URLs and times are words.
    assert q("https://example.org/x").match is not None
    assert q("10:30").match is not None
