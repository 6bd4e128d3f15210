"""The facade's social part: the people on a store and the network of people and tags one
follows (:class:`pkm.api.Pkm` is made of it; it lives here to keep api.py short)."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from pkm.storage.db import Connection, Write
from pkm.storage.people import PeopleRepository
from pkm.types import DEFAULT_LIMIT, Follow, NetworkItem, OtherSave, Person, Story, Triage

if TYPE_CHECKING:
    from pkm.network import Network


class SocialFacade:
    """People and the network, on the store of the :class:`~pkm.api.Pkm`."""

    _conn: Connection
    _people: PeopleRepository
    _write: Write
    person: str

    @cached_property
    def _network(self) -> Network:
        from pkm.network import Network

        return Network(self._conn, self._write)

    # --- people ---------------------------------------------------------------------

    def people(self) -> list[Person]:
        """Everyone on the store, by name (others' private saves are not counted)."""
        return self._people.listing()

    def rename_person(self, old: str, new: str) -> None:
        """Rename a person (the owner of a store made before people: ``pkm people rename``)."""
        with self._write():
            self._people.rename(old, new)
        if self.person == old:
            self.person = new

    def set_default_private(self, private: bool) -> None:
        """Whether the person's new saves are private unless made public."""
        with self._write():
            self._people.set_default_private(private)

    def also_saved_by(self, entry_id: int) -> list[OtherSave]:
        """The others who saved an entry publicly, with their tags and notes, first saved
        first (the person's own save and everyone's private ones are not among them)."""
        return self._people.others_saves(entry_id)

    # --- the network: following others' public saves ----------------------------

    def follow(self, target: str) -> Follow:
        """Follow someone's public saves: ``alice``, or one tag of theirs: ``alice/tag``."""
        return self._network.follow(target)

    def unfollow(self, target: str) -> Follow:
        return self._network.unfollow(target)

    def following(self) -> list[Follow]:
        return self._network.following()

    def network(self, *, since: str | None = None, limit: int = DEFAULT_LIMIT) -> list[NetworkItem]:
        """The public saves of the people and tags followed, newest saved first."""
        return self._network.items(since=since, limit=limit)

    def network_triage(self, *, include_read: bool = False) -> Triage:
        """The network as ``pkm read --network`` goes through it: the entries of the
        latest public saves of the people and tags followed, each once, newest saved
        first; unread ones only unless ``include_read``."""
        from pkm.retrieval import MAX_TRIAGE_HITS

        stories: dict[int, Story] = {}
        for item in self.network(limit=MAX_TRIAGE_HITS):
            if include_read or not item.entry.read:
                stories.setdefault(item.entry.id, Story(item.entry))
        return Triage(tuple(stories.values()), {})

    def network_digest(self, *, since: str | None = None) -> list[NetworkItem]:
        """What the morning scan shows from the network (see :mod:`pkm.network`)."""
        return self._network.for_scan(since)
