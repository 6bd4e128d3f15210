"""Import and export formats: each module only turns bytes/str into pkm types and back.

Exporters share one signature::

    dump(entries: Sequence[Entry], *, title: str, description: str | None = None,
         generated: datetime | None = None, link: str | None = None) -> str

``EXPORTERS`` maps a format name (as given to ``pkm export --format``) to its ``dump``;
``EXTENSIONS`` gives the file extension of each (``pkm export -o`` reads the format from it).
The helpers the format modules share are in :mod:`pkm.formats._shared`.
"""

from __future__ import annotations

from collections.abc import Callable

from pkm.formats import atom, html, jsonfeed, markdown, netscape

EXPORTERS: dict[str, Callable[..., str]] = {
    "md": markdown.dump,
    "json": jsonfeed.dump,
    "html": html.dump,
    "atom": atom.dump,
    "netscape": netscape.dump,
}


# Formats whose readers keep a bookmark's private flag (it is written per bookmark):
# private entries go in. The others publish whatever they hold, so private entries are
# left out unless asked for.
KEEP_PRIVATE_FLAG = frozenset({"netscape"})

EXTENSIONS: dict[str, str] = {
    "md": ".md",
    "json": ".json",
    "html": ".html",
    "atom": ".atom",
    "netscape": ".html",
    "opml": ".opml",
}

__all__ = [
    "EXPORTERS",
    "EXTENSIONS",
    "KEEP_PRIVATE_FLAG",
    "atom",
    "html",
    "jsonfeed",
    "markdown",
    "netscape",
]
