"""Public domain types: frozen dataclasses, independent of storage.

Timestamps are timezone-aware UTC ``datetime`` objects in the public types; the
store keeps them as integer Unix seconds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Literal, NamedTuple

if TYPE_CHECKING:
    from pkm.discover import DiscoveredFeed
    from pkm.mute import MuteRule

FeedStatus = Literal["new", "ok", "failing", "retired"]


# How many hits a search lists unless told: a screenful.
DEFAULT_LIMIT = 20


@dataclass(frozen=True)
class Feed:
    id: int
    url: str
    title: str | None
    folder: str | None
    site_url: str | None = None
    status: FeedStatus = "new"
    last_status: int | None = None
    last_error: str | None = None
    errors: int = 0
    items: int = 0
    last_fetched: datetime | None = None
    next_fetch: datetime | None = None
    newest_item: datetime | None = None
    # Each new item's article page is fetched and its main text kept.
    full_text: bool = False

    @property
    def display_title(self) -> str:
        return self.title or self.url


@dataclass(frozen=True)
class Entry:
    """One thing pkm knows about: a feed item, a saved URL, or both (one id space)."""

    id: int
    url: str | None
    title: str | None
    feed_id: int | None = None
    feed_title: str | None = None
    author: str | None = None
    summary: str | None = None
    content: str | None = None
    text: str | None = None
    published: datetime | None = None
    first_seen: datetime | None = None
    saved: datetime | None = None
    note: str | None = None
    to_read: bool = False
    tags: tuple[str, ...] = ()
    muted: bool = False
    # A private save is the user's alone: never in an export meant for others.
    private: bool = False
    # Shown to the user (pkm read, show, open): what is:read and is:unread ask.
    read: bool = False
    # When the content was extracted from the article page; None: it is the feed's own.
    full_text_at: datetime | None = None

    @property
    def display_title(self) -> str:
        return self.title or self.url or f"entry {self.id}"


@dataclass(frozen=True)
class TagCount:
    name: str
    count: int


@dataclass(frozen=True)
class SearchHit:
    """One search result; ``highlights`` are (start, end) spans of matched words in ``snippet``."""

    entry: Entry
    snippet: str | None = None
    highlights: tuple[tuple[int, int], ...] = ()
    rank: float | None = None


@dataclass(frozen=True)
class FindOptions:
    """What a search asks besides its words: the options of ``pkm find``, which mean what
    the query's filters mean (see :meth:`pkm.api.Pkm.find`)."""

    tags: tuple[str, ...] = ()  # each required; one ending with ``*`` is a prefix
    feed: str | None = None  # a feed id or (part of) its title, as feed:NAME
    since: str | None = None  # ``7d``, ``yesterday``, ``2026-01-01`` (pkm.since)
    saved: bool = False
    unread: bool = False
    like: int | None = None  # rank the entries most like this entry id
    by: str | None = None  # a person's name, as by:NAME
    limit: int = DEFAULT_LIMIT
    offset: int = 0


class SearchHits(list[SearchHit]):
    """The hits of one search, best first.

    ``ranked`` is None when every match was ranked; otherwise only the newest
    ``ranked`` matches were (a query that matches more than
    :func:`pkm.search.window_size` entries ranks them newest window first).
    """

    def __init__(self, hits: Iterable[SearchHit] = (), *, ranked: int | None = None) -> None:
        super().__init__(hits)
        self.ranked = ranked
        # What the search asked, for saying why nothing matched: its filters as they are
        # written in a query (``#tag``, ``feed:x``, ``is:saved``…) and whether it had words.
        self.filters: tuple[str, ...] = ()
        self.had_words = False


class Subscription(NamedTuple):
    """What subscribing did: the feed, whether it is new, and the feeds found on the page
    when the URL given was a web page."""

    feed: Feed
    created: bool
    discovered: list[DiscoveredFeed]


class Untagged(NamedTuple):
    entry: Entry
    missing: list[str]  # the tags it did not have


class MuteChange(NamedTuple):
    """A mute rule added or removed, and how many stored entries it hid or showed again."""

    rule: MuteRule
    entries: int


@dataclass(frozen=True)
class ReadingList:
    """An export: its text, and how many private entries it left out."""

    text: str
    private_left_out: int = 0


@dataclass(frozen=True)
class SaveResult:
    entry: Entry
    merged: bool
    warning: str | None = None
    # The page's archive, when saving tried to keep it.
    archive: Archive | None = None


@dataclass(frozen=True)
class PageText:
    """What one try at keeping a page found: its readable text (sanitized HTML and plain
    text), or ``error``, why there is none; with what the page was, when it answered."""

    final_url: str | None = None
    content_type: str | None = None
    size: int | None = None
    html: str | None = field(default=None, repr=False)
    text: str | None = field(default=None, repr=False)
    error: str | None = None


@dataclass(frozen=True)
class Archive:
    """A saved page's kept text, which outlives the page. ``archived`` is None when no try
    kept any text; ``error`` says why the last try kept none (an earlier text stays)."""

    entry_id: int
    attempted: datetime
    archived: datetime | None
    final_url: str | None
    content_type: str | None
    size: int | None
    content: str | None = field(default=None, repr=False)
    text: str | None = field(default=None, repr=False)
    error: str | None = None


@dataclass(frozen=True)
class ArchiveReport:
    """What ``pkm archive`` did: pages archived, pages that failed (each reason with how
    many pages it stopped, most frequent first), and entries skipped (already archived)."""

    archived: int
    failed: tuple[tuple[str, int], ...]
    skipped: int

    @property
    def failed_count(self) -> int:
        return sum(count for _, count in self.failed)


@dataclass(frozen=True)
class FeedOutcome:
    """What happened to one feed during a scan."""

    feed_id: int
    url: str
    outcome: Literal["updated", "not_modified", "failed", "skipped", "retired"]
    new_items: int = 0
    error: str | None = None
    moved_to: str | None = None
    title: str | None = None

    @property
    def display_title(self) -> str:
        return self.title or self.url


@dataclass(frozen=True)
class Story:
    """A new item as a scan shows it: once, with the other feeds that also carried it."""

    entry: Entry
    also_in: tuple[str, ...] = ()
    # The other entries folded into this one (same title, another feed, within a day):
    # reading the story reads them too.
    folded: tuple[int, ...] = ()


@dataclass(frozen=True)
class Triage:
    """What ``pkm read`` goes through: stories in reading order, and each feed's folder."""

    stories: tuple[Story, ...]
    folders: Mapping[int, str | None]
    partial: bool = False  # only the first items: there may be more


@dataclass(frozen=True)
class ScanReport:
    total: int
    updated: int
    not_modified: int
    failed: int
    new_entries: tuple[Entry, ...]
    outcomes: tuple[FeedOutcome, ...] = ()
    # The new entries as shown: duplicates folded, muted ones left out.
    stories: tuple[Story, ...] = ()
    # Article pages of full-text feeds whose text was extracted, and why others were not
    # (each reason with how many pages it stopped), most frequent first.
    full_texts: int = 0
    full_text_failures: tuple[tuple[str, int], ...] = ()
    # The folder of each feed a story came from (None: no folder), for grouping.
    folders: Mapping[int, str | None] = field(default_factory=dict)

    @property
    def full_text_failed(self) -> int:
        return sum(count for _, count in self.full_text_failures)

    @property
    def errors(self) -> tuple[FeedOutcome, ...]:
        """Feeds that failed now, were retired now, or still wait after earlier failures."""
        return tuple(o for o in self.outcomes if o.outcome in ("failed", "retired", "skipped"))

    @property
    def skipped(self) -> int:
        return sum(o.outcome == "skipped" for o in self.outcomes)

    @property
    def moved(self) -> tuple[FeedOutcome, ...]:
        return tuple(o for o in self.outcomes if o.moved_to)


@dataclass(frozen=True)
class ImportReport:
    imported: int
    merged: int = 0
    skipped: tuple[str, ...] = ()
    # The format the file was read as ("Pocket CSV"), for the summary.
    read_as: str | None = None
    # Bookmarks imported with a problem, one line each (not counted apart: they are imported).
    problems: tuple[str, ...] = ()
    # For a backup restore: rows restored per table.
    restored: dict[str, int] = field(default_factory=dict)


# --- write-path types: what the parser and fetcher hand to the store ---------


@dataclass(frozen=True)
class ParsedEntry:
    """One item of a parsed feed, cleaned: URLs absolute, HTML sanitized, title plain text."""

    key: str
    url: str | None
    title: str | None
    author: str | None
    summary_html: str | None
    content_html: str | None
    text: str
    published: datetime | None
    updated: datetime | None
    content_hash: str


@dataclass(frozen=True)
class ParsedFeed:
    title: str | None
    site_url: str | None
    entries: tuple[ParsedEntry, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class OutlineFeed:
    """A subscription read from OPML; ``folder`` is a '/'-joined path of nested outlines."""

    url: str
    title: str | None = None
    folder: str | None = None
    site_url: str | None = None
    full_text: bool = False


@dataclass(frozen=True)
class OpmlImport:
    feeds: tuple[OutlineFeed, ...]
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class BookmarkData:
    """A bookmark read from an import file, before it is merged into the store."""

    url: str
    title: str | None = None
    note: str | None = None
    tags: tuple[str, ...] = ()
    added: datetime | None = None
    modified: datetime | None = None
    to_read: bool = False
    private: bool = False


@dataclass
class BookmarkImport:
    """What a bookmark file held: the bookmarks, one line per link that was skipped, and
    one per bookmark kept with a problem (a date that could not be read)."""

    bookmarks: list[BookmarkData] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


Verdict = Literal["dead", "failing", "noisy", "ok", "quiet", "valuable"]


@dataclass(frozen=True)
class FeedReview:
    """What one source gave over a period: the numbers behind keeping or pruning it."""

    feed: Feed
    items: int
    opened: int
    saved: int
    last_item: datetime | None
    per_week: float
    verdict: Verdict
    # Its items are nearly all summaries, and it does not fetch their article pages.
    summary_only: bool = False

    @property
    def saved_ratio(self) -> float:
        return self.saved / self.items if self.items else 0.0


@dataclass(frozen=True)
class FolderReview:
    folder: str | None
    feeds: int
    items: int
    saved: int

    @property
    def saved_ratio(self) -> float:
        return self.saved / self.items if self.items else 0.0


LinkState = Literal["ok", "moved", "gone", "dead", "failing"]
# The states of a link that does not work (``moved`` works: it only lives elsewhere).
BROKEN_LINK_STATES: tuple[LinkState, ...] = ("gone", "dead", "failing")


@dataclass(frozen=True)
class LinkCheck:
    """The last health check of a saved entry's URL.

    ``broken_since`` is when the current run of broken answers (gone, dead, failing)
    began; None while the link works. ``reason`` says what broke, in one line.
    """

    entry_id: int
    url: str
    state: LinkState
    status: int | None
    moved_to: str | None
    checked_at: datetime
    broken_since: datetime | None = None
    reason: str | None = None

    @property
    def broken(self) -> bool:
        return self.state in BROKEN_LINK_STATES


@dataclass(frozen=True)
class URLUpdate:
    """A moved entry given its new URL, or refused because ``conflict`` (another entry's
    id) already holds that URL; the old URL stays an alias only when it was updated."""

    entry_id: int
    old_url: str
    new_url: str
    conflict: int | None = None


@dataclass(frozen=True)
class CheckReport:
    """What ``pkm check`` found: each link checked now, in the order the answers came;
    how many were left out as checked recently; and the moved URLs it updated."""

    checks: tuple[LinkCheck, ...]
    skipped: int = 0
    updates: tuple[URLUpdate, ...] = ()

    def counts(self) -> dict[LinkState, int]:
        found: dict[LinkState, int] = dict.fromkeys(("ok", "moved", "gone", "dead", "failing"), 0)
        for check in self.checks:
            found[check.state] += 1
        return found


class ParseFailure(NamedTuple):
    """Why a parse worker found nothing to keep in a body (a feed that does not parse, a
    page without an article): one line. Crosses the worker pool instead of an exception."""

    reason: str


@dataclass(frozen=True)
class Person:
    """Someone with saves on the store, as another person may see them: ``saves`` and
    ``tags`` count only public saves, except for the person asking about themselves."""

    name: str
    saves: int
    public: int
    tags: int
    last_active: datetime | None
    default_private: bool = False


@dataclass(frozen=True)
class Follow:
    """Whose public saves a person follows: all of ``person``'s, or those with ``tag``
    (its name as first written; None for all); ``saves``: how many public saves of
    theirs that covers now."""

    person: str
    tag: str | None = None
    saves: int = 0

    @property
    def target(self) -> str:
        """As the user writes it: ``alice`` or ``alice/conference2.0``."""
        return f"{self.person}/{self.tag}" if self.tag else self.person


@dataclass(frozen=True)
class NetworkItem:
    """A public save of someone the person follows: the entry as the person sees it
    (``entry.tags``, ``entry.note`` are their own), and the saver's tags, note and time."""

    entry: Entry
    saved_by: str
    saved_at: datetime
    their_tags: tuple[str, ...]
    their_note: str | None


@dataclass(frozen=True)
class OtherSave:
    """Someone else's public save of an entry, as ``pkm show`` lists it: who, when, and
    their tags and note (text they wrote: untrusted, as any network text)."""

    person: str
    saved: datetime
    tags: tuple[str, ...]
    note: str | None
