"""`pkm people …`: who is on the store, renaming one, and one's default privacy."""

from __future__ import annotations

from typing import Annotated

import typer

from pkm.cli import render
from pkm.cli.options import JsonOpt, open_pkm

app = typer.Typer(
    help="The people on a shared store: list, rename, settings.", invoke_without_command=True
)


@app.callback()
def list_people(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """List the people with saves here: saves, public saves, tags, last save."""
    if ctx.invoked_subcommand is not None:
        return
    store = open_pkm(ctx)
    people = store.people()
    if as_json:
        render.print_json(
            [
                {
                    "name": person.name,
                    "saves": person.saves,
                    "public": person.public,
                    "tags": person.tags,
                    "last_active": render.iso(person.last_active),
                    "you": person.name == store.person,
                }
                for person in people
            ]
        )
        return
    if not people:
        render.note("no one has saved anything on this store yet")
        return
    for person in people:
        you = "  (you)" if person.name == store.person else ""
        when = render.day(person.last_active) if person.last_active else "never"
        render.print_line(
            (person.name, "bold"),
            f"  {person.saves} saves, {person.public} public, {person.tags} tags, last {when}{you}",
        )


@app.command("rename")
def rename(ctx: typer.Context, old: str, new: str) -> None:
    """Rename a person (a store from before people is its owner's: their login name)."""
    open_pkm(ctx).rename_person(old, new)
    render.print_line(f"Renamed {old} to {new}")


@app.command("set")
def settings(
    ctx: typer.Context,
    default_private: Annotated[
        bool | None,
        typer.Option(
            "--default-private/--default-public",
            help="Make your new saves private (or public) unless told otherwise.",
        ),
    ] = None,
) -> None:
    """Change your settings."""
    if default_private is None:
        raise typer.BadParameter("give --default-private or --default-public")
    store = open_pkm(ctx)
    store.set_default_private(default_private)
    state = "private" if default_private else "public"
    render.print_line(f"New saves of {store.person} are {state} unless told otherwise")
