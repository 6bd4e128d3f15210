"""`pkm check`: which saved links still work. Broken links are a finding, not an error:
the command exits 0 whatever it finds."""

from __future__ import annotations

from typing import Annotated

import typer

from pkm.cli import render
from pkm.cli.find import FindCommand
from pkm.cli.options import JsonOpt, TagsOpt, open_pkm
from pkm.types import CheckReport, LinkCheck, URLUpdate


def register(app: typer.Typer) -> None:
    app.command("check", cls=FindCommand)(check)


def check(
    ctx: typer.Context,
    query: Annotated[
        list[str] | None,
        typer.Argument(help="Only the saved entries this search finds (as in pkm find)."),
    ] = None,
    tags: TagsOpt = None,
    older_than: Annotated[
        str | None,
        typer.Option(
            "--older-than",
            help="Only links last checked before then (30d, 2026-11-01); default: all.",
        ),
    ] = None,
    update_moved: Annotated[
        bool,
        typer.Option(
            "--update-moved",
            help="Give moved links their new URL; the old one still finds the entry.",
        ),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Check that saved links still work: ok, moved, gone, dead or failing."""
    store = open_pkm(ctx)
    with render.progress_bar("Checking", enabled=not as_json) as progress:
        report = store.check(
            " ".join(query or []) or None,
            tags=tags or [],
            older_than=older_than,
            update_moved=update_moved,
            progress=progress,
        )
    if as_json:
        render.print_json(_as_json(report))
    else:
        _show(report)


def _as_json(report: CheckReport) -> dict[str, object]:
    return {
        "checks": [
            {
                "id": c.entry_id,
                "url": c.url,
                "state": c.state,
                "status": c.status,
                "moved_to": c.moved_to,
                "checked_at": render.iso(c.checked_at),
                "broken_since": render.iso(c.broken_since),
                "reason": c.reason,
            }
            for c in sorted(report.checks, key=lambda c: c.entry_id)
        ],
        "counts": report.counts(),
        "skipped": report.skipped,
        "updates": [
            {"id": u.entry_id, "url": u.old_url, "new_url": u.new_url, "conflict": u.conflict}
            for u in report.updates
        ],
    }


def _show(report: CheckReport) -> None:
    if not report.checks and not report.updates:
        render.note(_nothing(report))
        return
    if report.checks:
        render.table(["state", "links"], [(s, n) for s, n in report.counts().items() if n])
        notable = sorted((c for c in report.checks if c.state != "ok"), key=lambda c: c.entry_id)
        if notable:
            render.print_line("")
            render.table(
                ["id", "state", "url", "reason"],
                [(c.entry_id, c.state, c.url, _reason(c)) for c in notable],
                wide="url",
            )
    for update in report.updates:
        _show_update(update)
    checked = len(report.checks)
    summary = f"Checked {checked} link{'s' * (checked != 1)}"
    if report.skipped:
        summary += f" · {report.skipped} checked more recently, left out"
    render.print_line((summary, "dim"))


def _nothing(report: CheckReport) -> str:
    if report.skipped:
        return f"Nothing to check: all {report.skipped} links were checked more recently"
    return "Nothing to check: no saved entries with a link"


def _reason(check: LinkCheck) -> str:
    if check.state == "moved":
        return f"→ {check.moved_to}"
    reason = check.reason or ""
    if check.state == "failing" and check.broken_since and check.broken_since < check.checked_at:
        reason = f"since {render.day(check.broken_since)}: {reason}"
    return reason


def _show_update(update: URLUpdate) -> None:
    if update.conflict is None:
        render.print_line(
            ("updated ", "cyan"), f"{update.entry_id}: {update.old_url} → {update.new_url}"
        )
    else:
        render.print_line(
            ("not updated ", "yellow"),
            f"{update.entry_id}: {update.new_url} is entry {update.conflict}'s"
            f" (pkm show {update.conflict})",
        )
