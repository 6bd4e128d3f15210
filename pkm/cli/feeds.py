"""`pkm feeds …`: subscriptions, OPML in and out, health."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from pkm.api import Pkm
from pkm.cli import render, shapes
from pkm.cli.options import FeedRefArg, FolderOpt, JsonOpt, MaxSizeOpt, open_pkm, read_file
from pkm.errors import ChoiceError, UsageError, UserFileError
from pkm.types import FeedReview

app = typer.Typer(help="Manage subscriptions.", no_args_is_help=True)


@app.command("add")
def add(
    ctx: typer.Context,
    url: Annotated[str, typer.Argument(help="A feed URL, or a web page that links to its feed.")],
    folder: Annotated[str | None, typer.Option("--folder", help="Folder to file it in.")] = None,
    title: Annotated[str | None, typer.Option("--title", help="Your own title.")] = None,
    choose: Annotated[
        int, typer.Option("--choose", min=1, help="Which discovered feed to take (1 = first).")
    ] = 1,
    no_fetch: Annotated[
        bool, typer.Option("--no-fetch", help="Subscribe without fetching.")
    ] = False,
    full_text: Annotated[
        bool,
        typer.Option("--full-text", help="Fetch each new item's article page for its text."),
    ] = False,
) -> None:
    """Subscribe to a feed (fetched at once)."""
    store = open_pkm(ctx)
    try:
        feed, created, discovered = store.add_feed(
            url,
            folder=folder,
            title=title,
            fetch=not no_fetch,
            choose=choose - 1,
            full_text=full_text,
        )
    except ChoiceError as exc:
        raise UsageError(f"--choose must be between 1 and {exc.count}") from None
    if len(discovered) > 1:
        render.note(f"{len(discovered)} feeds found on that page:")
        for number, found in enumerate(discovered, 1):
            mark = "*" if found.url == feed.url else " "
            render.note(f" {mark}{number}. {render.clean(found.title or '')} {found.url}")
        render.note("(use --choose N for another)")
    verb = "Subscribed to" if created else "Already subscribed to"
    render.print_line(
        f"{verb} ", (feed.display_title, "bold"), f" (id {feed.id}) ", (feed.url, "dim")
    )
    if full_text and not feed.full_text:
        render.note(f"full text is off for it: pkm feeds edit {feed.id} --full-text turns it on")
    if feed.last_error:
        render.warn(f"first fetch failed: {feed.last_error}")
    elif created and feed.items:
        render.print_line(f"  {feed.items} items stored")


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="An OPML file.")],
    max_size: MaxSizeOpt = None,
) -> None:
    """Import subscriptions (with folders) from OPML."""
    report = open_pkm(ctx).import_opml(read_file(file, max_size))
    render.print_line(
        f"Imported {report.imported} feeds",
        f" ({report.merged} already subscribed)" if report.merged else "",
    )
    for problem in report.skipped:
        render.warn(problem)


@app.command("export")
def export(
    ctx: typer.Context,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write.")] = None,
) -> None:
    """Export subscriptions as OPML 2.0 with folders."""
    text = open_pkm(ctx).export_opml()
    render.write_output(text, output)


@app.command("list")
def list_(ctx: typer.Context, folder: FolderOpt = None, as_json: JsonOpt = False) -> None:
    """List subscriptions with their health."""
    feeds = open_pkm(ctx).feeds(folder=folder)
    if as_json:
        render.print_json([shapes.feed_json(f) for f in feeds])
        return
    if not feeds:
        render.note("No feeds yet: pkm feeds add URL, or pkm feeds import FILE.opml")
        return
    render.table(
        ["id", "title", "folder", "status", "items", "newest", "fetched", "errors"],
        [
            (
                f.id,
                f.display_title,
                f.folder or "",
                f.status + _reason(f.last_error),
                f.items,
                render.day(f.newest_item).strip(),
                render.day(f.last_fetched).strip(),
                f.errors or "",
            )
            for f in feeds
        ],
        droppable=("errors", "fetched", "newest", "folder", "items"),
        wide="title",
    )


def _reason(error: str | None) -> str:
    return f": {error[:60]}" if error else ""


@app.command("edit")
def edit(
    ctx: typer.Context,
    feed: Annotated[str, typer.Argument(help="Feed id, URL or title.")],
    full_text: Annotated[
        bool | None,
        typer.Option(
            "--full-text/--no-full-text",
            help="Fetch each new item's article page for its text (or stop).",
            show_default=False,
        ),
    ] = None,
    title: Annotated[str | None, typer.Option("--title", help="Your own title.")] = None,
    folder: Annotated[
        str | None, typer.Option("--folder", help='Folder to file it in ("" for none).')
    ] = None,
) -> None:
    """Change a feed's title, folder or full-text setting."""
    if title is None and folder is None and full_text is None:
        raise UsageError("nothing to change: give --title, --folder or --full-text")
    edited = open_pkm(ctx).edit_feed(feed, title=title, folder=folder, full_text=full_text)
    render.print_line(
        "Edited ",
        (edited.display_title, "bold"),
        f" (id {edited.id}): folder {edited.folder or '(none)'},"
        f" full text {'on' if edited.full_text else 'off'}",
    )


@app.command("remove")
def remove(
    ctx: typer.Context,
    feed: FeedRefArg,
) -> None:
    """Unsubscribe; saved entries from the feed are kept."""
    removed = open_pkm(ctx).remove_feed(feed)
    render.print_line("Removed ", (removed.display_title, "bold"), f" (id {removed.id})")


@app.command("review")
def review(
    ctx: typer.Context,
    since: Annotated[
        str, typer.Option("--since", help="Period to review (90d, 6m, 2026-01-01).")
    ] = "90d",
    prune: Annotated[
        bool, typer.Option("--prune", help="Offer to remove dead and noisy feeds.")
    ] = False,
    yes: Annotated[
        bool, typer.Option("--yes", help="With --prune: remove without asking.")
    ] = False,
    prune_file: Annotated[
        Path | None,
        typer.Option("--prune-file", help="OPML file the removed feeds are written to first."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Review what each feed is worth: items, opened, saved, last item, verdict."""
    store = open_pkm(ctx)
    reviews = store.review(since=since)
    if as_json:
        render.print_json([_review_json(r) for r in reviews])
    else:
        _show_review(reviews)
    if prune:
        _prune(store, reviews, yes=yes, prune_file=prune_file)


def _review_json(r: FeedReview) -> dict[str, object]:
    return {
        "id": r.feed.id,
        "url": r.feed.url,
        "title": r.feed.title,
        "folder": r.feed.folder,
        "items": r.items,
        "opened": r.opened,
        "saved": r.saved,
        "saved_ratio": round(r.saved_ratio, 3),
        "last_item": render.iso(r.last_item),
        "per_week": r.per_week,
        "errors": r.feed.errors,
        "verdict": r.verdict,
        "summary_only": r.summary_only,
        "full_text": r.feed.full_text,
    }


_VERDICT_STYLE = {
    "dead": "red",
    "failing": "red",
    "noisy": "yellow",
    "ok": "",
    "quiet": "cyan",
    "valuable": "green",
}


def _show_review(reviews: list[FeedReview]) -> None:
    if not reviews:
        render.note("No feeds to review.")
        return
    render.table(
        [
            "id",
            "feed",
            "verdict",
            "items",
            "opened",
            "saved",
            "ratio",
            "per week",
            "last item",
            "errors",
        ],
        [
            (
                r.feed.id,
                r.feed.display_title,
                r.verdict,
                r.items,
                r.opened,
                r.saved,
                f"{r.saved_ratio:.0%}",
                f"{r.per_week:g}",
                render.day(r.last_item).strip(),
                r.feed.errors or "",
            )
            for r in reviews
        ],
        droppable=("errors", "per week", "opened", "last item", "ratio", "items"),
        wide="feed",
    )
    summary_only = [r for r in reviews if r.summary_only]
    if summary_only:
        render.print_line(("Summary-only feeds (their items carry little text):", "bold"))
        for r in summary_only:
            render.print_line(
                f"  {r.feed.display_title}: ", (f"pkm feeds edit {r.feed.id} --full-text", "cyan")
            )
    render.print_line(("By folder:", "bold"))
    for folder in Pkm.by_folder(reviews):
        render.print_line(
            f"  {folder.folder or '(no folder)'}: {folder.feeds} feeds, {folder.items} items, "
            f"{folder.saved} saved ({folder.saved_ratio:.0%})"
        )


def _prune(store: Pkm, reviews: list[FeedReview], *, yes: bool, prune_file: Path | None) -> None:
    candidates = [r for r in reviews if r.verdict in ("dead", "noisy")]
    chosen = []
    for r in candidates:
        title = render.clean(r.feed.display_title)
        question = f"Remove {title} ({r.verdict}, {r.items} items, {r.saved} saved)?"
        try:
            if yes or typer.confirm(question, default=False):
                chosen.append(r.feed.id)
        except typer.Abort:  # no answer (end of input): remove nothing at all
            chosen = []
            break
    if not chosen:
        render.note("Nothing removed.")
        return
    target = prune_file or Path(f"pkm-pruned-{datetime.now().strftime('%Y%m%d-%H%M%S')}.opml")
    try:
        with target.open("x", encoding="utf-8") as out:
            removed = store.prune(chosen, out)
    except OSError as exc:
        raise UserFileError(f"cannot write {target}: {exc.strerror or exc}") from None
    render.print_line(f"Removed {len(removed)} feeds; their subscriptions are in {target}")
