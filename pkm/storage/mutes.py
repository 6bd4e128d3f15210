"""Mute rules and the ``entries.muted`` flag they keep up to date."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

from pkm.errors import NotFoundError, UsageError
from pkm.mute import Muteable, MuteRule, matches, parse_rule
from pkm.storage.db import Repository
from pkm.storage.rows import IN_CHUNK

_BATCH = 2000
_ROWS = (
    "SELECT e.id, e.title, f.title, e.author, e.text FROM entries e"
    " LEFT JOIN feeds f ON f.id = e.feed_id"
)


class MuteRepository(Repository):
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def rules(self) -> list[MuteRule]:
        rows = self._conn.execute("SELECT id, rule FROM mute_rules ORDER BY id")
        return [MuteRule(int(id_), str(rule), parse_rule(str(rule))) for id_, rule in rows]

    def add(self, rule: str, now: int) -> tuple[MuteRule, int]:
        """Store a rule and mute what it matches already; returns it and how many it muted."""
        text = " ".join(rule.split())
        terms = parse_rule(text)
        if self._conn.execute("SELECT 1 FROM mute_rules WHERE rule = ?", (text,)).fetchone():
            raise UsageError(f"mute rule {text!r} exists already")
        row = self._conn.execute(
            "INSERT INTO mute_rules (rule, created_at) VALUES (?, ?) RETURNING id", (text, now)
        ).fetchone()
        added = MuteRule(int(row[0]), text, terms)
        muted = self._set(self._matching([added], f"{_ROWS} WHERE e.muted = 0"), 1)
        return added, muted

    def remove(self, ref: str) -> tuple[MuteRule, int]:
        """Remove a rule (by id or text); entries no other rule matches are shown again."""
        rules = self.rules()
        found = [r for r in rules if str(r.id) == ref or r.text == " ".join(ref.split())]
        if not found:
            raise NotFoundError(f"no mute rule {ref!r} (see pkm mute list)")
        self._conn.execute("DELETE FROM mute_rules WHERE id = ?", (found[0].id,))
        remaining = [r for r in rules if r.id != found[0].id]
        still = set(self._matching(remaining, f"{_ROWS} WHERE e.muted = 1"))
        unmuted = [
            entry_id
            for batch in self._batches(f"{_ROWS} WHERE e.muted = 1")
            for entry_id, *_ in batch
            if entry_id not in still
        ]
        return found[0], self._set(unmuted, 0)

    def apply(self, entry_ids: Sequence[int]) -> list[int]:
        """Mute the given (new) entries that a rule matches; returns those muted."""
        rules = self.rules()
        if not rules or not entry_ids:
            return []
        muted: list[int] = []
        for start in range(0, len(entry_ids), IN_CHUNK):
            chunk = list(entry_ids[start : start + IN_CHUNK])
            marks = ",".join("?" * len(chunk))
            muted += self._matching(rules, f"{_ROWS} WHERE e.id IN ({marks})", chunk)
        self._set(muted, 1)
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

    def _set(self, entry_ids: Sequence[int], value: int) -> int:
        self._conn.executemany(
            "UPDATE entries SET muted = ? WHERE id = ?", [(value, i) for i in entry_ids]
        )
        return len(entry_ids)
