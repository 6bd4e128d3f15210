"""`pkm network` as it prints, without Typer: what the quick path, the Typer command and
the end of `pkm scan` share (see :mod:`pkm.cli.quick`)."""

from __future__ import annotations

from collections.abc import Sequence

from pkm.api import Pkm
from pkm.cli import hits, render, shapes
from pkm.types import NetworkItem


def show_network(store: Pkm, *, since: str | None, limit: int, as_json: bool) -> None:
    items = store.network(since=since, limit=limit)
    if as_json:
        render.print_json([item_json(item) for item in items])
        return
    if not items:
        hits.note("nothing from your network (pkm follow NAME, or NAME/TAG)")
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
    """The items, three lines at most each (one print: none of Rich's when piped)."""
    lines: list[list[tuple[object, str] | str]] = []
    for item in items:
        entry = item.entry
        lines.append(
            [
                (f"{entry.id:>7}  ", "cyan"),
                (render.day(item.saved_at), "dim"),
                "  ",
                entry.display_title,
                (f"  {item.saved_by}", "green"),
            ]
        )
        if entry.url:
            lines.append([" " * 21, (entry.url, "dim")])
        said = " ".join(f"#{tag}" for tag in item.their_tags)
        if item.their_note:
            said = f"{said} {item.their_note!r}".strip()
        if said:
            lines.append([" " * 21, (said, "italic")])
    if lines:
        render.print_lines(lines)
