"""`pkm scan`: fetch every feed, then show what is new, grouped by feed."""

from __future__ import annotations

from typing import Annotated

import typer

from pkm.cli import render
from pkm.cli.options import FolderOpt, JsonOpt, open_pkm
from pkm.types import Entry, ScanReport


def register(app: typer.Typer) -> None:
    app.command("scan")(scan)


def scan(
    ctx: typer.Context,
    no_fetch: Annotated[
        bool, typer.Option("--no-fetch", help="Show the last scan's new items again.")
    ] = False,
    feed: Annotated[int | None, typer.Option("--feed", help="Only this feed id.")] = None,
    folder: FolderOpt = None,
    force: Annotated[
        bool, typer.Option("--force", help="Fetch every feed, even those backing off.")
    ] = False,
    since: Annotated[
        str | None,
        typer.Option("--since", help="Show items first seen since (3d, yesterday, 2026-11-01)."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Fetch all feeds concurrently, then show the items new since the last scan."""
    store = open_pkm(ctx)
    since_time = None
    if since:
        from pkm.query import parse_since

        since_time = parse_since(since)
    fetch = not no_fetch and since is None
    with render.progress_bar("Scanning", enabled=fetch and not as_json) as progress:
        report = store.scan(
            fetch=fetch,
            feed_id=feed,
            folder=folder,
            force=force,
            since=since_time,
            progress=progress,
        )
    if as_json:
        render.print_json(_as_json(report))
    else:
        _show(report, fetched=fetch)


def _as_json(report: ScanReport) -> dict[str, object]:
    return {
        "feeds": {
            "total": report.total,
            "updated": report.updated,
            "not_modified": report.not_modified,
            "failed": report.failed,
            "skipped": report.skipped,
        },
        "items": [
            {
                "id": e.id,
                "feed_id": e.feed_id,
                "feed": e.feed_title,
                "title": e.title,
                "url": e.url,
                "published": render.iso(e.published),
            }
            for e in report.new_entries
        ],
        "errors": [{"feed_id": o.feed_id, "url": o.url, "error": o.error} for o in report.errors],
        "moved": [{"feed_id": o.feed_id, "url": o.moved_to} for o in report.moved],
    }


def _show(report: ScanReport, *, fetched: bool) -> None:
    current: int | None = None
    group: list[Entry] = []
    for entry in report.new_entries:
        if entry.feed_id != current and group:
            _show_group(group)
            group = []
        current = entry.feed_id
        group.append(entry)
    if group:
        _show_group(group)
    for moved in report.moved:
        render.print_line(("moved ", "cyan"), f"feed {moved.feed_id} now lives at {moved.moved_to}")
    if report.errors:
        render.print_line(("Failing feeds:", "bold red"))
        for outcome in report.errors:
            render.print_line(
                ("  ✗ ", "red"),
                f"{outcome.display_title} (feed {outcome.feed_id}): ",
                (outcome.error or "failed", "red"),
            )
    count = len(report.new_entries)
    items = f"{count} new item{'s' * (count != 1)}"
    if fetched:
        render.print_line(
            (
                f"Scanned {report.total} feeds: {report.updated} updated, "
                f"{report.not_modified} unchanged, {report.failed} failed"
                + (f", {report.skipped} waiting to retry" if report.skipped else "")
                + f" · {items}",
                "dim",
            )
        )
    else:
        render.print_line((items, "dim"))


def _show_group(entries: list[Entry]) -> None:
    first = entries[0]
    render.print_line(
        (first.feed_title or f"feed {first.feed_id}", "bold"), (f"  {len(entries)} new", "dim")
    )
    for entry in entries:
        render.print_line(
            (f"{entry.id:>7}  ", "cyan"),
            (render.day(entry.published), "dim"),
            "  ",
            entry.display_title,
        )
        if entry.url:
            render.print_line(" " * 21, (entry.url, "dim"))
