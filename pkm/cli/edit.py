"""`pkm edit`, `unsave`, `delete`: changing and dropping what was saved."""

from __future__ import annotations

from typing import Annotated

import typer

from pkm.cli import render
from pkm.cli.options import EntryIdArg, open_pkm
from pkm.errors import PkmError


def register(app: typer.Typer) -> None:
    app.command("edit")(edit)
    app.command("unsave")(unsave)
    app.command("delete")(delete)


def edit(
    ctx: typer.Context,
    entry_id: EntryIdArg,
    title: Annotated[str | None, typer.Option("--title", help="A new title.")] = None,
    note: Annotated[
        str | None, typer.Option("--note", "-n", help='The whole note ("" clears it).')
    ] = None,
    append_note: Annotated[
        str | None, typer.Option("--append-note", help="A line added to the note.")
    ] = None,
    url: Annotated[
        str | None, typer.Option("--url", help="A new URL (for a page no feed brought).")
    ] = None,
) -> None:
    """Change a bookmark's title, note or URL."""
    if title is None and note is None and append_note is None and url is None:
        raise typer.BadParameter("give --title, --note, --append-note or --url")
    entry = open_pkm(ctx).edit(entry_id, title=title, note=note, append_note=append_note, url=url)
    render.print_line("Edited ", (f"{entry.id}", "cyan"), " ", (entry.display_title, "bold"))
    if entry.url:
        render.print_line(("  url: ", "dim"), entry.url)
    if entry.note:
        render.print_line(("  note: ", "dim"), entry.note)


def unsave(ctx: typer.Context, entry_id: EntryIdArg) -> None:
    """Drop a bookmark: its tags, note and saved date go; a feed item stays an item."""
    entry = open_pkm(ctx).unsave(entry_id)
    render.print_line("Unsaved ", (f"{entry.id}", "cyan"), " ", (entry.display_title, "bold"))


def delete(
    ctx: typer.Context,
    entry_id: EntryIdArg,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
) -> None:
    """Delete a saved page that no feed brought (asks first unless --yes)."""
    store = open_pkm(ctx)
    entry = store.entry(entry_id)
    if not yes:
        question = f"Delete {entry.id} {render.clean(entry.display_title)}?"
        try:
            confirmed = typer.confirm(question, default=False)
        except typer.Abort:  # no answer (end of input)
            confirmed = False
        if not confirmed:
            raise PkmError(f"entry {entry_id} not deleted (--yes deletes without asking)")
    store.delete(entry_id)
    render.print_line("Deleted ", (f"{entry.id}", "cyan"), " ", (entry.display_title, "bold"))
