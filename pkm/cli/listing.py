"""`pkm tags` as it prints, without Typer: the listing the quick path and the Typer
command share (see :mod:`pkm.cli.quick`)."""

from __future__ import annotations

from pkm.api import Pkm
from pkm.cli import render

SORTS = ("name", "count")


def show_tags(store: Pkm, *, sort: str, as_json: bool, everyone: bool = False) -> None:
    counts = store.tags(sort=sort, everyone=everyone)
    if as_json:
        render.print_json([{"name": t.name, "count": t.count} for t in counts])
        return
    if not counts:
        render.note("No tags yet: pkm tag ID TAG, or pkm save URL -t TAG")
        return
    width = max(len(str(t.count)) for t in counts)
    render.print_lines([(f"{t.count:>{width}}  ", "dim"), t.name] for t in counts)
