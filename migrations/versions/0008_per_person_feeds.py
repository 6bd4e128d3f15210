"""Each person's own subscriptions, folders, read state, mute rules and scan history.

* ``subscriptions``: a person's feeds, with their title and folder for each and how far
  their digests have shown its items (entry ids grow as items are stored, so a
  watermark per subscription says what is new). Feeds keep their fetch state and items,
  shared: a feed two people follow is fetched once and stored once.
* ``entry_states``: a person's read time and mute flag of an entry (no row: unread, not
  muted); ``mute_rules`` and ``scans`` gain the person they belong to.
* ``feeds.folder`` and ``entries.read_at``, ``muted`` and ``shown_at`` move there. Every
  person of a store gets the store's feeds, read state and mute rules as they were, so
  that nobody loses anything; a store with feeds or rules but nobody in it yet becomes
  its owner's (``PKM_USER`` or the login name, as 0007), who also gets the scan history.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pkm.people import current_name
from pkm.storage.columns import SECONDS

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

PERSON_ROLE = "pkm_person"
_ME = "(SELECT p.id FROM people p WHERE p.name = current_user)"
_OWN = f"person_id = {_ME}"
# Who follows which feed is no secret (and a person removing a feed must see whether
# anyone else still follows it); read state and mute rules are each person's alone.
_POLICIES = {
    "subscriptions": (
        ("SELECT", "USING (true)"),
        ("INSERT", f"WITH CHECK ({_OWN})"),
        ("UPDATE", f"USING ({_OWN}) WITH CHECK ({_OWN})"),
        ("DELETE", f"USING ({_OWN})"),
    ),
    "entry_states": (
        ("SELECT", f"USING ({_OWN})"),
        ("INSERT", f"WITH CHECK ({_OWN})"),
        ("UPDATE", f"USING ({_OWN}) WITH CHECK ({_OWN})"),
        ("DELETE", f"USING ({_OWN})"),
    ),
    "mute_rules": (
        ("SELECT", f"USING ({_OWN})"),
        ("INSERT", f"WITH CHECK ({_OWN})"),
        ("DELETE", f"USING ({_OWN})"),
    ),
    "scans": (
        ("SELECT", "USING (true)"),
        ("INSERT", f"WITH CHECK ({_OWN})"),
        ("UPDATE", f"USING ({_OWN}) WITH CHECK ({_OWN})"),
    ),
}


def _create_tables() -> None:
    op.create_table(
        "subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("feed_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("folder", sa.Text(), nullable=True),
        sa.Column("added_at", SECONDS, nullable=False),
        sa.Column("shown_through", sa.Integer(), server_default="0", nullable=False),
        sa.Column("shown_from", sa.Integer(), server_default="0", nullable=False),
        sa.Column("shown_at", SECONDS, nullable=True),
        sa.ForeignKeyConstraint(
            ["feed_id"],
            ["feeds.id"],
            name=op.f("fk_subscriptions_feed_id_feeds"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_subscriptions_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscriptions")),
    )
    op.create_index(op.f("ix_subscriptions_feed_id"), "subscriptions", ["feed_id"])
    op.create_index(
        "ix_subscriptions_person_id_feed_id", "subscriptions", ["person_id", "feed_id"], unique=True
    )
    op.create_table(
        "entry_states",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("read_at", SECONDS, nullable=True),
        sa.Column("muted", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["entries.id"],
            name=op.f("fk_entry_states_entry_id_entries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_entry_states_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_id", "entry_id", name=op.f("pk_entry_states")),
    )
    op.create_index(op.f("ix_entry_states_entry_id"), "entry_states", ["entry_id"])


def _everyone() -> list[int]:
    """The store's people; its owner, made now, if it has feeds or rules but no people."""
    bind = op.get_bind()
    people = [int(row[0]) for row in bind.execute(sa.text("SELECT id FROM people ORDER BY id"))]
    if people:
        return people
    started = bind.execute(
        sa.text(
            "SELECT min(at) FROM (SELECT min(added_at) AS at FROM feeds"
            " UNION ALL SELECT min(created_at) FROM mute_rules) AS firsts"
        )
    ).scalar()
    if started is None:
        return []
    row = bind.execute(
        sa.text(
            "INSERT INTO people (name, created_at, default_private) VALUES (:name, :at, 0)"
            " RETURNING id"
        ),
        {"name": current_name(), "at": int(started)},
    ).fetchone()
    assert row is not None
    return [int(row[0])]


def _give_everyone_the_store(people: list[int]) -> None:
    bind = op.get_bind()
    for person in people:
        bind.execute(
            sa.text(
                "INSERT INTO subscriptions (person_id, feed_id, folder, added_at)"
                " SELECT :person, id, folder, added_at FROM feeds ORDER BY id"
            ),
            {"person": person},
        )
        bind.execute(
            sa.text(
                "INSERT INTO entry_states (person_id, entry_id, read_at, muted)"
                " SELECT :person, id, read_at, muted FROM entries"
                " WHERE read_at IS NOT NULL OR muted = 1"
            ),
            {"person": person},
        )
    # What the digests showed, as watermarks: everything below the first item never shown.
    op.execute(
        "UPDATE subscriptions SET shown_through = coalesce("
        " (SELECT min(e.id) - 1 FROM entries e"
        "  WHERE e.feed_id = subscriptions.feed_id AND e.shown_at IS NULL),"
        " (SELECT max(e.id) FROM entries e WHERE e.feed_id = subscriptions.feed_id), 0)"
    )
    op.execute(
        "UPDATE subscriptions SET shown_at = (SELECT max(e.shown_at) FROM entries e"
        " WHERE e.feed_id = subscriptions.feed_id AND e.id <= subscriptions.shown_through)"
    )
    op.execute(
        "UPDATE subscriptions SET shown_from = coalesce((SELECT min(e.id) - 1 FROM entries e"
        " WHERE e.feed_id = subscriptions.feed_id AND e.shown_at = subscriptions.shown_at),"
        " shown_through)"
    )


def _person_column(table: str, people: list[int], *, nullable: bool, ondelete: str) -> None:
    """``table`` gains its owner's ``person_id`` (rebuilt on SQLite, which has no other
    way to add a foreign key; migrations run there with foreign keys off)."""
    with op.batch_alter_table(table) as batch:
        batch.add_column(sa.Column("person_id", sa.Integer(), nullable=True))
    if people:
        op.execute(f"UPDATE {table} SET person_id = {people[0]}")
    with op.batch_alter_table(table) as batch:
        if not nullable:
            batch.alter_column("person_id", existing_type=sa.Integer(), nullable=False)
        batch.create_foreign_key(
            op.f(f"fk_{table}_person_id_people"),
            "people",
            ["person_id"],
            ["id"],
            ondelete=ondelete,
        )


def _rules_for_everyone(people: list[int]) -> None:
    with op.batch_alter_table("mute_rules") as batch:
        batch.drop_constraint(op.f("uq_mute_rules_rule"), type_="unique")
    _person_column("mute_rules", people, nullable=False, ondelete="CASCADE")
    for person in people[1:]:
        op.get_bind().execute(
            sa.text(
                "INSERT INTO mute_rules (person_id, rule, created_at)"
                " SELECT :person, rule, created_at FROM mute_rules WHERE person_id = :owner"
                " ORDER BY id"
            ),
            {"person": person, "owner": people[0]},
        )
    op.create_index(
        "ix_mute_rules_person_id_rule", "mute_rules", ["person_id", "rule"], unique=True
    )


def _row_security() -> None:
    for table, policies in _POLICIES.items():
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        for command, rule in policies:
            op.execute(f"CREATE POLICY {table}_{command.lower()} ON {table} FOR {command} {rule}")
    # 0007's default privileges cover tables made by the role that ran it; grant anyway,
    # in case this one is run by another owner.
    op.execute(
        f"DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{PERSON_ROLE}') THEN"
        " EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON subscriptions, entry_states"
        f" TO {PERSON_ROLE}');"
        f" EXECUTE format('GRANT USAGE, SELECT, UPDATE ON SEQUENCE subscriptions_id_seq"
        f" TO {PERSON_ROLE}'); END IF; END $$"
    )


def upgrade() -> None:
    _create_tables()
    people = _everyone()
    _give_everyone_the_store(people)
    _rules_for_everyone(people)
    _person_column("scans", people, nullable=True, ondelete="SET NULL")
    op.create_index(op.f("ix_scans_person_id"), "scans", ["person_id"])
    op.drop_index("ix_entries_unshown", table_name="entries")
    op.drop_index(op.f("ix_entries_feed_id"), table_name="entries")
    op.create_index("ix_entries_feed_id_id", "entries", ["feed_id", "id"])
    for column in ("read_at", "muted", "shown_at"):
        op.execute(f"ALTER TABLE entries DROP COLUMN {column}")
    op.drop_index(op.f("ix_feeds_folder"), table_name="feeds")
    op.execute("ALTER TABLE feeds DROP COLUMN folder")
    if op.get_bind().dialect.name == "postgresql":
        _row_security()


def downgrade() -> None:
    """Back to one person's feeds: the first person's subscriptions, state and rules."""
    if op.get_bind().dialect.name == "postgresql":
        for table, policies in _POLICIES.items():
            for command, _ in policies:
                op.execute(f"DROP POLICY {table}_{command.lower()} ON {table}")
            if table in ("mute_rules", "scans"):
                op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    owner = "(SELECT min(id) FROM people)"
    op.add_column("feeds", sa.Column("folder", sa.Text(), nullable=True))
    op.create_index(op.f("ix_feeds_folder"), "feeds", ["folder"])
    op.execute(
        "UPDATE feeds SET folder = (SELECT s.folder FROM subscriptions s"
        f" WHERE s.feed_id = feeds.id AND s.person_id = {owner})"
    )
    op.add_column("entries", sa.Column("read_at", SECONDS, nullable=True))
    op.add_column("entries", sa.Column("muted", sa.Integer(), server_default="0", nullable=False))
    op.add_column("entries", sa.Column("shown_at", SECONDS, nullable=True))
    op.execute(
        "UPDATE entries SET read_at = (SELECT st.read_at FROM entry_states st"
        f" WHERE st.entry_id = entries.id AND st.person_id = {owner}),"
        " muted = coalesce((SELECT st.muted FROM entry_states st"
        f" WHERE st.entry_id = entries.id AND st.person_id = {owner}), 0)"
    )
    op.execute(
        "UPDATE entries SET shown_at = (SELECT coalesce(s.shown_at, 0) FROM subscriptions s"
        f" WHERE s.feed_id = entries.feed_id AND s.person_id = {owner}"
        " AND entries.id <= s.shown_through)"
    )
    op.drop_index("ix_entries_feed_id_id", table_name="entries")
    op.create_index(op.f("ix_entries_feed_id"), "entries", ["feed_id"])
    op.create_index(
        "ix_entries_unshown",
        "entries",
        ["id"],
        sqlite_where=sa.text("shown_at IS NULL"),
        postgresql_where=sa.text("shown_at IS NULL"),
    )
    op.drop_index(op.f("ix_scans_person_id"), table_name="scans")
    with op.batch_alter_table("scans") as batch:
        batch.drop_constraint(op.f("fk_scans_person_id_people"), type_="foreignkey")
        batch.drop_column("person_id")
    op.execute(f"DELETE FROM mute_rules WHERE person_id != {owner}")
    op.drop_index("ix_mute_rules_person_id_rule", table_name="mute_rules")
    with op.batch_alter_table("mute_rules") as batch:
        batch.drop_constraint(op.f("fk_mute_rules_person_id_people"), type_="foreignkey")
        batch.drop_column("person_id")
        batch.create_unique_constraint(op.f("uq_mute_rules_rule"), ["rule"])
    op.drop_table("entry_states")
    op.drop_table("subscriptions")
