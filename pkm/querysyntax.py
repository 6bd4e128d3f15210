"""The query language's text, read: tokens, then a syntax tree as the user typed it.

:func:`pkm.query.parse_query` takes the filters out of the tree and turns its words into
the :data:`pkm.query.Words` the store compiles; the errors here point at positions in
the text (0-based character offsets).
"""

from __future__ import annotations

from pkm.errors import InvalidTagError, QueryError
from pkm.tagnames import tag_key

__all__ = [
    "And",
    "Filter",
    "Group",
    "Node",
    "Not",
    "Or",
    "Parser",
    "Token",
    "Word",
    "tag_key_or_error",
    "tokenize",
]

_OPERATORS = frozenset({"OR", "AND", "NOT"})
_FILTER_KEYS = frozenset({"feed", "site", "since", "is", "title", "author", "by"})
_IS = ("saved", "read", "unread", "toread", "muted", "archived", "broken", "moved")
# What other tools call a tag filter.
_TAG_FIELD = "tag"
# A word "name:value" whose name is none of these is a mistyped filter, not a word to find
# (quote it to find it); URL schemes are words.
_NOT_FIELDS = frozenset({"http", "https", "mailto", "ftp", "file", "urn", "tag"})
_FIELDS_HELP = "#tag or tag:, feed:, site:, since:, is:, title:, author:, by:"
# Nesting of the input's parentheses and NOTs (the parser here is recursive).
_MAX_NESTING = 32
_HOST_EXTRA = frozenset(".-_")


# --- tokens and syntax tree ---------------------------------------------------


class Token:
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


class Word:
    __slots__ = ("text", "prefix", "pos")

    def __init__(self, text: str, prefix: bool, pos: int) -> None:
        self.text = text
        self.prefix = prefix
        self.pos = pos


class Filter:
    __slots__ = ("tok",)

    def __init__(self, tok: Token) -> None:
        self.tok = tok


class Not:
    __slots__ = ("child", "pos", "raw")

    def __init__(self, child: Node, pos: int, raw: str) -> None:
        self.child = child
        self.pos = pos
        self.raw = raw


class And:
    __slots__ = ("items",)

    def __init__(self, items: tuple[Node, ...]) -> None:
        self.items = items


class Or:
    __slots__ = ("items",)

    def __init__(self, items: tuple[Node, ...]) -> None:
        self.items = items


class Group:
    __slots__ = ("child", "pos")

    def __init__(self, child: Node, pos: int) -> None:
        self.child = child
        self.pos = pos


Node = Word | Filter | Not | And | Or | Group


def _fragment(text: str, start: int, limit: int = 30) -> str:
    frag = text[start:]
    if len(frag) > limit:
        frag = frag[:limit] + "…"
    return repr(frag)


# --- tokenizer ----------------------------------------------------------------


def tokenize(s: str) -> list[Token]:
    toks: list[Token] = []
    n = len(s)
    i = 0
    while i < n:
        c = s[i]
        if c.isspace():
            i += 1
        elif c == "(" or c == ")":
            toks.append(Token(c, i, c))
            i += 1
        elif c == '"':
            end = s.find('"', i + 1)
            if end < 0:
                raise QueryError(f"unbalanced quote at position {i}: {_fragment(s, i)}")
            j = end + 1
            while j < n and s[j] == "*":
                j += 1
            toks.append(Token("term", i, s[i:j], s[i + 1 : end], j > end + 1))
            i = j
        elif c == "-":
            if i + 1 >= n or s[i + 1].isspace() or s[i + 1] == ")":
                raise QueryError(f"'-' at position {i} needs a term right after it (e.g. -word)")
            toks.append(Token("NOT", i, "-"))
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


def _word_tok(word: str, pos: int) -> Token:
    if word in _OPERATORS:
        return Token(word, pos, word)
    base = word.rstrip("*")
    if not base:
        raise QueryError(
            f"'{word}' at position {pos} must end a word, with no space (prefix search: word*)"
        )
    if word[0] == "#":
        key = tag_key_or_error(base[1:], f"{word!r} at position {pos}")
        return Token("filter", pos, word, key, key="#*" if base != word else "#")
    if word[0] == "!" and word[1:2].isalpha():
        if word.lower() == "!untagged":
            return Token("filter", pos, word, key="!")
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
    return Token("term", pos, word, base, base != word)


def tag_key_or_error(name: str, where: str) -> str:
    """The store's identity of a tag (:func:`pkm.tagnames.tag_key`), or a QueryError."""
    try:
        return tag_key(name)
    except InvalidTagError as exc:
        reason = str(exc).split(":", 1)[0]
        if reason.startswith("empty tag"):
            raise QueryError(f"empty tag {where}") from None
        raise QueryError(f"bad tag {where}: {reason}") from None


def _filter_tok(key: str, value: str, pos: int, raw: str) -> Token:
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
    return Token("filter", pos, raw, value, key=key)


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


class Parser:
    def __init__(self, toks: list[Token]) -> None:
        self.toks = toks
        self.i = 0
        self.nesting = 0

    def peek(self) -> Token | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def _needs_operand(self, tok: Token) -> None:
        nxt = self.peek()
        if nxt is None or nxt.kind in (")", "OR", "AND"):
            what = "on both sides" if tok.kind != "NOT" else "after it"
            op = "'-'" if tok.raw == "-" else tok.raw
            raise QueryError(f"{op} at position {tok.pos} needs a term {what}")

    def parse_or(self) -> Node:
        items = [self.parse_and()]
        while (tok := self.peek()) is not None and tok.kind == "OR":
            self.i += 1
            self._needs_operand(tok)
            items.append(self.parse_and())
        return items[0] if len(items) == 1 else Or(tuple(items))

    def parse_and(self) -> Node:
        items: list[Node] = []
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
        return items[0] if len(items) == 1 else And(tuple(items))

    def parse_unary(self) -> Node:
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
            return Filter(tok)
        return Word(tok.text, tok.prefix, tok.pos)

    def _parse_nested(self, tok: Token) -> Node:
        if tok.kind == "NOT":
            self._needs_operand(tok)
            return Not(self.parse_unary(), tok.pos, tok.raw)
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
            return Group(child, tok.pos)
        raise AssertionError(tok)
