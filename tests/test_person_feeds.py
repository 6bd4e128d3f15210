"""Each person's own subscriptions, folders, read state, mute rules and scan history on
one store, on both engines: a feed two people follow is fetched once and its items are
stored once, but what each has seen, read and muted is theirs."""

from __future__ import annotations

import json

import pytest
from conftest import SITE, RunCli, Site, store_rows

EVENTS_TITLES = {
    "Hybrid events: what we learned from a year online",
    "Conference 2.0: the unconference format",
    "Ideeën voor betere netwerken",
}


def _ok(cli: RunCli, person: str, *args: str) -> str:
    result = cli("--user", person, *args)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def _json(cli: RunCli, person: str, *args: str) -> object:
    return json.loads(_ok(cli, person, *args, "--json"))


def _feeds(cli: RunCli, person: str) -> list[dict[str, object]]:
    feeds = _json(cli, person, "feeds", "list")
    assert isinstance(feeds, list)
    return feeds


def _digest(cli: RunCli, person: str, *args: str) -> set[str]:
    """The titles a person's scan shows as new."""
    report = _json(cli, person, "scan", "--no-network", *args)
    assert isinstance(report, dict)
    return {str(item["title"]) for item in report["items"]}


def _ids(cli: RunCli, person: str, query: str) -> set[int]:
    hits = _json(cli, person, "find", query)
    assert isinstance(hits, list)
    return {int(hit["id"]) for hit in hits}


def _count(sql: str) -> int:
    return int(str(store_rows(sql)[0]["n"]))


@pytest.mark.usefixtures("engine")
def test_each_person_has_their_own_subscriptions_titles_and_folders(
    cli: RunCli, site: Site
) -> None:
    url = site.url("/events.rss")
    _ok(cli, "alice", "feeds", "add", url, "--folder", "Events")
    _ok(cli, "bob", "feeds", "add", url, "--folder", "Learning/Hybrid", "--title", "Bob's pick")
    alice, bob = _feeds(cli, "alice"), _feeds(cli, "bob")
    assert [(f["folder"], f["title"]) for f in alice] == [("Events", "Events & Learning")]
    assert [(f["folder"], f["title"]) for f in bob] == [("Learning/Hybrid", "Bob's pick")]
    assert alice[0]["id"] == bob[0]["id"] and alice[0]["items"] == 3
    assert _feeds(cli, "carol") == []
    # One feed row and one entry per item, whoever follows it.
    assert _count("SELECT count(*) AS n FROM feeds") == 1
    assert _count("SELECT count(*) AS n FROM entries") == 3
    _ok(cli, "bob", "feeds", "edit", str(bob[0]["id"]), "--folder", "")
    assert [f["folder"] for f in _feeds(cli, "bob")] == [None]
    assert [f["folder"] for f in _feeds(cli, "alice")] == ["Events"]
    # A folder is the person's: Bob has none called Events.
    result = cli("--user", "bob", "feeds", "list", "--folder", "Events")
    assert result.exit_code == 1 and "no folder 'Events'" in result.stderr
    assert _ok(cli, "alice", "feeds", "list", "--folder", "Events").count("Events & Learning") == 1
    result = cli("--user", "carol", "feeds", "remove", str(bob[0]["id"]))
    assert result.exit_code == 1 and len(result.stderr.splitlines()) == 1
    opml = _ok(cli, "alice", "feeds", "export")
    assert 'text="Events"' in opml and "Bob's pick" not in opml


@pytest.mark.usefixtures("engine")
def test_leaving_a_feed_keeps_it_for_the_others(cli: RunCli, site: Site) -> None:
    url = site.url("/events.rss")
    _ok(cli, "alice", "feeds", "add", url)
    _ok(cli, "bob", "feeds", "add", url)
    feed_id = str(_feeds(cli, "alice")[0]["id"])
    _ok(cli, "alice", "feeds", "remove", feed_id)
    assert _feeds(cli, "alice") == []
    assert [f["items"] for f in _feeds(cli, "bob")] == [3]
    assert _count("SELECT count(*) AS n FROM entries") == 3
    _ok(cli, "bob", "feeds", "remove", feed_id)
    assert _count("SELECT count(*) AS n FROM feeds") == 0
    assert _count("SELECT count(*) AS n FROM entries") == 0


@pytest.mark.usefixtures("engine")
def test_each_persons_digest_shows_what_is_new_to_them(cli: RunCli, site: Site) -> None:
    url = site.url("/events.rss")
    _ok(cli, "alice", "feeds", "add", url)
    assert _digest(cli, "alice") == EVENTS_TITLES
    assert _digest(cli, "alice") == set()  # seen, and the feed has nothing newer
    # Bob follows the same feed later: its items are stored already, and new to him.
    _ok(cli, "bob", "feeds", "add", url)
    assert _count("SELECT count(*) AS n FROM entries") == 3
    assert _digest(cli, "bob", "--no-fetch") == EVENTS_TITLES
    assert _digest(cli, "bob") == set()
    assert _digest(cli, "alice") == set()
    # A new item the feed brings is new to both, whoever's scan fetched it.
    site.server.route(
        "/events.rss",
        (SITE / "events.rss")
        .read_bytes()
        .replace(
            b"<item>",
            b"<item><title>Fresh: meetups</title><link>https://events.example/fresh</link>"
            b"<guid>urn:fresh</guid></item><item>",
            1,
        ),
        content_type="application/rss+xml",
    )
    assert _digest(cli, "bob") == {"Fresh: meetups"}
    assert _digest(cli, "alice", "--no-fetch") == {"Fresh: meetups"}
    # With nothing new, a scan without fetching shows one's own last digest again.
    report = _json(cli, "bob", "scan", "--no-fetch", "--no-network")
    assert isinstance(report, dict)
    assert [item["title"] for item in report["items"]] == ["Fresh: meetups"]
    # Each scan is its runner's.
    people = {str(r["name"]): r["id"] for r in store_rows("SELECT id, name FROM people")}
    runners = [r["person_id"] for r in store_rows("SELECT person_id FROM scans ORDER BY id")]
    alice, bob = people["alice"], people["bob"]
    assert runners == [alice, alice, alice, bob, bob, alice, bob]


@pytest.mark.usefixtures("engine")
def test_read_state_is_each_persons_own(cli: RunCli, site: Site) -> None:
    _ok(cli, "alice", "feeds", "add", site.url("/events.rss"))
    _ok(cli, "bob", "feeds", "add", site.url("/events.rss"))
    every = _ids(cli, "alice", "is:unread")
    assert len(every) == 3 and _ids(cli, "bob", "is:unread") == every
    opened = min(every)
    _ok(cli, "alice", "show", str(opened))
    assert _ids(cli, "alice", "is:read") == {opened}
    assert _ids(cli, "alice", "is:unread") == every - {opened}
    assert _ids(cli, "bob", "is:read") == set()
    assert _ids(cli, "bob", "is:unread") == every
    # pkm read goes through one's own unread items.
    assert opened not in _triage("alice") and opened in _triage("bob")


def _triage(person: str) -> set[int]:
    from pkm import Pkm

    with Pkm.open(user=person) as store:
        return {story.entry.id for story in store.triage().stories}


@pytest.mark.usefixtures("engine")
def test_mute_rules_are_each_persons_own(cli: RunCli, site: Site) -> None:
    _ok(cli, "alice", "feeds", "add", site.url("/events.rss"))
    _ok(cli, "bob", "feeds", "add", site.url("/events.rss"))
    _ok(cli, "alice", "mute", "add", "title:hybrid")
    assert [r["rule"] for r in _json(cli, "alice", "mute", "list")] == ["title:hybrid"]  # type: ignore[union-attr, index]
    assert _json(cli, "bob", "mute", "list") == []
    hybrid = "Hybrid events: what we learned from a year online"
    assert _digest(cli, "alice", "--no-fetch") == EVENTS_TITLES - {hybrid}
    assert _digest(cli, "bob", "--no-fetch") == EVENTS_TITLES
    assert len(_ids(cli, "alice", "is:muted")) == 1 and _ids(cli, "bob", "is:muted") == set()
    # Bob may write the same rule; removing it is his alone.
    _ok(cli, "bob", "mute", "add", "title:hybrid")
    _ok(cli, "bob", "mute", "remove", "title:hybrid")
    assert len(_ids(cli, "alice", "is:muted")) == 1
    # A rule meets new items as a scan stores them, whoever runs the scan.
    _ok(cli, "carol", "mute", "add", "title:unconference")
    _ok(cli, "carol", "feeds", "add", site.url("/events.rss"), "--no-fetch")
    _ok(cli, "bob", "scan")
    assert _digest(cli, "carol", "--no-fetch") == EVENTS_TITLES - {
        "Conference 2.0: the unconference format"
    }
