"""The filters of a parsed query (:class:`pkm.query.Query`) as SQL conditions.

Aliases: ``e`` = entries, ``f`` = feeds (LEFT JOINed on e.feed_id), ``s`` = the
person's save of the entry and ``es`` their state of it (read, muted), LEFT JOINed by
:func:`pkm.storage.people.entry_joins`, ``t`` = tags.  User text only ever travels as
``?`` parameters.

``dialect`` is the connection's (``"sqlite"``, or ``"postgresql"`` for
:class:`pkm.storage.postgres.PostgresConnection`).  On PostgreSQL, LIKE is ILIKE (LIKE
is case-sensitive there; ILIKE folds case beyond ASCII too), a tag prefix is
``starts_with`` (a key range would follow the database's collation), ``instr`` is
``strpos``, the word exclusion tests the ``fts`` column, and "no condition" is ``TRUE``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from pkm.storage.dialect import POSTGRESQL, like_operator
from pkm.storage.fts5 import FTS_TABLE, SAVES_FTS_TABLE, match_expression
from pkm.storage.links import broken_condition, moved_condition
from pkm.storage.rows import like_escape, now_ts
from pkm.storage.tsquery import compile_tsquery

if TYPE_CHECKING:
    from pkm.query import Query

__all__ = ["feed_condition", "seen_by_construction", "tag_prefix_condition", "where_clause"]


# is:archived: the page's text was kept at some point (a later failed try keeps it).
ARCHIVED_CONDITION = (
    "EXISTS (SELECT 1 FROM archives a WHERE a.entry_id = e.id AND a.archived_at IS NOT NULL)"
)
_TAG_EXISTS = (
    "EXISTS (SELECT 1 FROM save_tags st JOIN tags t ON t.id = st.tag_id "
    "WHERE st.save_id = s.id AND {})"
)
# by:NAME: that person saved the entry, publicly unless it is the current person's own
# save (``s``, when there is one, is the current person's: the same row).
BY_CONDITION = (
    "EXISTS (SELECT 1 FROM saves bs JOIN people bp ON bp.id = bs.person_id "
    "WHERE bs.entry_id = e.id AND bp.name = ? AND (bs.private = 0 OR bs.id = s.id))"
)
# Whether a public save of the entry by one of some people (``{marks}``) holds words
# (``{held}``, of the save ``xo``): an excluded word of a by: search.
_THEIRS_HOLD = (
    "NOT EXISTS (SELECT 1 FROM saves xo JOIN people xp ON xp.id = xo.person_id"
    " WHERE xo.entry_id = e.id AND xo.private = 0 AND xp.name IN ({marks}) AND {held})"
)
# The host of e.url: after "://", up to the first "/", "?", "#" or ":" (port);
# the appended "/" makes sure there is one.  (user@host URLs are not handled.)
_AFTER_SCHEME = "substr(e.url, instr(e.url, '://') + 3)"
_HOSTPART = f"replace(replace(replace({_AFTER_SCHEME}, '?', '/'), '#', '/'), ':', '/') || '/'"
_URL_HOST = f"substr({_HOSTPART}, 1, instr({_HOSTPART}, '/') - 1)"
# '.' || host LIKE '%.example.org': the host or any subdomain (LIKE ignores ASCII case).
_SITE = f"('.' || {_URL_HOST}) LIKE ? ESCAPE '\\'"
_PG_AFTER_SCHEME = "substr(e.url, strpos(e.url, '://') + 3)"
_PG_HOSTPART = f"replace(replace(replace({_PG_AFTER_SCHEME}, '?', '/'), '#', '/'), ':', '/') || '/'"
_PG_URL_HOST = f"substr({_PG_HOSTPART}, 1, strpos({_PG_HOSTPART}, '/') - 1)"
_PG_SITE = f"('.' || {_PG_URL_HOST}) ILIKE ? ESCAPE '\\'"
_MAX_ID_DIGITS = 18  # larger numbers do not fit SQLite's 64-bit integers


def seen_by_construction(q: Query) -> bool:
    """Whether every entry ``q``'s filters allow is one the person may see (their own
    saves: ``#tag``, ``is:saved``, ``is:toread``; someone's public ones: ``by:``), so that
    :data:`pkm.storage.people.VISIBLE` need not be checked."""
    return bool(q.by or q.saved or q.to_read or q.tags or q.tag_prefixes)


def _prefix_upper(prefix: str) -> str | None:
    """The least string greater than every string that starts with ``prefix``."""
    while prefix:
        nxt = ord(prefix[-1]) + 1
        if nxt <= 0x10FFFF:
            if 0xD800 <= nxt <= 0xDFFF:
                nxt = 0xE000
            return prefix[:-1] + chr(nxt)
        prefix = prefix[:-1]
    return None


def tag_prefix_condition(prefix: str, params: list[object], dialect: str = "sqlite") -> str:
    """``t.key`` (alias ``t`` = tags) starts with ``prefix``: a range the key index serves."""
    if dialect == POSTGRESQL:
        params.append(prefix)
        return "starts_with(t.key, ?)"
    upper = _prefix_upper(prefix)
    params.append(prefix)
    if upper is None:
        return "t.key >= ?"
    params.append(upper)
    return "t.key >= ? AND t.key < ?"


def feed_condition(feeds: Sequence[str], params: list[object], dialect: str = "sqlite") -> str:
    """The feeds (alias ``ff``) that these ``feed:`` values name; appends to ``params``.

    A value is part of the feed's title, or of a title someone subscribed to it under
    (case-insensitive for ASCII, as LIKE); an all-digit one is also the feed's id.
    """
    alts = []
    like = like_operator(dialect)
    titled = (
        f"ff.title {like} ? ESCAPE '\\' OR ff.id IN"
        f" (SELECT fs.feed_id FROM subscriptions fs WHERE fs.title {like} ? ESCAPE '\\')"
    )
    for feed in feeds:
        if feed.isascii() and feed.isdigit() and len(feed) <= _MAX_ID_DIGITS:
            alts.append(f"ff.id = ? OR {titled}")
            params.extend((int(feed), like_escape(feed), like_escape(feed)))
        else:
            alts.append(titled)
            params.extend([f"%{like_escape(feed)}%"] * 2)
    return "(" + " OR ".join(alts) + ")"


def _any(conds: list[str]) -> str:
    return conds[0] if len(conds) == 1 else "(" + " OR ".join(conds) + ")"


def where_clause(
    q: Query, dialect: str = "sqlite", *, words_by: Sequence[str] | None = None
) -> tuple[str, list[object]]:
    """The SQL condition for everything in ``q`` except ``match``; ``"1"`` (``"TRUE"`` on
    PostgreSQL) if none.

    The conditions are AND-joined (any OR inside one is parenthesised), so the fragment
    can be AND-ed into a larger WHERE.  ``exclude_match`` becomes ``e.id NOT IN (SELECT
    rowid FROM entries_fts …)``, on PostgreSQL ``NOT (e.fts @@ …)``, and the same of the
    person's save and of the public saves of the people ``words_by`` names (default:
    ``q.by``; the whole query's when ``q`` is what a driver left of it).
    """
    pg = dialect == POSTGRESQL
    like = like_operator(dialect)
    params: list[object] = []
    conds = _tag_conditions(q, params, dialect)
    if q.feeds:
        feeds = feed_condition(q.feeds, params, dialect)
        conds.append(f"+e.feed_id IN (SELECT ff.id FROM feeds ff WHERE {feeds})")
    for title in q.titles:
        conds.append(f"e.title {like} ? ESCAPE '\\'")
        params.append(f"%{like_escape(title)}%")
    for name in q.by:
        conds.append(BY_CONDITION)
        params.append(name)
    if q.authors:
        conds.append(_any([f"e.author {like} ? ESCAPE '\\'"] * len(q.authors)))
        params.extend(f"%{like_escape(author)}%" for author in q.authors)
    if q.sites:
        conds.append(_any([_PG_SITE if pg else _SITE] * len(q.sites)))
        params.extend(f"%.{like_escape(site)}" for site in q.sites)
    if q.since is not None:
        conds.append("e.sort_date >= ?")
        params.append(int(q.since.timestamp()))
    conds += _state_conditions(q, params)
    # An excluded word may be in the page, in the person's own tags and note, or in the
    # public ones of the people the query is by:.
    by = q.by if words_by is None else words_by
    if q.exclude_match is not None and pg:
        conds.append(f"NOT (e.fts @@ {compile_tsquery(q.exclude_match, params)})")
        conds.append(f"NOT coalesce(s.fts @@ {compile_tsquery(q.exclude_match, params)}, FALSE)")
        if by:
            params.extend(by)
            held = f"xo.fts @@ {compile_tsquery(q.exclude_match, params)}"
            conds.append(_THEIRS_HOLD.format(marks=", ".join("?" * len(by)), held=held))
    elif q.exclude_match is not None:
        excluded = match_expression(q.exclude_match)
        conds.append(f"e.id NOT IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ?)")
        conds.append(
            f"coalesce(s.id, 0) NOT IN (SELECT rowid FROM {SAVES_FTS_TABLE}"
            f" WHERE {SAVES_FTS_TABLE} MATCH ?)"
        )
        params.extend((excluded, excluded))
        if by:
            held = f"xo.id IN (SELECT rowid FROM {SAVES_FTS_TABLE} WHERE {SAVES_FTS_TABLE} MATCH ?)"
            conds.append(_THEIRS_HOLD.format(marks=", ".join("?" * len(by)), held=held))
            params.extend((*by, excluded))
    if not conds:
        return ("TRUE" if pg else "1"), params
    return " AND ".join(conds), params


def _tag_conditions(q: Query, params: list[object], dialect: str) -> list[str]:
    """The tags an entry must have and must not have (``#t``, ``#t*``, ``-#t``, ``!untagged``)."""
    conds: list[str] = []
    for tag in q.tags:
        conds.append(_TAG_EXISTS.format("t.key = ?"))
        params.append(tag)
    for prefix in q.tag_prefixes:
        conds.append(_TAG_EXISTS.format(tag_prefix_condition(prefix, params, dialect)))
    if q.exclude_tags:
        marks = ", ".join("?" * len(q.exclude_tags))
        conds.append("NOT " + _TAG_EXISTS.format(f"t.key IN ({marks})"))
        params.extend(q.exclude_tags)
    for prefix in q.exclude_tag_prefixes:
        conds.append("NOT " + _TAG_EXISTS.format(tag_prefix_condition(prefix, params, dialect)))
    if q.untagged:
        conds.append("NOT EXISTS (SELECT 1 FROM save_tags st WHERE st.save_id = s.id)")
    return conds


def _state_conditions(q: Query, params: list[object]) -> list[str]:
    """The ``is:`` filters: saved, read or not, to read later, muted, archived, link health."""
    flags = (
        (q.saved, "s.id IS NOT NULL"),
        (q.unread, "es.read_at IS NULL"),
        (q.read, "es.read_at IS NOT NULL"),
        (q.to_read, "s.to_read = 1"),
        (q.muted, "es.muted = 1"),
        (q.archived, ARCHIVED_CONDITION),
        (q.moved, moved_condition()),
    )
    conds = [condition for on, condition in flags if on]
    if q.broken:
        broken, broken_params = broken_condition(now_ts())
        conds.append(broken)
        params.extend(broken_params)
    return conds
