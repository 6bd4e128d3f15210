"""pkm's own backup: every table of the store as JSON, written as a stream.

{"format": "pkm-backup", "version": 1, "schema": "0001", "created": "…Z",
 "tables": {"feeds": {"columns": [...], "rows": [[...], ...]}, ...}}
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, Any

from pkm.errors import FormatError
from pkm.types import BookmarkData, OutlineFeed

FORMAT = "pkm-backup"
VERSION = 1


@dataclass(frozen=True)
class Backup:
    schema: str
    created: str
    tables: dict[str, tuple[list[str], list[list[Any]]]]


def write(
    out: IO[str],
    *,
    schema: str,
    tables: Iterable[tuple[str, Sequence[str], Iterable[Sequence[Any]]]],
) -> None:
    created = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    out.write(
        f'{{"format": "{FORMAT}", "version": {VERSION}, "schema": {json.dumps(schema)},'
        f' "created": "{created}",\n "tables": {{'
    )
    for number, (name, columns, rows) in enumerate(tables):
        out.write(("," if number else "") + f"\n  {json.dumps(name)}: {{")
        out.write(f'"columns": {json.dumps(list(columns))}, "rows": [')
        for index, row in enumerate(rows):
            out.write(("," if index else "") + "\n   " + json.dumps(list(row), ensure_ascii=False))
        out.write("]}")
    out.write("\n }\n}\n")


def looks_like_backup(data: bytes) -> bool:
    return f'"format": "{FORMAT}"'.encode() in data[:200]


def read(data: bytes) -> Backup:
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FormatError(f"not a pkm backup: {exc}") from None
    except RecursionError:  # thousands of nested brackets: not a backup, and no crash
        raise FormatError("not a pkm backup: nested too deeply") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise FormatError('not a pkm backup: no "format": "pkm-backup" field')
    if document.get("version") != VERSION:
        raise FormatError(f"unsupported pkm backup version {document.get('version')!r}")
    raw_tables = document.get("tables")
    if not isinstance(raw_tables, dict):
        raise FormatError("not a pkm backup: no tables")
    tables: dict[str, tuple[list[str], list[list[Any]]]] = {}
    for name, table in raw_tables.items():
        if not isinstance(table, dict):
            raise FormatError(f"pkm backup table {name!r} is malformed")
        columns, rows = table.get("columns"), table.get("rows")
        if not isinstance(columns, list) or not isinstance(rows, list):
            raise FormatError(f"pkm backup table {name!r} is malformed")
        if not all(isinstance(row, list) and len(row) == len(columns) for row in rows):
            raise FormatError(f"pkm backup table {name!r} has malformed rows")
        tables[str(name)] = ([str(c) for c in columns], rows)
    return Backup(str(document.get("schema")), str(document.get("created")), tables)


# Before schema 0007 a store was one person's: their saves were columns of entries.
_LEGACY_SAVE = ("saved_at", "note", "to_read", "private", "tags_text")


def with_people(backup: Backup, owner: str) -> Backup:
    """A backup from before people (schema < 0007) as one of ``owner``'s store: each
    saved, tagged or annotated entry becomes their save. A newer backup as it is."""
    if "saves" in backup.tables or "entry_tags" not in backup.tables:
        return backup
    tables = dict(backup.tables)
    links: dict[object, list[object]] = {}
    for link in _rows(backup, "entry_tags"):
        links.setdefault(link.get("entry_id"), []).append(link.get("tag_id"))
    saves: list[list[Any]] = []
    save_tags: list[list[Any]] = []
    for row in _rows(backup, "entries"):
        tagged = links.get(row.get("id"), [])
        if not (
            row.get("saved_at") is not None
            or row.get("note")
            or row.get("to_read")
            or row.get("private")
            or tagged
        ):
            continue
        save_id = len(saves) + 1
        saves.append(
            [
                save_id,
                1,
                row.get("id"),
                row.get("saved_at") or row.get("first_seen"),
                row.get("note"),
                int(bool(row.get("to_read"))),
                int(bool(row.get("private"))),
                row.get("tags_text"),
            ]
        )
        save_tags.extend([save_id, tag_id] for tag_id in tagged)
    del tables["entry_tags"]
    if saves:
        started = min(int(save[3] or 0) for save in saves)
        tables["people"] = (
            ["id", "name", "created_at", "default_private"],
            [[1, owner, started, 0]],
        )
    columns = ["id", "person_id", "entry_id", "saved_at", "note", "to_read", "private", "tags_text"]
    tables["saves"] = (columns, saves)
    tables["save_tags"] = (["save_id", "tag_id"], save_tags)
    return Backup(backup.schema, backup.created, tables)


def with_own_feeds(backup: Backup, owner: str) -> Backup:
    """A backup from before each person had their own feeds (schema < 0008) as this
    schema holds it, as migration 0008 does a store: each of its people subscribes to
    its feeds, in their folders, with the store's read state and mute rules (a backup
    with feeds or rules but nobody in it becomes ``owner``'s). A newer one as it is."""
    if "subscriptions" in backup.tables:
        return backup
    tables = dict(backup.tables)
    feeds, rules = list(_rows(backup, "feeds")), list(_rows(backup, "mute_rules"))
    people = [row.get("id") for row in _rows(backup, "people")]
    if not people and (feeds or rules):
        started = min(
            [int(f.get("added_at") or 0) for f in feeds]
            + [int(r.get("created_at") or 0) for r in rules]
        )
        tables["people"] = (
            ["id", "name", "created_at", "default_private"],
            [[1, owner, started, 0]],
        )
        people = [1]
    entries = list(_rows(backup, "entries"))
    subscriptions = [
        [
            len(people) * index + n + 1,
            person,
            feed.get("id"),
            None,
            feed.get("folder"),
            feed.get("added_at"),
            *_shown(feed.get("id"), entries),
        ]
        for index, feed in enumerate(feeds)
        for n, person in enumerate(people)
    ]
    tables["subscriptions"] = (
        [
            "id",
            "person_id",
            "feed_id",
            "title",
            "folder",
            "added_at",
            "shown_through",
            "shown_from",
            "shown_at",
        ],
        subscriptions,
    )
    tables["entry_states"] = (
        ["person_id", "entry_id", "read_at", "muted"],
        [
            [person, row.get("id"), row.get("read_at"), int(bool(row.get("muted")))]
            for person in people
            for row in entries
            if row.get("read_at") is not None or row.get("muted")
        ],
    )
    next_rule = max((int(r.get("id") or 0) for r in rules), default=0) + 1
    copies = [
        [next_rule + n, person, rule.get("rule"), rule.get("created_at")]
        for n, (person, rule) in enumerate((p, r) for p in people[1:] for r in rules)
    ]
    tables["mute_rules"] = (
        ["id", "person_id", "rule", "created_at"],
        [[r.get("id"), people[0], r.get("rule"), r.get("created_at")] for r in rules] + copies,
    )
    columns, rows = backup.tables.get("scans", ([], []))
    tables["scans"] = (
        [*columns, "person_id"],
        [[*row, people[0] if people else None] for row in rows],
    )
    return Backup(backup.schema, backup.created, tables)


def _shown(feed_id: object, entries: Sequence[dict[str, Any]]) -> tuple[int, int, object]:
    """A feed's digest watermarks from its entries' ``shown_at`` (shown_through,
    shown_from, shown_at): everything below its first item never shown counts as shown.
    A backup older than ``shown_at`` held nothing unseen."""
    own = sorted((row for row in entries if row.get("feed_id") == feed_id), key=_entry_id)
    if not own:
        return 0, 0, None
    unshown = [_entry_id(row) for row in own if "shown_at" in row and row["shown_at"] is None]
    through = unshown[0] - 1 if unshown else _entry_id(own[-1])
    shown = [row for row in own if _entry_id(row) <= through]
    if not shown:
        return 0, 0, None
    times = [row.get("shown_at", row.get("first_seen")) for row in shown]
    last = max(int(t or 0) for t in times)
    first = min(_entry_id(row) for row, t in zip(shown, times, strict=True) if int(t or 0) == last)
    return through, first - 1, last


def _entry_id(row: dict[str, Any]) -> int:
    return int(row.get("id") or 0)


def as_current(backup: Backup, owner: str) -> Backup:
    """A backup of any schema as this schema holds it (see with_people, with_own_feeds)."""
    return with_own_feeds(with_people(backup, owner), owner)


def as_collection(backup: Backup, person: str) -> tuple[list[OutlineFeed], list[BookmarkData]]:
    """A backup read as another tool's export, to merge into a store that has data: the
    subscriptions and the saves of ``person`` (of its first person if it has no such
    person; the feeds' items come again by scanning). Columns are found by name, so a
    backup of any schema reads."""
    backup = as_current(backup, person)
    people = {str(row.get("name")): row.get("id") for row in _rows(backup, "people")}
    owner = people.get(person, min(people.values(), default=None, key=lambda i: int(str(i))))
    mine = {
        row.get("feed_id"): row
        for row in _rows(backup, "subscriptions")
        if row.get("person_id") == owner
    }
    feeds = [
        OutlineFeed(
            url=str(row["url"]),
            title=_text(mine[row.get("id")].get("title")) or _text(row.get("title")),
            folder=_text(mine[row.get("id")].get("folder")),
            site_url=_text(row.get("site_url")),
        )
        for row in _rows(backup, "feeds")
        if row.get("url") and row.get("id") in mine
    ]
    entries = {row.get("id"): row for row in _rows(backup, "entries")}
    names = {row.get("id"): str(row.get("name")) for row in _rows(backup, "tags")}
    tags: dict[object, list[str]] = {}
    for link in _rows(backup, "save_tags"):
        if link.get("tag_id") in names:
            tags.setdefault(link.get("save_id"), []).append(names[link["tag_id"]])
    bookmarks = []
    for save in _rows(backup, "saves"):
        entry = entries.get(save.get("entry_id"))
        if save.get("person_id") != owner or entry is None or not entry.get("url"):
            continue
        bookmarks.append(
            BookmarkData(
                url=str(entry["url"]),
                title=_text(entry.get("title")),
                note=_text(save.get("note")),
                tags=tuple(tags.get(save.get("id"), ())),
                added=_when(save.get("saved_at")),
                to_read=bool(save.get("to_read")),
                private=bool(save.get("private")),
            )
        )
    return feeds, bookmarks


def _rows(backup: Backup, table: str) -> Iterator[dict[str, Any]]:
    columns, rows = backup.tables.get(table, ([], []))
    for row in rows:
        yield dict(zip(columns, row, strict=True))


def _text(value: object) -> str | None:
    return str(value) if value not in (None, "") else None


def _when(value: object) -> datetime | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    return None
