"""People on one store: each person's saves, tags, notes and privacy are their own.

* ``people``: everyone who has saved or tagged something here; ``follows``: whose
  public saves (all, or one tag's) each follows.
* ``saves``: one person's bookmark of an entry (saved date, note, to-read and private
  flags, their tag names for search); ``save_tags`` links a save to its tags. Entries
  (feed items and saved pages) stay shared: one id for everyone.
* An existing store becomes its owner's: if anything was saved, one person is made,
  named by ``PKM_USER`` or the login name (``pkm people rename`` changes it), and every
  saved, tagged or annotated entry becomes that person's save.
* The entries' search index loses the tag and note columns, which are a person's and
  move to an index of their own over ``saves`` (FTS5 ``saves_fts`` on SQLite, the
  generated ``saves.fts`` on PostgreSQL), so that a search never matches words another
  person wrote. On SQLite the entries' index is recreated empty and refilled when the
  store is next opened, as 0006 does.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pkm.people import current_name
from pkm.storage.columns import SECONDS, tsvector_document

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TOKENIZE = "prefix='2 3', tokenize='unicode61 remove_diacritics 2'"
OLD_ENTRY_COLUMNS = ("title", "tags_text", "note", "text", "source", "archived_text")
ENTRY_COLUMNS = ("title", "text", "source", "archived_text")
SAVE_COLUMNS = ("tags_text", "note")
MOVED = ("saved_at", "note", "to_read", "private", "tags_text")

# The byte caps of 0006's PostgreSQL document, by column.
_ENTRY_PARTS = (
    ("title", 2_000, "A"),
    ("text", 150_000, "C"),
    ("source", 2_000, "D"),
    ("archived_text", 150_000, "C"),
)
_OLD_ENTRY_PARTS = (
    ("title", 2_000, "A"),
    ("tags_text", 4_000, "A"),
    ("note", 40_000, "B"),
    *_ENTRY_PARTS[1:],
)
_SAVE_PARTS = (("tags_text", 4_000, "A"), ("note", 40_000, "B"))


def _create_fts(table: str, columns: tuple[str, ...], *, deferred: bool) -> None:
    """An external-content FTS5 index over ``table`` and the triggers that keep it; with
    ``deferred``, rows with ``indexed = 0`` wait for a batch (entries a scan stores)."""
    fts = f"{table}_fts"
    names = ", ".join(columns)
    new = ", ".join(["new.id", *(f"new.{c}" for c in columns)])
    old = ", ".join(["old.id", *(f"old.{c}" for c in columns)])
    when_new = " WHEN new.indexed = 1" if deferred else ""
    when_old = " WHEN old.indexed = 1" if deferred else ""
    op.execute(
        f"CREATE VIRTUAL TABLE {fts} USING fts5({names}, content='{table}',"
        f" content_rowid='id', {TOKENIZE})"
    )
    op.execute(
        f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table}{when_new} BEGIN "
        f"INSERT INTO {fts}(rowid, {names}) VALUES ({new}); END"
    )
    op.execute(
        f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table}{when_old} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, {names}) VALUES ('delete', {old}); END"
    )
    op.execute(
        f"CREATE TRIGGER {fts}_update AFTER UPDATE OF {names} ON {table}{when_old} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, {names}) VALUES ('delete', {old}); "
        f"INSERT INTO {fts}(rowid, {names}) VALUES ({new}); END"
    )


def _drop_fts(table: str) -> None:
    fts = f"{table}_fts"
    for action in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS {fts}_{action}")
    op.execute(f"DROP TABLE IF EXISTS {fts}")


def _refill_entries_index() -> None:
    """Every entry waits for the index; pkm refills it in batches when next opened."""
    op.execute("UPDATE entries SET indexed = 0 WHERE indexed = 1")
    op.execute(
        "INSERT INTO index_rebuild (id, started_at)"
        " VALUES (1, CAST(strftime('%s', 'now') AS INTEGER)) ON CONFLICT DO NOTHING"
    )


def _create_tables() -> None:
    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("created_at", SECONDS, nullable=False),
        sa.Column("default_private", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
        sa.UniqueConstraint("name", name=op.f("uq_people_name")),
    )
    op.create_table(
        "saves",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("saved_at", SECONDS, nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("to_read", sa.Integer(), server_default="0", nullable=False),
        sa.Column("private", sa.Integer(), server_default="0", nullable=False),
        sa.Column("tags_text", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["entries.id"], name=op.f("fk_saves_entry_id_entries"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_saves_person_id_people"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saves")),
    )
    op.create_index(op.f("ix_saves_entry_id"), "saves", ["entry_id"])
    op.create_index("ix_saves_person_id_entry_id", "saves", ["person_id", "entry_id"], unique=True)
    op.create_index("ix_saves_person_id_saved_at", "saves", ["person_id", "saved_at"])
    op.create_table(
        "save_tags",
        sa.Column("save_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["save_id"], ["saves.id"], name=op.f("fk_save_tags_save_id_saves"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"], ["tags.id"], name=op.f("fk_save_tags_tag_id_tags"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("save_id", "tag_id", name=op.f("pk_save_tags")),
    )
    op.create_index(op.f("ix_save_tags_tag_id"), "save_tags", ["tag_id"])
    op.create_table(
        "follows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("followed_id", sa.Integer(), nullable=False),
        sa.Column("tag_key", sa.Text(), server_default="", nullable=False),
        sa.Column("created_at", SECONDS, nullable=False),
        sa.ForeignKeyConstraint(
            ["followed_id"],
            ["people.id"],
            name=op.f("fk_follows_followed_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_follows_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follows")),
    )
    op.create_index(op.f("ix_follows_followed_id"), "follows", ["followed_id"])
    op.create_index(
        "ix_follows_person_id_followed_id_tag_key",
        "follows",
        ["person_id", "followed_id", "tag_key"],
        unique=True,
    )


def _move_saves_to_owner() -> None:
    bind = op.get_bind()
    kept = (
        "saved_at IS NOT NULL OR coalesce(note, '') != '' OR to_read = 1 OR private = 1"
        " OR id IN (SELECT entry_id FROM entry_tags)"
    )
    first = bind.execute(
        sa.text(f"SELECT min(coalesce(saved_at, first_seen)) FROM entries WHERE {kept}")
    )
    started = first.scalar()
    if started is None:
        return
    bind.execute(
        sa.text(
            "INSERT INTO people (id, name, created_at, default_private) VALUES (1, :name, :at, 0)"
        ),
        {"name": current_name(), "at": int(started)},
    )
    op.execute(
        "INSERT INTO saves (person_id, entry_id, saved_at, note, to_read, private, tags_text)"
        " SELECT 1, id, coalesce(saved_at, first_seen), note, to_read, private, tags_text"
        f" FROM entries WHERE {kept} ORDER BY id"
    )
    op.execute(
        "INSERT INTO save_tags (save_id, tag_id) SELECT s.id, et.tag_id"
        " FROM entry_tags et JOIN saves s ON s.entry_id = et.entry_id"
    )


# On PostgreSQL the server keeps each person's rows theirs: a person connects as a role
# of their own name, a member of PERSON_ROLE, and the policies let a role read its own
# rows and others' public ones, and change only its own. (The store's owner, which
# migrates it, is not bound by them: pkm's own queries keep people apart there.)
PERSON_ROLE = "pkm_person"
_ME = "(SELECT p.id FROM people p WHERE p.name = current_user)"
_MY_SAVE = f"EXISTS (SELECT 1 FROM saves s WHERE s.id = save_id AND s.person_id = {_ME})"
_POLICIES = {
    "people": (
        ("SELECT", "USING (true)"),
        ("INSERT", "WITH CHECK (name = current_user)"),
        ("UPDATE", "USING (name = current_user) WITH CHECK (name = current_user)"),
    ),
    "saves": (
        ("SELECT", f"USING (private = 0 OR person_id = {_ME})"),
        ("INSERT", f"WITH CHECK (person_id = {_ME})"),
        ("UPDATE", f"USING (person_id = {_ME}) WITH CHECK (person_id = {_ME})"),
        ("DELETE", f"USING (person_id = {_ME})"),
    ),
    # A save's tags are as visible as the save (the subquery sees saves as the role does).
    "save_tags": (
        ("SELECT", "USING (EXISTS (SELECT 1 FROM saves s WHERE s.id = save_id))"),
        ("INSERT", f"WITH CHECK ({_MY_SAVE})"),
        ("DELETE", f"USING ({_MY_SAVE})"),
    ),
    "follows": (
        ("SELECT", f"USING (person_id = {_ME})"),
        ("INSERT", f"WITH CHECK (person_id = {_ME})"),
        ("DELETE", f"USING (person_id = {_ME})"),
    ),
}


def _row_security() -> None:
    op.execute(
        f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{PERSON_ROLE}')"
        " AND (SELECT rolcreaterole OR rolsuper FROM pg_roles WHERE rolname = current_user)"
        f" THEN CREATE ROLE {PERSON_ROLE} NOLOGIN; END IF; END $$"
    )
    op.execute(
        f"DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{PERSON_ROLE}') THEN"
        f" EXECUTE format('GRANT USAGE ON SCHEMA %I TO {PERSON_ROLE}', current_schema());"
        " EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I"
        f" TO {PERSON_ROLE}', current_schema());"
        " EXECUTE format('GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA %I"
        f" TO {PERSON_ROLE}', current_schema());"
        # and the tables and sequences of later migrations alike
        " EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT, INSERT, UPDATE,"
        f" DELETE ON TABLES TO {PERSON_ROLE}', current_schema());"
        " EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT USAGE, SELECT, UPDATE"
        f" ON SEQUENCES TO {PERSON_ROLE}', current_schema()); END IF; END $$"
    )
    for table, policies in _POLICIES.items():
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        for command, rule in policies:
            op.execute(f"CREATE POLICY {table}_{command.lower()} ON {table} FOR {command} {rule}")


def upgrade() -> None:
    _create_tables()
    _move_saves_to_owner()
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute("ALTER TABLE entries DROP COLUMN fts")
    else:
        _drop_fts("entries")
    op.drop_index(op.f("ix_entries_saved_at"), table_name="entries")
    op.drop_table("entry_tags")
    for column in MOVED:
        op.execute(f"ALTER TABLE entries DROP COLUMN {column}")
    if postgres:
        for table, parts in (("entries", _ENTRY_PARTS), ("saves", _SAVE_PARTS)):
            op.execute(
                f"ALTER TABLE {table} ADD COLUMN fts tsvector"
                f" GENERATED ALWAYS AS ({tsvector_document(parts)}) STORED"
            )
            op.execute(f"CREATE INDEX {table}_fts_gin ON {table} USING gin (fts)")
        _row_security()
        return
    _create_fts("entries", ENTRY_COLUMNS, deferred=True)
    _refill_entries_index()
    _create_fts("saves", SAVE_COLUMNS, deferred=False)
    op.execute("INSERT INTO saves_fts(saves_fts) VALUES ('rebuild')")


def downgrade() -> None:
    """Back to one person's store: the first person's saves return to the entries."""
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute("ALTER TABLE entries DROP COLUMN fts")
        for table, policies in _POLICIES.items():
            for command, _ in policies:
                op.execute(f"DROP POLICY {table}_{command.lower()} ON {table}")
    else:
        _drop_fts("entries")
        _drop_fts("saves")
    op.add_column("entries", sa.Column("saved_at", SECONDS, nullable=True))
    op.add_column("entries", sa.Column("note", sa.Text(), nullable=True))
    op.add_column("entries", sa.Column("to_read", sa.Integer(), server_default="0", nullable=False))
    op.add_column("entries", sa.Column("private", sa.Integer(), server_default="0", nullable=False))
    op.add_column("entries", sa.Column("tags_text", sa.Text(), nullable=True))
    op.create_index(op.f("ix_entries_saved_at"), "entries", ["saved_at"])
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
    owner = "(SELECT min(id) FROM people)"
    op.execute(
        "UPDATE entries SET saved_at = s.saved_at, note = s.note, to_read = s.to_read,"
        " private = s.private, tags_text = s.tags_text"
        f" FROM saves s WHERE s.entry_id = entries.id AND s.person_id = {owner}"
    )
    op.execute(
        "INSERT INTO entry_tags (entry_id, tag_id) SELECT s.entry_id, st.tag_id"
        f" FROM save_tags st JOIN saves s ON s.id = st.save_id WHERE s.person_id = {owner}"
    )
    op.drop_table("follows")
    op.drop_table("save_tags")
    op.drop_table("saves")
    op.drop_table("people")
    if postgres:
        op.execute(
            "ALTER TABLE entries ADD COLUMN fts tsvector"
            f" GENERATED ALWAYS AS ({tsvector_document(_OLD_ENTRY_PARTS)}) STORED"
        )
        op.execute("CREATE INDEX entries_fts_gin ON entries USING gin (fts)")
        return
    _create_fts("entries", OLD_ENTRY_COLUMNS, deferred=True)
    _refill_entries_index()
