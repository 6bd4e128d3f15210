"""The sources review: what each feed is worth, as numbers and a verdict.

Verdicts, first match wins:

- ``dead``: retired (410 Gone), or no new item in 180 days (or none ever, once fetched),
  or it never worked and has failed for more than a week;
- ``failing``: fetching has failed for more than a week, or it never worked at all;
- ``valuable``: saved from at least twice, at a saved ratio in the top quarter of feeds;
- ``quiet``: fewer than one item a week, yet saved from;
- ``noisy``: at least 10 items in the period and nothing saved;
- ``ok``: everything else.

Apart from the verdict, a live feed whose items are nearly all summaries (median text
under SUMMARY_ONLY_TEXT characters) is marked ``summary_only``: its full text is a
``pkm feeds edit ID --full-text`` away.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import IO, TYPE_CHECKING

from pkm.since import parse_since
from pkm.storage.review import FeedActivity, feed_activity
from pkm.storage.rows import to_ts
from pkm.types import Feed, FeedReview, FolderReview, Verdict

if TYPE_CHECKING:
    from pkm.storage.db import Connection, Write
    from pkm.storage.feeds import FeedRepository

DEAD_AFTER = timedelta(days=180)
FAILING_AFTER = timedelta(days=7)
NOISY_ITEMS = 10
VALUABLE_MIN_SAVED = 2
SUMMARY_ONLY_TEXT = 300
# Fewer items than this say too little about what a feed usually carries.
SUMMARY_ONLY_MIN_ITEMS = 3
# Pruning candidates first, the sources worth most last.
VERDICT_ORDER: tuple[Verdict, ...] = ("dead", "failing", "noisy", "ok", "quiet", "valuable")


def review_store(conn: Connection, since: str) -> list[FeedReview]:
    """The review of the store's feeds since ``since`` (``90d``, a date: as ``--since``)."""
    start = parse_since(since)
    return review(feed_activity(conn, to_ts(start) or 0), since=start)


def review(
    activity: Sequence[FeedActivity], *, since: datetime, now: datetime | None = None
) -> list[FeedReview]:
    now = now or datetime.now(UTC)
    weeks = max((now - since).total_seconds() / (7 * 86400), 1 / 7)
    health = {a.feed.id: _health(a, now) for a in activity}
    # "Top saved ratio" is judged among the live feeds that were saved from at all.
    ratios = sorted(
        a.saved / a.items for a in activity if a.saved and a.items and not health[a.feed.id]
    )
    top_quarter = ratios[(len(ratios) - 1) * 3 // 4] if ratios else 1.0
    reviews = [
        FeedReview(
            feed=a.feed,
            items=a.items,
            opened=a.opened,
            saved=a.saved,
            last_item=a.feed.newest_item,
            per_week=round(a.items / weeks, 2),
            verdict=health[a.feed.id] or _worth(a, a.items / weeks, top_quarter),
            summary_only=_summary_only(a) and not health[a.feed.id],
        )
        for a in activity
    ]
    reviews.sort(key=lambda r: (VERDICT_ORDER.index(r.verdict), r.saved_ratio, -r.items))
    return reviews


def _health(a: FeedActivity, now: datetime) -> Verdict | None:
    """``dead`` or ``failing``, whatever the feed gave; None for a live feed."""
    feed = a.feed
    if feed.status == "retired":
        return "dead"
    fetched_ok = feed.last_fetched is not None and feed.status != "failing"
    newest = feed.newest_item
    if (newest is not None and now - newest > DEAD_AFTER) or (newest is None and fetched_ok):
        return "dead"
    if a.failing_since is not None:
        long_failing = now - datetime.fromtimestamp(a.failing_since, UTC) > FAILING_AFTER
        if newest is None:  # it never gave an item: not a feed that is down for a while
            return "dead" if long_failing else "failing"
        if long_failing:
            return "failing"
    return None


def _summary_only(a: FeedActivity) -> bool:
    return (
        not a.feed.full_text
        and a.items >= SUMMARY_ONLY_MIN_ITEMS
        and a.median_text is not None
        and a.median_text < SUMMARY_ONLY_TEXT
    )


def _worth(a: FeedActivity, per_week: float, top_quarter: float) -> Verdict:
    ratio = a.saved / a.items if a.items else 0.0
    if a.saved >= VALUABLE_MIN_SAVED and ratio >= top_quarter:
        return "valuable"
    if per_week < 1 and a.saved:
        return "quiet"
    if a.items >= NOISY_ITEMS and not a.saved:
        return "noisy"
    return "ok"


def by_folder(reviews: Sequence[FeedReview]) -> list[FolderReview]:
    """Which areas of interest yield and which are thin: totals per top-level folder."""
    totals: dict[str | None, list[int]] = {}
    for r in reviews:
        top = r.feed.folder.split("/", 1)[0] if r.feed.folder else None
        counts = totals.setdefault(top, [0, 0, 0])
        counts[0] += 1
        counts[1] += r.items
        counts[2] += r.saved
    folders = [FolderReview(name, *counts) for name, counts in totals.items()]
    folders.sort(key=lambda f: (-f.saved_ratio, f.folder or ""))
    return folders


def prune(feeds: FeedRepository, write: Write, feed_ids: Sequence[int], out: IO[str]) -> list[Feed]:
    """Unsubscribe from feeds, first writing them to ``out`` as OPML so nothing is lost;
    saved entries from those feeds stay."""
    from pkm.formats.opml import dump_opml

    pruned = [feeds.get(feed_id) for feed_id in feed_ids]
    out.write(dump_opml(pruned, title="Subscriptions removed by pkm feeds review --prune"))
    out.flush()
    with write():
        for feed in pruned:
            feeds.remove(feed.id)
    return pruned
