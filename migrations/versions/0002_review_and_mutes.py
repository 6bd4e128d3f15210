"""Sources review and mute rules: when a feed started failing, muted entries, rules.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pkm.storage.columns import SECONDS

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("feeds", sa.Column("failing_since", SECONDS, nullable=True))
    # A feed failing now has failed at least since its last attempt.
    op.execute("UPDATE feeds SET failing_since = last_fetched WHERE error_count > 0")
    op.add_column("entries", sa.Column("muted", sa.Integer(), server_default="0", nullable=False))
    op.create_table(
        "mute_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.Text(), nullable=False),
        sa.Column("created_at", SECONDS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mute_rules")),
        sa.UniqueConstraint("rule", name=op.f("uq_mute_rules_rule")),
    )


def downgrade() -> None:
    op.drop_table("mute_rules")
    with op.batch_alter_table("entries") as batch:
        batch.drop_column("muted")
    with op.batch_alter_table("feeds") as batch:
        batch.drop_column("failing_since")
