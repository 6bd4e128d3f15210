"""What a scan's parse worker processes run.

The parsers are imported in the workers only: a scan's own process never parses, and
a scan with nothing new (every feed 304) does not pay their 60 ms of imports.
"""

from __future__ import annotations

import os
import threading
import time
from typing import TYPE_CHECKING

from pkm.errors import PkmError
from pkm.types import ParseFailure

if TYPE_CHECKING:
    from pkm.fulltext import Article
    from pkm.types import ParsedFeed


def start(parent: int, inherited: tuple[int, ...] = ()) -> None:
    """Runs first in each worker: close the ``inherited`` descriptors (the scan lock: a
    flock lasts while any copy of it is open), and end the worker when its scan (process
    ``parent``) ends, however that happens, even before the worker got here.

    A worker waits for work on a queue it also holds the other end of, so it never sees
    its scan die: without this, a scan killed by SIGKILL (or the OOM killer) left its
    workers waiting forever, holding the scan lock.
    """
    for fd in inherited:
        try:
            os.close(fd)
        except OSError:
            pass

    def exit_when_orphaned() -> None:
        while os.getppid() == parent:
            time.sleep(0.2)
        os._exit(1)

    threading.Thread(target=exit_when_orphaned, name="pkm-orphan-watch", daemon=True).start()
    import pkm.parse  # noqa: F401  (now, while the scan waits for its first feeds)


def parse_safely(body: bytes, url: str, content_type: str | None) -> ParsedFeed | ParseFailure:
    """The reason, not an exception, crosses the pool when the feed does not parse."""
    from pkm.parse import parse_feed  # imported by start() in a worker process

    try:
        return parse_feed(body, url, content_type)
    except PkmError as exc:
        return ParseFailure(str(exc))
    except Exception as exc:  # one broken feed must never spoil a scan
        return ParseFailure(f"cannot parse feed: {type(exc).__name__}: {exc}")


def extract_safely(body: bytes, url: str) -> Article | ParseFailure:
    """An article page's main text, or why there is none, for a full-text feed's item."""
    from pkm.fulltext import extract_article

    try:
        article = extract_article(body, url)
    except Exception as exc:  # one strange page must never spoil a scan
        return ParseFailure(f"cannot extract the article: {type(exc).__name__}: {exc}")
    return article if article is not None else ParseFailure("no article text found on the page")
