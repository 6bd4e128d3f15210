"""The search query language of ``pkm find``: text in, a typed :class:`Query` out.

No SQL and no search-engine syntax here: the query's words are a tree of
:class:`Term`, :class:`AllOf`, :class:`AnyOf` and :class:`Without`, its filters plain
values, and the store compiles both for its engine (``pkm.storage.fts5`` renders the
words as an SQLite FTS5 MATCH expression, ``pkm.storage.filters`` the filters as SQL).

Syntax (in the spirit of linkding and Pinboard)::

    python asyncio          both words (implicit AND; ``AND`` may also be written)
    "hybrid events"         exact phrase
    python OR rust          either; uppercase ``OR`` only
    -django   NOT django    exclude
    async*    "event lo"*   prefix (of the last word of a phrase)
    (a OR b) c              grouping
    #python  #conf*  -#meta  -#draft*     tag, tag prefix, excluded tag / tag prefix
    tag:python              the same as #python, as other tools write it
    title:rails  title:"hybrid events"    words in the title
    author:dhh  author:"Ann Author"       the author's name
    feed:jarche  feed:"Harold Jarche"  feed:12
    by:alice                saved by alice (her public saves; all of your own); the words
                            may be in her tags and notes of them too
    site:example.org        URL host is example.org or one of its subdomains
    since:2026-01-01  since:7d  since:2w  since:3m  since:1y  since:12h  since:yesterday
    is:saved  is:read  is:unread  is:toread  is:muted  !untagged
    is:archived  is:broken  is:moved

Any other ``name:value`` word is an error naming the fields (quote it to find it).

Precedence is NOT > AND > OR, as in FTS5 and linkding: ``a b OR c`` means
``(a AND b) OR c``; write ``a (b OR c)`` for the other reading.

Design choices:

* Every word and phrase is a :class:`Term` holding the text as typed: operator
  words and engine syntax inside it (``NEAR(``, ``^``, ``:``, ``+``, ``*``) are
  text, never operators.  Words with no letter or digit (a tokenizer drops them)
  are dropped; a query left with no words just has ``match=None``.  Control
  characters count as spaces (a NUL would cut an engine's string short).  Case and
  accents are the index's to fold.
* Filters (``#tag``, ``feed:``, ``site:``, ``since:``, ``is:``, ``!untagged``)
  are global AND conditions and must be at the top level: a filter inside
  parentheses or joined by ``OR`` is a :class:`QueryError` (``#a OR #b`` is not
  supported).  Only tag filters can be negated (``-#tag``, ``NOT #tag``).
  Unknown ``key:value`` words (``http://…``, ``c:``) are plain search words, but
  ``!word`` other than ``!untagged`` is an error (quote it to search for it).
* ``#tag`` is compared by the store's tag identity, :func:`pkm.tagnames.tag_key` (NFC,
  format characters removed, case folded), so ``#Ideeën`` is the tag saved as "ideeën";
  ``#conf*`` is a prefix of that key.  A tag pkm could not store (a comma, over 100
  characters) is a :class:`QueryError`.
* Several ``#tag`` must all be present; several ``feed:`` or ``site:`` values
  are alternatives (an entry has one feed and one host, so AND would be empty);
  several ``since:`` keep the latest.
* ``feed:NAME``: the feed title contains NAME (case-insensitive for ASCII, as
  SQLite's LIKE); an all-digit NAME means the feed id (or a title equal to it).
* ``site:HOST``: the entry URL's host equals HOST or ends with ``.HOST``; a
  pasted URL (``site:https://example.org/x``) is reduced to its host.
* ``is:saved``: kept as a bookmark; ``is:read`` and ``is:unread`` as in a feed
  reader: an entry is read once shown (``pkm read``, ``pkm show``, ``pkm open``);
  ``is:toread``: the read-later flag (``--to-read``), whether read or not;
  ``is:muted``: hidden from scans by a mute rule (``find`` shows muted entries like
  any other); ``is:archived``: the page's readable text is kept (``pkm archive``);
  ``is:broken``: the last ``pkm check`` found the link gone or dead, or failing for
  more than 30 days; ``is:moved``: it found a permanent redirect to a working page.
  :mod:`pkm.storage.filters` says which stored columns these are.
* Exclusions: with positive words they stay in ``match`` (``Without(a, b)``).
  A query whose words are only exclusions (``#py -django``) matches what is left
  when the entries matching ``exclude_match`` are left out (FTS5 has no unary NOT,
  and a match of everything would be a scan).
  An exclusion as an ``OR`` alternative (``a OR -b``) is an error.
* ``since:`` dates and ``today``/``yesterday`` are midnights in the timezone of
  ``now`` (the local timezone by default); the result is converted to UTC.
  ``m`` is months and ``y`` years (calendar), ``h`` hours, ``d`` days, ``w`` weeks
  (:mod:`pkm.since` reads them, for ``--since`` and ``--older-than`` too).
* Error positions are 0-based character offsets into the query text.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from pkm.errors import QueryError
from pkm.querysyntax import (
    And,
    Filter,
    Group,
    Node,
    Not,
    Or,
    Parser,
    Token,
    Word,
    tag_key_or_error,
    tokenize,
)
from pkm.since import SINCE_HELP, parse_since
from pkm.text import controls_as_spaces

__all__ = [
    "AllOf",
    "AnyOf",
    "Query",
    "Term",
    "Without",
    "Words",
    "merge",
    "parse_query",
    "parse_since",
]


# The nodes are plain slotted classes: a dataclass costs ~1 ms of import time.


class _Value:
    """Equality, hashing and a repr from the slots: the tree is a value."""

    __slots__: tuple[str, ...] = ()

    def _values(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, _Value)
            and type(other) is type(self)
            and other._values() == self._values()
        )

    def __hash__(self) -> int:
        return hash((type(self), self._values()))

    def __repr__(self) -> str:
        return f"{type(self).__name__}{self._values()!r}"


class Term(_Value):
    """A word, or a phrase (its words side by side, in order); ``prefix``: the last word
    may go on (``async*``)."""

    __slots__ = ("text", "prefix")

    def __init__(self, text: str, prefix: bool = False) -> None:
        self.text = text
        self.prefix = prefix


class AllOf(_Value):
    """Every one of ``items`` (two or more)."""

    __slots__ = ("items",)

    def __init__(self, items: tuple[Words, ...]) -> None:
        self.items = items


class AnyOf(_Value):
    """At least one of ``items`` (two or more)."""

    __slots__ = ("items",)

    def __init__(self, items: tuple[Words, ...]) -> None:
        self.items = items


class Without(_Value):
    """``base``, except where ``excluded`` matches too."""

    __slots__ = ("base", "excluded")

    def __init__(self, base: Words, excluded: Words) -> None:
        self.base = base
        self.excluded = excluded


Words = Term | AllOf | AnyOf | Without


@dataclass(frozen=True)
class Query:
    """A parsed query: the words an entry must match (``match``), and the filters."""

    match: Words | None  # None when there are no words
    tags: tuple[str, ...]  # exact tag keys (pkm.tagnames.tag_key), all required
    tag_prefixes: tuple[str, ...]  # tag_key form; each must prefix some tag key
    exclude_tags: tuple[str, ...]
    feeds: tuple[str, ...]  # feed:NAME values (any of them)
    sites: tuple[str, ...]  # site: hosts, lowercased (any of them)
    since: datetime | None  # tz-aware UTC; compared with entries.sort_date
    saved: bool = False
    unread: bool = False
    untagged: bool = False
    read: bool = False
    to_read: bool = False
    muted: bool = False
    # Saved pages kept past link rot: archived text, and what the last link check found.
    archived: bool = False
    broken: bool = False
    moved: bool = False
    terms: tuple[str, ...] = ()  # positive words/phrases, for highlighting/related
    exclude_match: Words | None = None  # entries these match are left out
    exclude_tag_prefixes: tuple[str, ...] = ()
    # The query's words as one phrase, when they are all plain words joined by AND
    # (so the phrase matches only where ``match`` does): ranking ``(match) OR near``
    # puts entries with the words side by side above those with them scattered.
    near: Term | None = None
    titles: tuple[str, ...] = ()  # title:WORDS, each in the title (all of them)
    authors: tuple[str, ...] = ()  # author:NAME values (any of them)
    # by:NAME: people who saved the entry (each of them): another person's public saves,
    # all of the current person's own.
    by: tuple[str, ...] = ()

    def filter_words(self) -> tuple[str, ...]:
        """The filters as a query writes them (a since: date as ``since:…``)."""
        words = [f"#{t}" for t in self.tags] + [f"#{t}*" for t in self.tag_prefixes]
        words += [f"-#{t}" for t in self.exclude_tags]
        words += [f"-#{t}*" for t in self.exclude_tag_prefixes]
        words += [f"feed:{f}" for f in self.feeds] + [f"site:{s}" for s in self.sites]
        words += [f"title:{t}" for t in self.titles] + [f"author:{a}" for a in self.authors]
        words += [f"by:{name}" for name in self.by]
        words += ["since:…"] if self.since else []
        flags = (
            ("is:saved", self.saved),
            ("is:read", self.read),
            ("is:unread", self.unread),
            ("is:toread", self.to_read),
            ("is:muted", self.muted),
            ("is:archived", self.archived),
            ("is:broken", self.broken),
            ("is:moved", self.moved),
        )
        words += [word for word, on in flags if on]
        words += ["!untagged"] if self.untagged else []
        return tuple(words)


EMPTY = Query(None, (), (), (), (), (), None)

# Nesting of the words' tree (FTS5's parser stack overflows at about 30 levels of
# parentheses).
_MAX_DEPTH = 16


# --- the words' tree -----------------------------------------------------------


class _Expr:
    """A built tree of words; ``depth`` counts its compound nodes inside one another."""

    __slots__ = ("node", "depth")

    def __init__(self, node: Words, depth: int = 0) -> None:
        self.node = node
        self.depth = depth


class _Rendered:
    """``pos AND NOT (any of neg)``; ``pos`` None means "everything but neg"."""

    __slots__ = ("pos", "neg")

    def __init__(self, pos: _Expr | None, neg: tuple[_Expr, ...]) -> None:
        self.pos = pos
        self.neg = neg


def _depth(e: _Expr) -> int:
    return e.depth if isinstance(e.node, Term) else e.depth + 1


def _join(exprs: list[_Expr] | tuple[_Expr, ...], kind: type[AllOf | AnyOf]) -> _Expr:
    if len(exprs) == 1:
        return exprs[0]
    return _compound(kind(tuple(e.node for e in exprs)), max(_depth(e) for e in exprs))


def _compound(node: Words, depth: int) -> _Expr:
    if depth > _MAX_DEPTH:
        raise QueryError("query is nested too deeply")
    return _Expr(node, depth)


def _full(r: _Rendered) -> _Expr:
    assert r.pos is not None
    if not r.neg:
        return r.pos
    neg = _join(r.neg, AnyOf)
    return _compound(Without(r.pos.node, neg.node), max(_depth(r.pos), _depth(neg)))


def _is_private_use(ch: str) -> bool:
    cp = ord(ch)
    return 0xE000 <= cp <= 0xF8FF or cp >= 0xF0000


def _has_token(text: str) -> bool:
    """Whether a tokenizer finds a token in ``text`` (letters, digits, private use), as
    SQLite's unicode61 does."""
    return any(ch.isalnum() or _is_private_use(ch) for ch in text)


def _render(node: Node, terms: list[str], negated: bool) -> _Rendered | None:
    """The words of ``node`` as a tree; None when it has none left (they are ignored)."""
    if isinstance(node, Word):
        if not _has_token(node.text):
            return None
        if not negated and node.text not in terms:
            terms.append(node.text)
        return _Rendered(_Expr(Term(node.text, node.prefix)), ())
    if isinstance(node, Group):
        return _render(node.child, terms, negated)
    if isinstance(node, Not):
        r = _render(node.child, terms, True)
        if r is None:
            return None
        if r.pos is None:  # NOT (NOT n1 AND NOT n2) = n1 OR n2
            return _Rendered(_join(r.neg, AnyOf), ())
        return _Rendered(None, (_full(r),))
    if isinstance(node, And):
        return _render_and(node, terms, negated)
    if isinstance(node, Or):
        return _render_or(node, terms, negated)
    raise AssertionError(node)  # Filter: removed before rendering


def _render_and(node: And, terms: list[str], negated: bool) -> _Rendered | None:
    pos: list[_Expr] = []
    neg: list[_Expr] = []
    for item in _and_items(node):
        r = _render(item, terms, negated)
        if r is not None:
            if r.pos is not None:
                pos.append(r.pos)
            neg.extend(r.neg)
    if not pos and not neg:
        return None
    return _Rendered(_join(pos, AllOf) if pos else None, tuple(neg))


def _render_or(node: Or, terms: list[str], negated: bool) -> _Rendered | None:
    alts: list[_Expr] = []
    for item in node.items:
        r = _render(item, terms, negated)
        if r is None:
            continue
        if r.pos is None:
            raise QueryError(
                f"exclusion at position {_first_not(item)} cannot be an OR alternative "
                "on its own (write 'a -b OR c' or '-(b OR c)')"
            )
        alts.append(_full(r))
    return _Rendered(_join(alts, AnyOf), ()) if alts else None


def _and_items(node: And) -> list[Node]:
    """The operands of ``node``, with parenthesised ANDs inside it spliced in."""
    items: list[Node] = []
    for item in node.items:
        if isinstance(item, Group) and isinstance(item.child, And):
            items.extend(_and_items(item.child))
        else:
            items.append(item)
    return items


def _first_not(node: Node) -> int:
    if isinstance(node, Not):
        return node.pos
    if isinstance(node, Group):
        return _first_not(node.child)
    if isinstance(node, And | Or):
        for item in node.items:
            found = _first_not(item)
            if found >= 0:
                return found
    return -1


def _first_filter(node: Node) -> Token | None:
    if isinstance(node, Filter):
        return node.tok
    if isinstance(node, Not | Group):
        return _first_filter(node.child)
    if isinstance(node, And | Or):
        for item in node.items:
            found = _first_filter(item)
            if found is not None:
                return found
    return None


# --- parse_query --------------------------------------------------------------


def _check_text(text: str) -> str:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise QueryError(f"invalid character (not UTF-8) at position {exc.start}") from None
    return controls_as_spaces(text)


def _add(items: list[str], value: str) -> None:
    if value not in items:
        items.append(value)


def _split_filters(root: Node) -> tuple[dict[str, list[str]], list[Node]]:
    """The top-level filters of a parsed query, by kind, and the rest: its words."""
    filters: dict[str, list[str]] = {
        k: []
        for k in (
            "#",
            "#*",
            "-#",
            "-#*",
            "feed",
            "site",
            "since",
            "is",
            "!",
            "title",
            "author",
            "by",
        )
    }
    words: list[Node] = []
    for item in root.items if isinstance(root, And) else (root,):
        negated = False
        inner = item
        while isinstance(inner, Not):
            negated = not negated
            inner = inner.child
        if isinstance(inner, Filter):
            tok = inner.tok
            if negated:
                if tok.key not in ("#", "#*"):
                    raise QueryError(f"{tok.raw} cannot be negated (only -#tag can)")
                _add(filters["-" + tok.key], tok.text)
            else:
                _add(filters[tok.key], tok.text)
            continue
        nested = _first_filter(item)
        if nested is not None:
            raise QueryError(
                f"filter {nested.raw} at position {nested.pos} cannot be inside parentheses "
                "or joined with OR; put filters at the top level, e.g. #tag (a OR b)"
            )
        words.append(item)
    return filters, words


def _latest_since(values: list[str], now: datetime | None) -> datetime | None:
    """The latest of the ``since:`` dates (several keep the latest); None without one."""
    since = None
    for value in values:
        try:
            when = parse_since(value, now=now)
        except QueryError:
            raise QueryError(f"bad date in since:{value} ({SINCE_HELP})") from None
        since = when if since is None else max(since, when)
    return since


def parse_query(text: str, *, now: datetime | None = None) -> Query:
    """Parse a search query; raise :class:`QueryError` pointing at the problem."""
    s = _check_text(text)
    toks = tokenize(s)
    if not toks:
        return EMPTY
    parser = Parser(toks)
    root = parser.parse_or()
    stray = parser.peek()
    if stray is not None:  # parse_or stops early only at an unmatched ")"
        raise QueryError(f"unbalanced parenthesis at position {stray.pos}: ')' has no '('")

    filters, words = _split_filters(root)
    since = _latest_since(filters["since"], now)

    terms: list[str] = []
    match = exclude = None
    if words:
        r = _render(words[0] if len(words) == 1 else And(tuple(words)), terms, False)
        if r is not None and r.pos is not None:
            match = _full(r).node
        elif r is not None:  # only exclusions
            exclude = _join(r.neg, AnyOf).node
    near = None
    kept = [w for w in words if not (isinstance(w, Word) and not _has_token(w.text))]
    plain = [w for w in kept if isinstance(w, Word)]
    if len(plain) >= 2 and len(plain) == len(kept) and not any(w.prefix for w in plain):
        near = Term(" ".join(w.text for w in plain))

    return Query(
        match=match,
        tags=tuple(filters["#"]),
        tag_prefixes=tuple(filters["#*"]),
        exclude_tags=tuple(filters["-#"]),
        feeds=tuple(filters["feed"]),
        sites=tuple(filters["site"]),
        since=since,
        saved="saved" in filters["is"],
        unread="unread" in filters["is"],
        untagged=bool(filters["!"]),
        read="read" in filters["is"],
        to_read="toread" in filters["is"],
        muted="muted" in filters["is"],
        archived="archived" in filters["is"],
        broken="broken" in filters["is"],
        moved="moved" in filters["is"],
        terms=tuple(terms),
        exclude_match=exclude,
        exclude_tag_prefixes=tuple(filters["-#*"]),
        near=near,
        titles=tuple(filters["title"]),
        authors=tuple(filters["author"]),
        by=tuple(filters["by"]),
    )


# --- CLI options --------------------------------------------------------------


def merge(
    query: Query,
    *,
    tags: tuple[str, ...] | list[str] = (),
    feeds: tuple[str, ...] | list[str] = (),
    since: datetime | None = None,
    saved: bool = False,
    unread: bool = False,
    to_read: bool = False,
    by: tuple[str, ...] | list[str] = (),
) -> Query:
    """Add CLI options, which mean what the in-query filters mean.

    A tag may be written with or without ``#`` and may end with ``*`` (prefix);
    ``since`` is tz-aware (see :func:`parse_since`; naive is taken as UTC) and the
    later of it and the query's wins.
    """
    new_tags = list(query.tags)
    prefixes = list(query.tag_prefixes)
    for tag in tags:
        base = tag.strip()
        key = tag_key_or_error(base.rstrip("*"), repr(tag))
        _add(prefixes if base.endswith("*") else new_tags, key)
    new_feeds = list(query.feeds)
    for feed in feeds:
        name = feed.strip()
        if not name:
            raise QueryError("empty feed name")
        _add(new_feeds, name)
    new_by = list(query.by)
    for name in by:
        if not name.strip():
            raise QueryError("empty person name")
        _add(new_by, name.strip())
    new_since = query.since
    if since is not None:
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        since = since.astimezone(UTC)
        new_since = since if new_since is None else max(new_since, since)
    return replace(
        query,
        tags=tuple(new_tags),
        tag_prefixes=tuple(prefixes),
        feeds=tuple(new_feeds),
        since=new_since,
        saved=query.saved or saved,
        unread=query.unread or unread,
        to_read=query.to_read or to_read,
        by=tuple(new_by),
    )
