"""Scans: who ran each, when it started and finished, and what it did to the feeds it
fetched."""

from __future__ import annotations

import sqlite3

from pkm.storage.db import Repository
from pkm.storage.people import NOBODY, me


class ScanRepository(Repository):
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def start(self, started: int, total: int) -> int:
        person = me(self._conn)
        row = self._conn.execute(
            "INSERT INTO scans (started_at, total, person_id) VALUES (?, ?, ?) RETURNING id",
            (started, total, None if person == NOBODY else person),
        ).fetchone()
        return int(row[0])

    def finish(
        self, scan_id: int, *, now: int, updated: int, not_modified: int, failed: int
    ) -> None:
        self._conn.execute(
            "UPDATE scans SET finished_at = ?, updated = ?, not_modified = ?, failed = ?"
            " WHERE id = ?",
            (now, updated, not_modified, failed, scan_id),
        )
