"""The JSON every `--json` prints: one shape for an entry, one for a feed, so that the
same thing has the same keys in every command (`show`, `save`, `find`, `scan`, `feeds`)."""

from __future__ import annotations

from datetime import datetime

from pkm.cli import render
from pkm.types import Archive, Entry, Feed, OtherSave, SearchHit, Story


def entry_json(entry: Entry) -> dict[str, object]:
    return {
        "id": entry.id,
        "title": entry.title,
        "url": entry.url,
        "feed": entry.feed_title,
        "feed_id": entry.feed_id,
        "tags": list(entry.tags),
        "saved": entry.saved is not None,
        "saved_at": render.iso(entry.saved),
        "published": render.iso(entry.published),
        "note": entry.note,
        "to_read": entry.to_read,
        "private": entry.private,
    }


def hit_json(hit: SearchHit) -> dict[str, object]:
    """An entry found by a search: the entry, the date a list shows, the snippet, the rank."""
    return entry_json(hit.entry) | {
        "date": render.iso(listed_date(hit.entry)),
        "snippet": hit.snippet,
        "score": hit.rank,
    }


def story_json(story: Story) -> dict[str, object]:
    """A new item of a scan, with the other feeds that brought the same story."""
    return entry_json(story.entry) | {"also_in": list(story.also_in)}


def other_save_json(other: OtherSave) -> dict[str, object]:
    """Someone else's public save of an entry (``pkm show``'s ``also_saved_by``)."""
    return {
        "person": other.person,
        "tags": list(other.tags),
        "note": other.note,
        "saved": render.iso(other.saved),
    }


def archive_json(kept: Archive | None) -> dict[str, object] | None:
    if kept is None:
        return None
    return {
        "archived_at": render.iso(kept.archived),
        "attempted_at": render.iso(kept.attempted),
        "final_url": kept.final_url,
        "content_type": kept.content_type,
        "size": kept.size,
        "error": kept.error,
    }


def feed_json(feed: Feed) -> dict[str, object]:
    return {
        "id": feed.id,
        "url": feed.url,
        "title": feed.title,
        "folder": feed.folder,
        "status": feed.status,
        "errors": feed.errors,
        "items": feed.items,
        "last_fetched": render.iso(feed.last_fetched),
        "last_status": feed.last_status,
        "last_error": feed.last_error,
        "newest_item": render.iso(feed.newest_item),
        "full_text": feed.full_text,
    }


def listed_date(entry: Entry) -> datetime | None:
    """The date a list of entries shows: published, else saved, else first seen."""
    return entry.published or entry.saved or entry.first_seen
