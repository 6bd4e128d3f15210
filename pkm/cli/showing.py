"""`pkm show` as it prints, without Typer: the command the quick path (:mod:`pkm.cli.quick`)
and the Typer command share."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from pkm.cli import article, render, shapes
from pkm.cli.entryview import entry_view

if TYPE_CHECKING:
    from pkm.api import Pkm
    from pkm.types import Entry, OtherSave

# Lines longer than this are hard to read, however wide the terminal (issue 14).
MAX_WIDTH = 100


def show_entry(
    store: Pkm,
    entry_id: int,
    *,
    as_json: bool = False,
    width: int | None = None,
    no_pager: bool = False,
    full_text: bool = False,
) -> None:
    """One entry in full: its details, then the whole article (through the pager when it
    is taller than the terminal)."""
    if full_text:
        store.fetch_full_text(entry_id)
    entry = store.entry(entry_id, mark_read=True)
    others = store.also_saved_by(entry_id)
    kept = store.archived(entry_id)
    # Piped, the view is written without Rich (its import is a sixth of the command).
    console = None if render.plain(sys.stdout) else render.out()
    terminal = console if console is not None and console.is_terminal else None
    if width is None:
        width = min(terminal.size.width, MAX_WIDTH) if terminal else article.DEFAULT_WIDTH
    body = article.render_article(article.article_html(entry), width)
    archived = None
    if kept is not None and kept.content and len(kept.text or "") > len(body.text):
        # The page's own text says more than the feed did (or the page is gone).
        body, archived = article.render_article(kept.content, width), kept.archived
    if as_json:
        links = [{"n": link.n, "url": link.url, "text": link.text} for link in body.links]
        info = shapes.archive_json(kept)
        if info is not None:
            info["shown"] = archived is not None
        render.print_json(
            shapes.entry_json(entry)
            | {
                "text": body.text,
                "links": links,
                "full_text_at": render.iso(entry.full_text_at),
                "archive": info,
                "also_saved_by": [shapes.other_save_json(other) for other in others],
            }
        )
        return
    if terminal is None or no_pager:
        _print_entry(entry, body, archived, others)
        return
    from pkm.cli import pager

    with terminal.capture() as captured:
        _print_entry(entry, body, archived, others)
    pager.page(captured.get(), terminal.size.height)


def _print_entry(
    entry: Entry, body: article.Article, archived: datetime | None, others: Sequence[OtherSave]
) -> None:
    render.print_styled(entry_view(entry, body, archived=archived, also_saved_by=others))
