"""Index a scan's new entries in one batch at its end, not one by one as they arrive.

Entries a scan stores carry ``indexed = 0`` and the full-text triggers pass them over;
the scan then adds them all to the index in one statement, which costs a fraction of
row-by-row indexing. Entries saved or imported are still indexed as they are written.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

COLUMNS = "title, tags_text, note, text, source"
NEW = "new.id, new.title, new.tags_text, new.note, new.text, new.source"
OLD = "old.id, old.title, old.tags_text, old.note, old.text, old.source"


def _triggers(condition_new: str, condition_old: str) -> None:
    for name in ("entries_fts_insert", "entries_fts_delete", "entries_fts_update"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute(
        f"CREATE TRIGGER entries_fts_insert AFTER INSERT ON entries{condition_new} BEGIN "
        f"INSERT INTO entries_fts(rowid, {COLUMNS}) VALUES ({NEW}); END"
    )
    op.execute(
        f"CREATE TRIGGER entries_fts_delete AFTER DELETE ON entries{condition_old} BEGIN "
        f"INSERT INTO entries_fts(entries_fts, rowid, {COLUMNS}) VALUES ('delete', {OLD}); END"
    )
    op.execute(
        f"CREATE TRIGGER entries_fts_update AFTER UPDATE OF {COLUMNS} ON entries"
        f"{condition_old} BEGIN "
        f"INSERT INTO entries_fts(entries_fts, rowid, {COLUMNS}) VALUES ('delete', {OLD}); "
        f"INSERT INTO entries_fts(rowid, {COLUMNS}) VALUES ({NEW}); END"
    )


def _on_sqlite() -> bool:
    # PostgreSQL's search document is a generated column: nothing waits to be indexed.
    return bool(op.get_bind().dialect.name == "sqlite")


def upgrade() -> None:
    op.add_column("entries", sa.Column("indexed", sa.Integer(), server_default="1", nullable=False))
    op.create_index(
        "ix_entries_unindexed",
        "entries",
        ["id"],
        sqlite_where=sa.text("indexed = 0"),
        postgresql_where=sa.text("indexed = 0"),
    )
    if _on_sqlite():
        _triggers(" WHEN new.indexed = 1", " WHEN old.indexed = 1")


def downgrade() -> None:
    if _on_sqlite():
        op.execute(
            f"INSERT INTO entries_fts(rowid, {COLUMNS}) SELECT id, {COLUMNS} FROM entries"
            " WHERE indexed = 0"
        )
        _triggers("", "")
    op.drop_index("ix_entries_unindexed", table_name="entries")
    with op.batch_alter_table("entries") as batch:
        batch.drop_column("indexed")
