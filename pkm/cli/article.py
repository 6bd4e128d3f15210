"""An entry's stored HTML as text for a terminal: the article view of ``pkm show``.

inscriptis lays the HTML out as text (blocks, nested lists, tables, ``<pre>``); pkm
prepares the tree first (links numbered, images as ``[image: ALT]``, over-wide tables
linearised) and then wraps what inscriptis wrote at word boundaries, leaving code and
tables verbatim. The input is sanitized HTML from the network, so every line is cleaned
by :func:`pkm.cli.render.clean` after layout, and the size of the input is capped so a
hostile document renders in bounded time and memory.
"""

from __future__ import annotations

import bisect
import functools
import html
import itertools
import re
import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from pkm.cli.render import clean

if TYPE_CHECKING:
    from lxml.html import HtmlElement

    from pkm.types import Entry

# About 20,000 words of prose, longer than any article in the 86-feed corpus (the largest
# entry there is 38 KB); a megabyte of prose takes about half a second to lay out.
MAX_HTML = 1_000_000
# inscriptis spends about 10 us an element; past this many (a prose megabyte has ~20,000)
# the document is shown as its bare text, so nested junk cannot take seconds.
MAX_ELEMENTS = 50_000
DEFAULT_WIDTH = 80
MIN_WIDTH = 20
_LINK_SCHEMES = ("http", "https", "mailto")
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_UNDERLINE = {"h1": "=", "h2": "-"}
_BULLET = re.compile(r"(\s*)(?:[*+o-]|\d+\.) (?=\S)")
_SPACES = re.compile(r"\s+")
_QUOTE_MARK = "│ "
_CELL_GAP = 2  # inscriptis's table_cell_separator
LINKS_HEADING = "Links:"


@dataclass(frozen=True)
class Link:
    n: int
    url: str
    text: str


@dataclass(frozen=True)
class Article:
    """The rendered body (``text``) and its numbered links; ``headings`` and ``quotes``
    are (start, end) spans of ``text`` that a terminal shows bold or dim."""

    text: str
    links: tuple[Link, ...]
    headings: tuple[tuple[int, int], ...] = ()
    quotes: tuple[tuple[int, int], ...] = ()
    cut: int = 0  # characters of HTML left out past MAX_HTML


def article_html(entry: Entry) -> str:
    """The HTML the article view shows: the content, else the summary, else the plain text
    (a saved page's description)."""
    return entry.content or entry.summary or html.escape(entry.text or "")


def render_article(source: str, width: int = DEFAULT_WIDTH) -> Article:
    """``source`` (sanitized HTML) as text wrapped to ``width`` columns."""
    width = max(width, MIN_WIDTH)
    cut = max(len(source) - MAX_HTML, 0)
    tree = _parse(clean(source[:MAX_HTML], multiline=True))
    if tree is None:
        return Article("", (), cut=cut)
    labels: list[tuple[int, int, str]]
    links = _number_links(tree)
    _replace_images(tree)
    if sum(1 for _ in tree.iter()) > MAX_ELEMENTS:
        text, labels = tree.text_content(), []
    else:
        _flatten_pre(tree)
        _linearise_wide_tables(tree, width)
        text, labels = _layout(tree)
    lines = _wrap(text, labels, width)
    return _assemble(lines, links, cut)


def link_line(link: Link) -> str:
    return f"[{link.n}] {link.url}"


def plain(article: Article) -> str:
    """The article as ``pkm show`` prints it without a terminal: the text, then its links."""
    links = "".join("\n" + link_line(link) for link in article.links)
    return article.text + (f"\n\n{LINKS_HEADING}{links}" if links else "") + "\n"


def _parse(source: str) -> HtmlElement | None:
    import lxml.html
    from lxml.etree import ParserError

    if not source.strip():
        return None
    try:
        return lxml.html.document_fromstring(source)
    except ParserError:  # nothing but a comment, or whitespace lxml would not keep
        return None


def _collapse(text: str) -> str:
    return _SPACES.sub(" ", clean(text)).strip()


def _number_links(tree: HtmlElement) -> tuple[Link, ...]:
    """Every web link gets ``[N]`` after its text; the same URL keeps its first number."""
    numbers: dict[str, int] = {}
    links: list[Link] = []
    for anchor in tree.iter("a"):
        url = clean(anchor.get("href") or "").strip()
        try:
            scheme = urlsplit(url).scheme.lower()
        except ValueError:
            continue
        if scheme not in _LINK_SCHEMES:
            continue
        if url not in numbers:
            numbers[url] = len(links) + 1
            label = _collapse(anchor.text_content()) or _collapse(_image_label(anchor))
            links.append(Link(numbers[url], url, label))
        _put_before_tail(anchor, f"[{numbers[url]}]")
    return tuple(links)


def _put_before_tail(element: HtmlElement, text: str) -> None:
    # lxml refuses to set text with a control character, which a character reference in
    # the tail may have become: the tail is cleaned here rather than after layout.
    element.tail = text + clean(element.tail or "", multiline=True)


def _image_label(element: HtmlElement) -> str:
    return " ".join(img.get("alt") or "" for img in element.iter("img"))


def _replace_images(tree: HtmlElement) -> None:
    for img in list(tree.iter("img")):
        alt = _collapse(img.get("alt") or "")
        _put_before_tail(img, f"[image: {alt}]" if alt else "[image]")
        img.drop_tree()


def _flatten_pre(tree: HtmlElement) -> None:
    """``<pre>`` as its bare text: inscriptis collapses the whitespace of inline elements
    inside it (``<pre><code>``, highlighted spans), and code must stay as written."""
    for pre in list(tree.iter("pre")):
        for br in pre.iter("br"):
            _put_before_tail(br, "\n")
        text = clean(pre.text_content(), multiline=True).expandtabs(4)
        for child in list(pre):
            pre.remove(child)
        pre.text = text


def _linearise_wide_tables(tree: HtmlElement, width: int) -> None:
    """A table whose columns cannot fit ``width`` becomes a list, one item per row with
    its cells joined by `` | ``: inscriptis would lay it out wider than the screen, and a
    wrapped grid is unreadable. Judged from the widest text of each column, innermost
    tables first."""
    for table in reversed(list(tree.iter("table"))):
        rows = table.xpath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr")  # not a nested table's
        columns: list[int] = []
        for row in rows:
            for index, cell in enumerate(row.iterchildren("td", "th")):
                size = len(_collapse(cell.text_content()))
                if index == len(columns):
                    columns.append(size)
                else:
                    columns[index] = max(columns[index], size)
        if sum(columns) + _CELL_GAP * max(len(columns) - 1, 0) <= width:
            continue
        for row in rows:
            cells = list(row.iterchildren("td", "th"))
            for cell in cells[:-1]:
                _put_before_tail(cell, " | ")
            for cell in cells:
                cell.tag = "span"
            row.tag = "li"
        for part in table.xpath("./thead | ./tbody | ./tfoot | ./caption"):
            part.drop_tag()
        table.tag = "ul"


def _layout(tree: HtmlElement) -> tuple[str, list[tuple[int, int, str]]]:
    from inscriptis import Inscriptis

    engine = Inscriptis(tree, _config())
    text = engine.get_text()
    labels = [(a.start, a.end, str(a.metadata)) for a in engine.get_annotations()]
    return text, labels


@functools.cache
def _config() -> Any:
    from inscriptis.css_profiles import CSS_PROFILES
    from inscriptis.html_properties import Display, WhiteSpace
    from inscriptis.model.config import ParserConfig
    from inscriptis.model.html_element import HtmlElement as Style

    css = dict(CSS_PROFILES["strict"])
    block = {"display": Display.block}
    css.update(
        blockquote=Style(**block, margin_before=1, margin_after=1),
        dl=Style(**block, margin_before=1),
        dt=Style(**block),
        dd=Style(**block, padding_inline=4),
        details=Style(**block),
        summary=Style(**block),
        pre=Style(**block, whitespace=WhiteSpace.pre, margin_before=1, margin_after=1),
        table=Style(**block, margin_before=1, margin_after=1),
    )
    rules = {tag: [tag] for tag in _HEADINGS} | {
        "pre": ["pre"],
        "table": ["table"],
        "blockquote": ["quote"],
    }
    return ParserConfig(css=css, annotation_rules=rules)


@dataclass
class _Line:
    text: str
    style: str | None = None  # "heading"
    quote_depth: int = 0


def _wrap(text: str, labels: list[tuple[int, int, str]], width: int) -> list[_Line]:
    """Lines at most ``width`` wide, broken at spaces; code and tables kept as laid out."""
    raw_lines = text.split("\n")
    found = _labels_by_line(raw_lines, labels)
    lines: list[_Line] = []
    for raw, labelled in zip(raw_lines, found, strict=True):
        depth = labelled.count("quote")
        available = max(width - len(_QUOTE_MARK) * depth, MIN_WIDTH // 2)
        if "pre" in labelled or "table" in labelled:
            lines.append(_Line(clean(raw, multiline=True).expandtabs(4).rstrip(), None, depth))
            continue
        line = clean(raw).rstrip()
        if not line.strip():
            if lines and lines[-1].text:
                lines.append(_Line("", None, depth))
            continue
        heading = next((label for label in _HEADINGS if label in labelled), None)
        wrapped = _wrap_line(line, available)
        for part in wrapped:
            lines.append(_Line(part, "heading" if heading else None, depth))
        if heading in _UNDERLINE:
            size = max(_columns(part.strip()) for part in wrapped)
            indent = len(wrapped[0]) - len(wrapped[0].lstrip())
            lines.append(_Line(" " * indent + _UNDERLINE[heading] * size, "heading", depth))
    while lines and not lines[-1].text:
        lines.pop()
    return lines


def _columns(text: str) -> int:
    from rich.cells import cell_len

    return cell_len(text)


def _labels_by_line(lines: list[str], labels: list[tuple[int, int, str]]) -> list[list[str]]:
    """The labels of the annotation spans each line is part of (a label once per span, so
    nested quotes count). inscriptis counts the blank lines around a block into its span:
    those are trimmed off."""
    starts = list(itertools.accumulate((len(line) + 1 for line in lines[:-1]), initial=0))
    text_end = starts[-1] + len(lines[-1])
    found: list[list[str]] = [[] for _ in lines]
    for start, end, label in labels:
        first = bisect.bisect_right(starts, min(start, text_end)) - 1
        last = bisect.bisect_right(starts, max(min(end, text_end) - 1, start)) - 1
        while first < last and not lines[first].strip():
            first += 1
        while last > first and not lines[last].strip():
            last -= 1
        for index in range(first, last + 1):
            found[index].append(label)
    return found


def _wrap_line(line: str, width: int) -> list[str]:
    from rich.cells import cell_len

    columns = cell_len(line)
    if columns <= width:
        return [line]
    bullet = _BULLET.match(line)
    indent = " " * len(bullet.group(0) if bullet else line[: len(line) - len(line.lstrip())])
    if len(indent) > width // 2:  # deep nesting on a narrow screen: keep words readable
        indent = indent[: width // 2]
    if columns != len(line):
        return _fold_wide(line, width, indent)
    return textwrap.wrap(
        line,
        width,
        subsequent_indent=indent,
        break_on_hyphens=False,
        drop_whitespace=True,
        replace_whitespace=False,
    ) or [line]


def _fold_wide(line: str, width: int, indent: str) -> list[str]:
    """Wrapping by terminal columns, for text with double-width characters (CJK), which
    textwrap counts as one: at spaces where there are some, else between characters."""
    from rich.cells import cell_len, get_character_cell_size

    lines: list[str] = []
    current = line[: len(line) - len(line.lstrip())]
    used = len(current)
    for word in line.split():
        size = cell_len(word)
        gap = 1 if current.strip() else 0
        if used + gap + size <= width:
            current, used = current + " " * gap + word, used + gap + size
            continue
        if gap and size <= width - len(indent):  # it fits on a line of its own
            lines.append(current)
            current, used = indent, len(indent)
        elif gap:  # too long for any line: folded from here
            current, used = current + " ", used + 1
        for char in word:
            char_size = get_character_cell_size(char)
            if used + char_size > width and current.strip():
                lines.append(current)
                current, used = indent, len(indent)
            current, used = current + char, used + char_size
    if current.strip():
        lines.append(current)
    return lines


def _assemble(lines: list[_Line], links: tuple[Link, ...], cut: int) -> Article:
    out: list[str] = []
    headings: list[tuple[int, int]] = []
    quotes: list[tuple[int, int]] = []
    offset = 0
    for line in lines:
        mark = _QUOTE_MARK * line.quote_depth
        text = (mark + line.text).rstrip()
        if mark:
            quotes.append((offset, offset + min(len(mark), len(text))))
        if line.style == "heading":
            headings.append((offset + len(mark), offset + len(text)))
        out.append(text)
        offset += len(text) + 1
    return Article("\n".join(out), links, tuple(headings), tuple(quotes), cut)
