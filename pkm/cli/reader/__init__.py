"""``pkm read``: the interactive triage (Textual; imported only by ``pkm read``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pkm.api import Pkm


def run(
    store: Pkm, query: str | None = None, *, include_read: bool = False, network: bool = False
) -> None:
    """Run the reader on a terminal until the user quits; Textual is imported only here."""
    from pkm.cli.reader.app import Reader

    if query is not None:
        store.find(query, limit=1)  # a malformed query is one line and exit 2, not a screen
    Reader(store, query=query, include_read=include_read, network=network).run()
