"""Others' public saves where one looks at an entry or shares a tag: ``pkm show``'s "also
saved by" and ``pkm export NAME/TAG``, on both engines; never a private save of another."""

from __future__ import annotations

import json
import re

import pytest
from conftest import RunCli


def _save(cli: RunCli, person: str, url: str, *args: str) -> int:
    result = cli("--user", person, "save", url, "--no-fetch", *args, "--json")
    assert result.exit_code == 0, result.stderr
    return int(json.loads(result.stdout)["id"])


def _show(cli: RunCli, person: str, entry_id: int, *args: str) -> str:
    result = cli("--user", person, "show", str(entry_id), "--no-pager", *args)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def _also(cli: RunCli, person: str, entry_id: int) -> list[dict[str, object]]:
    shown = json.loads(_show(cli, person, entry_id, "--json"))
    assert isinstance(shown["also_saved_by"], list)
    return shown["also_saved_by"]


ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


# --- pkm show: also saved by ---------------------------------------------------------------


@pytest.mark.usefixtures("engine")
def test_show_lists_the_others_public_saves_with_their_tags_and_notes(cli: RunCli) -> None:
    url = "https://talks.example/hybrid"
    entry = _save(cli, "alice", url, "-t", "conference2.0", "-n", "good overview")
    _save(cli, "bob", url, "-t", "events", "-n", "too long")
    _save(cli, "carol", url, "-t", "secret-tag", "-n", "carol's secret", "--private")
    _save(cli, "dave", url)  # public, without tags or a note
    text = _show(cli, "bob", entry)
    lines = text.splitlines()
    assert "also saved by alice: #conference2.0 'good overview'" in lines
    assert "also saved by dave" in lines
    assert "also saved by bob" not in text  # one's own save is the entry's own details
    assert "carol" not in text and "secret" not in text
    # After the entry's own details (bob's note), before the article.
    assert lines.index("also saved by alice: #conference2.0 'good overview'") > next(
        n for n, line in enumerate(lines) if "too long" in line
    )
    also = _also(cli, "bob", entry)
    assert [(o["person"], o["tags"], o["note"]) for o in also] == [
        ("alice", ["conference2.0"], "good overview"),
        ("dave", [], None),
    ]
    assert all(isinstance(o["saved"], str) and ISO.match(o["saved"]) for o in also)
    # Carol sees her own save as her own, and the others' public ones.
    assert [o["person"] for o in _also(cli, "carol", entry)] == ["alice", "bob", "dave"]
    # Someone who never saved anything sees them all but carol's.
    assert [o["person"] for o in _also(cli, "erin", entry)] == ["alice", "bob", "dave"]
    cli("--user", "alice", "tag", str(entry), "--private")
    assert [o["person"] for o in _also(cli, "bob", entry)] == ["dave"]
    assert "alice" not in _show(cli, "bob", entry)


@pytest.mark.usefixtures("engine")
def test_an_entry_nobody_else_saved_says_nothing_more(cli: RunCli) -> None:
    entry = _save(cli, "alice", "https://solo.example/", "-t", "mine")
    assert "also saved by" not in _show(cli, "alice", entry)
    assert _also(cli, "alice", entry) == []


@pytest.mark.usefixtures("engine")
def test_text_from_others_is_made_inert(cli: RunCli) -> None:
    entry = _save(
        cli, "alice", "https://hostile.example/", "-n", "red\x1b[31m \u202eevil\x07 [bold]x"
    )
    text = _show(cli, "bob", entry)
    line = next(line for line in text.splitlines() if line.startswith("also saved by alice"))
    assert "\x1b" not in line and "\u202e" not in line and "\x07" not in line
    assert "[bold]x" in line  # literal, never markup
    raw = _show(cli, "bob", entry, "--json")
    assert "\u202e" not in raw and "\x1b" not in raw


# --- pkm export NAME/TAG ---------------------------------------------------------------------
