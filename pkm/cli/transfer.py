"""`pkm import`, `pkm backup`, `pkm restore`, `pkm copy`: moving a whole collection in and
out."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from pkm.cli import render
from pkm.cli.options import MaxSizeOpt, max_size_of, open_pkm, read_file
from pkm.types import ImportReport


def register(app: typer.Typer) -> None:
    app.command("import")(import_)
    app.command("backup")(backup)
    app.command("restore")(restore)
    app.command("copy")(copy)


def import_(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(help="A bookmark file or export (format found from its content)."),
    ],
    format: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help="Read the file as: netscape, chrome, firefox, places, pocket, instapaper,"
            " readwise, omnivore, pinboard, delicious, backup or opml (default: from content).",
        ),
    ] = None,
    no_folder_tags: Annotated[
        bool, typer.Option("--no-folder-tags", help="Do not turn bookmark folders into tags.")
    ] = False,
    max_size: MaxSizeOpt = None,
) -> None:
    """Import bookmarks (browsers, Pocket, Instapaper, Readwise, Omnivore, Pinboard, delicious…)."""
    store = open_pkm(ctx)
    with render.progress_bar("Importing") as progress:
        report = store.import_file(
            file,
            format=format,
            folders_as_tags=not no_folder_tags,
            progress=progress,
            max_size=max_size_of(max_size),
        )
    _summary(report)


def _summary(report: ImportReport) -> None:
    if report.restored:
        parts = ", ".join(f"{count} {table}" for table, count in report.restored.items())
        render.print_line(f"Restored {parts}")
        return
    if report.read_as:
        records = report.imported + report.merged + len(report.skipped)
        plural = "" if records == 1 else "s"
        render.print_line(f"Read as {report.read_as}: {records} record{plural}")
    render.print_line(
        f"Imported {report.imported}, merged {report.merged}, skipped {len(report.skipped)}"
    )
    for reason in report.skipped[:20]:
        render.note(f"  skipped {reason}")
    if len(report.skipped) > 20:
        render.note(f"  … and {len(report.skipped) - 20} more skipped")
    for problem in report.problems[:20]:
        render.note(f"  imported {problem}")
    if len(report.problems) > 20:
        render.note(f"  … and {len(report.problems) - 20} more with a problem")


def backup(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Where to write the backup (JSON).")],
) -> None:
    """Write everything in the store to a JSON backup (``-`` writes it to stdout)."""
    from pkm.files import write_file

    store = open_pkm(ctx)
    if str(file) == "-":
        store.backup(sys.stdout)
        return
    write_file(file, store.backup)
    render.note(f"Wrote {file}")


def restore(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A backup written by pkm backup.")],
    max_size: MaxSizeOpt = None,
) -> None:
    """Restore a backup into an empty store."""
    _summary(open_pkm(ctx).restore(read_file(file, max_size)))


def copy(
    source: Annotated[str, typer.Argument(help="The store to copy: a file or a URL.")],
    target: Annotated[
        str, typer.Argument(help="An empty store (or none yet) to copy it into: a file or a URL.")
    ],
) -> None:
    """Copy a whole store into an empty one, SQLite or PostgreSQL either way, ids kept."""
    from pkm import Pkm

    with (
        Pkm.open(source, create=False, progress=render.index_rebuild_progress()) as src,
        Pkm.open(target, progress=render.index_rebuild_progress()) as dst,
        render.progress_bar("Copying") as progress,
    ):
        counts = src.copy_to(dst, progress=progress)
    parts = ", ".join(f"{count} {table}" for table, count in counts.items())
    render.print_line(f"Copied {parts} to {dst.where}")
