"""`pkm tags …`: list, rename (merging), delete."""

from __future__ import annotations

from typing import Annotated

import typer

from pkm.cli import complete, render
from pkm.cli.listing import SORTS, show_tags
from pkm.cli.options import JsonOpt, open_pkm

# A tag the store holds.
TagArg = Annotated[str, typer.Argument(autocompletion=complete.tags)]

app = typer.Typer(help="List, rename and delete tags.", invoke_without_command=True)


@app.callback()
def list_tags(
    ctx: typer.Context,
    as_json: JsonOpt = False,
    sort: Annotated[str, typer.Option("--sort", help="name or count.")] = "name",
    everyone: Annotated[
        bool,
        typer.Option("--everyone", help="Count the tags of everyone's public saves too."),
    ] = False,
) -> None:
    """List your tags with how many of your saves carry each."""
    if ctx.invoked_subcommand is not None:
        return
    if sort not in SORTS:
        raise typer.BadParameter("use name or count", param_hint="--sort")
    show_tags(open_pkm(ctx), sort=sort, as_json=as_json, everyone=everyone)


@app.command("rename")
def rename(ctx: typer.Context, old: TagArg, new: str) -> None:
    """Rename a tag; when NEW exists already the two are merged."""
    from pkm.tagnames import clean_tag

    merged = open_pkm(ctx).rename_tag(old, new)
    name = clean_tag(new)
    render.print_line(f"Merged {old} into {name}" if merged else f"Renamed {old} to {name}")
    say_changed([new])


@app.command("delete")
def delete(ctx: typer.Context, tag: TagArg) -> None:
    """Remove a tag from every entry (the entries stay)."""
    count = open_pkm(ctx).delete_tag(tag)
    render.print_line(f"Deleted tag {tag} from {count} entries")


def say_changed(raw: list[str]) -> None:
    """Tell the user which tags they typed are stored in another form."""
    from pkm.tagnames import changed_names

    for typed, stored in changed_names(raw):
        render.note(f"tag {render.clean(typed)!r} is stored as {stored!r}")
