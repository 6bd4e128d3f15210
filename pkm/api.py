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
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING

from pkm.config import store_path
from pkm.errors import FeedNotFoundError, PkmError, StoreError, TagNotFoundError, UsageError
from pkm.files import DEFAULT_MAX_FILE_BYTES
from pkm.storage.archives import ArchiveRepository
from pkm.storage.db import describe_error, open_any, transaction
from pkm.storage.entries import EntryRepository
from pkm.storage.feeds import FeedRepository
from pkm.storage.mutes import MuteRepository
from pkm.storage.rows import now_ts, to_ts
from pkm.storage.tags import TagRepository
from pkm.tagnames import clean_tags, tag_key
from pkm.transfer import Transfer
from pkm.types import (
    Archive,
    ArchiveReport,
    Entry,
    Feed,
    FeedReview,
    FolderReview,
    ImportReport,
    MuteChange,
    ReadingList,
    SaveResult,
    ScanReport,
    SearchHits,
    Story,
    Subscription,
    TagCount,
    Triage,
    Untagged,
)
from pkm.urls import check_url, searchable

if TYPE_CHECKING:
    from pkm.discover import DiscoveredFeed
    from pkm.mute import MuteRule
    from pkm.query import Query

# The most entries one search export holds.
MAX_EXPORT = 100_000
# The most hits a search in the reader lists.
MAX_TRIAGE_HITS = 1_000


class Pkm:
    """One open store. Use as a context manager, or call :meth:`close`."""

    def __init__(self, conn: sqlite3.Connection, path: Path, *, read_only: bool = False) -> None:
        self._conn = conn
        self.path = path
        # A store pkm may not write still answers every question; writes are refused.
        self.read_only = read_only
        self._feeds = FeedRepository(conn)
        self._entries = EntryRepository(conn)
        self._tags = TagRepository(conn)
        self._archives = ArchiveRepository(conn)
        self._transfer = Transfer(conn, path, self._write)

    @classmethod
    def open(
        cls,
        db: str | os.PathLike[str] | None = None,
        *,
        progress: Callable[[int, int], None] | None = None,
    ) -> Pkm:
        """Open the store at ``db`` (path or sqlite URL), else ``PKM_DB``, else the default.

        ``progress`` hears ``(done, total)`` while a newer pkm rebuilds the search index
        once after an upgrade.
        """
        path = store_path(db)
        conn, read_only = open_any(path, progress)
        return cls(conn, path, read_only=read_only)

    def close(self) -> None:
        self._conn.close()

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
                f"store is read-only: {self.path} (reading works; writing needs write access"
                " to the file and its folder)"
            )

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        self._require_writable()
        try:
            with transaction(self._conn) as conn:
                yield conn
        except sqlite3.OperationalError as exc:
            raise StoreError(describe_error(exc, self.path)) from None

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
        the URL was a page; ``choose`` picks among them). A new feed is fetched at once.
        With ``full_text``, each new item's article page is fetched for its main text.
        """
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

    def import_opml(self, data: bytes) -> ImportReport:
        """Subscribe to the feeds of an OPML file (with folders); known ones merge."""
        return self._transfer.import_opml(data)

    def export_opml(self) -> str:
        return self._transfer.export_opml()

    def feeds(self, *, folder: str | None = None) -> list[Feed]:
        """Every subscription, or those in ``folder``, which must exist."""
        if folder is not None:
            self._feeds.check_folder(folder)
        return self._feeds.all(folder=folder)

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
        if title is None and folder is None and full_text is None:
            raise UsageError("nothing to change: give --title, --folder or --full-text")
        if title is not None and not title.strip():
            raise UsageError("a title cannot be empty")
        feed = self._feeds.resolve(str(ref))
        with self._write():
            self._feeds.edit(feed.id, title=title, folder=folder, full_text=full_text)
        return self._feeds.get(feed.id)

    def remove_feed(self, ref: str | int) -> Feed:
        feed = self._feeds.resolve(str(ref))
        with self._write():
            self._feeds.remove(feed.id)
        return feed

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
        """Fetch due feeds (unless ``fetch`` is false) and report what is new.

        New means not yet shown by a digest: what this scan stored, and what earlier ones
        stored but never showed (a scan cut short, a feed's first fetch when it was added).
        Reported entries count as shown. Without fetching, when nothing is new, the last
        digest is shown again; ``since`` (``3d``, ``yesterday``, ``2026-11-01``, as in
        :meth:`find`) shows every item first seen since then instead.
        """
        from pkm.query import parse_since

        start = parse_since(since) if since else None
        if feed_id is not None:
            self._feeds.get(feed_id)
        if folder is not None:
            self._feeds.check_folder(folder)
        report = ScanReport(0, 0, 0, 0, ())
        if fetch:
            report = self._fetch(feed_id=feed_id, folder=folder, force=force, progress=progress)
        elif not self.read_only:
            self._settle_stored()  # a scan killed outright left its items unsettled
        if start is not None:
            new = self._entries.new_items(since=to_ts(start), feed_id=feed_id, folder=folder)
        else:
            new = self._entries.new_items(unshown=True, feed_id=feed_id, folder=folder)
            if new:
                if not self.read_only:  # shown, but it cannot be recorded
                    with self._write():
                        self._entries.mark_shown([e.id for e in new], now_ts())
            elif not fetch:
                last = self._entries.last_shown(feed_id=feed_id, folder=folder)
                if last is not None:
                    new = self._entries.new_items(shown_at=last, feed_id=feed_id, folder=folder)
        stories = self._stories(new)
        feed_ids = sorted({s.entry.feed_id for s in stories if s.entry.feed_id is not None})
        return replace(
            report,
            new_entries=tuple(new),
            stories=stories,
            folders=self._entries.folders(feed_ids),
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

        try:
            return fetch_due(
                self._conn,
                self.path,
                self._write,
                feed_id=feed_id,
                folder=folder,
                force=force,
                progress=progress,
            )
        except sqlite3.OperationalError as exc:
            raise StoreError(describe_error(exc, self.path)) from None

    def _settle_stored(self) -> None:
        from pkm.scan import settle_stored

        with self._write():
            settle_stored(self._conn)

    def _stories(self, entries: Sequence[Entry]) -> tuple[Story, ...]:
        """The new entries as a scan shows them: muted ones out, duplicates folded."""
        from pkm.digest import collapse

        shown = [e for e in entries if not e.muted]
        return tuple(collapse(shown, self._entries.other_feeds(shown)))

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
        self, query: str | None = None, *, include_read: bool = False, first: int | None = None
    ) -> Triage:
        """The feed items to go through, as the scan digest shows them (muted ones out,
        one story from several feeds once), grouped by folder and feed, newest first; or
        the hits of ``query``, best first, when one is given. ``first``: only the first
        that many items (a first screen, drawn before the rest is read)."""
        stories: Sequence[Story]
        if query is not None:
            stories = [Story(hit.entry) for hit in self.find(query, limit=MAX_TRIAGE_HITS)]
        else:
            entries = self._entries.triage(include_read=include_read, limit=first)
            stories = self._stories(entries)
        feed_ids = sorted({s.entry.feed_id for s in stories if s.entry.feed_id is not None})
        partial = query is None and first is not None and len(entries) >= first
        return Triage(tuple(stories), self._entries.folders(feed_ids), partial)

    def set_read(self, entry_ids: Sequence[int], read: bool = True) -> int:
        """Mark entries read (or unread again); returns how many changed."""
        with self._write():
            return self._entries.set_read(entry_ids, now_ts() if read else None)

    def set_tags(self, entry_id: int, tags: Sequence[str]) -> Entry:
        """Give an entry exactly these tags; tags keep it saved (none leave it as it was)."""
        names = clean_tags(tags)
        entry = self._entries.get(entry_id)
        keep = {tag_key(name) for name in names}
        with self._write():
            if names:
                self._entries.mark_saved(entry_id, now=now_ts())
            self._tags.remove(entry_id, [t for t in entry.tags if tag_key(t) not in keep])
            self._tags.add(entry_id, names)
        return self._entries.get(entry_id)

    def fetch_full_text(self, entry_id: int) -> Entry:
        """Fetch the entry's article page and keep its main text as the content (found
        by search, shown by ``pkm show``); raises, keeping the entry as it was, when the
        page cannot be fetched or holds no article."""
        from pkm.pages import article_of

        entry = self._entries.get(entry_id)
        if not entry.url:
            raise PkmError(f"entry {entry_id} has no URL to fetch")
        self._require_writable()
        article = article_of(entry.url)
        with self._write():
            self._entries.store_full_text(entry_id, article.html, article.text, now_ts())
        return self._entries.get(entry_id)

    def tag(
        self,
        entry_id: int,
        tags: Sequence[str],
        *,
        note: str | None = None,
        to_read: bool | None = None,
        private: bool | None = None,
    ) -> Entry:
        """Keep an entry as a bookmark with these tags (added to earlier ones) and a note;
        ``private`` (when given) makes it the user's alone, or shared again."""
        names = clean_tags(tags)
        self._entries.get(entry_id)
        with self._write():
            self._entries.mark_saved(
                entry_id, now=now_ts(), note=note, to_read=to_read, private=private
            )
            self._tags.add(entry_id, names)
        return self._entries.get(entry_id)

    def edit(
        self,
        entry_id: int,
        *,
        title: str | None = None,
        note: str | None = None,
        append_note: str | None = None,
        url: str | None = None,
    ) -> Entry:
        """Change what was saved: a title, the note (``""`` clears it; ``append_note`` adds a
        line), or the URL of a page no feed brought (a feed item's URL is the feed's)."""
        if note is not None and append_note is not None:
            raise UsageError("give a new note or a note to append, not both")
        entry = self._entries.get(entry_id)
        if url is not None:
            url = check_url(url)
            if entry.feed_id is not None:
                raise PkmError(f"entry {entry_id} is a feed item: its URL is the feed's")
        with self._write():
            if title is not None:
                if not title.strip():
                    raise UsageError("a title cannot be empty")
                self._entries.set_title(entry_id, " ".join(title.split()))
            if note is not None:
                self._entries.set_note(entry_id, note.strip() or None)
            if append_note:
                self._entries.append_note(entry_id, append_note.strip())
            if url is not None:
                self._entries.set_url(entry_id, url)
        return self._entries.get(entry_id)

    def unsave(self, entry_id: int) -> Entry:
        """Drop the bookmark (tags, note, saved date, flags); a feed item stays an item."""
        entry = self._entries.get(entry_id)
        if entry.feed_id is None:
            raise PkmError(
                f"entry {entry_id} is a saved page with no feed: pkm delete {entry_id} removes it"
            )
        with self._write():
            self._entries.unsave(entry_id)
        return self._entries.get(entry_id)

    def delete(self, entry_id: int) -> Entry:
        """Remove a saved page that no feed brought, with its tags and note."""
        entry = self._entries.get(entry_id)
        if entry.feed_id is not None:
            raise PkmError(
                f"entry {entry_id} is an item of {entry.feed_title or 'a feed'}:"
                f" pkm unsave {entry_id} drops the bookmark"
            )
        with self._write():
            self._entries.delete(entry_id)
        return entry

    def untag(self, entry_id: int, tags: Sequence[str]) -> Untagged:
        """Remove tags from an entry; returns it and the tags it did not have."""
        names = clean_tags(tags)
        self._entries.get(entry_id)
        with self._write():
            missing = self._tags.remove(entry_id, names)
        return Untagged(self._entries.get(entry_id), missing)

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
        """Save any URL; its page title and description are fetched unless ``fetch`` is
        false, and with ``archive`` its readable text is kept (see :mod:`pkm.archive`)
        from the same fetch, unless an earlier save already tried.

        Saving a URL that is already known (from a feed or an earlier save) merges into it.
        """
        from pkm.pages import SavedPage

        url = check_url(url)
        names = clean_tags(tags)
        existing = self._entries.by_url(url)
        need_title = existing is None or not existing.title
        archive = fetch and archive and (existing is None or not self._archives.tried(existing.id))
        page = SavedPage()
        if fetch and (need_title or archive):
            from pkm.pages import saved_page

            page = saved_page(url, archive=archive, need_title=need_title)
        page_title, description = page.title, page.description
        with self._write():
            # Looked up again inside the write: another pkm may have saved it meanwhile.
            existing = self._entries.by_url(url)
            if existing is None:
                entry_id = self._entries.add_page(
                    url,
                    title=title or page_title,
                    description=description,
                    source=searchable(url),
                    now=now_ts(),
                )
            else:
                entry_id = existing.id
                self._entries.fill_page(entry_id, title=page_title, description=description)
                if title:
                    self._entries.set_title(entry_id, title)
            self._entries.mark_saved(
                entry_id, now=now_ts(), note=note, to_read=to_read, private=private
            )
            self._tags.add(entry_id, names)
            if page.archive is not None:
                self._archives.store(entry_id, page.archive, now_ts())
        return SaveResult(
            self._entries.get(entry_id),
            merged=existing is not None,
            warning=page.warning,
            archive=self._archives.get(entry_id),
        )

    # --- archived pages ----------------------------------------------------

    def archived(self, entry_id: int) -> Archive | None:
        """The entry's archived page (or the reason the last try kept none); None when
        archiving it was never tried."""
        return self._archives.get(entry_id)

    def archive_entry(self, entry_id: int, *, refresh: bool = False) -> Archive | None:
        """Fetch the entry's page and keep its readable text; a page already tried is
        left as it is unless ``refresh``. None when the entry has no URL to fetch or was
        tried before; else the archive, whose ``error`` says why no text was kept."""
        from pkm.archive import fetch_text

        entry = self._entries.get(entry_id)
        if not entry.url or (not refresh and self._archives.tried(entry_id)):
            return None
        self._require_writable()
        kept = fetch_text(entry.url)
        with self._write():
            self._archives.store(entry_id, kept, now_ts())
        return self._archives.get(entry_id)

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
        entry_ids = None
        if query or tag:
            hits = self.find(query or "", tags=[tag] if tag else [], saved=True, limit=MAX_EXPORT)
            entry_ids = [hit.entry.id for hit in hits]
        try:
            return archive_saved(
                self._conn, self._write, entry_ids, refresh=refresh, progress=progress
            )
        except sqlite3.OperationalError as exc:
            raise StoreError(describe_error(exc, self.path)) from None

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
        limit: int = 20,
        offset: int = 0,
    ) -> SearchHits:
        """Full-text search, best match first; with no words, newest first.

        ``query`` is in the query language of :mod:`pkm.query`; the options mean what
        its filters mean (a tag may end with ``*``). ``like`` ranks the entries most
        similar to that entry (see :meth:`related`), narrowed by the rest.
        """
        from pkm.query import merge, parse_query, parse_since
        from pkm.search import related, search

        if limit < 1 or offset < 0:
            raise UsageError("--limit must be at least 1 and --offset at least 0")
        written = parse_query(query)
        parsed = merge(
            written,
            tags=tuple(tags),
            feeds=(feed,) if feed else (),
            since=parse_since(since) if since else None,
            saved=saved,
            unread=unread,
        )
        if like is not None:
            self._entries.get(like)
        try:
            if like is not None:
                hits = related(self._conn, like, parsed, limit=limit, offset=offset)
            else:
                hits = search(self._conn, parsed, limit=limit, offset=offset)
        except sqlite3.OperationalError as exc:
            raise StoreError(describe_error(exc, self.path)) from None
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

    def related(self, entry_id: int, *, limit: int = 20, offset: int = 0) -> SearchHits:
        """The entries most like this one (its rarest telling words), best first."""
        return self.find(like=entry_id, limit=limit, offset=offset)

    def tags(self, *, sort: str = "name") -> list[TagCount]:
        return self._tags.counts(sort=sort)

    def rename_tag(self, old: str, new: str) -> bool:
        """Rename a tag; returns True when it was merged into an existing one."""
        with self._write():
            return self._tags.rename(old, new)

    def delete_tag(self, name: str) -> int:
        with self._write():
            return self._tags.delete(name)

    def tagged(self, tag: str) -> list[Entry]:
        """The entries with a tag, newest first; an unknown tag is an error."""
        entries = self._entries.with_tag(tag_key(tag))
        if not entries:
            raise TagNotFoundError(f"no entries tagged {tag!r}")
        return entries

    @staticmethod
    def export_format_for(path: str | os.PathLike[str] | None) -> str:
        """The reading-list format a file name asks for; Markdown otherwise."""
        from pkm.transfer import export_format_for

        return export_format_for(path)

    def describe(self, exc: sqlite3.Error) -> str:
        """A driver error met outside the facade's own translation, as one line."""
        return describe_error(exc, self.path)

    def export(
        self,
        tag: str | None = None,
        *,
        query: str | None = None,
        format: str = "md",
        include_private: bool = False,
    ) -> ReadingList:
        """A tag (or a search) as a reading list in one of :data:`pkm.formats.EXPORTERS`.

        A list is meant for others: private entries are left out (and counted) unless
        ``include_private``, except in formats that keep the flag with each bookmark.
        """
        if tag is None and query is None:
            raise UsageError("export needs a tag or --query")
        if tag is not None and query is not None:
            raise UsageError("export takes a tag or --query, not both")
        if tag is not None:
            entries = self.tagged(tag)
            title = f"Reading list: {_display_tag(entries, tag)}"
        else:
            hits = self.find(query or "", limit=MAX_EXPORT)
            if not hits:
                raise PkmError(f"nothing matches {query!r}")
            entries = [self._entries.get(hit.entry.id) for hit in hits]
            title = f"Reading list: {query}"
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

    # --- a calmer morning ----------------------------------------------------

    def mute_rules(self) -> list[MuteRule]:
        return MuteRepository(self._conn).rules()

    def mute(self, rule: str) -> MuteChange:
        """Add a mute rule; returns it and how many stored entries it mutes."""
        with self._write():
            return MuteChange(*MuteRepository(self._conn).add(rule, now_ts()))

    def unmute(self, ref: str) -> MuteChange:
        """Remove a mute rule by id or text; returns it and how many entries show again."""
        with self._write():
            return MuteChange(*MuteRepository(self._conn).remove(ref))

    # --- reviewing sources ---------------------------------------------------

    def review(self, *, since: str = "90d") -> list[FeedReview]:
        """What each feed gave since ``since``, with a verdict; pruning candidates first."""
        from pkm.query import parse_since
        from pkm.review import review
        from pkm.storage.review import feed_activity

        start = parse_since(since)
        return review(feed_activity(self._conn, to_ts(start) or 0), since=start)

    @staticmethod
    def by_folder(reviews: Sequence[FeedReview]) -> list[FolderReview]:
        """The reviews summed per folder."""
        from pkm.review import by_folder

        return by_folder(reviews)

    def prune(self, feed_ids: Sequence[int], out: IO[str]) -> list[Feed]:
        """Unsubscribe from feeds, first writing them to ``out`` as OPML so nothing is lost.

        Saved entries from those feeds stay, as with :meth:`remove_feed`.
        """
        from pkm.formats.opml import dump_opml

        feeds = [self._feeds.get(feed_id) for feed_id in feed_ids]
        out.write(dump_opml(feeds, title="Subscriptions removed by pkm feeds review --prune"))
        out.flush()
        with self._write():
            for feed in feeds:
                self._feeds.remove(feed.id)
        return feeds


def _display_tag(entries: Sequence[Entry], tag: str) -> str:
    key = tag_key(tag)
    for name in entries[0].tags:
        if name.casefold() == key:
            return name
    return tag
