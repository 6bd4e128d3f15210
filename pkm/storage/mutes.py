"""Each person's mute rules and the ``entry_states.muted`` flags they keep up to date."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

from pkm.errors import NotFoundError, UsageError
from pkm.mute import Muteable, MuteRule, matches, parse_rule
from pkm.storage.db import Repository
from pkm.storage.people import PeopleRepository, me
from pkm.storage.rows import FEED_TITLE

_BATCH = 2000


def _rows(person: int) -> str:
    """What a rule reads of the entries ``e``, with ``person``'s state ``es`` of each."""
    return (
        f"SELECT e.id, e.title, {FEED_TITLE}, e.author, e.text FROM entries e"
        " LEFT JOIN feeds f ON f.id = e.feed_id LEFT JOIN subscriptions sub"
        f" ON sub.feed_id = e.feed_id AND sub.person_id = {person}"
        f" LEFT JOIN entry_states es ON es.entry_id = e.id AND es.person_id = {person}"
    )


class MuteRepository(Repository):
    """The connection's person's rules (:meth:`apply_to_new` serves everyone's)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def rules(self, person: int | None = None) -> list[MuteRule]:
        rows = self._conn.execute(
            "SELECT id, rule FROM mute_rules WHERE person_id = ? ORDER BY id",
            (me(self._conn) if person is None else person,),
        )
        return [MuteRule(int(id_), str(rule), parse_rule(str(rule))) for id_, rule in rows]

    def add(self, rule: str, now: int) -> tuple[MuteRule, int]:
        """Store a rule and mute what it matches already; returns it and how many it muted."""
        text = " ".join(rule.split())
        terms = parse_rule(text)
        person = PeopleRepository(self._conn).ensure_me()
        if self._conn.execute(
            "SELECT 1 FROM mute_rules WHERE person_id = ? AND rule = ?", (person, text)
        ).fetchone():
            raise UsageError(f"mute rule {text!r} exists already")
        row = self._conn.execute(
            "INSERT INTO mute_rules (person_id, rule, created_at) VALUES (?, ?, ?) RETURNING id",
            (person, text, now),
        ).fetchone()
        added = MuteRule(int(row[0]), text, terms)
        unmuted = f"{_rows(person)} WHERE coalesce(es.muted, 0) = 0"
        return added, self._set(person, self._matching([added], unmuted), 1)

    def remove(self, ref: str) -> tuple[MuteRule, int]:
        """Remove a rule (by id or text); entries no other rule matches are shown again."""
        rules = self.rules()
        found = [r for r in rules if str(r.id) == ref or r.text == " ".join(ref.split())]
        if not found:
            raise NotFoundError(f"no mute rule {ref!r} (see pkm mute list)")
        person = me(self._conn)
        self._conn.execute("DELETE FROM mute_rules WHERE id = ?", (found[0].id,))
        remaining = [r for r in rules if r.id != found[0].id]
        muted = f"{_rows(person)} WHERE es.muted = 1"
        still = set(self._matching(remaining, muted))
        unmuted = [
            entry_id
            for batch in self._batches(muted)
            for entry_id, *_ in batch
            if entry_id not in still
        ]
        return found[0], self._set(person, unmuted, 0)

    def apply_to_new(self) -> list[tuple[int, int]]:
        """Mute, for everyone with rules, the items of their feeds that their digests have
        not shown yet and that a rule of theirs matches; returns (person, entry) pairs."""
        people = [
            int(row[0]) for row in self._conn.execute("SELECT DISTINCT person_id FROM mute_rules")
        ]
        muted: list[tuple[int, int]] = []
        for person in people:
            new = (
                f"{_rows(person)} WHERE sub.id IS NOT NULL AND e.id > sub.shown_through"
                " AND coalesce(es.muted, 0) = 0"
            )
            found = self._matching(self.rules(person), new)
            self._set(person, found, 1)
            muted += [(person, entry_id) for entry_id in found]
        return muted

    def _matching(
        self, rules: Sequence[MuteRule], sql: str, params: Sequence[object] = ()
    ) -> list[int]:
        if not rules:
            return []
        return [
            int(entry_id)
            for batch in self._batches(sql, params)
            for entry_id, title, feed, author, text in batch
            if any(matches(r.terms, Muteable(title, feed, author, text)) for r in rules)
        ]

    def _batches(self, sql: str, params: Sequence[object] = ()) -> Iterator[list[Any]]:
        cursor = self._conn.execute(sql, params)
        while batch := cursor.fetchmany(_BATCH):
            yield batch

    def _set(self, person: int, entry_ids: Sequence[int], value: int) -> int:
        self._conn.executemany(
            "INSERT INTO entry_states (person_id, entry_id, muted) VALUES (?, ?, ?)"
            " ON CONFLICT (person_id, entry_id) DO UPDATE SET muted = excluded.muted",
            [(person, entry_id, value) for entry_id in entry_ids],
        )
        return len(entry_ids)
