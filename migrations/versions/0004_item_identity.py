"""Keep what is distinct apart, and show every new item once.

URL keys keep the fragment that names a page (``#!/alice/status/1``, ``20.html#a123``,
``os.html#os.walk``): they are rebuilt by today's normaliser. Feed items that were merged
into another item's entry because their URLs differed only there (or because two items
with different guids shared a link) lose their link to that entry, and their feeds'
validators are cleared, so that the next scan stores them again as entries of their own.

``shown_at`` records when a scan digest first showed an entry: "new" means not yet
shown. Existing entries count as shown when their scan finished; those of a scan that
was interrupted were never shown and stay new.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import sqlalchemy as sa
from alembic import op

# The key is the normaliser's: a migration that copied it would drift from the scans
# that come after it.
from pkm.errors import InvalidURLError
from pkm.storage.columns import SECONDS
from pkm.urls import normalize_url

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _new_key(url: str | None) -> str | None:
    if not url:
        return None
    try:
        return normalize_url(url)
    except InvalidURLError:  # such entries never had a key
        return None


def _same_item(key: str, owner: str) -> bool:
    """Items keyed by their links are one when today's normaliser calls the links one
    page: the old one merged ``20.html#a1`` and ``20.html#a2``."""
    if key == owner:
        return True
    if not (key.startswith("link:") and owner.startswith("link:")):
        return False
    link, owner_link = _new_key(key[5:]), _new_key(owner[5:])
    return link is not None and link == owner_link


def _rebuild_keys(conn: sa.Connection) -> None:
    rows = conn.execute(
        sa.text("SELECT id, url, url_key FROM entries WHERE url_key IS NOT NULL ORDER BY id")
    ).fetchall()
    claimed: set[str] = set()
    keys: dict[int, str | None] = {}
    for id_, url, _ in rows:
        key = _new_key(url)
        # A parameter newly known as tracking can make two old keys one: the older
        # entry keeps it, the newer one keeps its URL without a key.
        keys[id_] = key if key not in claimed else None
        if key is not None:
            claimed.add(key)
    changed = [{"id": id_, "key": keys[id_]} for id_, _, old in rows if keys[id_] != old]
    if changed:
        # Cleared first, so that no new key meets an old one of a row not rewritten yet.
        conn.execute(sa.text("UPDATE entries SET url_key = NULL WHERE id = :id"), changed)
        conn.execute(sa.text("UPDATE entries SET url_key = :key WHERE id = :id"), changed)


def _release_swallowed_items(conn: sa.Connection) -> None:
    # Insertion order breaks ties on SQLite; a PostgreSQL store is never older than this.
    last = ", rowid" if conn.dialect.name == "sqlite" else ""
    rows = conn.execute(
        sa.text(
            "SELECT entry_id, feed_id, item_key FROM items WHERE entry_id IN"
            " (SELECT entry_id FROM items GROUP BY entry_id HAVING count(DISTINCT item_key) > 1)"
            f" ORDER BY entry_id, first_seen, feed_id{last}"
        )
    )
    owners: dict[int, str] = {}
    released: list[dict[str, object]] = []
    for entry_id, feed_id, key in rows:
        owner = owners.setdefault(entry_id, key)
        if not _same_item(key, owner):
            released.append({"feed": feed_id, "key": key})
    if not released:
        return
    conn.execute(sa.text("DELETE FROM items WHERE feed_id = :feed AND item_key = :key"), released)
    conn.execute(
        sa.text(
            "UPDATE feeds SET etag = NULL, last_modified = NULL, body_hash = NULL WHERE id = :feed"
        ),
        [{"feed": feed} for feed in {r["feed"] for r in released}],
    )


def upgrade() -> None:
    op.add_column("entries", sa.Column("shown_at", SECONDS, nullable=True))
    op.create_index(
        "ix_entries_unshown",
        "entries",
        ["id"],
        sqlite_where=sa.text("shown_at IS NULL"),
        postgresql_where=sa.text("shown_at IS NULL"),
    )
    op.execute(
        "UPDATE entries SET shown_at = coalesce("
        " (SELECT finished_at FROM scans WHERE scans.id = entries.scan_id), first_seen)"
        " WHERE scan_id IS NULL"
        " OR scan_id IN (SELECT id FROM scans WHERE finished_at IS NOT NULL)"
    )
    conn = op.get_bind()
    _rebuild_keys(conn)
    _release_swallowed_items(conn)


def downgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(
        sa.text("SELECT id, url_key FROM entries WHERE url_key IS NOT NULL ORDER BY id")
    )
    seen: set[str] = set()
    changed: list[dict[str, object]] = []
    for id_, key in rows.fetchall():
        old = urlunsplit(urlsplit(key)._replace(fragment=""))
        if old in seen:
            changed.append({"id": id_, "key": None})  # the old schema knew one entry per page
            continue
        seen.add(old)
        if old != key:
            changed.append({"id": id_, "key": old})
    conn.execute(sa.text("UPDATE entries SET url_key = NULL WHERE url_key LIKE '%#%'"))
    if changed:
        conn.execute(sa.text("UPDATE entries SET url_key = :key WHERE id = :id"), changed)
    op.drop_index("ix_entries_unshown", table_name="entries")
    with op.batch_alter_table("entries") as batch:
        batch.drop_column("shown_at")
