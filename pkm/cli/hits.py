"""What `pkm find` and `pkm related` print: hits, notes and JSON, without Typer.

Both the Typer commands (pkm/cli/find.py) and the quick path of `pkm find`
(pkm/cli/quick.py) print through here, so the two cannot drift apart.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from pkm.cli import render, shapes
from pkm.types import FindOptions, SearchHit, SearchHits

if TYPE_CHECKING:
    from rich.text import Text

    from pkm.api import Pkm

Segment = tuple[str, str]  # (text, Rich style); text already cleaned


def run_find(store: Pkm, text: str, options: FindOptions, *, as_json: bool = False) -> None:
    """Search ``store`` and print the hits (or JSON), then any note on stderr."""
    hits = store.find(text, options=options)
    if as_json:
        render.print_json([shapes.hit_json(hit) for hit in hits])
    elif hits:
        show_hits(hits)
    ranked = hits.ranked
    if ranked:
        note(f"Many matches: the newest {ranked:,} were ranked. Add a word to rank them all.")
    if as_json or hits:
        return
    if options.offset:
        note(f"Nothing more (offset {options.offset}).")
    else:
        note(_nothing_found(hits, options))


def _nothing_found(hits: SearchHits, o: FindOptions) -> str:
    filters = list(hits.filters)
    filters += [f"--tag {t}" for t in o.tags] + ([f"--feed {o.feed}"] if o.feed else [])
    filters += ([f"--since {o.since}"] if o.since else []) + (["--saved"] if o.saved else [])
    filters += ["--unread"] if o.unread else []
    what = f"Nothing like entry {o.like} found" if o.like is not None else "Nothing found"
    if filters:
        return f"{what}. Try dropping a filter: {', '.join(filters)}."
    if hits.had_words and o.like is None:
        return f"{what}. Try fewer words, OR, or a prefix (word*)."
    return f"{what}."


# The columns of the id, before every line of a hit.
INDENT = 9


def hit_lines(hit: SearchHit) -> list[list[Segment]]:
    """A hit as lines of styled segments: id, title, date; where and tags; snippet; URL."""
    e = hit.entry
    if e.feed_id is None:
        where = "saved"
    else:
        where = (e.feed_title or f"feed {e.feed_id}") + (" · saved" if e.saved else "")
    lines = [
        [
            (f"{e.id:>7}  ", "cyan"),
            (render.clean(e.display_title), "bold"),
            ("  " + render.day(shapes.listed_date(hit.entry)).strip(), "dim"),
        ],
        [(" " * INDENT, ""), (render.clean(where), "green")],
    ]
    if e.tags:
        lines[1].append((render.clean("  " + " ".join(f"#{t}" for t in e.tags)), "magenta"))
    if hit.snippet:
        snippet = render.clean(hit.snippet)
        line: list[Segment] = [(" " * INDENT, "")]
        # Cleaning keeps offsets only when nothing was removed; the index text is clean.
        spans = hit.highlights if len(snippet) == len(hit.snippet) else ()
        done = 0
        for start, end in spans:
            line += [(snippet[done:start], ""), (snippet[start:end], "bold yellow")]
            done = end
        line.append((snippet[done:], ""))
        lines.append(line)
    if e.url:
        lines.append([(" " * INDENT, ""), (render.clean(e.url), "dim")])
    return lines


def show_hits(hits: list[SearchHit]) -> None:
    if _plain_stdout():
        # Piped or redirected: Rich would print no styles; skip its ~40 ms of start-up.
        sys.stdout.write(plain_text(hits))
        return
    from rich.padding import Padding

    console = render.out()
    for hit in hits:
        for text in rich_lines(hit):
            # Wrapped at words, under the title rather than in the id's column.
            head = text[:INDENT]
            if head.plain.strip():
                console.print(text, overflow="ellipsis", no_wrap=True)
            else:
                console.print(Padding(text[INDENT:], (0, 0, 0, INDENT)))


def plain_text(hits: list[SearchHit]) -> str:
    """The hits as they print without styles."""
    return "".join(
        "".join(text for text, _ in line) + "\n" for hit in hits for line in hit_lines(hit)
    )


def rich_lines(hit: SearchHit) -> list[Text]:
    """A hit as styled Rich text, a line each."""
    from rich.text import Text

    lines = []
    for line in hit_lines(hit):
        text = Text()
        for part, style in line:
            text.append(part, style=style or None)
        lines.append(text)
    return lines


def note(message: str) -> None:
    """A dim note on stderr; plain (without loading Rich) when stderr is not a terminal."""
    if render.plain(sys.stderr):
        sys.stderr.write(render.clean(message) + "\n")
    else:
        render.note(message)


def _plain_stdout() -> bool:
    return render.plain(sys.stdout)
