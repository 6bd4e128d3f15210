"""Option declarations shared by several commands, declared once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pkm.api import Pkm
from pkm.cli import complete, render

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
TagsOpt = Annotated[
    list[str] | None,
    typer.Option("--tag", "-t", help="A tag (repeat for more).", autocompletion=complete.tags),
]
NoteOpt = Annotated[str | None, typer.Option("--note", "-n", help="A note: why it matters.")]
FolderOpt = Annotated[
    str | None,
    typer.Option("--folder", help="Only feeds in this folder.", autocompletion=complete.folders),
]
FeedRefArg = Annotated[
    str, typer.Argument(help="Feed id, URL or title.", autocompletion=complete.feeds)
]
PrivateOpt = Annotated[
    bool | None,
    typer.Option(
        "--private/--public",
        help="Private: yours alone, left out of reading lists you export. Public: shared again.",
        show_default=False,
    ),
]
MaxSizeOpt = Annotated[
    str | None,
    typer.Option(
        "--max-size",
        help="The largest file to read, as 512M or 1G (default 256M).",
        show_default=False,
    ),
]
EntryIdArg = Annotated[int, typer.Argument(help="Entry id, as printed by scan, find or save.")]


def max_size_of(max_size: str | None) -> int:
    """What ``--max-size`` says, in bytes."""
    from pkm.files import DEFAULT_MAX_FILE_BYTES, parse_size

    return DEFAULT_MAX_FILE_BYTES if max_size is None else parse_size(max_size)


def read_file(path: Path, max_size: str | None) -> bytes:
    """A file the user named, read up to ``--max-size``."""
    from pkm.files import read_input

    return read_input(path, max_size=max_size_of(max_size))


def open_pkm(ctx: typer.Context) -> Pkm:
    """The store named by the global --db (or PKM_DB, or the default), opened once, for
    the person of the global --user (or PKM_USER, or the login name)."""
    root = ctx.find_root()
    if root.obj is None:
        root.obj = {}
    store: Pkm | None = root.obj.get("store")
    if store is None:
        store = Pkm.open(
            root.obj.get("db"), user=root.obj.get("user"), progress=render.index_rebuild_progress()
        )
        root.obj["store"] = store
        root.call_on_close(store.close)
    return store
