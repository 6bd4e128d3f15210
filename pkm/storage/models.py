"""The schema, as SQLAlchemy 2.x declarative models.

These models are the source of truth that Alembic migrations are checked against
(``tests/test_migrations.py`` asserts no autogenerate difference). The running
code reads and writes through the repositories in this package, on the stdlib
``sqlite3`` driver, so that the read path does not pay the ORM's import cost.

Timestamps are integer Unix seconds (UTC).
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, Integer, MetaData, String, Text
from sqlalchemy import text as sql_text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from pkm.storage.columns import SECONDS

# Names for constraints and indexes, so migrations can refer to them stably.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# What Alembic must not compare against the models, made by raw SQL in the migrations:
# on SQLite the FTS5 indexes of entries and of saves and the shadow tables SQLite
# creates for them, on PostgreSQL the generated search documents ``entries.fts`` and
# ``saves.fts`` and their GIN indexes ``entries_fts_gin`` and ``saves_fts_gin``.
FTS_TABLE = "entries_fts"
SAVES_FTS_TABLE = "saves_fts"
FTS_DOCUMENT = "fts"


def is_fts_table(name: str | None) -> bool:
    return bool(name) and str(name).startswith((FTS_TABLE, SAVES_FTS_TABLE))


def is_search_object(name: str | None, type_: str) -> bool:
    """Whether Alembic's autogenerate should leave this name out."""
    if type_ == "column":
        return name == FTS_DOCUMENT
    return type_ in ("table", "index") and is_fts_table(name)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class FeedRow(Base):
    __tablename__ = "feeds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(Text, unique=True)
    title: Mapped[str | None] = mapped_column(Text)
    site_url: Mapped[str | None] = mapped_column(Text)
    added_at: Mapped[int] = mapped_column(SECONDS)
    # Fetch state: validators stored verbatim, hash of the last 200 body.
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    body_hash: Mapped[str | None] = mapped_column(String(64))
    last_fetched: Mapped[int | None] = mapped_column(SECONDS)
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    error_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_fetch_at: Mapped[int | None] = mapped_column(SECONDS)
    retired_at: Mapped[int | None] = mapped_column(SECONDS)
    # Start of the current run of failures (None while the feed works).
    failing_since: Mapped[int | None] = mapped_column(SECONDS)
    # 1: each new item's article page is fetched, its main text kept as the content.
    full_text: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class EntryRow(Base):
    """A feed item, a saved URL, or both: one id space for everything pkm shows."""

    __tablename__ = "entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str | None] = mapped_column(Text)
    # Normalised URL: one entry per page, whichever feed or save brought it.
    url_key: Mapped[str | None] = mapped_column(Text, unique=True)
    feed_id: Mapped[int | None] = mapped_column(ForeignKey("feeds.id", ondelete="SET NULL"))
    title: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)
    content: Mapped[str | None] = mapped_column(Text)
    # Plain text of summary and content, for search.
    text: Mapped[str | None] = mapped_column(Text)
    # Feed title and URL host, for search; kept here so the FTS index can read it.
    source: Mapped[str | None] = mapped_column(Text)
    content_hash: Mapped[str | None] = mapped_column(String(64))
    published: Mapped[int | None] = mapped_column(SECONDS)
    updated: Mapped[int | None] = mapped_column(SECONDS)
    first_seen: Mapped[int] = mapped_column(SECONDS, index=True)
    # The scan that first stored it (none for pages saved by URL).
    scan_id: Mapped[int | None] = mapped_column(
        ForeignKey("scans.id", ondelete="SET NULL"), index=True
    )
    # published, else first seen: what "newest first" sorts by.
    sort_date: Mapped[int] = mapped_column(SECONDS, index=True)
    # 0 while a scan's new entry waits to be added to the full-text index in one batch.
    indexed: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # When the content was extracted from the article page (NULL: it is the feed's own).
    full_text_at: Mapped[int | None] = mapped_column(SECONDS)
    # Plain text of the archived page (see ArchiveRow), for search.
    archived_text: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index(
            "ix_entries_unindexed",
            "id",
            sqlite_where=sql_text("indexed = 0"),
            postgresql_where=sql_text("indexed = 0"),
        ),
        # A feed's items after a subscription's watermark: what is new to its subscriber.
        Index("ix_entries_feed_id_id", "feed_id", "id"),
    )


class ItemRow(Base):
    """Which feed brought which entry, under which identity (guid, link or hash)."""

    __tablename__ = "items"

    feed_id: Mapped[int] = mapped_column(
        ForeignKey("feeds.id", ondelete="CASCADE"), primary_key=True
    )
    item_key: Mapped[str] = mapped_column(Text, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), index=True)
    content_hash: Mapped[str | None] = mapped_column(String(64))
    first_seen: Mapped[int] = mapped_column(SECONDS)


class PersonRow(Base):
    """Someone whose saves, tags and notes the store keeps (feed items are everyone's)."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text, unique=True)
    created_at: Mapped[int] = mapped_column(SECONDS)
    # 1: a save is private unless it is made public.
    default_private: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class SaveRow(Base):
    """One person's bookmark of an entry: their date, note, flags and (in SaveTagRow) tags."""

    __tablename__ = "saves"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), index=True)
    saved_at: Mapped[int] = mapped_column(SECONDS)
    note: Mapped[str | None] = mapped_column(Text)
    to_read: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    private: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Space-joined tag names, for search; maintained by the tag repository.
    tags_text: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index("ix_saves_person_id_entry_id", "person_id", "entry_id", unique=True),
        Index("ix_saves_person_id_saved_at", "person_id", "saved_at"),
    )


class SubscriptionRow(Base):
    """One person's subscription to a feed: their title and folder for it, and how far
    their scan digests have shown its items. The feed, its fetch state and its items are
    shared: a feed two people follow is fetched once and its items stored once."""

    __tablename__ = "subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    feed_id: Mapped[int] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"), index=True)
    # The person's name for the feed (NULL: the feed's own title).
    title: Mapped[str | None] = mapped_column(Text)
    folder: Mapped[str | None] = mapped_column(Text)
    added_at: Mapped[int] = mapped_column(SECONDS)
    # Entry ids grow as items are stored: the feed's items above shown_through are new to
    # the person; the last digest showed those in (shown_from, shown_through], at shown_at.
    shown_through: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    shown_from: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    shown_at: Mapped[int | None] = mapped_column(SECONDS)

    __table_args__ = (
        Index("ix_subscriptions_person_id_feed_id", "person_id", "feed_id", unique=True),
    )


class EntryStateRow(Base):
    """One person's state of an entry: read, or hidden from their scans by one of their
    mute rules. No row: unread and not muted."""

    __tablename__ = "entry_states"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("entries.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    read_at: Mapped[int | None] = mapped_column(SECONDS)
    # Matched by a mute rule: stored and searchable, but not shown by a scan.
    muted: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class FollowRow(Base):
    """Whose public saves a person follows: all of them, or those with one tag."""

    __tablename__ = "follows"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    followed_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), index=True
    )
    # The key of the one tag followed; '' for all of their public saves.
    tag_key: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[int] = mapped_column(SECONDS)

    __table_args__ = (
        Index(
            "ix_follows_person_id_followed_id_tag_key",
            "person_id",
            "followed_id",
            "tag_key",
            unique=True,
        ),
    )


class TagRow(Base):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Display form, as it was first written.
    name: Mapped[str] = mapped_column(Text)
    # Identity: case-folded name.
    key: Mapped[str] = mapped_column(Text, unique=True)


class SaveTagRow(Base):
    __tablename__ = "save_tags"

    save_id: Mapped[int] = mapped_column(
        ForeignKey("saves.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(
        ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class ScanRow(Base):
    __tablename__ = "scans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[int] = mapped_column(SECONDS)
    finished_at: Mapped[int | None] = mapped_column(SECONDS)
    total: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    updated: Mapped[int] = mapped_column(SECONDS, default=0, server_default="0")
    not_modified: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    failed: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Who ran it: a person's scan history is theirs.
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True
    )


class MuteRuleRow(Base):
    """One person's mute rule (see pkm.mute)."""

    __tablename__ = "mute_rules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    rule: Mapped[str] = mapped_column(Text)
    created_at: Mapped[int] = mapped_column(SECONDS)

    __table_args__ = (Index("ix_mute_rules_person_id_rule", "person_id", "rule", unique=True),)


class ArchiveRow(Base):
    """A saved page's readable text, kept so that it outlives the page."""

    __tablename__ = "archives"

    entry_id: Mapped[int] = mapped_column(
        ForeignKey("entries.id", ondelete="CASCADE"), primary_key=True
    )
    # The last try, and when it last succeeded (NULL: never; see error).
    attempted_at: Mapped[int] = mapped_column(SECONDS)
    archived_at: Mapped[int | None] = mapped_column(SECONDS)
    # Where the redirects ended, and what the page was.
    final_url: Mapped[str | None] = mapped_column(Text)
    content_type: Mapped[str | None] = mapped_column(Text)
    size: Mapped[int | None] = mapped_column(Integer)
    # The main text as sanitized HTML.
    content: Mapped[str | None] = mapped_column(Text)
    # Why the last try kept no text.
    error: Mapped[str | None] = mapped_column(Text)


class LinkCheckRow(Base):
    """The last health check of an entry's URL."""

    __tablename__ = "link_checks"

    entry_id: Mapped[int] = mapped_column(
        ForeignKey("entries.id", ondelete="CASCADE"), primary_key=True
    )
    checked_at: Mapped[int] = mapped_column(SECONDS)
    # ok, moved, gone, dead or failing.
    state: Mapped[str] = mapped_column(Text, index=True)
    http_status: Mapped[int | None] = mapped_column(Integer)
    # Where a permanent redirect points.
    moved_to: Mapped[str | None] = mapped_column(Text)
    # Start of the current run of broken answers (NULL while the link works).
    broken_since: Mapped[int | None] = mapped_column(SECONDS)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)


class EntryAliasRow(Base):
    """A URL an entry was known by before its link moved."""

    __tablename__ = "entry_aliases"

    url_key: Mapped[str] = mapped_column(Text, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), index=True)
    added_at: Mapped[int] = mapped_column(SECONDS)


class IndexRebuildRow(Base):
    """Present while the full-text index is being filled again after a migration."""

    __tablename__ = "index_rebuild"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[int] = mapped_column(SECONDS)
