"""`pkm scan`: fetch every feed, then show what is new, grouped by feed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import typer

from pkm.cli import networkview, render, shapes
from pkm.cli.options import FolderOpt, JsonOpt, open_pkm
from pkm.types import ScanReport, Story


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
    per_feed: Annotated[
        int, typer.Option("--per-feed", min=1, help="Show at most this many items per feed.")
    ] = 5,
    show_all: Annotated[bool, typer.Option("--all", help="Show every new item.")] = False,
    group: Annotated[
        str,
        typer.Option(
            "--group", help="folder (feeds within their folder), feed, or none (newest first)."
        ),
    ] = "folder",
    as_json: JsonOpt = False,
    no_network: Annotated[
        bool, typer.Option("--no-network", help="Leave out what your network saved.")
    ] = False,
    interactive: Annotated[
        bool, typer.Option("--interactive", "-i", help="Then go through them in pkm read.")
    ] = False,
) -> None:
    """Fetch all feeds concurrently, then show the items new since the last scan."""
    if group not in GROUPINGS:
        raise typer.BadParameter("use folder, feed or none", param_hint="--group")
    store = open_pkm(ctx)
    fetch = not no_fetch and since is None
    with render.progress_bar("Scanning", enabled=fetch and not as_json) as progress:
        report = store.scan(
            fetch=fetch,
            feed_id=feed,
            folder=folder,
            force=force,
            since=since,
            progress=progress,
        )
    from_network = [] if no_network or interactive else store.network_digest(since=since)
    if interactive:
        from pkm.cli import reader

        reader.run(store)
        _summary(report, fetched=fetch)
    elif as_json:
        render.print_json(
            _as_json(report) | {"network": [networkview.item_json(i) for i in from_network]}
        )
    else:
        _show(report, fetched=fetch, per_feed=None if show_all else per_feed, group=group)
        if from_network:
            render.print_line(("From your network", "bold underline"))
            networkview.show(from_network)


def _as_json(report: ScanReport) -> dict[str, object]:
    return {
        "feeds": {
            "total": report.total,
            "updated": report.updated,
            "not_modified": report.not_modified,
            "failed": report.failed,
            "skipped": report.skipped,
        },
        "items": [shapes.story_json(story) for story in report.stories],
        "errors": [{"feed_id": o.feed_id, "url": o.url, "error": o.error} for o in report.errors],
        "moved": [{"feed_id": o.feed_id, "url": o.moved_to} for o in report.moved],
        "full_text": {
            "fetched": report.full_texts,
            "failed": report.full_text_failed,
            "reasons": dict(report.full_text_failures),
        },
    }


GROUPINGS = ("folder", "feed", "none")


def _show(report: ScanReport, *, fetched: bool, per_feed: int | None, group: str) -> None:
    if group == "none":  # one list, newest first, each item with its feed (no per-feed cap)
        for story in sorted(report.stories, key=_when, reverse=True):
            _show_story(story, feed=True)
        _summary(report, fetched=fetched)
        return
    stories: Sequence[Story] = report.stories
    if group == "folder":
        # Stable: the feeds keep their order inside each folder; no folder comes last.
        stories = sorted(
            stories, key=lambda s: _folder_key(report.folders.get(s.entry.feed_id or 0))
        )
    folder: str | None = None
    for index, feed_group in enumerate(_by_feed(stories)):
        here = report.folders.get(feed_group[0].entry.feed_id or 0)
        if group == "folder" and (index == 0 or here != folder) and any(report.folders.values()):
            render.print_line((here or "(no folder)", "bold underline"))
        folder = here
        _show_group(feed_group, per_feed)
    _summary(report, fetched=fetched)


def _folder_key(folder: str | None) -> tuple[bool, str]:
    return folder is None, (folder or "").casefold()


def _when(story: Story) -> float:
    when = story.entry.published or story.entry.first_seen
    return when.timestamp() if when else 0.0


def _summary(report: ScanReport, *, fetched: bool) -> None:
    """Moved and failing feeds, then the counts."""
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
    count = len(report.stories)
    items = f"{count} new item{'s' * (count != 1)}"
    if fetched:
        summary = (
            f"Scanned {report.total} feeds: {report.updated} updated, "
            f"{report.not_modified} unchanged, {report.failed} failed"
            + (f", {report.skipped} waiting to retry" if report.skipped else "")
            + f" · {items}"
            + _full_texts(report)
        )
        render.print_line((summary, "dim"))
    else:
        render.print_line((items, "dim"))


def _full_texts(report: ScanReport) -> str:
    """ " · 12 full texts fetched, 1 failed (HTTP 404 Not Found)", when there were any."""
    if not report.full_texts and not report.full_text_failed:
        return ""
    fetched = f"{report.full_texts} full text{'s' * (report.full_texts != 1)} fetched"
    if not report.full_text_failed:
        return f" · {fetched}"
    reasons = "; ".join(
        reason if count == 1 else f"{reason}: {count}"
        for reason, count in report.full_text_failures[:3]
    )
    more = "; …" if len(report.full_text_failures) > 3 else ""
    return f" · {fetched}, {report.full_text_failed} failed ({reasons}{more})"


def _by_feed(stories: Sequence[Story]) -> list[list[Story]]:
    groups: list[list[Story]] = []
    for story in stories:
        if groups and groups[-1][0].entry.feed_id == story.entry.feed_id:
            groups[-1].append(story)
        else:
            groups.append([story])
    return groups


def _show_group(stories: list[Story], per_feed: int | None) -> None:
    first = stories[0].entry
    render.print_line(
        (first.feed_title or f"feed {first.feed_id}", "bold"), (f"  {len(stories)} new", "dim")
    )
    shown = stories if per_feed is None else stories[:per_feed]
    for story in shown:
        _show_story(story, feed=False)
    hidden = len(stories) - len(shown)
    if hidden:
        render.print_line(" " * 21, (f"+{hidden} more (pkm scan --no-fetch --all)", "dim"))


def _show_story(story: Story, *, feed: bool) -> None:
    entry = story.entry
    render.print_line(
        (f"{entry.id:>7}  ", "cyan"),
        (render.day(entry.published), "dim"),
        "  ",
        entry.display_title,
        *([("  " + (entry.feed_title or f"feed {entry.feed_id}"), "green")] if feed else []),
    )
    if entry.url:
        render.print_line(" " * 21, (entry.url, "dim"))
    if story.also_in:
        render.print_line(" " * 21, ("also in: " + ", ".join(story.also_in), "dim italic"))
