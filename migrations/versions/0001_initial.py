"""Initial schema: feeds, entries (one id space), items, tags, scans, FTS5 index.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pkm.storage.columns import SECONDS

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

FTS_COLUMNS = "title, tags_text, note, text, source"


def upgrade() -> None:
    op.create_table(
        "feeds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("site_url", sa.Text(), nullable=True),
        sa.Column("folder", sa.Text(), nullable=True),
        sa.Column("added_at", SECONDS, nullable=False),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.Text(), nullable=True),
        sa.Column("body_hash", sa.String(length=64), nullable=True),
        sa.Column("last_fetched", SECONDS, nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("error_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("next_fetch_at", SECONDS, nullable=True),
        sa.Column("retired_at", SECONDS, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feeds")),
        sa.UniqueConstraint("url", name=op.f("uq_feeds_url")),
    )
    op.create_index(op.f("ix_feeds_folder"), "feeds", ["folder"])
    op.create_table(
        "scans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", SECONDS, nullable=False),
        sa.Column("finished_at", SECONDS, nullable=True),
        sa.Column("total", sa.Integer(), server_default="0", nullable=False),
        sa.Column("updated", SECONDS, server_default="0", nullable=False),
        sa.Column("not_modified", sa.Integer(), server_default="0", nullable=False),
        sa.Column("failed", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scans")),
    )
    op.create_table(
        "entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("url_key", sa.Text(), nullable=True),
        sa.Column("feed_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("author", sa.Text(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("content", sa.Text(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("tags_text", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=True),
        sa.Column("published", SECONDS, nullable=True),
        sa.Column("updated", SECONDS, nullable=True),
        sa.Column("first_seen", SECONDS, nullable=False),
        sa.Column("scan_id", sa.Integer(), nullable=True),
        sa.Column("sort_date", SECONDS, nullable=False),
        sa.Column("saved_at", SECONDS, nullable=True),
        sa.Column("to_read", sa.Integer(), server_default="0", nullable=False),
        sa.Column("private", sa.Integer(), server_default="0", nullable=False),
        sa.Column("read_at", SECONDS, nullable=True),
        sa.ForeignKeyConstraint(
            ["feed_id"], ["feeds.id"], name=op.f("fk_entries_feed_id_feeds"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["scan_id"], ["scans.id"], name=op.f("fk_entries_scan_id_scans"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entries")),
        sa.UniqueConstraint("url_key", name=op.f("uq_entries_url_key")),
    )
    for column in ("feed_id", "first_seen", "scan_id", "sort_date", "saved_at"):
        op.create_index(op.f(f"ix_entries_{column}"), "entries", [column])
    op.create_table(
        "items",
        sa.Column("feed_id", sa.Integer(), nullable=False),
        sa.Column("item_key", sa.Text(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=True),
        sa.Column("first_seen", SECONDS, nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["entries.id"], name=op.f("fk_items_entry_id_entries"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["feed_id"], ["feeds.id"], name=op.f("fk_items_feed_id_feeds"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("feed_id", "item_key", name=op.f("pk_items")),
    )
    op.create_index(op.f("ix_items_entry_id"), "items", ["entry_id"])
    op.create_table(
        "tags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tags")),
        sa.UniqueConstraint("key", name=op.f("uq_tags_key")),
    )
    op.create_table(
        "entry_tags",
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["entries.id"],
            name=op.f("fk_entry_tags_entry_id_entries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"], ["tags.id"], name=op.f("fk_entry_tags_tag_id_tags"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("entry_id", "tag_id", name=op.f("pk_entry_tags")),
    )
    op.create_index(op.f("ix_entry_tags_tag_id"), "entry_tags", ["tag_id"])
    if op.get_bind().dialect.name == "postgresql":
        _create_postgres_search()
    else:
        _create_sqlite_search()


def _create_sqlite_search() -> None:
    # Full-text index over entries (external content: the text is stored once),
    # case and accents folded so "ideeën" finds "ideeen".
    op.execute(
        f"CREATE VIRTUAL TABLE entries_fts USING fts5({FTS_COLUMNS}, content='entries',"
        " content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
    )
    new_values = "new.id, new.title, new.tags_text, new.note, new.text, new.source"
    old_values = "old.id, old.title, old.tags_text, old.note, old.text, old.source"
    op.execute(
        "CREATE TRIGGER entries_fts_insert AFTER INSERT ON entries BEGIN "
        f"INSERT INTO entries_fts(rowid, {FTS_COLUMNS}) VALUES ({new_values}); END"
    )
    op.execute(
        "CREATE TRIGGER entries_fts_delete AFTER DELETE ON entries BEGIN "
        f"INSERT INTO entries_fts(entries_fts, rowid, {FTS_COLUMNS}) "
        f"VALUES ('delete', {old_values}); END"
    )
    op.execute(
        f"CREATE TRIGGER entries_fts_update AFTER UPDATE OF {FTS_COLUMNS} ON entries BEGIN "
        f"INSERT INTO entries_fts(entries_fts, rowid, {FTS_COLUMNS}) "
        f"VALUES ('delete', {old_values}); "
        f"INSERT INTO entries_fts(rowid, {FTS_COLUMNS}) VALUES ({new_values}); END"
    )


# PostgreSQL's search document, weighted as SQLite's BM25 weights are ordered (title and
# tags, then note, then body, then source); each part capped so that no document reaches
# the 1 MB limit of a tsvector.
POSTGRES_DOCUMENT = (
    "setweight(to_tsvector('pkm', left(coalesce(title, ''), 2000)), 'A')"
    " || setweight(to_tsvector('pkm', left(coalesce(tags_text, ''), 5000)), 'A')"
    " || setweight(to_tsvector('pkm', left(coalesce(note, ''), 50000)), 'B')"
    " || setweight(to_tsvector('pkm', left(coalesce(text, ''), 300000)), 'C')"
    " || setweight(to_tsvector('pkm', left(coalesce(source, ''), 2000)), 'D')"
)


def _create_postgres_search() -> None:
    """A generated tsvector with a GIN index; case and accents folded by a text search
    configuration that puts the unaccent dictionary before the simple one (unaccent()
    itself is not immutable, so a generated column cannot call it)."""
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    op.execute(
        "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'pkm') THEN"
        " CREATE TEXT SEARCH CONFIGURATION pkm (COPY = simple);"
        " ALTER TEXT SEARCH CONFIGURATION pkm ALTER MAPPING FOR asciiword, asciihword,"
        " hword_asciipart, word, hword, hword_part, numword, numhword, hword_numpart"
        " WITH unaccent, simple;"
        " END IF; END $$"
    )
    op.execute(
        f"ALTER TABLE entries ADD COLUMN fts tsvector GENERATED ALWAYS AS ({POSTGRES_DOCUMENT})"
        " STORED"
    )
    op.execute("CREATE INDEX entries_fts_gin ON entries USING gin (fts)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("entries_fts_update", "entries_fts_delete", "entries_fts_insert"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS entries_fts")
    else:
        op.execute("ALTER TABLE entries DROP COLUMN fts")
        op.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS pkm")
    for table in ("entry_tags", "tags", "items", "entries", "scans", "feeds"):
        op.drop_table(table)
