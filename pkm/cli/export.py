"""`pkm export`: a tag as a reading list to share."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pkm.cli.feeds import _write
from pkm.cli.options import open_pkm


def register(app: typer.Typer) -> None:
    app.command("export")(export)


def export(
    ctx: typer.Context,
    tag: Annotated[str, typer.Argument(help="The tag to share.")],
    format: Annotated[
        str, typer.Option("--format", "-f", help="md, html, atom, json or netscape.")
    ] = "md",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write.")] = None,
) -> None:
    """Export a tag as a reading list (newest first)."""
    _write(open_pkm(ctx).export(tag, format=format), output)
