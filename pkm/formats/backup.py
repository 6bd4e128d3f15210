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


def as_collection(backup: Backup, person: str) -> tuple[list[OutlineFeed], list[BookmarkData]]:
    """A backup read as another tool's export, to merge into a store that has data: its
    subscriptions and the saves of ``person`` (of its first person if it has no such
    person; the feeds' items come again by scanning). Columns are found by name, so a
    backup of any schema reads."""
    backup = with_people(backup, person)
    feeds = [
        OutlineFeed(
            url=str(row["url"]),
            title=_text(row.get("title")),
            folder=_text(row.get("folder")),
            site_url=_text(row.get("site_url")),
        )
        for row in _rows(backup, "feeds")
        if row.get("url")
    ]
    people = {str(row.get("name")): row.get("id") for row in _rows(backup, "people")}
    owner = people.get(person, min(people.values(), default=None, key=lambda i: int(str(i))))
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
