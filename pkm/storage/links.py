"""Link health: the last check of each saved entry's URL, and the old URLs of entries
whose link moved (aliases), so that saving or importing an old URL finds its entry.

All SQL over ``link_checks`` and ``entry_aliases`` is here, including the conditions the
query language uses for ``is:broken`` and ``is:moved`` (:func:`broken_condition`,
:func:`moved_condition`), written over the alias ``e`` for ``entries``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from pkm.errors import InvalidURLError
from pkm.storage.people import me
from pkm.storage.rows import from_ts, select_in
from pkm.types import BROKEN_LINK_STATES, LinkCheck, LinkState
from pkm.urls import normalize_url, searchable

# A failing link (timeouts, 5xx) may be a passing outage: it counts as broken only once
# it has failed for this long. Gone and dead links are broken at once.
FAILING_GRACE_SECONDS = 30 * 86400

_BROKEN = ", ".join(f"'{state}'" for state in BROKEN_LINK_STATES)


def broken_condition(now: int) -> tuple[str, list[object]]:
    """SQL over ``e`` (entries) for ``is:broken``, and its parameters: the last check found
    the link gone or dead, or failing since more than :data:`FAILING_GRACE_SECONDS`
    before ``now`` (Unix seconds)."""
    sql = (
        "EXISTS (SELECT 1 FROM link_checks lc WHERE lc.entry_id = e.id"
        " AND (lc.state IN ('gone', 'dead')"
        " OR (lc.state = 'failing' AND lc.broken_since <= ?)))"
    )
    return sql, [now - FAILING_GRACE_SECONDS]


def moved_condition() -> str:
    """SQL over ``e`` (entries) for ``is:moved``: the last check met a permanent redirect
    to a working page (until ``pkm check --update-moved`` takes the new URL)."""
    return "EXISTS (SELECT 1 FROM link_checks lc WHERE lc.entry_id = e.id AND lc.state = 'moved')"


def aliased_ids(conn: sqlite3.Connection, keys: Sequence[str]) -> dict[str, int]:
    """The entries that were known by these normalised URLs before their link moved."""
    rows = select_in(
        conn, "SELECT url_key, entry_id FROM entry_aliases WHERE url_key IN ({marks})", keys
    )
    return {str(key): int(entry_id) for key, entry_id in rows}


@dataclass(frozen=True)
class LinkTarget:
    """A saved entry's URL to check, with the validators its last answer gave."""

    entry_id: int
    url: str
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class LinkResult:
    """One check's finding, to record; ``etag``/``last_modified`` are the ones to keep."""

    entry_id: int
    url: str
    state: LinkState
    http_status: int | None
    moved_to: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None


class LinkRepository:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def targets(
        self, entry_ids: Sequence[int] | None, *, checked_before: int | None = None
    ) -> tuple[list[LinkTarget], int]:
        """The saved entries with a URL (all of them, or those of ``entry_ids``) whose last
        check is older than ``checked_before`` (or never made), by id; and how many were
        left out as checked since."""
        sql = (
            "SELECT e.id, e.url, lc.etag, lc.last_modified, lc.checked_at FROM entries e"
            " JOIN saves s ON s.entry_id = e.id LEFT JOIN link_checks lc ON lc.entry_id = e.id"
            f" WHERE s.person_id = {me(self._conn)} AND e.url IS NOT NULL"
        )
        if entry_ids is None:
            rows = list(self._conn.execute(sql))
        else:
            rows = list(select_in(self._conn, sql + " AND e.id IN ({marks})", entry_ids))
        rows.sort(key=lambda row: int(row[0]))
        targets: list[LinkTarget] = []
        skipped = 0
        for entry_id, url, etag, last_modified, checked_at in rows:
            if checked_before is not None and checked_at is not None:
                if int(checked_at) >= checked_before:
                    skipped += 1
                    continue
            targets.append(LinkTarget(int(entry_id), str(url), etag, last_modified))
        return targets, skipped

    def record(self, result: LinkResult, now: int) -> LinkCheck:
        """Keep a check's finding as the entry's last; call inside a write transaction.
        A broken finding keeps the start of the broken run it continues."""
        row = self._conn.execute(
            "INSERT INTO link_checks (entry_id, checked_at, state, http_status, moved_to,"
            " broken_since, etag, last_modified, error)"
            f" VALUES (:id, :now, :state, :status, :moved_to,"
            f" CASE WHEN :state IN ({_BROKEN}) THEN :now END, :etag, :last_modified, :error)"
            " ON CONFLICT (entry_id) DO UPDATE SET checked_at = excluded.checked_at,"
            " state = excluded.state, http_status = excluded.http_status,"
            " moved_to = excluded.moved_to,"
            f" broken_since = CASE WHEN excluded.state IN ({_BROKEN})"
            " THEN coalesce(link_checks.broken_since, excluded.checked_at) END,"
            " etag = excluded.etag, last_modified = excluded.last_modified,"
            " error = excluded.error"
            " RETURNING broken_since",
            {
                "id": result.entry_id,
                "now": now,
                "state": result.state,
                "status": result.http_status,
                "moved_to": result.moved_to,
                "etag": result.etag,
                "last_modified": result.last_modified,
                "error": result.error,
            },
        ).fetchone()
        return LinkCheck(
            entry_id=result.entry_id,
            url=result.url,
            state=result.state,
            status=result.http_status,
            moved_to=result.moved_to,
            checked_at=_when(now),
            broken_since=from_ts(row[0]),
            reason=result.error,
        )

    def get(self, entry_id: int) -> LinkCheck | None:
        """The entry's last check, if it was ever checked."""
        row = self._conn.execute(
            "SELECT lc.entry_id, e.url, lc.state, lc.http_status, lc.moved_to, lc.checked_at,"
            " lc.broken_since, lc.error FROM link_checks lc JOIN entries e ON e.id = lc.entry_id"
            " WHERE lc.entry_id = ?",
            (entry_id,),
        ).fetchone()
        if row is None:
            return None
        entry, url, state, status, moved_to, checked_at, broken_since, error = row
        return LinkCheck(
            entry_id=int(entry),
            url=str(url or ""),
            state=cast(LinkState, state),
            status=status,
            moved_to=moved_to,
            checked_at=_when(int(checked_at)),
            broken_since=from_ts(broken_since),
            reason=error,
        )

    def moved(self, entry_ids: Sequence[int] | None) -> list[tuple[int, str, str]]:
        """(entry id, URL, new URL) of the entries (all, or of ``entry_ids``) whose last
        check found their link moved, by id."""
        sql = (
            "SELECT e.id, e.url, lc.moved_to FROM link_checks lc JOIN entries e"
            " ON e.id = lc.entry_id WHERE lc.state = 'moved' AND lc.moved_to IS NOT NULL"
            " AND e.url IS NOT NULL"
        )
        if entry_ids is None:
            rows = list(self._conn.execute(sql))
        else:
            rows = list(select_in(self._conn, sql + " AND e.id IN ({marks})", entry_ids))
        return sorted((int(i), str(url), str(new)) for i, url, new in rows)

    def holder(self, url: str, entry_id: int) -> int | None:
        """Another entry than ``entry_id`` that holds ``url``, or was known by it."""
        key = normalize_url(url)
        row = self._conn.execute(
            "SELECT id FROM entries WHERE url_key = :key AND id != :id UNION ALL"
            " SELECT entry_id FROM entry_aliases WHERE url_key = :key AND entry_id != :id"
            " LIMIT 1",
            {"key": key, "id": entry_id},
        ).fetchone()
        return None if row is None else int(row[0])

    def move(self, entry_id: int, new_url: str, now: int) -> None:
        """Give the entry its link's new URL, keeping the old one as an alias; its check
        says ok from now on (the new URL is where the link worked). Call inside a write
        transaction, once :meth:`holder` found no other entry holding the new URL."""
        old_url, old_key, source = self._conn.execute(
            "SELECT url, url_key, source FROM entries WHERE id = ?", (entry_id,)
        ).fetchone()
        key = normalize_url(new_url)
        if old_key is None and old_url:
            old_key = _key(str(old_url))
        if old_key is not None and old_key != key:
            # The entry holding a key owns its alias, even one an earlier move gave another.
            self._conn.execute(
                "INSERT INTO entry_aliases (url_key, entry_id, added_at) VALUES (?, ?, ?)"
                " ON CONFLICT (url_key) DO UPDATE SET entry_id = excluded.entry_id,"
                " added_at = excluded.added_at",
                (old_key, entry_id, now),
            )
        # Moved back to a URL it had before: that is its URL again, not an alias.
        self._conn.execute("DELETE FROM entry_aliases WHERE url_key = ?", (key,))
        words = searchable(str(old_url or ""))
        kept = str(source or "").replace(words, "") if words else str(source or "")
        self._conn.execute(
            "UPDATE entries SET url = ?, url_key = ?, source = ? WHERE id = ?",
            (new_url, key, " ".join(f"{kept} {searchable(new_url)}".split()), entry_id),
        )
        self._conn.execute(
            "UPDATE link_checks SET state = 'ok', moved_to = NULL, broken_since = NULL"
            " WHERE entry_id = ?",
            (entry_id,),
        )

    def aliases(self, entry_id: int) -> list[str]:
        """The normalised URLs the entry was known by, oldest first."""
        rows = self._conn.execute(
            "SELECT url_key FROM entry_aliases WHERE entry_id = ? ORDER BY added_at, url_key",
            (entry_id,),
        )
        return [str(row[0]) for row in rows]


def _key(url: str) -> str | None:
    try:
        return normalize_url(url)
    except InvalidURLError:
        return None


def _when(ts: int) -> datetime:
    moment = from_ts(ts)
    assert moment is not None
    return moment
