"""Feeds and their fetch state (shared: a feed is fetched once for everyone who follows
it), and each person's subscriptions to them (their title and folder for a feed)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from pkm.errors import FeedNotFoundError, InvalidURLError
from pkm.storage.db import Repository
from pkm.storage.dialect import byte_order, contains, dialect_of
from pkm.storage.people import PeopleRepository, me, subscribed
from pkm.storage.rows import (
    FEED_COLUMNS,
    FEED_TITLE,
    feed_from_row,
    in_folder,
    is_storable_id,
    now_ts,
)
from pkm.types import Feed
from pkm.urls import feed_url


@dataclass(frozen=True)
class FetchState:
    """What the fetcher needs to ask politely: validators and the last body's hash."""

    feed_id: int
    url: str
    etag: str | None
    last_modified: str | None
    body_hash: str | None
    error_count: int
    title: str | None
    full_text: bool = False


class FeedRepository(Repository):
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def add(
        self,
        url: str,
        *,
        title: str | None = None,
        folder: str | None = None,
        site_url: str | None = None,
        full_text: bool = False,
    ) -> tuple[int, bool]:
        """Subscribe the connection's person to the feed at this normal address
        (:func:`pkm.urls.feed_url`), stored first if nobody follows it yet; returns (id,
        subscribed now). A feed stored under any spelling of that address keeps its row."""
        url = feed_url(url)
        feed_id = self.by_address(url)
        if feed_id is None:
            row = self._conn.execute(
                "INSERT INTO feeds (url, site_url, added_at, full_text) VALUES (?, ?, ?, ?)"
                " RETURNING id",
                (url, site_url, now_ts(), int(full_text)),
            ).fetchone()
            feed_id = int(row[0])
        added = self._conn.execute(
            "INSERT INTO subscriptions (person_id, feed_id, title, folder, added_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (person_id, feed_id) DO NOTHING RETURNING id",
            (PeopleRepository(self._conn).ensure_me(), feed_id, title, folder, now_ts()),
        ).fetchone()
        if added is not None and full_text:  # one already subscribed is changed by edit
            self._conn.execute("UPDATE feeds SET full_text = 1 WHERE id = ?", (feed_id,))
        return feed_id, added is not None

    def by_address(self, url: str) -> int | None:
        """The feed at this normal address, however its URL was written when it was added
        (stores older than this rule hold URLs as they were given)."""
        row = self._conn.execute("SELECT id FROM feeds WHERE url = ?", (url,)).fetchone()
        if row is not None:
            return int(row[0])
        tail = url.split("://", 1)[-1].partition("/")[2].lower()
        rows = self._conn.execute(
            f"SELECT id, url FROM feeds WHERE {contains(self._conn, 'lower(url)', '?')}", (tail,)
        )
        for feed_id, stored in rows:
            try:
                if feed_url(str(stored)) == url:
                    return int(feed_id)
            except InvalidURLError:
                continue
        return None

    def get(self, feed_id: int) -> Feed:
        found = None
        if is_storable_id(feed_id):
            found = self._conn.execute(
                f"SELECT {FEED_COLUMNS} FROM {subscribed(self._conn)} WHERE f.id = ?", (feed_id,)
            ).fetchone()
        if found is None:
            raise FeedNotFoundError(f"no feed with id {feed_id}")
        return feed_from_row(found)

    def resolve(self, ref: str) -> Feed:
        """One of the person's feeds by id, URL or exact title (case-insensitive)."""
        if ref.isdigit():
            return self.get(int(ref))
        try:
            found = self.by_address(feed_url(ref))
        except InvalidURLError:  # a title
            found = None
        if found is not None:
            return self.get(found)
        row = self._conn.execute(
            f"SELECT {FEED_COLUMNS} FROM {subscribed(self._conn)}"
            f" WHERE f.url = ? OR lower({FEED_TITLE}) = lower(?) ORDER BY f.url = ? DESC LIMIT 1",
            (ref, ref, ref),
        ).fetchone()
        if row is None:
            raise FeedNotFoundError(f"no feed {ref!r} (give its id, URL or title)")
        return feed_from_row(row)

    def all(self, *, folder: str | None = None) -> list[Feed]:
        """The person's feeds, by folder and title."""
        sql = f"SELECT {FEED_COLUMNS} FROM {subscribed(self._conn)}"
        params: list[object] = []
        if folder is not None:
            condition, params = in_folder(self._conn, "sub.folder", folder)
            sql += f" WHERE {condition}"
        folder_order = byte_order(self._conn, "coalesce(sub.folder, '')")
        title_order = byte_order(self._conn, f"lower(coalesce({FEED_TITLE}, f.url))")
        sql += f" ORDER BY {folder_order}, {title_order}"
        return [feed_from_row(row) for row in self._conn.execute(sql, params)]

    def check_folder(self, folder: str) -> None:
        """FeedNotFoundError, naming the folders there are, when none of the person's
        feeds is in ``folder`` (or in a folder below it)."""
        mine = f"FROM subscriptions WHERE person_id = {me(self._conn)}"
        condition, params = in_folder(self._conn, "folder", folder)
        if self._conn.execute(f"SELECT 1 {mine} AND {condition} LIMIT 1", params).fetchone():
            return
        order = f"{byte_order(self._conn, 'lower(folder)')}, {byte_order(self._conn, 'folder')}"
        rows = self._conn.execute(
            f"SELECT folder {mine} AND folder IS NOT NULL GROUP BY folder ORDER BY {order}"
        )
        known = [str(row[0]) for row in rows]
        listed = f" (folders: {', '.join(known)})" if known else " (no feed is in a folder)"
        raise FeedNotFoundError(f"no folder {folder!r}{listed}")

    def missing_names(self, names: Sequence[str]) -> list[str]:
        """Those of these ``feed:`` names that no feed answers to."""
        # Not at the top: the filters import the query language, which `pkm tags` (and
        # every command that opens the feeds) does not need.
        from pkm.storage.filters import feed_condition

        missing = []
        for name in names:
            params: list[object] = []
            condition = feed_condition((name,), params, dialect_of(self._conn))
            sql = f"SELECT 1 FROM feeds ff WHERE {condition} LIMIT 1"
            if self._conn.execute(sql, params).fetchone() is None:
                missing.append(name)
        return missing

    def remove(self, feed_id: int) -> None:
        """Unsubscribe the person; a feed nobody follows any more goes, with the entries
        only it brought (entries anyone saved stay)."""
        self.get(feed_id)
        self._conn.execute(
            "DELETE FROM subscriptions WHERE person_id = ? AND feed_id = ?",
            (me(self._conn), feed_id),
        )
        if self._conn.execute(
            "SELECT 1 FROM subscriptions WHERE feed_id = ? LIMIT 1", (feed_id,)
        ).fetchone():
            return
        self._conn.execute(
            "DELETE FROM entries WHERE id NOT IN (SELECT entry_id FROM saves) AND id IN"
            " (SELECT entry_id FROM items WHERE feed_id = ?) AND NOT EXISTS"
            " (SELECT 1 FROM items j WHERE j.entry_id = entries.id AND j.feed_id != ?)",
            (feed_id, feed_id),
        )
        self._conn.execute(
            "UPDATE entries SET feed_id = (SELECT i.feed_id FROM items i"
            " WHERE i.entry_id = entries.id AND i.feed_id != ? LIMIT 1) WHERE feed_id = ?",
            (feed_id, feed_id),
        )
        self._conn.execute("DELETE FROM feeds WHERE id = ?", (feed_id,))

    def due(
        self,
        now: int,
        *,
        feed_id: int | None = None,
        folder: str | None = None,
        force: bool = False,
    ) -> list[FetchState]:
        """The person's feeds to fetch now: not retired, and (unless forced) not backing
        off."""
        scope, params = _scope(self._conn, feed_id, folder)
        if not force:
            scope += " AND (f.next_fetch_at IS NULL OR f.next_fetch_at <= ?)"
            params.append(now)
        rows = self._conn.execute(
            "SELECT f.id, f.url, f.etag, f.last_modified, f.body_hash, f.error_count,"
            f" {FEED_TITLE}, f.full_text FROM {subscribed(self._conn)}"
            f" WHERE f.retired_at IS NULL{scope} ORDER BY f.id",
            params,
        )
        return [
            FetchState(feed_id, url, etag, last_modified, body_hash, errors, title, bool(full_text))
            for feed_id, url, etag, last_modified, body_hash, errors, title, full_text in rows
        ]

    def waiting(
        self, now: int, *, feed_id: int | None = None, folder: str | None = None
    ) -> list[Feed]:
        """Feeds a scan at ``now`` leaves alone: backing off after errors, or asked to
        wait by the server (Retry-After)."""
        scope, params = _scope(self._conn, feed_id, folder)
        rows = self._conn.execute(
            f"SELECT {FEED_COLUMNS} FROM {subscribed(self._conn)} WHERE f.retired_at IS NULL"
            f" AND f.next_fetch_at > ?{scope} ORDER BY f.id",
            [now, *params],
        )
        return [feed_from_row(row) for row in rows]

    def record_success(
        self,
        feed_id: int,
        *,
        now: int,
        status: int | None,
        etag: str | None,
        last_modified: str | None,
        body_hash: str | None,
    ) -> None:
        self._conn.execute(
            "UPDATE feeds SET etag = ?, last_modified = ?, body_hash = coalesce(?, body_hash),"
            " last_fetched = ?, last_status = ?, last_error = NULL, error_count = 0,"
            " failing_since = NULL,"
            " next_fetch_at = NULL WHERE id = ?",
            (etag, last_modified, body_hash, now, status, feed_id),
        )

    def record_failure(
        self,
        feed_id: int,
        *,
        now: int,
        status: int | None,
        error: str,
        next_fetch_at: int | None,
        retire: bool = False,
    ) -> None:
        self._conn.execute(
            "UPDATE feeds SET last_fetched = ?, last_status = ?, last_error = ?,"
            " error_count = error_count + 1, next_fetch_at = ?,"
            " failing_since = coalesce(failing_since, ?),"
            " retired_at = CASE WHEN ? THEN ? ELSE retired_at END WHERE id = ?",
            (now, status, error, next_fetch_at, now, retire, now, feed_id),
        )

    def update_details(self, feed_id: int, *, title: str | None, site_url: str | None) -> None:
        """Fill in title and site from the feed itself, keeping what the user chose."""
        self._conn.execute(
            "UPDATE feeds SET title = coalesce(title, ?), site_url = coalesce(?, site_url)"
            " WHERE id = ?",
            (title, site_url, feed_id),
        )

    def edit(
        self,
        feed_id: int,
        *,
        title: str | None = None,
        folder: str | None = None,
        full_text: bool | None = None,
    ) -> None:
        """Change what the person chose (their title and folder; whether the feed's
        articles are fetched, which is the feed's, for everyone who follows it); None keeps
        a value, an empty folder clears it."""
        self._conn.execute(
            "UPDATE subscriptions SET title = coalesce(:title, title),"
            " folder = CASE WHEN CAST(:folder AS TEXT) IS NULL THEN folder"
            " ELSE nullif(:folder, '') END WHERE feed_id = :id AND person_id = :me",
            {"title": title, "folder": folder, "id": feed_id, "me": me(self._conn)},
        )
        if full_text is not None:
            self._conn.execute(
                "UPDATE feeds SET full_text = ? WHERE id = ?", (int(full_text), feed_id)
            )

    def move(self, feed_id: int, new_url: str) -> bool:
        """Follow a permanent redirect; False when another subscription has that URL."""
        taken = self._conn.execute(
            "SELECT 1 FROM feeds WHERE url = ? AND id != ?", (new_url, feed_id)
        ).fetchone()
        if taken:
            return False
        self._conn.execute("UPDATE feeds SET url = ? WHERE id = ?", (new_url, feed_id))
        return True


def _scope(
    conn: sqlite3.Connection, feed_id: int | None, folder: str | None
) -> tuple[str, list[object]]:
    """Conditions (each starting with AND) limiting a scan of the person's feeds ``f``
    (subscriptions ``sub``) to one feed or one folder."""
    sql = ""
    params: list[object] = []
    if feed_id is not None:
        sql += " AND f.id = ?"
        params.append(feed_id)
    if folder is not None:
        condition, values = in_folder(conn, "sub.folder", folder)
        sql += f" AND {condition}"
        params += values
    return sql, params
