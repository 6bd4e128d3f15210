"""Finding entries: a search with its options, the items to go through, the entries of
a tag, and the entries a reading list or a bulk job over saved pages (archiving, link
checks) takes.

:class:`pkm.api.Pkm` hands these use cases here. The query language is
:mod:`pkm.query`'s and the ranking :mod:`pkm.search`'s, both imported on first use.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from pkm.errors import FeedNotFoundError, PkmError, TagNotFoundError, UsageError
from pkm.tagnames import tag_key
from pkm.types import Entry, FindOptions, SearchHits, Story, Triage

if TYPE_CHECKING:
    from pkm.query import Query
    from pkm.storage.db import Connection
    from pkm.storage.entries import EntryRepository
    from pkm.storage.feeds import FeedRepository
    from pkm.storage.tags import TagRepository

# The most entries one search export holds.
MAX_EXPORT = 100_000
# The most hits a search in the reader lists.
MAX_TRIAGE_HITS = 1_000


class Retrieval:
    """The searches of one open store."""

    def __init__(
        self,
        conn: Connection,
        entries: EntryRepository,
        feeds: FeedRepository,
        tags: TagRepository,
    ) -> None:
        self._conn = conn
        self._entries = entries
        self._feeds = feeds
        self._tags = tags

    def find(self, query: str, options: FindOptions) -> SearchHits:
        """A search, best match first; see :meth:`pkm.api.Pkm.find`."""
        from pkm.query import merge, parse_query
        from pkm.search import related, search
        from pkm.since import parse_since

        o = options
        if o.limit < 1:
            raise UsageError(f"limit must be a positive number, not {o.limit}")
        if o.offset < 0:
            raise UsageError(f"offset must be 0 or more, not {o.offset}")
        written = parse_query(query)
        parsed = merge(
            written,
            tags=tuple(o.tags),
            feeds=(o.feed,) if o.feed else (),
            since=parse_since(o.since) if o.since else None,
            saved=o.saved,
            unread=o.unread,
            by=(o.by,) if o.by else (),
        )
        if o.like is not None:
            self._entries.get(o.like)
            hits = related(self._conn, o.like, parsed, limit=o.limit, offset=o.offset)
        else:
            hits = search(self._conn, parsed, limit=o.limit, offset=o.offset)
        if not hits:
            self._check_names(parsed)
        hits.filters = written.filter_words()
        hits.had_words = parsed.match is not None
        return hits

    def _check_names(self, query: Query) -> None:
        """A search that names a feed or tag the store does not know is an error, not an
        empty result: the name is likely mistyped."""
        for name in self._feeds.missing_names(query.feeds):
            raise FeedNotFoundError(f"no feed matches {name!r} (see pkm feeds list)")
        for key in self._tags.missing_keys(query.tags):
            raise TagNotFoundError(f"no tag {key!r} (see pkm tags)")
        if query.by:
            from pkm.storage.people import PeopleRepository

            people = PeopleRepository(self._conn)
            for name in query.by:
                people.id_of(name)

    def triage(self, query: str | None, *, include_read: bool, first: int | None) -> Triage:
        """The feed items to go through, or a search's; see :meth:`pkm.api.Pkm.triage`."""
        stories: Sequence[Story]
        if query is not None:
            found = self.find(query, FindOptions(limit=MAX_TRIAGE_HITS))
            stories = [Story(hit.entry) for hit in found]
        else:
            from pkm.digest import stories as digest_stories

            entries = self._entries.triage(include_read=include_read, limit=first)
            stories = digest_stories(self._entries, entries)
        feed_ids = sorted({s.entry.feed_id for s in stories if s.entry.feed_id is not None})
        partial = query is None and first is not None and len(entries) >= first
        return Triage(tuple(stories), self._entries.folders(feed_ids), partial)

    def tagged(self, tag: str) -> list[Entry]:
        """The entries with a tag, newest first; an unknown tag is an error."""
        entries = self._entries.with_tag(tag_key(tag))
        if not entries:
            raise TagNotFoundError(f"no entries tagged {tag!r}")
        return entries

    def _shared_tag(self, tag: str) -> tuple[list[Entry], str]:
        """The entries of a tag of the person's, or of ``NAME/TAG``: another person's
        public saves with their tag (their tags and notes), and the tag as the list names
        it. A tag of the person's own that holds the "/" wins (tags may hold one); an
        unknown person is an error, as is a tag they have no public saves with."""
        from pkm.people import is_name
        from pkm.storage.people import PeopleRepository, my_name

        name, _, theirs = tag.partition("/")
        if not (theirs and is_name(name)):
            entries = self.tagged(tag)
            return entries, _display_tag(entries, tag)
        own = self._entries.with_tag(tag_key(tag))
        if own:
            return own, _display_tag(own, tag)
        if name == my_name(self._conn):
            entries = self.tagged(theirs)
            return entries, _display_tag(entries, theirs)
        person = PeopleRepository(self._conn).id_of(name)
        entries = self._entries.with_tag(tag_key(theirs), person=person)
        if not entries:
            raise TagNotFoundError(f"no entries tagged {tag!r}")
        return entries, f"{name}/{_display_tag(entries, theirs)}"

    def saved_ids(self, query: str | None, tags: Sequence[str]) -> list[int] | None:
        """The saved entries ``query`` and ``tags`` find (as :meth:`find` does); None, all
        of them, when neither is given."""
        if not (query or tags):
            return None
        hits = self.find(query or "", FindOptions(tuple(tags), saved=True, limit=MAX_EXPORT))
        return [hit.entry.id for hit in hits]

    def reading_list(self, tag: str | None, query: str | None) -> tuple[list[Entry], str]:
        """The entries of a reading list (a tag's, or a search's) and its title."""
        if tag is None and query is None:
            raise UsageError("export needs a tag or a query")
        if tag is not None and query is not None:
            raise UsageError("export takes a tag or a query, not both")
        if tag is not None:
            entries, shown = self._shared_tag(tag)
            return entries, f"Reading list: {shown}"
        hits = self.find(query or "", FindOptions(limit=MAX_EXPORT))
        if not hits:
            raise PkmError(f"nothing matches {query!r}")
        return [self._entries.get(hit.entry.id) for hit in hits], f"Reading list: {query}"


def _display_tag(entries: Sequence[Entry], tag: str) -> str:
    key = tag_key(tag)
    for name in entries[0].tags:
        if name.casefold() == key:
            return name
    return tag
