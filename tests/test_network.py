"""The network: following people and their tags, and their public saves in `pkm network`
and at the end of `pkm scan`, on both engines; never a private save."""

from __future__ import annotations

import json
import time

import pytest
from conftest import RunCli, Site, store_write


def _save(cli: RunCli, person: str, url: str, *args: str) -> int:
    result = cli("--user", person, "save", url, "--no-fetch", *args, "--json")
    assert result.exit_code == 0, result.stderr
    return int(json.loads(result.stdout)["id"])


def _network(cli: RunCli, person: str, *args: str) -> list[dict[str, object]]:
    result = cli("--user", person, "network", *args, "--json")
    assert result.exit_code == 0, result.stderr
    items = json.loads(result.stdout)
    assert isinstance(items, list)
    return items


def _seen(cli: RunCli, person: str, *args: str) -> list[tuple[int, object]]:
    return [(int(str(i["id"])), i["saved_by"]) for i in _network(cli, person, *args)]


def _ok(cli: RunCli, *args: str) -> str:
    result = cli(*args)
    assert result.exit_code == 0, result.stderr
    return result.stdout


@pytest.mark.usefixtures("engine")
def test_following_a_person_shows_their_public_saves_with_their_tags_and_notes(
    cli: RunCli,
) -> None:
    talk = _save(cli, "alice", "https://talks.example/hybrid", "-t", "Conference2.0", "-n", "good")
    secret = _save(cli, "alice", "https://plans.example/merger", "--private", "-t", "deal")
    _save(cli, "bob", "https://talks.example/hybrid", "-t", "events", "-n", "mine")
    assert _seen(cli, "bob") == []
    assert "Following alice" in _ok(cli, "--user", "bob", "follow", "alice")
    items = _network(cli, "bob")
    assert [i["id"] for i in items] == [talk]
    assert secret not in [i["id"] for i in items]
    (item,) = items
    assert item["saved_by"] == "alice"
    assert item["their_tags"] == ["Conference2.0"] and item["their_note"] == "good"
    assert item["tags"] == ["events"] and item["note"] == "mine"  # Bob's own view
    shown = _ok(cli, "--user", "bob", "network")
    assert "alice" in shown and "#Conference2.0 'good'" in shown
    assert "merger" not in shown and "deal" not in shown
    # Made public later, it shows; made private again, it goes.
    _ok(cli, "--user", "alice", "tag", str(secret), "--public")
    assert {i["id"] for i in _network(cli, "bob")} == {talk, secret}
    _ok(cli, "--user", "alice", "tag", str(secret), "--private")
    assert [i["id"] for i in _network(cli, "bob")] == [talk]
    following = json.loads(_ok(cli, "--user", "bob", "following", "--json"))
    assert following == [{"person": "alice", "tag": None, "public_saves": 1}]
    assert "No longer following alice" in _ok(cli, "--user", "bob", "unfollow", "alice")
    assert _seen(cli, "bob") == []
    assert json.loads(_ok(cli, "--user", "bob", "following", "--json")) == []


@pytest.mark.usefixtures("engine")
def test_following_a_tag_shows_only_that_tag_once_per_save(cli: RunCli) -> None:
    talk = _save(cli, "alice", "https://talks.example/a", "-t", "Conference2.0")
    _save(cli, "alice", "https://talks.example/b", "-t", "cooking")
    hidden = _save(cli, "alice", "https://talks.example/c", "-t", "conference2.0", "--private")
    by_carol = _save(cli, "carol", "https://talks.example/a", "-t", "conference2.0")
    _ok(cli, "--user", "bob", "follow", "alice/CONFERENCE2.0")  # the tag's key: any case
    _ok(cli, "--user", "bob", "follow", "carol/conference2.0")
    assert _seen(cli, "bob") == [(by_carol, "carol"), (talk, "alice")]
    assert hidden not in [i for i, _ in _seen(cli, "bob")]
    # Following Alice herself too brings her other saves, and each save still once.
    _ok(cli, "--user", "bob", "follow", "alice")
    seen = _seen(cli, "bob")
    assert len(seen) == len(set(seen)) == 3
    following = json.loads(_ok(cli, "--user", "bob", "following", "--json"))
    assert following == [
        {"person": "alice", "tag": None, "public_saves": 2},
        {"person": "alice", "tag": "Conference2.0", "public_saves": 1},
        {"person": "carol", "tag": "Conference2.0", "public_saves": 1},
    ]
    _ok(cli, "--user", "bob", "unfollow", "alice/conference2.0")
    _ok(cli, "--user", "bob", "unfollow", "alice")
    assert _seen(cli, "bob") == [(by_carol, "carol")]
    assert [i for i, _ in _seen(cli, "bob", "--limit", "1")] == [by_carol]


@pytest.mark.usefixtures("engine")
def test_since_and_newest_first(cli: RunCli) -> None:
    old = _save(cli, "alice", "https://old.example/", "-t", "x")
    new = _save(cli, "alice", "https://new.example/", "-t", "x")
    store_write(
        "UPDATE saves SET saved_at = ? WHERE entry_id = ?", (int(time.time()) - 10 * 86400, old)
    )
    _ok(cli, "--user", "bob", "follow", "alice")
    assert [i for i, _ in _seen(cli, "bob")] == [new, old]
    assert [i for i, _ in _seen(cli, "bob", "--since", "7d")] == [new]
    bad = cli("--user", "bob", "network", "--since", "someday")
    assert bad.exit_code == 2 and "bad date" in bad.stderr and "Traceback" not in bad.stderr


@pytest.mark.usefixtures("engine")
def test_following_errors_are_one_line(cli: RunCli) -> None:
    _save(cli, "alice", "https://talks.example/a")
    for args, message in (
        (("follow", "zoe"), "no person 'zoe'"),
        (("follow", "bob"), "you cannot follow yourself"),
        (("follow", "bob/tag"), "you cannot follow yourself"),
        (("unfollow", "alice"), "you do not follow alice"),
        (("follow", "al ice"), "invalid person name"),
        (("follow", "alice/a,b"), "commas"),
    ):
        result = cli("--user", "bob", *args)
        assert result.exit_code == 1, (args, result.stderr)
        assert message in result.stderr and len(result.stderr.splitlines()) == 1


@pytest.mark.usefixtures("engine")
def test_the_scan_ends_with_the_network(cli: RunCli, site: Site) -> None:
    _ok(cli, "--user", "bob", "feeds", "add", site.url("/events.rss"))
    assert "From your network" not in _ok(cli, "--user", "bob", "scan")  # follows nobody
    _save(cli, "alice", "https://talks.example/hybrid", "--title", "Hybrid talk", "-n", "watch")
    _save(cli, "alice", "https://plans.example/merger", "--title", "Merger plan", "--private")
    _ok(cli, "--user", "bob", "follow", "alice")
    scanned = _ok(cli, "--user", "bob", "scan")
    section = scanned[scanned.index("From your network") :]
    assert "Hybrid talk" in section and "alice" in section and "'watch'" in section
    assert "Merger plan" not in scanned
    assert "From your network" not in _ok(cli, "--user", "bob", "scan", "--no-network")
    report = json.loads(_ok(cli, "--user", "bob", "scan", "--no-fetch", "--json"))
    assert [i["title"] for i in report["network"]] == ["Hybrid talk"]
    assert json.loads(_ok(cli, "--user", "bob", "scan", "--json", "--no-network"))["network"] == []
    # A save older than a day is no news any more.
    store_write("UPDATE saves SET saved_at = ?", (int(time.time()) - 2 * 86400,))
    assert "From your network" not in _ok(cli, "--user", "bob", "scan", "--no-fetch")
    assert "Hybrid talk" in _ok(cli, "--user", "bob", "scan", "--no-fetch", "--since", "3d")
