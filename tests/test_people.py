"""People on one store: each person's saves, tags, notes and privacy are their own, on
both engines, through the whole CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import RunCli, store_rows


def _json(cli: RunCli, *args: str) -> object:
    result = cli(*args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def _as(cli: RunCli, person: str, *args: str) -> object:
    return _json(cli, "--user", person, *args)


def _save(cli: RunCli, person: str, url: str, *args: str) -> int:
    result = cli("--user", person, "save", url, "--no-fetch", *args, "--json")
    assert result.exit_code == 0, result.stderr
    return int(json.loads(result.stdout)["id"])


def _no_tag(cli: RunCli, person: str, tag: str) -> bool:
    """Whether a find of ``#tag`` says the person has no such tag."""
    result = cli("--user", person, "find", f"#{tag}")
    return result.exit_code == 1 and f"no tag {tag!r}" in result.stderr


def _found(cli: RunCli, person: str, query: str) -> list[int]:
    hits = _as(cli, person, "find", query)
    assert isinstance(hits, list)
    return [int(hit["id"]) for hit in hits]


@pytest.mark.usefixtures("engine")
def test_each_person_has_their_own_saves_tags_and_notes(cli: RunCli) -> None:
    url = "https://talks.example/hybrid"
    by_alice = _save(cli, "alice", url, "-t", "conference2.0", "-n", "good overview")
    by_bob = _save(cli, "bob", url, "-t", "events", "-n", "too long")
    assert by_alice == by_bob  # one entry for everyone
    assert _as(cli, "alice", "tags") == [{"name": "conference2.0", "count": 1}]
    assert _as(cli, "bob", "tags") == [{"name": "events", "count": 1}]
    alice_view = _as(cli, "alice", "show", str(by_alice))
    bob_view = _as(cli, "bob", "show", str(by_bob))
    assert isinstance(alice_view, dict) and isinstance(bob_view, dict)
    assert alice_view["tags"] == ["conference2.0"] and alice_view["note"] == "good overview"
    assert bob_view["tags"] == ["events"] and bob_view["note"] == "too long"
    assert _found(cli, "alice", "#conference2.0") == [by_alice]
    assert _no_tag(cli, "bob", "conference2.0")
    assert _found(cli, "bob", "overview") == []  # Alice's note is hers
    assert _found(cli, "alice", "overview") == [by_alice]
    carol = _as(cli, "carol", "show", str(by_alice))
    assert isinstance(carol, dict) and carol["saved"] is False and carol["tags"] == []
    assert _found(cli, "carol", "is:saved") == []


@pytest.mark.usefixtures("engine")
def test_private_saves_stay_private(cli: RunCli) -> None:
    secret = _save(
        cli, "alice", "https://plans.example/merger", "--private", "-t", "secret-deal", "-n", "x9q"
    )
    public = _save(cli, "alice", "https://blog.example/open", "-t", "open-notes")
    people = _as(cli, "bob", "people")
    assert people == [
        {
            "name": "alice",
            "saves": 1,
            "public": 1,
            "tags": 1,
            "last_active": people[0]["last_active"],
            "you": False,
        }  # type: ignore[index]
    ]
    mine = _as(cli, "alice", "people")
    assert isinstance(mine, list) and mine[0]["saves"] == 2 and mine[0]["you"] is True
    everyone = _as(cli, "bob", "tags", "--everyone")
    assert everyone == [{"name": "open-notes", "count": 1}]
    alice_everyone = _as(cli, "alice", "tags", "--everyone")
    assert alice_everyone == [
        {"name": "open-notes", "count": 1},
        {"name": "secret-deal", "count": 1},
    ]
    assert _found(cli, "bob", "x9q") == [] and _found(cli, "alice", "x9q") == [secret]
    # Flipping one save to public, then back.
    assert cli("--user", "alice", "tag", str(secret), "--public").exit_code == 0
    assert _as(cli, "bob", "tags", "--everyone") == [
        {"name": "open-notes", "count": 1},
        {"name": "secret-deal", "count": 1},
    ]
    assert cli("--user", "alice", "tag", str(secret), "--private").exit_code == 0
    assert _as(cli, "bob", "tags", "--everyone") == [{"name": "open-notes", "count": 1}]
    assert public != secret


@pytest.mark.usefixtures("engine")
def test_a_person_may_keep_their_saves_private_by_default(cli: RunCli) -> None:
    result = cli("--user", "dana", "people", "set", "--default-private")
    assert result.exit_code == 0, result.stderr
    kept = _save(cli, "dana", "https://a.example/1")
    shown = _save(cli, "dana", "https://a.example/2", "--public")
    rows = store_rows("SELECT entry_id, private FROM saves ORDER BY entry_id")
    assert [(r["entry_id"], r["private"]) for r in rows] == [(kept, 1), (shown, 0)]
    assert cli("--user", "dana", "people", "set").exit_code != 0


@pytest.mark.usefixtures("engine")
def test_unsaving_is_one_persons(cli: RunCli) -> None:
    url = "https://a.example/shared"
    entry = _save(cli, "alice", url, "-t", "x")
    _save(cli, "bob", url, "-t", "y")
    assert cli("--user", "alice", "unsave", str(entry)).exit_code == 0
    assert _found(cli, "alice", "is:saved") == []
    assert _found(cli, "bob", "is:saved") == [entry]
    assert _as(cli, "bob", "tags") == [{"name": "y", "count": 1}]
    # A page someone else keeps is not deleted for them.
    assert cli("--user", "carol", "delete", str(entry), "--yes").exit_code == 1
    assert cli("--user", "bob", "delete", str(entry), "--yes").exit_code == 0
    assert store_rows("SELECT id FROM entries") == []


@pytest.mark.usefixtures("engine")
def test_a_tag_renamed_or_deleted_by_one_person_stays_for_the_other(cli: RunCli) -> None:
    one = _save(cli, "alice", "https://a.example/1", "-t", "ml")
    two = _save(cli, "bob", "https://a.example/2", "-t", "ml")
    assert cli("--user", "alice", "tags", "rename", "ml", "machine-learning").exit_code == 0
    assert _found(cli, "alice", "#machine-learning") == [one]
    assert _found(cli, "bob", "#ml") == [two]
    assert cli("--user", "bob", "tags", "delete", "ml").exit_code == 0
    assert _no_tag(cli, "bob", "ml") and _as(cli, "bob", "tags") == []
    assert _as(cli, "alice", "tags") == [{"name": "machine-learning", "count": 1}]


@pytest.mark.usefixtures("engine")
def test_exports_and_imports_are_the_persons(cli: RunCli, tmp_path: Path) -> None:
    _save(cli, "alice", "https://a.example/1", "-t", "reading")
    _save(cli, "bob", "https://a.example/2", "-t", "reading")
    out = tmp_path / "list.html"
    result = cli("--user", "bob", "export", "reading", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    html = out.read_text()
    assert "https://a.example/2" in html and "https://a.example/1" not in html
    bookmarks = tmp_path / "b.html"
    bookmarks.write_text(
        "<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<DL><p>\n"
        '<DT><A HREF="https://b.example/secret" PRIVATE="1" TAGS="hidden">Secret</A>\n'
        '<DT><A HREF="https://b.example/open" PRIVATE="0" TAGS="shown">Open</A>\n'
        "</DL><p>\n"
    )
    assert cli("--user", "erin", "import", str(bookmarks)).exit_code == 0
    assert _as(cli, "bob", "tags", "--everyone") == [
        {"name": "reading", "count": 2},
        {"name": "shown", "count": 1},
    ]
    assert _found(cli, "erin", "#hidden") != [] and _no_tag(cli, "bob", "hidden")


@pytest.mark.usefixtures("engine")
def test_a_persons_words_and_the_pages_words_match_together(cli: RunCli) -> None:
    entry = _save(cli, "alice", "https://a.example/kubernetes", "--title", "Kubernetes at scale")
    assert cli("--user", "alice", "tag", str(entry), "-n", "a thorough overview").exit_code == 0
    assert _found(cli, "alice", "kubernetes overview") == [entry]
    assert _found(cli, "alice", "kubernetes -overview") == []
    assert _found(cli, "bob", "kubernetes overview") == []
    assert _found(cli, "bob", "kubernetes") == [entry]


@pytest.mark.usefixtures("engine")
def test_people_are_renamed_and_names_are_checked(cli: RunCli) -> None:
    _save(cli, "alice", "https://a.example/1", "-t", "x")
    assert cli("people", "rename", "alice", "alice.w").exit_code == 0
    assert _as(cli, "alice.w", "tags") == [{"name": "x", "count": 1}]
    for bad in ("no/slash", "has space", "_lead", "a:b"):
        result = cli("--user", bad, "tags")
        assert result.exit_code == 1 and "invalid person name" in result.stderr, bad
    missing = cli("people", "rename", "nobody", "someone")
    assert missing.exit_code != 0 and "no person 'nobody'" in missing.stderr
