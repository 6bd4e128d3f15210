"""Whole collections in and out of a store: bookmark files, OPML, backups.

:class:`pkm.api.Pkm` hands these use cases here; a batch of bookmarks, an OPML file
and a restore are each written in the store's own write transactions.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from pkm.errors import FormatError, PkmError, UsageError
from pkm.files import DEFAULT_MAX_FILE_BYTES, read_input
from pkm.storage.db import Connection, Write
from pkm.storage.entries import EntryRepository
from pkm.storage.feeds import FeedRepository
from pkm.storage.people import my_name
from pkm.storage.rows import now_ts
from pkm.types import BookmarkImport, Entry, ImportReport, ReadingList

# Bookmarks per import transaction: large enough to be fast, small enough that an
# interrupted import keeps most of its work.
IMPORT_BATCH = 5000


def export_format_for(path: str | os.PathLike[str] | None) -> str:
    """The reading-list format a file name asks for (``list.html`` is a page, not
    bookmarks; ``.htm`` and ``.markdown`` count too); Markdown otherwise."""
    from pkm.formats import EXPORTERS, EXTENSIONS

    suffix = Path(path).suffix.lower() if path is not None else ""
    # Reversed, so that of two formats sharing an extension the first listed wins.
    by_suffix = {ext: name for name, ext in reversed(EXTENSIONS.items()) if name in EXPORTERS}
    by_suffix |= {".htm": "html", ".markdown": "md"}
    return by_suffix.get(suffix, "md")


class Transfer:
    """The imports, backups and restores of one open store."""

    def __init__(self, conn: Connection, where: str, write: Write) -> None:
        self._conn = conn
        self._where = where
        self._write = write
        self._feeds = FeedRepository(conn)

    def reading_list(
        self, entries: Sequence[Entry], *, title: str, format: str, include_private: bool
    ) -> ReadingList:
        """Entries as a reading list in one of :data:`pkm.formats.EXPORTERS`: private ones
        left out (and counted) unless ``include_private``, except in formats that keep
        the flag with each bookmark."""
        from pkm.formats import EXPORTERS, KEEP_PRIVATE_FLAG

        exporter = EXPORTERS.get(format)
        if exporter is None:
            raise UsageError(f"unknown format {format!r} (choose from {', '.join(EXPORTERS)})")
        left_out = 0
        if not include_private and format not in KEEP_PRIVATE_FLAG:
            shared = [e for e in entries if not e.private]
            left_out = len(entries) - len(shared)
            if not shared:
                raise PkmError(
                    f"all {left_out} entries are private",
                    option="include_private",
                    advice="; {} exports them",
                )
            entries = shared
        text = exporter(entries, title=title, generated=datetime.now(UTC))
        return ReadingList(text, private_left_out=left_out)

    def import_opml(self, data: bytes) -> ImportReport:
        from pkm.formats.opml import parse_opml

        parsed = parse_opml(data)
        imported = merged = 0
        with self._write():
            for outline in parsed.feeds:
                _, created = self._feeds.add(
                    outline.url,
                    title=outline.title,
                    folder=outline.folder,
                    site_url=outline.site_url,
                    full_text=outline.full_text,
                )
                imported += created
                merged += not created
        return ImportReport(imported=imported, merged=merged, skipped=parsed.problems)

    def export_opml(self) -> str:
        from pkm.formats.opml import dump_opml

        return dump_opml(self._feeds.all())

    def import_file(
        self,
        path: str | os.PathLike[str],
        *,
        format: str | None = None,
        folders_as_tags: bool = True,
        progress: Callable[[int, int], None] | None = None,
        max_size: int = DEFAULT_MAX_FILE_BYTES,
    ) -> ImportReport:
        """Import the file at ``path`` (read up to ``max_size`` bytes); a ``places.sqlite``
        comes with its ``-wal`` journal."""
        from pkm.formats.places import looks_like as is_sqlite

        data = read_input(Path(path), max_size=max_size)
        wal = None
        if is_sqlite(data):
            wal_path = Path(f"{os.fspath(path)}-wal")
            wal = read_input(wal_path, max_size=max_size) if wal_path.exists() else None
        return self.import_bookmarks(
            data, format=format, folders_as_tags=folders_as_tags, progress=progress, wal=wal
        )

    def import_bookmarks(
        self,
        data: bytes,
        *,
        format: str | None = None,
        folders_as_tags: bool = True,
        progress: Callable[[int, int], None] | None = None,
        wal: bytes | None = None,
    ) -> ImportReport:
        """Import a bookmark file in any format ``pkm import`` reads (pkm.formats.imports),
        found from the content unless ``format`` names it; ``wal`` is a places.sqlite's
        journal.

        Bookmarks merge with what the store holds by normalised URL, so importing the
        same file twice changes nothing. Each batch of bookmarks is one transaction. The
        report adds up: imported + merged + skipped is the number of records read (a page
        the file holds twice is merged into its first record).
        """
        from pkm.formats import imports
        from pkm.storage.backup import is_empty

        fmt = imports.format_for(format, data)
        if fmt.name == "backup":
            if is_empty(self._conn):
                return self.restore(data)
            return self._merge_backup(data, progress)
        if fmt.name == "opml":
            return self.import_opml(data)
        parsed = imports.read(
            fmt, data, folders_as_tags=folders_as_tags, wal=wal, detected=format is None
        )
        return self._add_bookmarks(parsed, fmt.label, progress)

    def _merge_backup(
        self, data: bytes, progress: Callable[[int, int], None] | None
    ) -> ImportReport:
        """A backup into a store that has data: its feeds subscribed and its bookmarks
        merged by URL, as any bookmark file is (a restore needs an empty store)."""
        from pkm.formats import backup

        parsed = backup.read(data)
        _check_schema(parsed.schema)
        feeds, bookmarks = backup.as_collection(parsed, my_name(self._conn))
        with self._write():
            for feed in feeds:
                self._feeds.add(
                    feed.url, title=feed.title, folder=feed.folder, site_url=feed.site_url
                )
        return self._add_bookmarks(
            BookmarkImport(bookmarks=bookmarks), "pkm backup (merged)", progress
        )

    def _add_bookmarks(
        self,
        parsed: BookmarkImport,
        label: str,
        progress: Callable[[int, int], None] | None,
    ) -> ImportReport:
        from pkm.storage.bookmarks import BookmarkImporter

        importer = BookmarkImporter(self._conn, now_ts())
        imported = merged = 0
        skipped = list(parsed.skipped)
        total = len(parsed.bookmarks)
        for start in range(0, total, IMPORT_BATCH):
            batch = parsed.bookmarks[start : start + IMPORT_BATCH]
            with self._write():
                result = importer.add(batch)
            imported += result.imported
            merged += result.merged
            skipped.extend(result.skipped)
            if progress:
                progress(min(start + IMPORT_BATCH, total), total)
        return ImportReport(
            imported=imported,
            merged=merged,
            skipped=tuple(skipped),
            read_as=label,
            problems=tuple(parsed.problems),
        )

    def backup(self, out: IO[str]) -> None:
        """Write everything (feeds and their fetch state, entries, tags, notes) as JSON."""
        from pkm.formats import backup
        from pkm.storage.backup import all_tables, snapshot
        from pkm.storage.db import schema_version

        with snapshot(self._conn):  # one consistent view, even while a scan writes
            schema = schema_version(self._conn) or ""
            backup.write(out, schema=schema, tables=all_tables(self._conn))

    def restore(self, data: bytes) -> ImportReport:
        """Load a backup into this store, which must be empty; ids are kept."""
        from pkm.formats import backup
        from pkm.storage.backup import TABLES, is_empty, settle_restored, write_table

        parsed = backup.as_current(backup.read(data), my_name(self._conn))
        _check_schema(parsed.schema)
        if not is_empty(self._conn):
            raise PkmError(f"restore needs an empty store, and {self._where} is not empty")
        unknown = set(parsed.tables) - set(TABLES)
        if unknown:
            raise FormatError(f"pkm backup holds unknown tables: {', '.join(sorted(unknown))}")
        counts: dict[str, int] = {}
        with self._write():
            for table in TABLES:
                if table in parsed.tables:
                    columns, rows = parsed.tables[table]
                    counts[table] = write_table(self._conn, table, columns, rows)
            settle_restored(self._conn)
            EntryRepository(self._conn).index_pending()
        return ImportReport(imported=counts.get("entries", 0), restored=counts)

    def copy_to(
        self,
        target: Connection,
        target_where: str,
        progress: Callable[[int, int], None] | None = None,
    ) -> dict[str, int]:
        """Everything in this store into the empty store of ``target``, in one write
        transaction there; rows copied per table."""
        from pkm.storage.backup import is_empty
        from pkm.storage.copy import copy_store

        if not is_empty(target):
            raise PkmError(f"copy needs an empty target, and {target_where} is not empty")
        return copy_store(self._conn, target, progress)


def _check_schema(schema: str) -> None:
    """A backup's tables are read by their columns, so an older schema restores; a newer
    one may hold what this pkm would silently drop."""
    from pkm.storage.db import HEAD_REVISION

    if not schema.isdigit():
        raise FormatError(f"pkm backup has an unknown schema {schema!r}")
    if int(schema) > int(HEAD_REVISION):
        raise FormatError(
            f"pkm backup is of schema {schema}, newer than this pkm's {HEAD_REVISION}:"
            " restore it with a newer pkm"
        )
