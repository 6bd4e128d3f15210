"""`pkm find` and `pkm related`: ranked full-text search with filters, and more like one."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperCommand

from pkm.cli import render
from pkm.cli.options import JsonOpt, TagsOpt, open_pkm
from pkm.types import SearchHit

if TYPE_CHECKING:
    from datetime import datetime

_QUERY_HELP = (
    'Words (all must match), "phrases", OR, -word or NOT word, prefix*, (groups), #tag, #tag*,'
    " -#tag, feed:NAME, site:HOST, since:7d, is:saved, is:unread, is:muted, !untagged."
    " In bash, quote a leading #: '#tag' (or use --tag)."
)
LimitOpt = Annotated[int, typer.Option("--limit", min=1, help="At most this many.")]
OffsetOpt = Annotated[int, typer.Option("--offset", min=0, help="Skip this many first.")]


class FindCommand(TyperCommand):
    """Every argument that is not one of the command's own options is a query word.

    So ``pkm find python -django -#meta -tutorial`` excludes three things: a word that
    starts with "-" is an option only when it is exactly one (``-t``, ``--tag=x``, …).
    """

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        return super().parse_args(ctx, _words_last(self.get_params(ctx), args))


def _words_last(params: list[Any], args: list[str]) -> list[str]:
    """``args`` as options first, then ``--`` and the query words in their order."""
    takes_value: dict[str, bool] = {}
    for param in params:
        if getattr(param, "param_type_name", "") == "option":
            flag = bool(getattr(param, "is_flag", False) or getattr(param, "count", False))
            for name in (*param.opts, *param.secondary_opts):
                takes_value[name] = not flag
    options: list[str] = []
    words: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        name = arg.split("=", 1)[0] if arg.startswith("--") else arg
        if arg == "--":
            words.extend(args[i + 1 :])
            break
        if name in takes_value:
            options.append(arg)
            if takes_value[name] and name == arg and i + 1 < len(args):
                options.append(args[i + 1])
                i += 1
        elif arg.startswith("--") and len(arg) > 2:
            options.append(arg)  # an unknown long option: let the parser say so
        else:
            words.append(arg)
        i += 1
    return [*options, "--", *words] if words else options


def register(app: typer.Typer) -> None:
    app.command("find", cls=FindCommand)(find)
    app.command("related")(related)


def find(
    ctx: typer.Context,
    query: Annotated[list[str] | None, typer.Argument(help=_QUERY_HELP)] = None,
    tags: TagsOpt = None,
    feed: Annotated[str | None, typer.Option("--feed", help="Feed id or title.")] = None,
    since: Annotated[str | None, typer.Option("--since", help="7d, yesterday, 2026-01-01.")] = None,
    saved: Annotated[bool, typer.Option("--saved", help="Only saved entries.")] = False,
    unread: Annotated[bool, typer.Option("--unread", help="Only unread / to-read.")] = False,
    like: Annotated[
        int | None, typer.Option("--like", help="Entries most like this entry id.")
    ] = None,
    limit: LimitOpt = 20,
    offset: OffsetOpt = 0,
    as_json: JsonOpt = False,
) -> None:
    """Search everything read and saved, best match first (newest first without words)."""
    text = " ".join(query or [])
    hits = open_pkm(ctx).find(
        text,
        tags=tags or [],
        feed=feed,
        since=since,
        saved=saved,
        unread=unread,
        like=like,
        limit=limit,
        offset=offset,
    )
    if as_json:
        render.print_json([_hit_json(hit) for hit in hits])
    elif hits:
        _show_hits(hits)
    ranked = getattr(hits, "ranked", None)
    if ranked:
        _note(f"Many matches: the newest {ranked:,} were ranked. Add a word to rank them all.")
    if as_json or hits:
        return
    if offset:
        _note(f"Nothing more (offset {offset}).")
    else:
        _note(_nothing_found(text, tags or [], feed, since, saved, unread, like))


def related(
    ctx: typer.Context,
    entry_id: Annotated[int, typer.Argument(help="Entry id, as printed by scan, find or save.")],
    limit: LimitOpt = 20,
    offset: OffsetOpt = 0,
    as_json: JsonOpt = False,
) -> None:
    """Entries most like one entry (by its rarest telling words): pull a thread."""
    hits = open_pkm(ctx).related(entry_id, limit=limit, offset=offset)
    if as_json:
        render.print_json([_hit_json(hit) for hit in hits])
    elif hits:
        _show_hits(hits)
    else:
        _note(f"Nothing like entry {entry_id} found.")


def _nothing_found(
    text: str,
    tags: list[str],
    feed: str | None,
    since: str | None,
    saved: bool,
    unread: bool,
    like: int | None,
) -> str:
    from pkm.query import parse_query

    parsed = parse_query(text)  # already parsed once by find: it is valid
    filters = [f"#{t}" for t in parsed.tags] + [f"#{t}*" for t in parsed.tag_prefixes]
    filters += [f"-#{t}" for t in parsed.exclude_tags]
    filters += [f"-#{t}*" for t in parsed.exclude_tag_prefixes]
    filters += [f"feed:{f}" for f in parsed.feeds] + [f"site:{s}" for s in parsed.sites]
    filters += ["since:…"] if parsed.since else []
    filters += ["is:saved"] if parsed.saved else []
    filters += ["is:unread"] if parsed.unread else []
    filters += ["is:muted"] if parsed.muted else []
    filters += ["!untagged"] if parsed.untagged else []
    filters += [f"--tag {t}" for t in tags] + ([f"--feed {feed}"] if feed else [])
    filters += ([f"--since {since}"] if since else []) + (["--saved"] if saved else [])
    filters += ["--unread"] if unread else []
    what = f"Nothing like entry {like} found" if like is not None else "Nothing found"
    if filters:
        return f"{what}. Try dropping a filter: {', '.join(filters)}."
    if parsed.match is not None and like is None:
        return f"{what}. Try fewer words, OR, or a prefix (word*)."
    return f"{what}."


def _hit_json(hit: SearchHit) -> dict[str, object]:
    e = hit.entry
    return {
        "id": e.id,
        "title": e.title,
        "url": e.url,
        "feed": e.feed_title,
        "tags": list(e.tags),
        "saved": e.saved is not None,
        "date": render.iso(_date(hit)),
        "published": render.iso(e.published),
        "saved_at": render.iso(e.saved),
        "note": e.note,
        "snippet": hit.snippet,
        "score": hit.rank,
    }


def _date(hit: SearchHit) -> datetime | None:
    e = hit.entry
    return e.published or e.saved or e.first_seen


Segment = tuple[str, str]  # (text, Rich style); text already cleaned


def _hit_lines(hit: SearchHit) -> list[list[Segment]]:
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
            ("  " + render.day(_date(hit)).strip(), "dim"),
        ],
        [(" " * 9, ""), (render.clean(where), "green")],
    ]
    if e.tags:
        lines[1].append((render.clean("  " + " ".join(f"#{t}" for t in e.tags)), "magenta"))
    if hit.snippet:
        snippet = render.clean(hit.snippet)
        line: list[Segment] = [(" " * 9, "")]
        # Cleaning keeps offsets only when nothing was removed; the index text is clean.
        spans = hit.highlights if len(snippet) == len(hit.snippet) else ()
        done = 0
        for start, end in spans:
            line += [(snippet[done:start], ""), (snippet[start:end], "bold yellow")]
            done = end
        line.append((snippet[done:], ""))
        lines.append(line)
    if e.url:
        lines.append([(" " * 9, ""), (render.clean(e.url), "dim")])
    return lines


def _show_hits(hits: list[SearchHit]) -> None:
    if _plain_stdout():
        # Piped or redirected: Rich would print no styles; skip its ~40 ms of start-up.
        sys.stdout.write(
            "".join(
                "".join(text for text, _ in line) + "\n" for hit in hits for line in _hit_lines(hit)
            )
        )
        return
    from rich.text import Text

    console = render.out()
    for hit in hits:
        for line in _hit_lines(hit):
            text = Text()
            for part, style in line:
                text.append(part, style=style or None)
            console.print(text, soft_wrap=True)


def _note(message: str) -> None:
    """A dim note on stderr; plain (without loading Rich) when stderr is not a terminal."""
    if _plain(sys.stderr):
        sys.stderr.write(render.clean(message) + "\n")
    else:
        render.note(message)


def _plain_stdout() -> bool:
    return _plain(sys.stdout)


def _plain(stream: Any) -> bool:
    """Whether Rich would print to ``stream`` without styles (not a terminal, not forced)."""
    if any(os.environ.get(name) for name in ("FORCE_COLOR", "TTY_COMPATIBLE")):
        return False
    try:
        return not stream.isatty()
    except (AttributeError, ValueError):
        return False
