"""pkm: a personal knowledge-flow tool — feeds and bookmarks, scanned, saved, found, shared.

The library API is :class:`pkm.Pkm`; the ``pkm`` command is a thin shell over it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from pkm.api import Pkm

__all__ = ["Pkm", "__version__"]


def __getattr__(name: str) -> Any:
    # Imported on first use so that `import pkm` (and the CLI's start-up) stays cheap.
    if name == "Pkm":
        from pkm.api import Pkm

        return Pkm
    raise AttributeError(name)
