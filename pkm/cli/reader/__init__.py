"""``pkm read``: the interactive triage (Textual; imported only by ``pkm read``)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pkm.api import Pkm

FRAMES_PER_SECOND = 240


def run(
    store: Pkm, query: str | None = None, *, include_read: bool = False, network: bool = False
) -> None:
    """Run the reader on a terminal until the user quits; Textual is imported only here."""
    # Textual draws at most TEXTUAL_FPS frames a second (60 unless set), so a key's screen
    # waits for the next frame; the reader animates nothing, and at 240 the next item is
    # on screen in ~21 ms instead of ~45 (benchmarks/README.md, Reader). Read at import.
    fps_set_here = "TEXTUAL_FPS" not in os.environ
    if fps_set_here:
        os.environ["TEXTUAL_FPS"] = str(FRAMES_PER_SECOND)
    try:
        from pkm.cli.reader.app import Reader
    finally:
        if fps_set_here:
            del os.environ["TEXTUAL_FPS"]  # not for the browser that `o` starts

    if query is not None:
        store.find(query, limit=1)  # a malformed query is one line and exit 2, not a screen
    Reader(store, query=query, include_read=include_read, network=network).run()
