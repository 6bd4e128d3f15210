"""Shell completion of what the store holds: tags, feeds, folders.

A completion runs on every Tab, so it must be quick and must never fail or create
anything: without a store (or with one pkm cannot read) it offers nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from pkm.api import Pkm


def _offer(ctx: typer.Context, incomplete: str, names: Callable[[Pkm], list[str]]) -> list[str]:
    from pkm.api import Pkm
    from pkm.config import store_location

    try:
        location = store_location(ctx.find_root().params.get("db"))
        if isinstance(location, Path) and (
            not location.is_file() or location.stat().st_size == 0
        ):  # opening would make a store
            return []
        with Pkm.open(location) as store:
            found = names(store)
    except Exception:  # a Tab press must never print a traceback into the shell
        return []
    # As the shell matches what was typed: case counts.
    return [name for name in found if name.startswith(incomplete)]


def tags(ctx: typer.Context, incomplete: str) -> list[str]:
    """The store's tags, most used first."""
    return _offer(ctx, incomplete, lambda store: [t.name for t in store.tags(sort="count")])


def feeds(ctx: typer.Context, incomplete: str) -> list[str]:
    """Feed titles (a feed is named by id, URL or title)."""
    return _offer(ctx, incomplete, lambda store: [f.title or f.url for f in store.feeds()])


def folders(ctx: typer.Context, incomplete: str) -> list[str]:
    return _offer(
        ctx, incomplete, lambda store: sorted({f.folder for f in store.feeds() if f.folder})
    )
