"""What the import readers share: decoding JSON and CSV, reading dates, collecting records.

Every reader turns one record of its file into one bookmark or one skipped line, so that
an import summary adds up: bookmarks + skipped = records read.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from pkm.errors import FormatError
from pkm.formats._shared import is_web_url, utc
from pkm.text import clean_block, clean_line
from pkm.types import BookmarkData, BookmarkImport

# The earliest and latest dates a bookmark can carry; anything else is a misread number.
_EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
_LATEST = datetime(2200, 1, 1, tzinfo=UTC)
# "10/Oct/2000:13:55:36 +0300": the web server log format some exporters wrote.
_LOG_DATE_RE = re.compile(r"\d{1,2}/[A-Za-z]{3}/\d{4}:\d{2}:\d{2}:\d{2}(?: [+-]\d{4})?")
_CSV_FIELD_LIMIT = 1 << 24  # a note of 16 MB is not a note, but not a crash either


class ReadError(FormatError):
    """Data that is not in the format a reader expects: ``what`` it expected, and why."""

    def __init__(self, what: str, reason: str) -> None:
        super().__init__(f"not {what}: {reason}")
        self.what = what
        self.reason = reason


def load_json(data: bytes, what: str) -> object:
    """The JSON value ``data`` holds, or ReadError naming the format expected."""
    try:
        return json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ReadError(what, "not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise ReadError(what, f"{exc}") from None
    except RecursionError:  # thousands of nested brackets: not an export, and no crash
        raise ReadError(what, "nested too deeply") from None


def decode_text(data: bytes) -> str:
    """A text export: UTF-8 (with or without BOM), else Windows-1252 as spreadsheets write."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_csv(data: bytes, what: str, required: Sequence[str]) -> list[dict[str, str]]:
    """The rows of a CSV file as dicts keyed by lower-cased column name.

    Raises ReadError naming ``what`` when a column in ``required`` is missing.
    """
    text = decode_text(data)
    if "\x00" in text:
        raise ReadError(what, "binary data")
    csv.field_size_limit(_CSV_FIELD_LIMIT)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [clean_line(name).lower() for name in next(reader, [])]
        missing = [name for name in required if name not in header]
        if missing:
            raise ReadError(what, f"no {', '.join(missing)} column")
        return [dict(zip(header, row, strict=False)) for row in reader if any(row)]
    except csv.Error as exc:
        raise ReadError(what, f"{exc}") from None


def csv_header(data: bytes) -> list[str]:
    """The lower-cased column names of the first line, if it reads as a CSV header."""
    first = decode_text(data[:4096]).splitlines()[:1]
    if not first:
        return []
    try:
        row = next(csv.reader(first), [])
    except csv.Error:
        return []
    return [clean_line(name).lower() for name in row]


def text(value: object) -> str:
    """A string field of a JSON record; anything else (a number, null, a list) is empty."""
    return value if isinstance(value, str) else ""


def split_tags(value: object, separator: str | None = None) -> list[str]:
    """Tags from a string split on ``separator`` (None: commas if any, else spaces), or a list."""
    if isinstance(value, list):
        parts = [item for item in value if isinstance(item, str)]
    elif isinstance(value, str):
        if separator is None:
            separator = "," if "," in value else None
        parts = value.split(separator)
    else:
        return []
    return [tag for tag in (clean_line(part) for part in parts) if tag]


def epoch(number: float) -> datetime | None:
    """Seconds, milliseconds, microseconds or nanoseconds since 1970 (told apart by size)."""
    if not 0 < number < float("inf"):
        return None
    if number >= 1e17:  # nanoseconds
        number /= 1e9
    elif number >= 1e14:  # microseconds (Firefox's own unit, WebKit's too)
        number /= 1e6
    elif number >= 1e11:  # milliseconds (JavaScript's unit); 1e11 s would be year 5138
        number /= 1e3
    try:
        return datetime.fromtimestamp(int(number), tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def parse_date(value: object) -> datetime | None:
    """A date as exports write it, as an aware UTC datetime; None if missing or unreadable.

    Numbers (and numeric strings) count from 1970 in any unit :func:`epoch` knows; strings
    may be ISO 8601 (``2022-12-20 19:47:00.442000+00:00`` too), RFC 2822 (``Tue, 10 Oct
    2000 13:55:36 +0300``) or the web log form ``10/Oct/2000:13:55:36 +0300``. A string
    without a zone is taken to be UTC.
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return epoch(float(value))
    if not isinstance(value, str):
        return None
    if value.isascii() and value.isdigit() and len(value) <= 10:  # plain seconds: common
        seconds = int(value)
        return datetime.fromtimestamp(seconds, tz=UTC) if seconds > 0 else None
    value = value.strip()
    if not value:
        return None
    try:
        return epoch(float(value))
    except ValueError:
        pass
    try:
        return utc(datetime.fromisoformat(value.replace("Z", "+00:00")))
    except (ValueError, OverflowError):
        pass
    if _LOG_DATE_RE.fullmatch(value):
        form = "%d/%b/%Y:%H:%M:%S %z" if " " in value else "%d/%b/%Y:%H:%M:%S"
        try:
            return utc(datetime.strptime(value, form))
        except (ValueError, OverflowError):
            return None
    try:
        return utc(parsedate_to_datetime(value))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def unreadable_date(value: object, parsed: datetime | None) -> bool:
    """True when ``value`` was meant as a date but :func:`parse_date` could not read it
    (a number such as 0 or -1 is how exporters say "no date", and is not reported)."""
    if parsed is not None or not isinstance(value, str) or not value.strip():
        return False
    try:
        float(value)
    except ValueError:
        return True
    return False


def date_problem(label: str, value: str) -> str:
    return f"{label}: date {quote(value)!r} not understood; saved with the import date"


def since_1601(microseconds: object) -> datetime | None:
    """Windows FILETIME-style microseconds since 1601-01-01 (Chrome and Edge store these)."""
    try:
        number = int(str(microseconds))
    except ValueError:
        return None
    try:
        when = datetime(1601, 1, 1, tzinfo=UTC) + timedelta(microseconds=number)
    except OverflowError:
        return None
    return when.replace(microsecond=0) if _EARLIEST <= when < _LATEST else None


def scheme_of(url: str) -> str:
    try:
        return urlsplit(url).scheme.lower()
    except ValueError:
        return ""


def quote(value: str) -> str:
    """A URL or title as a skipped line shows it: one line, at most 80 characters."""
    line = clean_line(value)
    return line if len(line) <= 80 else line[:79] + "…"


def dedupe(tags: Iterable[str]) -> tuple[str, ...]:
    seen: set[str] = set()
    out: list[str] = []
    for tag in tags:
        key = tag.casefold()
        if key not in seen:
            seen.add(key)
            out.append(tag)
    return tuple(out)


class Collector:
    """Gathers one import: each record read becomes a bookmark or a skipped line."""

    def __init__(self) -> None:
        self.result = BookmarkImport()

    def skip(self, reason: str) -> None:
        self.result.skipped.append(reason)

    def date(self, value: object, label: str) -> datetime | None:
        """:func:`parse_date`, noting a date string that cannot be read as a problem."""
        parsed = parse_date(value)
        if unreadable_date(value, parsed):
            self.result.problems.append(date_problem(label, str(value)))
        return parsed

    def add(
        self,
        url: object,
        *,
        label: str,
        title: object = None,
        note: object = None,
        tags: Iterable[str] = (),
        added: datetime | None = None,
        modified: datetime | None = None,
        to_read: bool = False,
        private: bool = False,
    ) -> None:
        """Add a bookmark, or skip it when ``url`` is not an http(s) link.

        ``label`` names the record in the skipped line when it has no URL ("row 3").
        """
        address = clean_line(text(url))
        if not address:
            self.skip(f"{label}: no URL")
            return
        if not is_web_url(address):
            scheme = scheme_of(address)
            what = f"{scheme}: link" if scheme else "relative link"
            self.skip(f"{quote(address)}: {what}, not http(s)")
            return
        self.result.bookmarks.append(
            BookmarkData(
                url=address,
                title=clean_line(text(title)) or None,
                note=clean_block(text(note)) or None,
                tags=dedupe(tags),
                added=added,
                modified=modified,
                to_read=to_read,
                private=private,
            )
        )
