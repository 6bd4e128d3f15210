"""The facade: every use case of pkm, for the CLI and for Python callers.

    from pkm import Pkm
    with Pkm.open() as pkm:
        pkm.save("https://example.org/talk", tags=["conference2.0"])
        hits = pkm.find("hybrid events", tags=["conference2.0"])

Heavy modules (fetching, parsing, formats, migrations) are imported inside the
methods that need them, so that a quick read such as ``find`` starts fast.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING, cast

from pkm.config import store_location
from pkm.errors import StoreError, UsageError
from pkm.files import DEFAULT_MAX_FILE_BYTES
from pkm.people import current_name
from pkm.retrieval import Retrieval
from pkm.social import SocialFacade
from pkm.sources import SourcesFacade
from pkm.storage.archives import ArchiveRepository
from pkm.storage.db import Connection, close, open_any, transaction
from pkm.storage.entries import EntryRepository
from pkm.storage.feeds import FeedRepository
from pkm.storage.people import PeopleRepository, sign_in
from pkm.storage.rows import now_ts, to_ts
from pkm.storage.tags import TagRepository
from pkm.types import (
    DEFAULT_LIMIT,
    Archive,
    ArchiveReport,
    CheckReport,
    Entry,
    Feed,
    FindOptions,
    ImportReport,
    ReadingList,
    SaveResult,
    ScanReport,
    SearchHits,
    Subscription,
    TagCount,
    Triage,
    Untagged,
)

if TYPE_CHECKING:
    from pkm.bookmarks import Bookmarks
    from pkm.feeds import Feeds
    from pkm.transfer import Transfer


class Pkm(SocialFacade, SourcesFacade):
    """One open store. Use as a context manager, or call :meth:`close`."""

    def __init__(
        self,
        conn: Connection,
        path: Path | None,
        *,
        read_only: bool = False,
        where: str | None = None,
        location: Path | str | None = None,
        user: str | None = None,
    ) -> None:
        self._conn = conn
        # Who pkm acts for: their saves, tags and notes (see pkm.people.current_name).
        self.person = current_name(user, getattr(conn, "role", None))
        sign_in(conn, self.person)
        # The store's file; None for a team store in a PostgreSQL database.
        self.path = path
        # What Pkm.open takes to open this store again: its file, or its server's URL
        # (with the password in it: never for printing; see where).
        self.location: Path | str | None = location if location is not None else path
        # The store as messages name it: its file, or user@host:port/database.
        self.where = where if where is not None else str(path)
        # A store pkm may not write still answers every question; writes are refused.
        self.read_only = read_only
        self._feeds = FeedRepository(conn)
        self._entries = EntryRepository(conn)
        self._tags = TagRepository(conn)
        self._archives = ArchiveRepository(conn)
        self._people = PeopleRepository(conn)
        self._retrieval = Retrieval(conn, self._entries, self._feeds, self._tags)

    # Imports, exports, backups, bookmarks, feed changes and mute rules are made on first use:
    # importing their modules is no part of a find or of pkm tags (about 2% of either, counted
    # in instructions with callgrind).
    @cached_property
    def _transfer(self) -> Transfer:
        from pkm.transfer import Transfer

        return Transfer(self._conn, self.where, self._write)

    @cached_property
    def _bookmarks(self) -> Bookmarks:
        from pkm.bookmarks import Bookmarks

        return Bookmarks(
            self._entries, self._tags, self._archives, self._write, self._require_writable
        )

    @cached_property
    def _subscriptions(self) -> Feeds:
        from pkm.feeds import Feeds

        return Feeds(self._feeds, self._write, self._fetch)

    @classmethod
    def open(
        cls,
        db: str | os.PathLike[str] | None = None,
        *,
        user: str | None = None,
        progress: Callable[[int, int], None] | None = None,
        create: bool = True,
    ) -> Pkm:
        """Open the store at ``db`` (a path, a sqlite URL, or a ``postgresql://`` URL of a
        team store on a server), else ``PKM_DB``, else the default, for the person
        ``user`` (else ``PKM_USER``, else the login name); where there is no store yet,
        one is made, unless not ``create`` (then it is a StoreError).

        ``progress`` hears ``(done, total)`` while a newer pkm rebuilds the search index
        once after an upgrade.
        """
        location = store_location(db)
        if isinstance(location, str):
            from pkm.storage.postgres import open_connection

            server = open_connection(location, create=create)
            # It serves the part of sqlite3's connection that storage uses (see db.Connection).
            return cls(
                cast(Connection, server), None, where=server.where, location=location, user=user
            )
        if not create and not (location.is_file() and location.stat().st_size):
            raise StoreError(f"no pkm store at {location}")
        conn, read_only = open_any(location, progress)
        return cls(conn, location, read_only=read_only, user=user)

    def close(self) -> None:
        close(self._conn)

    def __enter__(self) -> Pkm:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _require_writable(self) -> None:
        if self.read_only:
            raise StoreError(
                f"store is read-only: {self.where} (reading works; writing needs write access"
                " to the file and its folder)"
            )

    @contextmanager
    def _write(self) -> Iterator[None]:
        self._require_writable()
        with transaction(self._conn):
            yield

    # --- feeds -------------------------------------------------------------

    def add_feed(
        self,
        url: str,
        *,
        folder: str | None = None,
        title: str | None = None,
        fetch: bool = True,
        choose: int = 0,
        full_text: bool = False,
    ) -> Subscription:
        """Subscribe to a feed URL, or to a feed discovered on a web page URL.

        Returns the feed, whether it was new, and the feeds found on the page (when
        the URL was a page; ``choose`` picks among them, 0 = the first; out of range is a
        :class:`~pkm.errors.ChoiceError`). A new feed is fetched at once.
        With ``full_text``, each new item's article page is fetched for its main text.
        """
        return self._subscriptions.add(
            url, folder=folder, title=title, fetch=fetch, choose=choose, full_text=full_text
        )

    def import_opml(self, data: bytes) -> ImportReport:
        """Subscribe to the feeds of an OPML file (with folders); known ones merge."""
        return self._transfer.import_opml(data)

    def export_opml(self) -> str:
        return self._transfer.export_opml()

    def feeds(self, *, folder: str | None = None) -> list[Feed]:
        """Every subscription, or those in ``folder``, which must exist."""
        return self._subscriptions.all(folder=folder)

    def feed(self, ref: str | int) -> Feed:
        return self._feeds.resolve(str(ref))

    def edit_feed(
        self,
        ref: str | int,
        *,
        title: str | None = None,
        folder: str | None = None,
        full_text: bool | None = None,
    ) -> Feed:
        """Change a feed's title, folder (an empty one clears it) or full-text setting;
        None keeps a value."""
        return self._subscriptions.edit(ref, title=title, folder=folder, full_text=full_text)

    def remove_feed(self, ref: str | int) -> Feed:
        return self._subscriptions.remove(ref)

    # --- scanning ----------------------------------------------------------

    def scan(
        self,
        *,
        fetch: bool = True,
        feed_id: int | None = None,
        folder: str | None = None,
        force: bool = False,
        since: str | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> ScanReport:
        """Fetch due feeds (unless ``fetch`` is false) and report what is new: not yet shown
        by a digest (:func:`pkm.digest.new_items`), and shown from now on. Without
        fetching, when nothing is new, the last digest is shown again; ``since`` (``3d``,
        ``yesterday``, ``2026-11-01``, as in :meth:`find`) shows every item first seen
        since then instead.
        """
        from pkm.digest import scan

        return scan(
            self._conn,
            self._feeds,
            self._entries,
            self._write,
            read_only=self.read_only,
            fetch=self._fetch if fetch else None,
            feed_id=feed_id,
            folder=folder,
            force=force,
            since=since,
            progress=progress,
        )

    def _fetch(
        self,
        *,
        feed_id: int | None = None,
        folder: str | None = None,
        force: bool = False,
        progress: Callable[[int, int], None] | None = None,
    ) -> ScanReport:
        """Fetch and store due feeds; the report holds the feeds' outcomes, no entries."""
        self._require_writable()
        from pkm.scan import fetch_due

        return fetch_due(
            self._conn,
            self.path,
            self._write,
            feed_id=feed_id,
            folder=folder,
            force=force,
            progress=progress,
        )

    # --- entries and bookmarks ---------------------------------------------

    def entry(self, entry_id: int, *, mark_read: bool = False) -> Entry:
        """One entry; ``mark_read`` records that the user opened it (the sources review
        counts opened items)."""
        entry = self._entries.get(entry_id)
        if mark_read and not self.read_only:
            with self._write():
                self._entries.mark_read(entry_id, now_ts())
        return entry

    def triage(
        self,
        query: str | None = None,
        *,
        include_read: bool = False,
        first: int | None = None,
        network: bool = False,
    ) -> Triage:
        """The feed items to go through, as the scan digest shows them (muted ones out,
        one story from several feeds once), grouped by folder and feed, newest first; or
        the hits of ``query``, best first, when one is given; or, with ``network``, what
        the people followed saved (:meth:`network_triage`). ``first``: only the first
        that many feed items (a first screen, drawn before the rest is read)."""
        if network and query is None:
            return self.network_triage(include_read=include_read)
        return self._retrieval.triage(query, include_read=include_read, first=first)

    def set_read(self, entry_ids: Sequence[int], read: bool = True) -> int:
        """Mark entries read (or unread again); returns how many changed."""
        with self._write():
            return self._entries.set_read(entry_ids, now_ts() if read else None)

    def set_tags(self, entry_id: int, tags: Sequence[str]) -> Entry:
        """Give an entry exactly these tags; see :meth:`Bookmarks.set_tags`."""
        return self._bookmarks.set_tags(entry_id, tags)

    def fetch_full_text(self, entry_id: int) -> Entry:
        """Keep the main text of the entry's article page as its content; see
        :meth:`Bookmarks.fetch_full_text`."""
        return self._bookmarks.fetch_full_text(entry_id)

    def tag(
        self,
        entry_id: int,
        tags: Sequence[str],
        *,
        note: str | None = None,
        to_read: bool | None = None,
        private: bool | None = None,
    ) -> Entry:
        """Keep an entry as a bookmark with these tags and a note; see :meth:`Bookmarks.tag`."""
        return self._bookmarks.tag(entry_id, tags, note=note, to_read=to_read, private=private)

    def edit(
        self,
        entry_id: int,
        *,
        title: str | None = None,
        note: str | None = None,
        append_note: str | None = None,
        url: str | None = None,
    ) -> Entry:
        """Change a title, the note or a saved page's URL; see :meth:`Bookmarks.edit`."""
        return self._bookmarks.edit(
            entry_id, title=title, note=note, append_note=append_note, url=url
        )

    def unsave(self, entry_id: int) -> Entry:
        """Drop the bookmark; a feed item stays an item (:meth:`Bookmarks.unsave`)."""
        return self._bookmarks.unsave(entry_id)

    def delete(self, entry_id: int) -> Entry:
        """Remove a saved page that no feed brought (:meth:`Bookmarks.delete`)."""
        return self._bookmarks.delete(entry_id)

    def untag(self, entry_id: int, tags: Sequence[str]) -> Untagged:
        """Remove tags from an entry; see :meth:`Bookmarks.untag`."""
        return self._bookmarks.untag(entry_id, tags)

    def save(
        self,
        url: str,
        *,
        tags: Sequence[str] = (),
        note: str | None = None,
        title: str | None = None,
        fetch: bool = True,
        to_read: bool | None = None,
        private: bool | None = None,
        archive: bool = True,
    ) -> SaveResult:
        """Save any URL, merged into what the store knows of it; see :meth:`Bookmarks.save`."""
        return self._bookmarks.save(
            url,
            tags=tags,
            note=note,
            title=title,
            fetch=fetch,
            to_read=to_read,
            private=private,
            archive=archive,
        )

    # --- archived pages ----------------------------------------------------

    def archived(self, entry_id: int) -> Archive | None:
        """The entry's archived page (or the reason the last try kept none); None when
        archiving it was never tried."""
        return self._archives.get(entry_id)

    def archive_entry(self, entry_id: int, *, refresh: bool = False) -> Archive | None:
        """Fetch the entry's page and keep its readable text; see :func:`archive.archive_one`."""
        from pkm.archive import archive_one

        self._require_writable()
        return archive_one(self._entries, self._archives, self._write, entry_id, refresh=refresh)

    def archive(
        self,
        query: str | None = None,
        *,
        tag: str | None = None,
        refresh: bool = False,
        progress: Callable[[int, int], None] | None = None,
    ) -> ArchiveReport:
        """Archive saved entries' pages in bulk: all of them, or those with ``tag`` or
        matching ``query``; what is archived already is skipped unless ``refresh``.
        Each page's outcome is committed as it comes: an interrupted run keeps them."""
        from pkm.archive import archive_saved

        self._require_writable()
        entry_ids = self._retrieval.saved_ids(query, [tag] if tag else [])
        return archive_saved(self._conn, self._write, entry_ids, refresh=refresh, progress=progress)

    # --- retrieval ---------------------------------------------------------

    def find(
        self,
        query: str = "",
        *,
        tags: Sequence[str] = (),
        feed: str | None = None,
        since: str | None = None,
        saved: bool = False,
        unread: bool = False,
        like: int | None = None,
        limit: int = DEFAULT_LIMIT,
        offset: int = 0,
        options: FindOptions | None = None,
    ) -> SearchHits:
        """Full-text search, best match first; with no words, newest first.

        ``query`` is in the query language of :mod:`pkm.query`; the options mean what
        its filters mean (a tag may end with ``*``). ``like`` ranks the entries most
        similar to that entry (see :meth:`related`), narrowed by the rest. ``options``
        holds them all in one :class:`~pkm.types.FindOptions`, instead of one by one.
        """
        one_by_one = FindOptions(
            tags=tuple(tags),
            feed=feed,
            since=since,
            saved=saved,
            unread=unread,
            like=like,
            limit=limit,
            offset=offset,
        )
        if options is not None and one_by_one != FindOptions():
            raise UsageError("give find's options as options= or one by one, not both")
        return self._retrieval.find(query, options or one_by_one)

    def related(self, entry_id: int, *, limit: int = DEFAULT_LIMIT, offset: int = 0) -> SearchHits:
        """The entries most like this one (its rarest telling words), best first."""
        return self.find(like=entry_id, limit=limit, offset=offset)

    def tags(self, *, sort: str = "name", everyone: bool = False) -> list[TagCount]:
        """The person's tags and how many saves carry each; with ``everyone``, across
        the store's people (others' public saves only)."""
        return self._tags.counts(sort=sort, everyone=everyone)

    def rename_tag(self, old: str, new: str) -> bool:
        """Rename a tag; returns True when it was merged into an existing one."""
        with self._write():
            return self._tags.rename(old, new)

    def delete_tag(self, name: str) -> int:
        with self._write():
            return self._tags.delete(name)

    def tagged(self, tag: str) -> list[Entry]:
        """The entries with a tag, newest first; an unknown tag is an error."""
        return self._retrieval.tagged(tag)

    def check(
        self,
        query: str | None = None,
        *,
        tags: Sequence[str] = (),
        older_than: str | None = None,
        update_moved: bool = False,
        progress: Callable[[int, int], None] | None = None,
    ) -> CheckReport:
        """Check the links of saved entries (all, or those ``query`` and ``tags`` find, as
        in :meth:`find`), except those checked since ``older_than`` (``30d``, a date);
        with ``update_moved``, each moved one takes its new URL, the old kept as an alias.
        See :mod:`pkm.linkcheck` for how a link is judged."""
        from pkm.linkcheck import check_links
        from pkm.since import parse_since

        self._require_writable()
        before = to_ts(parse_since(older_than)) if older_than else None
        return check_links(
            self._conn,
            self._write,
            self._retrieval.saved_ids(query, tags),
            checked_before=before,
            update_moved=update_moved,
            progress=progress,
        )

    @staticmethod
    def export_format_for(path: str | os.PathLike[str] | None) -> str:
        """The reading-list format a file name asks for; Markdown otherwise."""
        from pkm.transfer import export_format_for

        return export_format_for(path)

    def export(
        self,
        tag: str | None = None,
        *,
        query: str | None = None,
        format: str = "md",
        include_private: bool = False,
    ) -> ReadingList:
        """A tag (or a search) as a reading list in one of :data:`pkm.formats.EXPORTERS`;
        ``alice/conference2.0`` is another person's tag: their public saves with it, with
        their tags and notes.

        A list is meant for others: private entries are left out (and counted) unless
        ``include_private``, except in formats that keep the flag with each bookmark.
        """
        entries, title = self._retrieval.reading_list(tag, query)
        return self._transfer.reading_list(
            entries, title=title, format=format, include_private=include_private
        )

    # --- moving data in and out ---------------------------------------------

    def import_file(
        self,
        path: str | os.PathLike[str],
        *,
        format: str | None = None,
        folders_as_tags: bool = True,
        progress: Callable[[int, int], None] | None = None,
        max_size: int = DEFAULT_MAX_FILE_BYTES,
    ) -> ImportReport:
        """Import a bookmark file, backup or OPML file; see :meth:`Transfer.import_file`."""
        return self._transfer.import_file(
            path,
            format=format,
            folders_as_tags=folders_as_tags,
            progress=progress,
            max_size=max_size,
        )

    def import_bookmarks(
        self,
        data: bytes,
        *,
        format: str | None = None,
        folders_as_tags: bool = True,
        progress: Callable[[int, int], None] | None = None,
    ) -> ImportReport:
        """Import bookmarks from bytes; see :meth:`Transfer.import_bookmarks`."""
        return self._transfer.import_bookmarks(
            data, format=format, folders_as_tags=folders_as_tags, progress=progress
        )

    def backup(self, out: IO[str]) -> None:
        """Write everything (feeds and their fetch state, entries, tags, notes) as JSON."""
        self._transfer.backup(out)

    def restore(self, data: bytes) -> ImportReport:
        """Load a backup into this store, which must be empty; ids are kept."""
        return self._transfer.restore(data)

    def copy_to(
        self, target: Pkm, *, progress: Callable[[int, int], None] | None = None
    ) -> dict[str, int]:
        """Copy everything this store holds (what :meth:`backup` writes) into ``target``,
        which must be empty, on either engine, ids kept; rows copied per table.
        ``progress`` hears ``(rows done, rows in all)``."""
        target._require_writable()
        same = self.location == target.location or (
            isinstance(self.location, Path)
            and isinstance(target.location, Path)
            and self.location.resolve() == target.location.resolve()
        )
        if same:
            raise UsageError(f"cannot copy the store {self.where} into itself")
        return self._transfer.copy_to(target._conn, target.where, progress)
