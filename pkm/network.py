"""The network: following people (all their public saves, or one tag's) and the public
saves that brings, for ``pkm network`` and the end of the morning scan.

The scan's section shows the saves of the last :data:`SCAN_WINDOW` (or since the scan's
own ``--since``), at most :data:`SCAN_LIMIT`: a window rather than "since your previous
scan", so that a second scan in the morning still shows them; a day is what a morning
scan covers.
"""

from __future__ import annotations

from datetime import timedelta

from pkm.errors import InvalidPersonError, PersonNotFoundError
from pkm.people import check_name
from pkm.storage.db import Connection, Write
from pkm.storage.follows import FollowRepository
from pkm.storage.people import PeopleRepository, my_name
from pkm.storage.rows import now_ts
from pkm.tagnames import tag_key
from pkm.types import Follow, NetworkItem

SCAN_WINDOW = timedelta(hours=24)
SCAN_LIMIT = 10


def parse_target(target: str) -> tuple[str, str]:
    """``alice`` or ``alice/conference2.0`` as (name, tag key; '' for all of theirs)."""
    name, _, tag = target.strip().partition("/")
    return check_name(name), tag_key(tag) if tag else ""


class Network:
    def __init__(self, conn: Connection, write: Write) -> None:
        self._conn = conn
        self._write = write
        self._follows = FollowRepository(conn)
        self._people = PeopleRepository(conn)

    def _followed(self, target: str) -> tuple[int, str, str]:
        name, key = parse_target(target)
        if name == my_name(self._conn):
            raise InvalidPersonError("you cannot follow yourself")
        return self._people.id_of(name), name, key

    def follow(self, target: str) -> Follow:
        followed_id, name, key = self._followed(target)
        with self._write():
            self._follows.add(followed_id, key)
        return self._find(name, key)

    def unfollow(self, target: str) -> Follow:
        followed_id, name, key = self._followed(target)
        shown = self._find(name, key)
        with self._write():
            if not self._follows.remove(followed_id, key):
                raise PersonNotFoundError(f"you do not follow {target.strip()}")
        return shown

    def following(self) -> list[Follow]:
        return self._follows.listing()

    def _find(self, name: str, key: str) -> Follow:
        for follow in self._follows.listing():
            if follow.person == name and (follow.tag or "").casefold() == key:
                return follow
        return Follow(name, key or None)

    def items(self, *, since: str | None, limit: int) -> list[NetworkItem]:
        from pkm.since import parse_since

        start = int(parse_since(since).timestamp()) if since else 0
        return self._follows.items(since=start, limit=limit)

    def for_scan(self, since: str | None) -> list[NetworkItem]:
        if since:
            return self.items(since=since, limit=SCAN_LIMIT)
        start = now_ts() - int(SCAN_WINDOW.total_seconds())
        return self._follows.items(since=start, limit=SCAN_LIMIT)
