"""`pkm export`: a tag as a reading list to share."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pkm.api import Pkm
from pkm.cli import complete, render
from pkm.cli.options import open_pkm
from pkm.errors import UsageError


def register(app: typer.Typer) -> None:
    app.command("export")(export)


def export(
    ctx: typer.Context,
    tag: Annotated[
        str | None,
        typer.Argument(
            help="The tag to share; NAME/TAG: another person's public saves with their tag.",
            autocompletion=complete.tags,
        ),
    ] = None,
    query: Annotated[
        str | None, typer.Option("--query", "-q", help="Export a search instead of a tag.")
    ] = None,
    format: Annotated[
        str | None,
        typer.Option(
            "--format", "-f", help="md, html, atom, json or netscape (default: from -o, else md)."
        ),
    ] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write.")] = None,
    include_private: Annotated[
        bool,
        typer.Option(
            "--include-private",
            help="Put private bookmarks in too (Netscape files always hold them, flagged).",
        ),
    ] = False,
) -> None:
    """Export a tag (or a search) as a reading list, newest first."""
    if tag is None and query is None:
        raise UsageError("export needs a tag or --query")
    if tag is not None and query is not None:
        raise UsageError("export takes a tag or --query, not both")
    chosen = format or Pkm.export_format_for(output)
    reading_list = open_pkm(ctx).export(
        tag, query=query, format=chosen, include_private=include_private
    )
    render.write_output(reading_list.text, output)
    if reading_list.private_left_out:
        count = reading_list.private_left_out
        render.note(
            f"Left out {count} private {'entry' if count == 1 else 'entries'}"
            " (--include-private puts them in)"
        )
