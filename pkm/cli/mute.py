"""`pkm mute …`: rules for what a scan should not show."""

from __future__ import annotations

from typing import Annotated

import typer

from pkm.cli import render
from pkm.cli.options import JsonOpt, open_pkm

app = typer.Typer(help="Mute what a scan should not show (items stay stored and searchable).")


@app.command("add")
def add(
    ctx: typer.Context,
    rule: Annotated[
        str, typer.Argument(help='title:"sponsored", feed:NAME, author:NAME, or words anywhere.')
    ],
) -> None:
    """Add a mute rule; it applies to stored items too."""
    added, muted = open_pkm(ctx).mute(rule)
    render.print_line(f"Muted {added.text!s} (rule {added.id}); {muted} stored items match")


@app.command("list")
def list_(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """List mute rules."""
    rules = open_pkm(ctx).mute_rules()
    if as_json:
        render.print_json([{"id": r.id, "rule": r.text} for r in rules])
        return
    if not rules:
        render.note("No mute rules: pkm mute add 'title:\"sponsored\"'")
    for rule in rules:
        render.print_line((f"{rule.id:>4}  ", "cyan"), rule.text)


@app.command("remove")
def remove(
    ctx: typer.Context, rule: Annotated[str, typer.Argument(help="Rule id or text.")]
) -> None:
    """Remove a mute rule; what it hid shows again."""
    removed, shown = open_pkm(ctx).unmute(rule)
    render.print_line(f"Removed mute rule {removed.id} ({removed.text}); {shown} items unmuted")
