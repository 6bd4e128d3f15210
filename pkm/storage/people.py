"""People: who the connection acts for, and each person's saves as SQL sees them.

A connection carries its person (``person_name``, and ``person_id`` once that person is
stored): every query of saves, tags and notes reads that person's rows, and another
person's only where they are public. A person is stored on their first save, so that
a command that only reads creates nobody.
"""

from __future__ import annotations

import contextlib
import sqlite3
from datetime import UTC, datetime

from pkm.errors import InvalidPersonError, PersonNotFoundError
from pkm.people import check_name, current_name
from pkm.storage.db import Repository, SqlConnection, wrap_exceptions
from pkm.storage.rows import from_ts, now_ts
from pkm.types import OtherSave, Person

__all__ = [
    "NOBODY",
    "VISIBLE",
    "PeopleRepository",
    "entry_joins",
    "me",
    "my_name",
    "save_join",
    "sign_in",
    "subscribed",
]

# No person has id 0 (ids start at 1): someone not stored yet owns nothing.
NOBODY = 0
_UNKNOWN = object()


@wrap_exceptions
def me(conn: SqlConnection) -> int:
    """The id of the connection's person, NOBODY before their first save."""
    person = getattr(conn, "person_id", _UNKNOWN)
    if person is _UNKNOWN:  # a connection nobody signed in: the login name's person
        row = conn.execute("SELECT id FROM people WHERE name = ?", (my_name(conn),)).fetchone()
        person = None if row is None else int(row[0])
        with contextlib.suppress(AttributeError):  # sqlite3's own connections take none
            conn.person_id = person  # type: ignore[attr-defined]
    return person if isinstance(person, int) else NOBODY


def my_name(conn: object) -> str:
    """The name of the connection's person (a connection nobody signed in acts for the
    login name's, as pkm does)."""
    return str(getattr(conn, "person_name", "") or current_name())


def save_join(conn: SqlConnection, alias: str = "s", entry: str = "e") -> str:
    """A LEFT JOIN of the connection's person's save of entry ``entry`` (an integer id
    in the SQL: it is the store's own, never user text)."""
    return (
        f" LEFT JOIN saves {alias} ON {alias}.entry_id = {entry}.id"
        f" AND {alias}.person_id = {me(conn)}"
    )


def entry_joins(conn: SqlConnection, entry: str = "e", *, save: bool = True) -> str:
    """LEFT JOINs of entry ``entry``'s feed ``f`` and, for the connection's person, their
    subscription ``sub`` to that feed, their save ``s`` (unless the query joins a save
    of its own) and their state ``es`` of the entry: the aliases rows.ENTRY_COLUMNS and
    the filters read. (Both engines drop the joins a query does not read: each is on a
    unique key.)"""
    person = me(conn)
    return (
        f" LEFT JOIN feeds f ON f.id = {entry}.feed_id"
        f" LEFT JOIN subscriptions sub ON sub.feed_id = {entry}.feed_id"
        f" AND sub.person_id = {person}{save_join(conn, entry=entry) if save else ''}"
        f" LEFT JOIN entry_states es ON es.entry_id = {entry}.id AND es.person_id = {person}"
    )


def subscribed(conn: SqlConnection) -> str:
    """The connection's person's feeds ``f`` with their subscriptions ``sub``."""
    return f"feeds f JOIN subscriptions sub ON sub.feed_id = f.id AND sub.person_id = {me(conn)}"


# Whether the connection's person may see entry ``e`` (``s``: their save of it, as
# :func:`save_join` joins it): a feed item, one of their saves, a page someone saved
# publicly, or one nobody keeps. A page no feed brought that only others keep, privately,
# is theirs alone: its URL and title are what they saved. (One scalar subquery, read
# through the index on saves.entry_id for the few rows that get that far: PostgreSQL
# made EXISTS under OR a hashed subplan reading every private save, 200 ms a search.)
VISIBLE = (
    "(e.feed_id IS NOT NULL OR s.id IS NOT NULL"
    " OR coalesce((SELECT min(vs.private) FROM saves vs WHERE vs.entry_id = e.id), 0) = 0)"
)


@wrap_exceptions
def sign_in(conn: sqlite3.Connection, name: str) -> None:
    """Let ``conn`` act for the person ``name`` (stored or not)."""
    row = conn.execute("SELECT id FROM people WHERE name = ?", (check_name(name),)).fetchone()
    conn.person_name = name  # type: ignore[attr-defined]
    conn.person_id = None if row is None else int(row[0])  # type: ignore[attr-defined]


class PeopleRepository(Repository):
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def ensure_me(self) -> int:
        """The connection's person's id, storing them first if needed (inside a write)."""
        if me(self._conn) != NOBODY:
            return me(self._conn)
        name = my_name(self._conn)
        self._conn.execute(
            "INSERT INTO people (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
            (name, now_ts()),
        )
        person_id = int(
            self._conn.execute("SELECT id FROM people WHERE name = ?", (name,)).fetchone()[0]
        )
        self._conn.person_id = person_id  # type: ignore[attr-defined]
        return person_id

    def ensure_save(self, entry_id: int, now: int) -> int:
        """The id of the person's save of the entry, saved at ``now`` if it was not (and
        private if they keep their saves private)."""
        person = self.ensure_me()
        self._conn.execute(
            "INSERT INTO saves (person_id, entry_id, saved_at, private) VALUES (?, ?, ?,"
            " (SELECT default_private FROM people WHERE id = ?))"
            " ON CONFLICT (person_id, entry_id) DO NOTHING",
            (person, entry_id, now, person),
        )
        row = self._conn.execute(
            "SELECT id FROM saves WHERE person_id = ? AND entry_id = ?", (person, entry_id)
        ).fetchone()
        return int(row[0])

    def id_of(self, name: str) -> int:
        row = self._conn.execute("SELECT id FROM people WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise PersonNotFoundError(f"no person {name!r} in this store")
        return int(row[0])

    def default_private(self) -> bool:
        row = self._conn.execute(
            "SELECT default_private FROM people WHERE id = ?", (me(self._conn),)
        ).fetchone()
        return bool(row and row[0])

    def set_default_private(self, private: bool) -> None:
        self._conn.execute(
            "UPDATE people SET default_private = ? WHERE id = ?", (int(private), self.ensure_me())
        )

    def rename(self, old: str, new: str) -> None:
        person_id = self.id_of(old)
        if self._conn.execute("SELECT 1 FROM people WHERE name = ?", (new,)).fetchone():
            raise InvalidPersonError(f"there is already a person {new!r} in this store")
        self._conn.execute("UPDATE people SET name = ? WHERE id = ?", (check_name(new), person_id))
        if me(self._conn) == person_id or my_name(self._conn) == old:
            sign_in(self._conn, new)

    def listing(self) -> list[Person]:
        """Everyone, by name: their saves (what others see of them: public ones, and
        everything for the connection's own person), tags and last save."""
        viewer = me(self._conn)
        rows = self._conn.execute(
            "SELECT p.name, p.default_private,"
            " (SELECT count(*) FROM saves s WHERE s.person_id = p.id"
            "  AND (s.private = 0 OR p.id = ?)),"
            " (SELECT count(*) FROM saves s WHERE s.person_id = p.id AND s.private = 0),"
            " (SELECT count(DISTINCT st.tag_id) FROM saves s JOIN save_tags st"
            "  ON st.save_id = s.id WHERE s.person_id = p.id AND (s.private = 0 OR p.id = ?)),"
            " (SELECT max(s.saved_at) FROM saves s WHERE s.person_id = p.id"
            "  AND (s.private = 0 OR p.id = ?))"
            " FROM people p ORDER BY p.name",
            (viewer, viewer, viewer),
        )
        return [
            Person(
                name=str(name),
                saves=int(saves),
                public=int(public),
                tags=int(tags),
                last_active=from_ts(last),
                default_private=bool(default_private),
            )
            for name, default_private, saves, public, tags, last in rows
        ]

    def others_saves(self, entry_id: int) -> list[OtherSave]:
        """The public saves of an entry by everyone but the connection's person, first
        saved first (one read of the index on saves.entry_id)."""
        rows = self._conn.execute(
            "SELECT p.name, o.saved_at, o.tags_text, o.note FROM saves o"
            " JOIN people p ON p.id = o.person_id"
            " WHERE o.entry_id = ? AND o.private = 0 AND o.person_id != ?"
            " ORDER BY o.saved_at, p.name",
            (entry_id, me(self._conn)),
        )
        return [
            OtherSave(
                person=str(name),
                saved=datetime.fromtimestamp(int(saved_at), UTC),
                tags=tuple(str(tags_text).split()) if tags_text else (),
                note=note,
            )
            for name, saved_at, tags_text, note in rows
        ]
