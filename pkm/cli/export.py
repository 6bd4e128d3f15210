"""`pkm export`: a tag as a reading list to share."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pkm.cli import render
from pkm.cli.options import open_pkm


def register(app: typer.Typer) -> None:
    app.command("export")(export)


def export(
    ctx: typer.Context,
    tag: Annotated[str | None, typer.Argument(help="The tag to share.")] = None,
    query: Annotated[
        str | None, typer.Option("--query", "-q", help="Export a search instead of a tag.")
    ] = None,
    format: Annotated[
        str, typer.Option("--format", "-f", help="md, html, atom, json or netscape.")
    ] = "md",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write.")] = None,
) -> None:
    """Export a tag (or a search) as a reading list, newest first."""
    render.write_output(open_pkm(ctx).export(tag, query=query, format=format), output)
