"""Points in time as a user writes them: ``since:7d``, ``--since yesterday``,
``--older-than 2026-01-01``; one reading for find, scan, review and check."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pkm.errors import QueryError

SINCE_HELP = "use YYYY-MM-DD, 7d, 2w, 3m, 1y, 12h, yesterday or today"


def _days_in_month(year: int, month: int) -> int:
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return 29 if leap else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _months_ago(dt: datetime, months: int) -> datetime:
    year, month0 = divmod(dt.year * 12 + dt.month - 1 - months, 12)
    if year < 1:
        raise ValueError("too far back")
    month = month0 + 1
    return dt.replace(year=year, month=month, day=min(dt.day, _days_in_month(year, month)))


def parse_since(text: str, *, now: datetime | None = None) -> datetime:
    """A point in time from ``2026-01-01``, an ISO datetime, ``7d``/``2w``/``3m``/``1y``/
    ``12h`` ago, ``yesterday`` or ``today``; tz-aware UTC.

    Dates, naive datetimes and ``today``/``yesterday`` are read in the timezone of
    ``now`` (default: the local one; a naive ``now`` is taken as UTC).
    """
    value = text.strip()
    if now is None:
        now = datetime.now().astimezone()
    elif now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    try:
        low = value.lower()
        if low in ("today", "yesterday"):
            midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
            when = midnight - timedelta(days=1) if low == "yesterday" else midnight
        elif len(low) > 1 and low[-1] in "hdwmy" and low[:-1].isascii() and low[:-1].isdigit():
            count, unit = int(low[:-1]), low[-1]
            if unit == "h":
                when = now - timedelta(hours=count)
            elif unit == "d":
                when = now - timedelta(days=count)
            elif unit == "w":
                when = now - timedelta(weeks=count)
            else:
                when = _months_ago(now, count * (12 if unit == "y" else 1))
        else:
            when = datetime.fromisoformat(value)
            if when.tzinfo is None:
                when = when.replace(tzinfo=now.tzinfo)
        return when.astimezone(UTC)
    except (ValueError, OverflowError):
        raise QueryError(f"bad date {text!r} ({SINCE_HELP})") from None
