"""The facade's part for a calmer morning and a review of sources: mute rules, and what
each feed gave (:class:`pkm.api.Pkm` is made of it; it lives here to keep api.py short)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO, TYPE_CHECKING

from pkm.storage.db import Connection, Write
from pkm.storage.rows import now_ts
from pkm.types import Feed, FeedReview, FolderReview, MuteChange

if TYPE_CHECKING:
    from pkm.mute import MuteRule
    from pkm.storage.feeds import FeedRepository
    from pkm.storage.mutes import MuteRepository


class SourcesFacade:
    """Mute rules and the review of sources, on the store of the :class:`~pkm.api.Pkm`."""

    _conn: Connection
    _feeds: FeedRepository
    _write: Write

    def _mute_repository(self) -> MuteRepository:
        from pkm.storage.mutes import MuteRepository

        return MuteRepository(self._conn)

    # --- a calmer morning ----------------------------------------------------

    def mute_rules(self) -> list[MuteRule]:
        return self._mute_repository().rules()

    def mute(self, rule: str) -> MuteChange:
        """Add a mute rule; returns it and how many stored entries it mutes."""
        with self._write():
            return MuteChange(*self._mute_repository().add(rule, now_ts()))

    def unmute(self, ref: str) -> MuteChange:
        """Remove a mute rule by id or text; returns it and how many entries show again."""
        with self._write():
            return MuteChange(*self._mute_repository().remove(ref))

    # --- reviewing sources ---------------------------------------------------

    def review(self, *, since: str = "90d") -> list[FeedReview]:
        """What each feed gave since ``since``, with a verdict; pruning candidates first."""
        from pkm.review import review_store

        return review_store(self._conn, since)

    @staticmethod
    def by_folder(reviews: Sequence[FeedReview]) -> list[FolderReview]:
        """The reviews summed per folder."""
        from pkm.review import by_folder

        return by_folder(reviews)

    def prune(self, feed_ids: Sequence[int], out: IO[str]) -> list[Feed]:
        """Unsubscribe from feeds, first writing them to ``out`` as OPML so nothing is lost.

        Saved entries from those feeds stay, as with :meth:`remove_feed`.
        """
        from pkm.review import prune

        return prune(self._feeds, self._write, feed_ids, out)
