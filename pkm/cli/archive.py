"""`pkm archive`: keep the readable text of saved pages, in bulk."""

from __future__ import annotations

from typing import Annotated

import typer

from pkm.cli import complete, render
from pkm.cli.options import JsonOpt, open_pkm
from pkm.errors import UsageError
from pkm.types import ArchiveReport

# Exit code of a command stopped by Ctrl-C (128 + SIGINT), as shells report it.
INTERRUPTED = 130


def register(app: typer.Typer) -> None:
    app.command("archive")(archive)


def archive(
    ctx: typer.Context,
    query: Annotated[
        list[str] | None,
        typer.Argument(help="Only saved entries matching this search (as pkm find reads it)."),
    ] = None,
    tag: Annotated[
        str | None,
        typer.Option(
            "--tag", "-t", help="Only saved entries with this tag.", autocompletion=complete.tags
        ),
    ] = None,
    missing: Annotated[
        bool, typer.Option("--missing", help="Skip pages archived already (the default).")
    ] = False,
    refresh: Annotated[
        bool, typer.Option("--refresh", help="Archive again pages archived already.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Keep the readable text of saved pages (all, or those of a tag or search), so that
    it is found and shown after the page is gone. Resumable: run it again to carry on."""
    if missing and refresh:
        raise UsageError("give --missing or --refresh, not both")
    store = open_pkm(ctx)
    try:
        with render.progress_bar("Archiving", enabled=not as_json) as progress:
            report = store.archive(
                " ".join(query) if query else None, tag=tag, refresh=refresh, progress=progress
            )
    except KeyboardInterrupt:
        render.note("interrupted: the pages archived so far are kept; pkm archive carries on")
        raise typer.Exit(INTERRUPTED) from None
    if as_json:
        render.print_json(
            {
                "archived": report.archived,
                "failed": report.failed_count,
                "skipped": report.skipped,
                "reasons": dict(report.failed),
            }
        )
        return
    _summary(report)


def _summary(report: ArchiveReport) -> None:
    pages = {1: "1 page"}.get(report.archived, f"{report.archived} pages")
    render.print_line(
        ("Archived ", "bold"),
        (pages, "bold"),
        f", {report.failed_count} failed, {report.skipped} skipped (archived already)",
    )
    if report.failed:
        rows = [(count, reason) for reason, count in report.failed]
        render.table(("pages", "reason"), rows, wide="reason")
