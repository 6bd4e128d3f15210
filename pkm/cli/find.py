"""`pkm find`: ranked full-text search with filters."""

from __future__ import annotations

from typing import Annotated

import typer

from pkm.cli import render
from pkm.cli.options import JsonOpt, TagsOpt, open_pkm
from pkm.types import SearchHit


def register(app: typer.Typer) -> None:
    app.command("find")(find)


def find(
    ctx: typer.Context,
    query: Annotated[
        list[str] | None,
        typer.Argument(help='Words, "phrases", OR, -word, prefix*, #tag, site:, since:, is:saved.'),
    ] = None,
    tags: TagsOpt = None,
    feed: Annotated[str | None, typer.Option("--feed", help="Feed id or title.")] = None,
    since: Annotated[str | None, typer.Option("--since", help="7d, yesterday, 2026-01-01.")] = None,
    saved: Annotated[bool, typer.Option("--saved", help="Only saved entries.")] = False,
    unread: Annotated[bool, typer.Option("--unread", help="Only unread / to-read.")] = False,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many.")] = 20,
    offset: Annotated[int, typer.Option("--offset", min=0, help="Skip this many.")] = 0,
    as_json: JsonOpt = False,
) -> None:
    """Search everything read and saved, best match first (newest first without words)."""
    hits = open_pkm(ctx).find(
        " ".join(query or []),
        tags=tags or [],
        feed=feed,
        since=since,
        saved=saved,
        unread=unread,
        limit=limit,
        offset=offset,
    )
    if as_json:
        render.print_json([_hit_json(hit) for hit in hits])
        return
    if not hits:
        filtered = tags or feed or since or saved or unread
        render.note("Nothing found." + (" Try dropping a filter." if filtered else ""))
        return
    for hit in hits:
        _show_hit(hit)


def _hit_json(hit: SearchHit) -> dict[str, object]:
    e = hit.entry
    return {
        "id": e.id,
        "title": e.title,
        "url": e.url,
        "feed": e.feed_title,
        "tags": list(e.tags),
        "saved": e.saved is not None,
        "published": render.iso(e.published),
        "snippet": hit.snippet,
    }


def _show_hit(hit: SearchHit) -> None:
    from rich.text import Text

    e = hit.entry
    where = "saved" if e.saved and not e.feed_title else (e.feed_title or "")
    render.print_line(
        (f"{e.id:>7}  ", "cyan"),
        (e.display_title, "bold"),
        ("  " + render.day(e.published or e.saved).strip(), "dim"),
    )
    meta = [(where, "green")] if where else []
    if e.tags:
        meta.append(("  " + " ".join(f"#{t}" for t in e.tags), "magenta"))
    if meta:
        render.print_line(" " * 9, *meta)
    if hit.snippet:
        line = Text(" " * 9)
        offset = len(line)
        line.append(render.clean(hit.snippet))
        # Cleaning keeps offsets only when nothing was removed; the index text is clean.
        if len(line) - offset == len(hit.snippet):
            for start, end in hit.highlights:
                line.stylize("bold yellow", offset + start, offset + end)
        render.out().print(line, soft_wrap=True)
    if e.url:
        render.print_line(" " * 9, (e.url, "dim"))
