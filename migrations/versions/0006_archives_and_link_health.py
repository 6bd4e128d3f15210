"""Saved pages outlive their links: archived text, link checks, old URLs kept as aliases,
and a search index that also reads the archived text and answers short prefixes fast.

* ``archives``: one row per entry whose page was fetched for keeping (or tried: the
  reason a page could not be kept is kept too), with the readable text as sanitized HTML;
  its plain text goes to ``entries.archived_text``, which the search index reads.
* ``link_checks``: the last health check of an entry's URL, and since when it is broken.
* ``entry_aliases``: URL keys an entry was known by before a check moved it, so that
  saving or importing the old URL finds the same entry.
* The full-text index gains the ``archived_text`` column and prefix indexes of two and
  three characters (``net*`` without merging every term that starts with "net"). It is
  recreated empty here; every entry is marked unindexed, and ``index_rebuild`` tells pkm
  to fill the index again in batches when the store is next opened (with a progress bar,
  resumable: an interrupted rebuild carries on from the entries still unindexed).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pkm.storage.columns import SECONDS, tsvector_document

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

OLD_COLUMNS = ("title", "tags_text", "note", "text", "source")
NEW_COLUMNS = (*OLD_COLUMNS, "archived_text")
TOKENIZE = "tokenize='unicode61 remove_diacritics 2'"


# PostgreSQL's generated search document of 0001 (see there), to downgrade to.
OLD_DOCUMENT = (
    "setweight(to_tsvector('pkm', left(coalesce(title, ''), 2000)), 'A')"
    " || setweight(to_tsvector('pkm', left(coalesce(tags_text, ''), 5000)), 'A')"
    " || setweight(to_tsvector('pkm', left(coalesce(note, ''), 50000)), 'B')"
    " || setweight(to_tsvector('pkm', left(coalesce(text, ''), 300000)), 'C')"
    " || setweight(to_tsvector('pkm', left(coalesce(source, ''), 2000)), 'D')"
)
# The head document caps each part in bytes, not characters: a tsvector holds each
# distinct lexeme with its positions, at most about 2.33 bytes per byte of text (short
# distinct words, one separator each) plus 2 bytes for each of its 16,383 positions, so
# parts of at most 348,000 bytes in all stay below the 1 MB limit (1,048,575 bytes)
# whatever the text. OLD_DOCUMENT's 300,000 characters of CJK text did not: that entry
# could not be stored.
DOCUMENT_BYTES = (
    ("title", 2_000, "A"),
    ("tags_text", 4_000, "A"),
    ("note", 40_000, "B"),
    ("text", 150_000, "C"),
    ("source", 2_000, "D"),
    ("archived_text", 150_000, "C"),
)
NEW_DOCUMENT = tsvector_document(DOCUMENT_BYTES)


def _postgres_document(document: str) -> None:
    op.execute("ALTER TABLE entries DROP COLUMN fts")
    op.execute(
        f"ALTER TABLE entries ADD COLUMN fts tsvector GENERATED ALWAYS AS ({document}) STORED"
    )
    op.execute("CREATE INDEX entries_fts_gin ON entries USING gin (fts)")


def _drop_index() -> None:
    for name in ("entries_fts_insert", "entries_fts_delete", "entries_fts_update"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS entries_fts")


def _create_index(columns: tuple[str, ...], options: str) -> None:
    """The external-content index and the triggers that keep indexed entries in it
    (entries a scan stores wait with ``indexed = 0`` for one batch at its end)."""
    names = ", ".join(columns)
    new = ", ".join(["new.id", *(f"new.{c}" for c in columns)])
    old = ", ".join(["old.id", *(f"old.{c}" for c in columns)])
    op.execute(
        f"CREATE VIRTUAL TABLE entries_fts USING fts5({names}, content='entries',"
        f" content_rowid='id', {options})"
    )
    op.execute(
        "CREATE TRIGGER entries_fts_insert AFTER INSERT ON entries WHEN new.indexed = 1 BEGIN "
        f"INSERT INTO entries_fts(rowid, {names}) VALUES ({new}); END"
    )
    op.execute(
        "CREATE TRIGGER entries_fts_delete AFTER DELETE ON entries WHEN old.indexed = 1 BEGIN "
        f"INSERT INTO entries_fts(entries_fts, rowid, {names}) VALUES ('delete', {old}); END"
    )
    op.execute(
        f"CREATE TRIGGER entries_fts_update AFTER UPDATE OF {names} ON entries"
        " WHEN old.indexed = 1 BEGIN "
        f"INSERT INTO entries_fts(entries_fts, rowid, {names}) VALUES ('delete', {old}); "
        f"INSERT INTO entries_fts(rowid, {names}) VALUES ({new}); END"
    )


def upgrade() -> None:
    op.create_table(
        "archives",
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("attempted_at", SECONDS, nullable=False),
        sa.Column("archived_at", SECONDS, nullable=True),
        sa.Column("final_url", sa.Text(), nullable=True),
        sa.Column("content_type", sa.Text(), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("content", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["entries.id"],
            name=op.f("fk_archives_entry_id_entries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("entry_id", name=op.f("pk_archives")),
    )
    op.create_table(
        "link_checks",
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("checked_at", SECONDS, nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("moved_to", sa.Text(), nullable=True),
        sa.Column("broken_since", SECONDS, nullable=True),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["entries.id"],
            name=op.f("fk_link_checks_entry_id_entries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("entry_id", name=op.f("pk_link_checks")),
    )
    op.create_index(op.f("ix_link_checks_state"), "link_checks", ["state"])
    op.create_table(
        "entry_aliases",
        sa.Column("url_key", sa.Text(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("added_at", SECONDS, nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["entries.id"],
            name=op.f("fk_entry_aliases_entry_id_entries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("url_key", name=op.f("pk_entry_aliases")),
    )
    op.create_index(op.f("ix_entry_aliases_entry_id"), "entry_aliases", ["entry_id"])
    op.create_table(
        "index_rebuild",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", SECONDS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_index_rebuild")),
    )
    op.add_column("entries", sa.Column("archived_text", sa.Text(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        _postgres_document(NEW_DOCUMENT)
        return
    _drop_index()
    _create_index(NEW_COLUMNS, f"prefix='2 3', {TOKENIZE}")
    op.execute("UPDATE entries SET indexed = 0 WHERE indexed = 1")
    op.execute(
        "INSERT INTO index_rebuild (id, started_at)"
        " VALUES (1, CAST(strftime('%s', 'now') AS INTEGER))"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _postgres_document(OLD_DOCUMENT)
        op.drop_column("entries", "archived_text")
    else:
        _drop_index()
        with op.batch_alter_table("entries") as batch:
            batch.drop_column("archived_text")
        _create_index(OLD_COLUMNS, TOKENIZE)
        op.execute("UPDATE entries SET indexed = 1")
        op.execute("INSERT INTO entries_fts(entries_fts) VALUES ('rebuild')")
    op.drop_table("index_rebuild")
    op.drop_index(op.f("ix_entry_aliases_entry_id"), table_name="entry_aliases")
    op.drop_table("entry_aliases")
    op.drop_index(op.f("ix_link_checks_state"), table_name="link_checks")
    op.drop_table("link_checks")
    op.drop_table("archives")
