"""pkm: a personal knowledge-flow tool — feeds and bookmarks, scanned, saved, found, shared.

The library API is :class:`pkm.Pkm`; the ``pkm`` command is a thin shell over it. The
domain types and the errors it raises are importable from here too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pkm.errors import (
    EntryNotFoundError,
    FeedNotFoundError,
    NotFoundError,
    PkmError,
    QueryError,
    StoreError,
    UsageError,
)
from pkm.types import (
    Entry,
    Feed,
    FindOptions,
    ImportReport,
    SaveResult,
    ScanReport,
    SearchHit,
    TagCount,
)

__version__ = "0.1.0"

if TYPE_CHECKING:
    from pkm.api import Pkm

__all__ = [
    "Entry",
    "EntryNotFoundError",
    "Feed",
    "FeedNotFoundError",
    "FindOptions",
    "ImportReport",
    "NotFoundError",
    "Pkm",
    "PkmError",
    "QueryError",
    "SaveResult",
    "ScanReport",
    "SearchHit",
    "StoreError",
    "TagCount",
    "UsageError",
    "__version__",
]


def __getattr__(name: str) -> Any:
    # The facade is imported on first use: `import pkm` stays cheap for the CLI's start-up.
    if name == "Pkm":
        from pkm.api import Pkm

        return Pkm
    raise AttributeError(name)
