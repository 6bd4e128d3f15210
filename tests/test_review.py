"""A calmer morning and a review of sources: verdicts, mutes, duplicates, caps, pruning."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from conftest import RunCli, ids_titled, store_rows
from httpserver import LocalServer

from pkm.errors import UsageError
from pkm.formats.opml import parse_opml
from pkm.mute import Muteable, matches, parse_rule
from pkm.review import review
from pkm.storage.review import FeedActivity
from pkm.types import Feed

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def rss(title: str, items: list[tuple[str, str, datetime]], *, author: str = "") -> str:
    body = "".join(
        f"<item><title>{t}</title><link>https://{title.lower()}.example/{guid}</link>"
        f"<guid>{guid}</guid><pubDate>{format_datetime(when)}</pubDate>"
        + (f"<author>{author}</author>" if author else "")
        + "<description>Plain words about learning.</description></item>"
        for guid, t, when in items
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>https://{title.lower()}.example/</link>{body}</channel></rss>"
    )


def _feed(feed_id: int, **kw: object) -> Feed:
    defaults: dict[str, object] = {
        "url": f"https://f{feed_id}.example/rss",
        "title": f"F{feed_id}",
        "folder": None,
        "status": "ok",
        "last_fetched": NOW,
        "newest_item": NOW - timedelta(days=2),
    }
    defaults.update(kw)
    return Feed(id=feed_id, **defaults)  # type: ignore[arg-type]


def test_verdicts_for_a_known_history() -> None:
    since = NOW - timedelta(days=90)
    activity = [
        FeedActivity(_feed(1, newest_item=NOW - timedelta(days=200)), 0, 0, 0, None),
        FeedActivity(_feed(2, status="retired"), 3, 0, 1, None),
        FeedActivity(
            _feed(3, status="failing", errors=4),
            5,
            1,
            0,
            int((NOW - timedelta(days=10)).timestamp()),
        ),
        FeedActivity(
            _feed(4, status="failing", errors=1),
            5,
            1,
            0,
            int((NOW - timedelta(days=2)).timestamp()),
        ),
        FeedActivity(_feed(5), 40, 3, 0, None),
        FeedActivity(_feed(6), 20, 8, 6, None),
        FeedActivity(_feed(7), 4, 1, 1, None),
        FeedActivity(_feed(8), 6, 0, 0, None),
        FeedActivity(_feed(9), 30, 2, 2, None),
        FeedActivity(_feed(10, last_fetched=NOW, newest_item=None), 0, 0, 0, None),
        # Failing on every fetch since it was added: never "ok", dead after a week.
        FeedActivity(
            _feed(11, status="failing", errors=3, last_fetched=None, newest_item=None),
            0,
            0,
            0,
            int((NOW - timedelta(days=1)).timestamp()),
        ),
        FeedActivity(
            _feed(12, status="failing", errors=30, last_fetched=None, newest_item=None),
            0,
            0,
            0,
            int((NOW - timedelta(days=9)).timestamp()),
        ),
    ]
    verdicts = {r.feed.id: r.verdict for r in review(activity, since=since, now=NOW)}
    assert verdicts == {
        1: "dead",
        2: "dead",
        3: "failing",
        4: "ok",
        5: "noisy",
        6: "valuable",
        7: "quiet",
        8: "ok",
        9: "ok",
        10: "dead",
        11: "failing",
        12: "dead",
    }
    ordered = [r.verdict for r in review(activity, since=since, now=NOW)]
    assert ordered == sorted(
        ordered, key=["dead", "failing", "noisy", "ok", "quiet", "valuable"].index
    )


def test_review_end_to_end_and_prune(cli: RunCli, tmp_path: Path, engine: str) -> None:
    now = datetime.now(UTC)
    with LocalServer() as server:
        server.route("/old.rss", rss("Old", [("o1", "Old post", now - timedelta(days=400))]))
        server.route(
            "/noisy.rss",
            rss("Noisy", [(f"n{i}", f"Noise {i}", now - timedelta(hours=i)) for i in range(12)]),
        )
        server.route(
            "/gem.rss",
            rss("Gem", [(f"g{i}", f"Gem {i}", now - timedelta(days=i)) for i in range(4)]),
        )
        for path in ("/old.rss", "/noisy.rss", "/gem.rss"):
            assert cli("feeds", "add", server.url(path), "--folder", "Learning").exit_code == 0
    gems = ids_titled("gem")
    assert len(gems) == 4
    for entry_id in gems[:2]:
        cli("tag", str(entry_id), "keep")
    cli("show", str(gems[2]))
    result = cli("feeds", "review", "--json")
    assert result.exit_code == 0, result.stderr
    rows = {r["title"]: r for r in json.loads(result.stdout)}
    assert {t: r["verdict"] for t, r in rows.items()} == {
        "Old": "dead",
        "Noisy": "noisy",
        "Gem": "valuable",
    }
    gem = rows["Gem"]
    assert (gem["items"], gem["saved"], gem["opened"], gem["saved_ratio"]) == (4, 2, 1, 0.5)
    assert set(gem) == {
        "id",
        "url",
        "title",
        "folder",
        "items",
        "opened",
        "saved",
        "saved_ratio",
        "last_item",
        "per_week",
        "errors",
        "verdict",
        "summary_only",
        "full_text",
    }
    text = cli("feeds", "review").stdout
    assert "By folder:" in text and "Learning: 3 feeds, 17 items, 2 saved" in text

    # Without an answer (no stdin), nothing is removed.
    declined = cli("feeds", "review", "--prune", input="")
    assert declined.exit_code == 0 and "Nothing removed" in declined.stderr
    assert len(json.loads(cli("feeds", "list", "--json").stdout)) == 3

    kept_file = tmp_path / "pruned.opml"
    pruned = cli("feeds", "review", "--prune", "--yes", "--prune-file", str(kept_file))
    assert pruned.exit_code == 0, pruned.stderr
    written = parse_opml(kept_file.read_bytes())
    assert sorted(f.title or "" for f in written.feeds) == ["Noisy", "Old"]
    assert all(f.folder == "Learning" for f in written.feeds)
    left = json.loads(cli("feeds", "list", "--json").stdout)
    assert [f["title"] for f in left] == ["Gem"]
    assert _json(cli, "tags") == [{"name": "keep", "count": 2}]
    assert len(json.loads(cli("find", "#keep", "--json").stdout)) == 2


def test_mute_rules_parse_and_match() -> None:
    terms = parse_rule('title:"Sponsored post" feed:weekly')
    assert terms == (("title", "sponsored post"), ("feed", "weekly"))
    item = Muteable("A SPONSORED   post about X", "The Weekly Digest", None, None)
    assert matches(terms, item)
    assert not matches(parse_rule("title:ad"), Muteable("Read this", None, None, None))
    assert matches(parse_rule("ideeen"), Muteable(None, None, None, "Nieuwe ideeën hier"))
    for bad in ('title:"open', "colour:red", "", 'title:""'):
        with pytest.raises(UsageError):
            parse_rule(bad)


@pytest.mark.usefixtures("engine")
def test_muted_items_are_stored_but_not_shown(cli: RunCli) -> None:
    now = datetime.now(UTC)
    with LocalServer() as server:
        server.route(
            "/a.rss",
            rss(
                "Alpha",
                [
                    ("a1", "Sponsored: buy our course", now),
                    ("a2", "How teams learn", now - timedelta(hours=1)),
                ],
            ),
        )
        cli("feeds", "add", server.url("/a.rss"), "--no-fetch")
        assert cli("mute", "add", 'title:"sponsored"').exit_code == 0
        report = json.loads(cli("scan", "--json").stdout)
    assert [i["title"] for i in report["items"]] == ["How teams learn"]
    assert "Sponsored" not in cli("scan", "--no-fetch").stdout
    muted = "SELECT e.title FROM entries e JOIN entry_states es ON es.entry_id = e.id"
    assert store_rows(f"{muted} WHERE es.muted = 1") == [{"title": "Sponsored: buy our course"}]
    assert [r["rule"] for r in json.loads(cli("mute", "list", "--json").stdout)] == [
        'title:"sponsored"'
    ]
    removed = cli("mute", "remove", "1")
    assert removed.exit_code == 0 and "1 items unmuted" in removed.stdout
    assert "Sponsored" in cli("scan", "--no-fetch").stdout
    assert cli("mute", "remove", "1").exit_code == 1


@pytest.mark.usefixtures("engine")
def test_same_story_from_two_feeds_is_shown_once(cli: RunCli) -> None:
    now = datetime.now(UTC)
    with LocalServer() as server:
        server.route("/a.rss", rss("Alpha", [("x", "Hybrid events, the report", now)]))
        server.route(
            "/b.rss",
            rss(
                "Beta",
                [
                    ("y", "Hybrid  Events, the report", now - timedelta(hours=3)),
                    ("z", "Something else", now),
                ],
            ),
        )
        for path in ("/a.rss", "/b.rss"):
            cli("feeds", "add", server.url(path), "--no-fetch")
        report = json.loads(cli("scan", "--json").stdout)
        shown = cli("scan", "--no-fetch").stdout
    items = {i["title"]: i for i in report["items"]}
    assert set(items) == {"Hybrid events, the report", "Something else"}
    assert items["Hybrid events, the report"]["also_in"] == ["Beta"]
    assert "also in: Beta" in shown


@pytest.mark.usefixtures("engine")
def test_per_feed_cap_and_all(cli: RunCli) -> None:
    now = datetime.now(UTC)
    with LocalServer() as server:
        server.route(
            "/many.rss",
            rss(
                "Many", [(f"m{i}", f"Post number {i}", now - timedelta(hours=i)) for i in range(8)]
            ),
        )
        cli("feeds", "add", server.url("/many.rss"), "--no-fetch")
        capped = cli("scan").stdout
    assert "Post number 4" in capped and "Post number 5" not in capped
    assert "+3 more" in capped and "8 new items" in capped
    everything = cli("scan", "--no-fetch", "--all").stdout
    assert "Post number 7" in everything and "more" not in everything
    assert len(json.loads(cli("scan", "--no-fetch", "--json").stdout)["items"]) == 8
    assert "Post number 2" in cli("scan", "--no-fetch", "--per-feed", "3").stdout


def _json(cli: RunCli, *args: str) -> object:
    result = cli(*args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)
