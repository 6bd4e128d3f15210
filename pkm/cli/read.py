"""`pkm read`: go through what is new with keys, and keep what matters (issue 15)."""

from __future__ import annotations

from typing import Annotated

import typer

from pkm.cli.options import open_pkm
from pkm.cli.reader import run
from pkm.cli.reader.keys import help_text

_HELP = (
    "Go through the unread feed items, grouped by folder and feed, and save what matters."
    "\n\nEach key acts at once and is stored at once (quitting, a crash or a closed terminal"
    " loses nothing):\n\n\b\n" + help_text()
)


def register(app: typer.Typer) -> None:
    app.command("read", help=_HELP)(read)


def read(
    ctx: typer.Context,
    query: Annotated[
        list[str] | None,
        typer.Argument(help="Open on the hits of this search (pkm find's query language)."),
    ] = None,
    include_read: Annotated[
        bool, typer.Option("--all", help="Read items too, not only unread ones.")
    ] = False,
    network: Annotated[
        bool,
        typer.Option(
            "--network", help="Go through what the people you follow saved (Esc: the feeds)."
        ),
    ] = False,
) -> None:
    run(open_pkm(ctx), " ".join(query or []) or None, include_read=include_read, network=network)
