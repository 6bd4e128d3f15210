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
    site:example.org        URL host is example.org or one of its subdomains
    since:2026-01-01  since:7d  since:2w  since:3m  since:1y  since:12h  since:yesterday
    is:saved  is:read  is:unread  is:toread  is:muted  !untagged

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
  any other).  :mod:`pkm.storage.filters` says which stored columns these are.
* Exclusions: with positive words they stay in ``match`` (``Without(a, b)``).
  A query whose words are only exclusions (``#py -django``) matches what is left
  when the entries matching ``exclude_match`` are left out (FTS5 has no unary NOT,
  and a match of everything would be a scan).
  An exclusion as an ``OR`` alternative (``a OR -b``) is an error.
* ``since:`` dates and ``today``/``yesterday`` are midnights in the timezone of
  ``now`` (the local timezone by default); the result is converted to UTC.
  ``m`` is months and ``y`` years (calendar), ``h`` hours, ``d`` days, ``w`` weeks.
* Error positions are 0-based character offsets into the query text.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from pkm.errors import InvalidTagError, QueryError
from pkm.tagnames import tag_key
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
    terms: tuple[str, ...] = ()  # positive words/phrases, for highlighting/related
    exclude_match: Words | None = None  # entries these match are left out
    exclude_tag_prefixes: tuple[str, ...] = ()
    # The query's words as one phrase, when they are all plain words joined by AND
    # (so the phrase matches only where ``match`` does): ranking ``(match) OR near``
    # puts entries with the words side by side above those with them scattered.
    near: Term | None = None
    titles: tuple[str, ...] = ()  # title:WORDS, each in the title (all of them)
    authors: tuple[str, ...] = ()  # author:NAME values (any of them)

    def filter_words(self) -> tuple[str, ...]:
        """The filters as a query writes them (a since: date as ``since:…``)."""
        words = [f"#{t}" for t in self.tags] + [f"#{t}*" for t in self.tag_prefixes]
        words += [f"-#{t}" for t in self.exclude_tags]
        words += [f"-#{t}*" for t in self.exclude_tag_prefixes]
        words += [f"feed:{f}" for f in self.feeds] + [f"site:{s}" for s in self.sites]
        words += [f"title:{t}" for t in self.titles] + [f"author:{a}" for a in self.authors]
        words += ["since:…"] if self.since else []
        flags = (
            ("is:saved", self.saved),
            ("is:read", self.read),
            ("is:unread", self.unread),
            ("is:toread", self.to_read),
            ("is:muted", self.muted),
        )
        words += [word for word, on in flags if on]
        words += ["!untagged"] if self.untagged else []
        return tuple(words)


EMPTY = Query(None, (), (), (), (), (), None)

_OPERATORS = frozenset({"OR", "AND", "NOT"})
_FILTER_KEYS = frozenset({"feed", "site", "since", "is", "title", "author"})
_IS = ("saved", "read", "unread", "toread", "muted")
# What other tools call a tag filter.
_TAG_FIELD = "tag"
# A word "name:value" whose name is none of these is a mistyped filter, not a word to find
# (quote it to find it); URL schemes are words.
_NOT_FIELDS = frozenset({"http", "https", "mailto", "ftp", "file", "urn", "tag"})
_FIELDS_HELP = "#tag or tag:, feed:, site:, since:, is:, title:, author:"
# Nesting of the words' tree (FTS5's parser stack overflows at about 30 levels of
# parentheses) and of the input's parentheses and NOTs (the parser here is recursive).
_MAX_DEPTH = 16
_MAX_NESTING = 32
_SINCE_HELP = "use YYYY-MM-DD, 7d, 2w, 3m, 1y, 12h, yesterday or today"
_HOST_EXTRA = frozenset(".-_")


# --- tokens and syntax tree ---------------------------------------------------


class _Tok:
    """A token: "(" ")" "OR" "AND" "NOT" "term" or "filter"."""

    __slots__ = ("kind", "pos", "raw", "text", "prefix", "key")

    def __init__(
        self, kind: str, pos: int, raw: str, text: str = "", prefix: bool = False, key: str = ""
    ) -> None:
        self.kind = kind
        self.pos = pos
        self.raw = raw
        self.text = text  # term text, or filter value
        self.prefix = prefix
        self.key = key  # filter key: "#", "#*", "feed", "site", "since", "is", "!"


class _Term:
    __slots__ = ("text", "prefix", "pos")

    def __init__(self, text: str, prefix: bool, pos: int) -> None:
        self.text = text
        self.prefix = prefix
        self.pos = pos


class _Filter:
    __slots__ = ("tok",)

    def __init__(self, tok: _Tok) -> None:
        self.tok = tok


class _Not:
    __slots__ = ("child", "pos", "raw")

    def __init__(self, child: _Node, pos: int, raw: str) -> None:
        self.child = child
        self.pos = pos
        self.raw = raw


class _And:
    __slots__ = ("items",)

    def __init__(self, items: tuple[_Node, ...]) -> None:
        self.items = items


class _Or:
    __slots__ = ("items",)

    def __init__(self, items: tuple[_Node, ...]) -> None:
        self.items = items


class _Group:
    __slots__ = ("child", "pos")

    def __init__(self, child: _Node, pos: int) -> None:
        self.child = child
        self.pos = pos


_Node = _Term | _Filter | _Not | _And | _Or | _Group


def _fragment(text: str, start: int, limit: int = 30) -> str:
    frag = text[start:]
    if len(frag) > limit:
        frag = frag[:limit] + "…"
    return repr(frag)


# --- tokenizer ----------------------------------------------------------------


def _tokenize(s: str) -> list[_Tok]:
    toks: list[_Tok] = []
    n = len(s)
    i = 0
    while i < n:
        c = s[i]
        if c.isspace():
            i += 1
        elif c == "(" or c == ")":
            toks.append(_Tok(c, i, c))
            i += 1
        elif c == '"':
            end = s.find('"', i + 1)
            if end < 0:
                raise QueryError(f"unbalanced quote at position {i}: {_fragment(s, i)}")
            j = end + 1
            while j < n and s[j] == "*":
                j += 1
            toks.append(_Tok("term", i, s[i:j], s[i + 1 : end], j > end + 1))
            i = j
        elif c == "-":
            if i + 1 >= n or s[i + 1].isspace() or s[i + 1] == ")":
                raise QueryError(f"'-' at position {i} needs a term right after it (e.g. -word)")
            toks.append(_Tok("NOT", i, "-"))
            i += 1
        else:
            j = i
            while j < n and not s[j].isspace() and s[j] not in '()"':
                j += 1
            word = s[i:j]
            if j < n and s[j] == '"' and word[-1] == ":" and word[:-1].lower() in _FILTER_KEYS:
                end = s.find('"', j + 1)
                if end < 0:
                    raise QueryError(f"unbalanced quote at position {j}: {_fragment(s, j)}")
                toks.append(_filter_tok(word[:-1].lower(), s[j + 1 : end], i, s[i : end + 1]))
                i = end + 1
            else:
                toks.append(_word_tok(word, i))
                i = j
    return toks


def _word_tok(word: str, pos: int) -> _Tok:
    if word in _OPERATORS:
        return _Tok(word, pos, word)
    base = word.rstrip("*")
    if not base:
        raise QueryError(
            f"'{word}' at position {pos} must end a word, with no space (prefix search: word*)"
        )
    if word[0] == "#":
        key = _tag_key(base[1:], f"{word!r} at position {pos}")
        return _Tok("filter", pos, word, key, key="#*" if base != word else "#")
    if word[0] == "!" and word[1:2].isalpha():
        if word.lower() == "!untagged":
            return _Tok("filter", pos, word, key="!")
        raise QueryError(
            f"unknown filter {word} at position {pos} (use !untagged; "
            f'to search for the word, quote it: "{word}")'
        )
    colon = word.find(":")
    name = word[:colon].lower() if colon > 0 else ""
    if name in _FILTER_KEYS:
        return _filter_tok(name, word[colon + 1 :], pos, word)
    if name == _TAG_FIELD:
        return _word_tok("#" + word[colon + 1 :], pos)
    if name.isascii() and name.isalpha() and name not in _NOT_FIELDS and colon + 1 < len(word):
        raise QueryError(
            f"unknown field {name}: at position {pos} (use {_FIELDS_HELP};"
            f' to search for the word, quote it: "{word}")'
        )
    return _Tok("term", pos, word, base, base != word)


def _tag_key(name: str, where: str) -> str:
    """The store's identity of a tag (:func:`pkm.tagnames.tag_key`), or a QueryError."""
    try:
        return tag_key(name)
    except InvalidTagError as exc:
        reason = str(exc).split(":", 1)[0]
        if reason.startswith("empty tag"):
            raise QueryError(f"empty tag {where}") from None
        raise QueryError(f"bad tag {where}: {reason}") from None


def _filter_tok(key: str, value: str, pos: int, raw: str) -> _Tok:
    value = value.strip()
    if not value:
        raise QueryError(f"empty filter {key}: at position {pos}")
    if key == "is":
        low = value.lower()
        if low not in _IS:
            raise QueryError(f"unknown filter is:{value} (use {', '.join(f'is:{w}' for w in _IS)})")
        value = low
    elif key == "site":
        value = _parse_host(value, raw)
    return _Tok("filter", pos, raw, value, key=key)


def _parse_host(value: str, raw: str) -> str:
    host = value.lower()
    if "://" in host:
        host = host.split("://", 1)[1]
    for sep in "/?#":
        host = host.split(sep, 1)[0]
    host = host.rsplit("@", 1)[-1].split(":", 1)[0]
    host = host.removeprefix("*.").strip(".")
    if not host or not all(ch.isalnum() or ch in _HOST_EXTRA for ch in host):
        raise QueryError(f"bad host in {raw} (use site:example.org)")
    return host


# --- parser -------------------------------------------------------------------


class _Parser:
    def __init__(self, toks: list[_Tok]) -> None:
        self.toks = toks
        self.i = 0
        self.nesting = 0

    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def _needs_operand(self, tok: _Tok) -> None:
        nxt = self.peek()
        if nxt is None or nxt.kind in (")", "OR", "AND"):
            what = "on both sides" if tok.kind != "NOT" else "after it"
            op = "'-'" if tok.raw == "-" else tok.raw
            raise QueryError(f"{op} at position {tok.pos} needs a term {what}")

    def parse_or(self) -> _Node:
        items = [self.parse_and()]
        while (tok := self.peek()) is not None and tok.kind == "OR":
            self.i += 1
            self._needs_operand(tok)
            items.append(self.parse_and())
        return items[0] if len(items) == 1 else _Or(tuple(items))

    def parse_and(self) -> _Node:
        items: list[_Node] = []
        while (tok := self.peek()) is not None and tok.kind not in (")", "OR"):
            if tok.kind == "AND":
                if not items:
                    raise QueryError(f"AND at position {tok.pos} needs a term on both sides")
                self.i += 1
                self._needs_operand(tok)
                continue
            items.append(self.parse_unary())
        if not items:
            tok = self.peek()
            if tok is not None and tok.kind == "OR":
                raise QueryError(f"OR at position {tok.pos} needs a term on both sides")
            # only reachable for ")" right after "(" or at the start
            assert tok is not None
            raise QueryError(f"unbalanced parenthesis at position {tok.pos}: ')' has no '('")
        return items[0] if len(items) == 1 else _And(tuple(items))

    def parse_unary(self) -> _Node:
        tok = self.toks[self.i]
        self.i += 1
        if tok.kind in ("NOT", "("):
            self.nesting += 1
            if self.nesting > _MAX_NESTING:
                raise QueryError(f"query is nested too deeply at position {tok.pos}")
            try:
                return self._parse_nested(tok)
            finally:
                self.nesting -= 1
        if tok.kind == "filter":
            return _Filter(tok)
        return _Term(tok.text, tok.prefix, tok.pos)

    def _parse_nested(self, tok: _Tok) -> _Node:
        if tok.kind == "NOT":
            self._needs_operand(tok)
            return _Not(self.parse_unary(), tok.pos, tok.raw)
        if tok.kind == "(":
            nxt = self.peek()
            if nxt is not None and nxt.kind == ")":
                raise QueryError(f"empty parentheses at position {tok.pos}")
            if nxt is None:
                raise QueryError(
                    f"unbalanced parenthesis at position {tok.pos}: '(' is never closed"
                )
            child = self.parse_or()
            close = self.peek()
            if close is None:
                raise QueryError(
                    f"unbalanced parenthesis at position {tok.pos}: '(' is never closed"
                )
            self.i += 1  # parse_or only stops at ")" or the end
            return _Group(child, tok.pos)
        raise AssertionError(tok)


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


def _render(node: _Node, terms: list[str], negated: bool) -> _Rendered | None:
    """The words of ``node`` as a tree; None when it has none left (they are ignored)."""
    if isinstance(node, _Term):
        if not _has_token(node.text):
            return None
        if not negated and node.text not in terms:
            terms.append(node.text)
        return _Rendered(_Expr(Term(node.text, node.prefix)), ())
    if isinstance(node, _Group):
        return _render(node.child, terms, negated)
    if isinstance(node, _Not):
        r = _render(node.child, terms, True)
        if r is None:
            return None
        if r.pos is None:  # NOT (NOT n1 AND NOT n2) = n1 OR n2
            return _Rendered(_join(r.neg, AnyOf), ())
        return _Rendered(None, (_full(r),))
    if isinstance(node, _And):
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
    if isinstance(node, _Or):
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
    raise AssertionError(node)  # _Filter: removed before rendering


def _and_items(node: _And) -> list[_Node]:
    """The operands of ``node``, with parenthesised ANDs inside it spliced in."""
    items: list[_Node] = []
    for item in node.items:
        if isinstance(item, _Group) and isinstance(item.child, _And):
            items.extend(_and_items(item.child))
        else:
            items.append(item)
    return items


def _first_not(node: _Node) -> int:
    if isinstance(node, _Not):
        return node.pos
    if isinstance(node, _Group):
        return _first_not(node.child)
    if isinstance(node, _And | _Or):
        for item in node.items:
            found = _first_not(item)
            if found >= 0:
                return found
    return -1


def _first_filter(node: _Node) -> _Tok | None:
    if isinstance(node, _Filter):
        return node.tok
    if isinstance(node, _Not | _Group):
        return _first_filter(node.child)
    if isinstance(node, _And | _Or):
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


def parse_query(text: str, *, now: datetime | None = None) -> Query:
    """Parse a search query; raise :class:`QueryError` pointing at the problem."""
    s = _check_text(text)
    toks = _tokenize(s)
    if not toks:
        return EMPTY
    parser = _Parser(toks)
    root = parser.parse_or()
    stray = parser.peek()
    if stray is not None:  # parse_or stops early only at an unmatched ")"
        raise QueryError(f"unbalanced parenthesis at position {stray.pos}: ')' has no '('")

    filters: dict[str, list[str]] = {
        k: []
        for k in ("#", "#*", "-#", "-#*", "feed", "site", "since", "is", "!", "title", "author")
    }
    words: list[_Node] = []
    for item in root.items if isinstance(root, _And) else (root,):
        negated = False
        inner = item
        while isinstance(inner, _Not):
            negated = not negated
            inner = inner.child
        if isinstance(inner, _Filter):
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

    since = None
    for value in filters["since"]:
        try:
            when = parse_since(value, now=now)
        except QueryError:
            raise QueryError(f"bad date in since:{value} ({_SINCE_HELP})") from None
        since = when if since is None else max(since, when)

    terms: list[str] = []
    match = exclude = None
    if words:
        r = _render(words[0] if len(words) == 1 else _And(tuple(words)), terms, False)
        if r is not None and r.pos is not None:
            match = _full(r).node
        elif r is not None:  # only exclusions
            exclude = _join(r.neg, AnyOf).node
    near = None
    kept = [w for w in words if not (isinstance(w, _Term) and not _has_token(w.text))]
    plain = [w for w in kept if isinstance(w, _Term)]
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
        terms=tuple(terms),
        exclude_match=exclude,
        exclude_tag_prefixes=tuple(filters["-#*"]),
        near=near,
        titles=tuple(filters["title"]),
        authors=tuple(filters["author"]),
    )


# --- dates --------------------------------------------------------------------


def _days_in_month(year: int, month: int) -> int:
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return 29 if leap else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _months_ago(dt: datetime, months: int) -> datetime:
    year, month0 = divmod(dt.year * 12 + dt.month - 1 - months, 12)
    if year < 1:
        raise ValueError("too far back")
    month = month0 + 1
    return dt.replace(year=year, month=month, day=min(dt.day, _days_in_month(year, month)))


def parse_since(text: str, *, now: datetime | None = None) -> datetime:
    """A point in time from ``2026-01-01``, an ISO datetime, ``7d``/``2w``/``3m``/``1y``/
    ``12h`` ago, ``yesterday`` or ``today``; tz-aware UTC.

    Dates, naive datetimes and ``today``/``yesterday`` are read in the timezone of
    ``now`` (default: the local one; a naive ``now`` is taken as UTC).
    """
    value = text.strip()
    if now is None:
        now = datetime.now().astimezone()
    elif now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    try:
        low = value.lower()
        if low in ("today", "yesterday"):
            midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
            when = midnight - timedelta(days=1) if low == "yesterday" else midnight
        elif len(low) > 1 and low[-1] in "hdwmy" and low[:-1].isascii() and low[:-1].isdigit():
            count, unit = int(low[:-1]), low[-1]
            if unit == "h":
                when = now - timedelta(hours=count)
            elif unit == "d":
                when = now - timedelta(days=count)
            elif unit == "w":
                when = now - timedelta(weeks=count)
            else:
                when = _months_ago(now, count * (12 if unit == "y" else 1))
        else:
            when = datetime.fromisoformat(value)
            if when.tzinfo is None:
                when = when.replace(tzinfo=now.tzinfo)
        return when.astimezone(UTC)
    except (ValueError, OverflowError):
        raise QueryError(f"bad date {text!r} ({_SINCE_HELP})") from None


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
        key = _tag_key(base.rstrip("*"), repr(tag))
        _add(prefixes if base.endswith("*") else new_tags, key)
    new_feeds = list(query.feeds)
    for feed in feeds:
        name = feed.strip()
        if not name:
            raise QueryError("empty feed name")
        _add(new_feeds, name)
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
    )
