"""`pkm follow`, `pkm unfollow`, `pkm following`, `pkm network`: others' public saves."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import typer

from pkm.cli import render, shapes
from pkm.cli.options import JsonOpt, open_pkm
from pkm.types import DEFAULT_LIMIT, NetworkItem

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
    items = open_pkm(ctx).network(since=since, limit=limit)
    if as_json:
        render.print_json([item_json(item) for item in items])
        return
    if not items:
        render.note("nothing from your network (pkm follow NAME, or NAME/TAG)")
    show(items)


def item_json(item: NetworkItem) -> dict[str, object]:
    """An entry as you see it, with who saved it, their tags and note, and when
    (``saved_at`` is theirs; ``saved`` says whether you saved it too)."""
    return shapes.entry_json(item.entry) | {
        "saved_by": item.saved_by,
        "their_tags": list(item.their_tags),
        "their_note": item.their_note,
        "saved_at": render.iso(item.saved_at),
    }


def show(items: Sequence[NetworkItem]) -> None:
    for item in items:
        entry = item.entry
        render.print_line(
            (f"{entry.id:>7}  ", "cyan"),
            (render.day(item.saved_at), "dim"),
            "  ",
            entry.display_title,
            (f"  {item.saved_by}", "green"),
        )
        if entry.url:
            render.print_line(" " * 21, (entry.url, "dim"))
        said = " ".join(f"#{tag}" for tag in item.their_tags)
        if item.their_note:
            said = f"{said} {item.their_note!r}".strip()
        if said:
            render.print_line(" " * 21, (said, "italic"))
