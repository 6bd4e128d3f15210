"""Changing what was saved, and dropping it: pkm edit, unsave, delete; on both engines."""

from __future__ import annotations

import json

import pytest
from conftest import RunCli, Site, ids_titled

pytestmark = pytest.mark.usefixtures("engine")


def _save(cli: RunCli, url: str, *args: str) -> int:
    result = cli("save", url, "--no-fetch", "--json", *args)
    assert result.exit_code == 0, result.stderr
    return int(json.loads(result.stdout)["id"])


def _show(cli: RunCli, entry_id: int) -> dict[str, object]:
    result = cli("show", str(entry_id), "--json")
    assert result.exit_code == 0, result.stderr
    shown = json.loads(result.stdout)
    assert isinstance(shown, dict)
    return shown


def _found(cli: RunCli, query: str) -> list[int]:
    return [hit["id"] for hit in json.loads(cli("find", query, "--json").stdout)]


def test_edit_title_and_note(cli: RunCli, engine: str) -> None:
    entry = _save(cli, "https://a.example/talk", "-t", "talks", "-n", "first thought")
    assert cli("edit", str(entry), "--title", "Keynote  on knowledge flow").exit_code == 0
    assert _show(cli, entry)["title"] == "Keynote on knowledge flow"
    assert _found(cli, "knowledge flow") == [entry]  # the index follows the edit
    assert cli("edit", str(entry), "--append-note", "second thought").exit_code == 0
    assert _show(cli, entry)["note"] == "first thought\nsecond thought"
    assert cli("edit", str(entry), "--note", "only this").exit_code == 0
    assert _show(cli, entry)["note"] == "only this"
    assert _found(cli, "thought") == []
    assert cli("edit", str(entry), "--note", "").exit_code == 0
    assert _show(cli, entry)["note"] is None
    assert _show(cli, entry)["tags"] == ["talks"]  # edits leave tags alone


def test_edit_refuses_what_makes_no_sense(cli: RunCli) -> None:
    entry = _save(cli, "https://a.example/talk")
    both = cli("edit", str(entry), "--note", "a", "--append-note", "b")
    assert both.exit_code == 2 and "not both" in both.stderr
    assert cli("edit", str(entry)).exit_code == 2
    empty = cli("edit", str(entry), "--title", "  ")
    assert empty.exit_code == 2 and "title cannot be empty" in empty.stderr
    assert cli("edit", "99", "--title", "x").exit_code == 1


def test_edit_url_moves_the_bookmark_but_never_onto_another(cli: RunCli) -> None:
    first = _save(cli, "https://a.example/old-place", "-t", "moved")
    other = _save(cli, "https://a.example/taken")
    moved = cli("edit", str(first), "--url", "https://a.example/new-place")
    assert moved.exit_code == 0, moved.stderr
    # The new URL is the entry's identity: saving it again merges.
    again = json.loads(
        cli("save", "https://A.example/new-place?utm_source=x", "--no-fetch", "--json").stdout
    )
    assert again["id"] == first and again["merged"] is True
    clash = cli("edit", str(first), "--url", "https://a.example/taken#top")
    assert clash.exit_code == 1 and f"entry {other} already holds" in clash.stderr
    assert _show(cli, first)["url"] == "https://a.example/new-place"
    bad = cli("edit", str(first), "--url", "javascript:alert(1)")
    assert bad.exit_code == 1


def test_unsave_keeps_a_feed_item_as_an_item(cli: RunCli, site: Site, engine: str) -> None:
    assert cli("feeds", "add", site.url("/events.rss")).exit_code == 0
    (hybrid,) = ids_titled("hybrid")
    assert _found(cli, "hybrid") == [hybrid]
    assert cli("tag", str(hybrid), "conference2.0", "-n", "keep", "--private").exit_code == 0
    no_url_change = cli("edit", str(hybrid), "--url", "https://elsewhere.example/")
    assert no_url_change.exit_code == 1 and "feed item" in no_url_change.stderr
    done = cli("unsave", str(hybrid))
    assert done.exit_code == 0, done.stderr
    shown = _show(cli, hybrid)
    assert shown["saved"] is False and shown["tags"] == [] and shown["note"] is None
    assert shown["private"] is False
    assert ids_titled("hybrid") == [hybrid]  # still an item of its feed
    assert hybrid in _found(cli, "hybrid")
    refused = cli("delete", str(hybrid), "--yes")
    assert refused.exit_code == 1 and f"pkm unsave {hybrid}" in refused.stderr


def test_delete_asks_and_removes_a_saved_page(cli: RunCli, engine: str) -> None:
    entry = _save(cli, "https://a.example/regret", "-t", "oops", "-n", "never mind")
    unsave = cli("unsave", str(entry))
    assert unsave.exit_code == 1 and f"pkm delete {entry}" in unsave.stderr
    declined = cli("delete", str(entry), input="n\n")
    assert declined.exit_code == 1 and "not deleted" in declined.stderr
    no_answer = cli("delete", str(entry), input="")
    assert no_answer.exit_code == 1
    assert _show(cli, entry)["note"] == "never mind"
    confirmed = cli("delete", str(entry), input="y\n")
    assert confirmed.exit_code == 0, confirmed.stderr
    assert cli("show", str(entry)).exit_code == 1
    assert _found(cli, "regret") == []
    tags = cli("tags", "--json")
    assert json.loads(tags.stdout) == []
