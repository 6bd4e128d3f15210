"""`pkm follow`, `pkm unfollow`, `pkm following`, `pkm network`: others' public saves."""

from __future__ import annotations

from typing import Annotated

import typer

from pkm.cli import render
from pkm.cli.networkview import show_network
from pkm.cli.options import JsonOpt, open_pkm
from pkm.types import DEFAULT_LIMIT

Target = Annotated[str, typer.Argument(help="A person (alice) or one tag of theirs (alice/tag).")]


def register(app: typer.Typer) -> None:
    app.command("follow")(follow)
    app.command("unfollow")(unfollow)
    app.command("following")(following)
    app.command("network")(network)


def follow(ctx: typer.Context, target: Target) -> None:
    """Follow someone's public saves, or those with one of their tags."""
    done = open_pkm(ctx).follow(target)
    render.print_line(f"Following {done.target}", (f"  {done.saves} public saves", "dim"))


def unfollow(ctx: typer.Context, target: Target) -> None:
    """Stop following someone (or one tag of theirs)."""
    done = open_pkm(ctx).unfollow(target)
    render.print_line(f"No longer following {done.target}")


def following(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """The people and tags you follow."""
    follows = open_pkm(ctx).following()
    if as_json:
        render.print_json(
            [{"person": f.person, "tag": f.tag, "public_saves": f.saves} for f in follows]
        )
        return
    if not follows:
        render.note("you follow no one yet (pkm follow NAME, or NAME/TAG)")
    for item in follows:
        render.print_line((item.target, "bold"), (f"  {item.saves} public saves", "dim"))


def network(
    ctx: typer.Context,
    since: Annotated[
        str | None,
        typer.Option("--since", help="Only saves since (7d, yesterday, 2026-11-01)."),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="At most this many.")] = (
        DEFAULT_LIMIT
    ),
    as_json: JsonOpt = False,
) -> None:
    """What the people and tags you follow saved publicly, newest first."""
    show_network(open_pkm(ctx), since=since, limit=limit, as_json=as_json)
