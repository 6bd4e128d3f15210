"""Full text for summary-only feeds: a per-feed switch, and when an entry's text was
fetched from its article page rather than taken from the feed.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pkm.storage.columns import SECONDS

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("feeds", sa.Column("full_text", sa.Integer(), server_default="0", nullable=False))
    op.add_column("entries", sa.Column("full_text_at", SECONDS, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("entries") as batch:
        batch.drop_column("full_text_at")
    with op.batch_alter_table("feeds") as batch:
        batch.drop_column("full_text")
