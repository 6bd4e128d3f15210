"""What the user reads from: subscribing to a feed (or to the feed a page names),
listing, editing and leaving one.

:class:`pkm.api.Pkm` hands these use cases here; each change is one write transaction,
and a page is fetched to find its feed before it, never inside.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pkm.errors import UsageError
from pkm.storage.db import Write
from pkm.storage.feeds import FeedRepository
from pkm.types import Feed, Subscription
from pkm.urls import check_url

if TYPE_CHECKING:
    from pkm.digest import Fetch
    from pkm.discover import DiscoveredFeed


class Feeds:
    """The subscriptions of one open store; ``fetch`` is Pkm's fetch step."""

    def __init__(self, feeds: FeedRepository, write: Write, fetch: Fetch) -> None:
        self._feeds = feeds
        self._write = write
        self._fetch = fetch

    def add(
        self,
        url: str,
        *,
        folder: str | None,
        title: str | None,
        fetch: bool,
        choose: int,
        full_text: bool,
    ) -> Subscription:
        """Subscribe to a feed URL, or to a feed found on a page; see
        :meth:`pkm.api.Pkm.add_feed`."""
        url = check_url(url)
        discovered: list[DiscoveredFeed] = []
        if fetch:
            from pkm.pages import resolve_feed_url

            url, discovered = resolve_feed_url(url, choose)
        with self._write():
            feed_id, created = self._feeds.add(url, title=title, folder=folder, full_text=full_text)
        if created and fetch:
            # Stored, not shown: its items are new to the next digest.
            self._fetch(feed_id=feed_id, force=True)
        return Subscription(self._feeds.get(feed_id), created, discovered)

    def all(self, *, folder: str | None) -> list[Feed]:
        """Every subscription, or those in ``folder``, which must exist."""
        if folder is not None:
            self._feeds.check_folder(folder)
        return self._feeds.all(folder=folder)

    def edit(
        self,
        ref: str | int,
        *,
        title: str | None,
        folder: str | None,
        full_text: bool | None,
    ) -> Feed:
        """Change a feed's title, folder or full-text setting; see
        :meth:`pkm.api.Pkm.edit_feed`."""
        if title is None and folder is None and full_text is None:
            raise UsageError("nothing to change: give a title, folder or full_text")
        if title is not None and not title.strip():
            raise UsageError("a title cannot be empty")
        feed = self._feeds.resolve(str(ref))
        with self._write():
            self._feeds.edit(feed.id, title=title, folder=folder, full_text=full_text)
        return self._feeds.get(feed.id)

    def remove(self, ref: str | int) -> Feed:
        feed = self._feeds.resolve(str(ref))
        with self._write():
            self._feeds.remove(feed.id)
        return feed
