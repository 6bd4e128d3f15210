"""What the user keeps: saving a URL, tags, notes and titles, and letting go of it.

:class:`pkm.api.Pkm` hands these use cases here; each change is one write transaction,
and a page's title, description or article text is fetched before it, never inside.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from pkm.errors import PkmError, UsageError
from pkm.storage.archives import ArchiveRepository
from pkm.storage.db import Write
from pkm.storage.entries import EntryRepository
from pkm.storage.rows import now_ts
from pkm.storage.tags import TagRepository
from pkm.tagnames import clean_tags, tag_key
from pkm.types import Entry, SaveResult, Untagged
from pkm.urls import check_url, searchable


class Bookmarks:
    """The bookmarks of one open store."""

    def __init__(
        self,
        entries: EntryRepository,
        tags: TagRepository,
        archives: ArchiveRepository,
        write: Write,
        require_writable: Callable[[], None],
    ) -> None:
        self._entries = entries
        self._tags = tags
        self._archives = archives
        self._write = write
        self._require_writable = require_writable

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
        if entry.feed_id is None and not self._entries.saved_by_others(entry_id):
            raise PkmError(
                f"entry {entry_id} is a saved page with no feed: pkm delete {entry_id} removes it"
            )
        with self._write():
            self._entries.unsave(entry_id)
        return self._entries.get(entry_id)

    def delete(self, entry_id: int) -> Entry:
        """Remove a saved page that no feed brought, with the person's tags and note; a
        page someone else keeps stays theirs."""
        entry = self._entries.get(entry_id)
        if entry.feed_id is not None:
            raise PkmError(
                f"entry {entry_id} is an item of {entry.feed_title or 'a feed'}:"
                f" pkm unsave {entry_id} drops the bookmark"
            )
        others = self._entries.saved_by_others(entry_id)
        if others and entry.saved is None:
            raise PkmError(f"entry {entry_id} is not one of your saves")
        with self._write():
            if others:
                self._entries.unsave(entry_id)
            else:
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
        with self._write():
            # Looked up again inside the write: another pkm may have saved it meanwhile.
            existing = self._entries.by_url(url)
            if existing is None:
                entry_id = self._entries.add_page(
                    url,
                    title=title or page.title,
                    description=page.description,
                    source=searchable(url),
                    now=now_ts(),
                )
            else:
                entry_id = existing.id
                self._entries.fill_page(entry_id, title=page.title, description=page.description)
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
