"""Scans: when each started and finished, and what it did to the feeds it fetched."""

from __future__ import annotations

import sqlite3

from pkm.storage.db import Repository


class ScanRepository(Repository):
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def start(self, started: int, total: int) -> int:
        row = self._conn.execute(
            "INSERT INTO scans (started_at, total) VALUES (?, ?) RETURNING id", (started, total)
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
