"""Others' public saves where one looks at an entry or shares a tag: ``pkm show``'s "also
saved by" and ``pkm export NAME/TAG``, on both engines; never a private save of another."""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

import pytest
from conftest import RunCli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pkm.formats import EXPORTERS


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


def _export(cli: RunCli, person: str, *args: str) -> str:
    result = cli("--user", person, "export", *args)
    assert result.exit_code == 0, result.stderr
    return result.stdout


@pytest.mark.usefixtures("engine")
@pytest.mark.parametrize("format", sorted(EXPORTERS))
def test_export_name_tag_is_their_public_saves_with_their_notes(cli: RunCli, format: str) -> None:
    shared = "https://talks.example/shared"
    _save(cli, "alice", shared, "-t", "Conference2.0", "-n", "alice says read it")
    _save(cli, "alice", "https://talks.example/secret", "-t", "conference2.0", "--private")
    _save(cli, "alice", "https://talks.example/other", "-t", "elsewhere")
    _save(cli, "bob", shared, "-t", "conference2.0", "-n", "bob says skip it")
    _save(cli, "bob", "https://bob.example/own", "-t", "conference2.0")
    theirs = _export(cli, "bob", "alice/conference2.0", "--format", format)
    assert shared in theirs and "alice says read it" in theirs
    for absent in ("talks.example/secret", "talks.example/other", "bob says", "bob.example"):
        assert absent not in theirs
    if format != "netscape":  # a Netscape file names no list
        assert "alice/Conference2.0" in theirs  # the tag as she wrote it
    # Asking changes nothing: another's private save is never hers to give.
    asked = _export(cli, "bob", "alice/conference2.0", "-f", format, "--include-private")
    assert shared in asked and "talks.example/secret" not in asked
    mine = _export(cli, "bob", "conference2.0", "--format", format)
    assert "bob says skip it" in mine and "bob.example/own" in mine and "alice says" not in mine


@pytest.mark.usefixtures("engine")
def test_export_of_ones_own_name_is_ones_own_tag(cli: RunCli) -> None:
    _save(cli, "alice", "https://a.example/open", "-t", "conf")
    _save(cli, "alice", "https://a.example/closed", "-t", "conf", "--private")
    result = cli("--user", "alice", "export", "alice/conf")
    assert result.exit_code == 0 and "a.example/open" in result.stdout
    assert "a.example/closed" not in result.stdout and "Left out 1 private" in result.stderr
    with_private = _export(cli, "alice", "alice/conf", "--include-private")
    assert "a.example/closed" in with_private


@pytest.mark.usefixtures("engine")
def test_export_of_an_own_tag_with_a_slash_stays_ones_own(cli: RunCli) -> None:
    _save(cli, "alice", "https://a.example/pipeline", "-t", "ci/cd")
    _save(cli, "ci", "https://ci.example/x", "-t", "cd")
    exported = _export(cli, "alice", "ci/cd")
    assert "a.example/pipeline" in exported and "ci.example" not in exported
    assert "ci.example/x" in _export(cli, "bob", "ci/cd")


@pytest.mark.usefixtures("engine")
def test_export_of_an_unknown_person_or_tag_is_one_line(cli: RunCli) -> None:
    _save(cli, "alice", "https://a.example/x", "-t", "conf")
    _save(cli, "alice", "https://a.example/y", "-t", "hidden", "--private")
    nobody = cli("--user", "bob", "export", "nobody/conf")
    assert nobody.exit_code == 1 and "nobody" in nobody.stderr
    unknown = cli("--user", "bob", "export", "never")
    assert unknown.exit_code == 1
    for tag in ("never", "hidden"):  # no such tag of hers, or only private saves with it
        theirs = cli("--user", "bob", "export", f"alice/{tag}")
        assert theirs.exit_code == 1
        assert theirs.stderr == unknown.stderr.replace("'never'", f"'alice/{tag}'")
    for result in (nobody, unknown):
        assert result.stderr.strip().count("\n") == 0 and "Traceback" not in result.stderr


@pytest.mark.usefixtures("engine")
def test_export_of_anothers_tag_stays_sanitized(cli: RunCli) -> None:
    _save(
        cli,
        "alice",
        "https://evil.example/page",
        "-t",
        "conf",
        "--title",
        "<img src=x onerror=alert(1)>Talk",
        "-n",
        "<script>alert('note')</script>",
    )
    page = _export(cli, "bob", "alice/conf", "--format", "html")
    assert "<script" not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in page


# --- a property: what one person sees of another's saves ------------------------------------

PEOPLE = ("alice", "bob", "carol")
URLS = tuple(f"https://shared.example/{n}" for n in range(3))
_steps = st.lists(
    st.tuples(st.sampled_from(PEOPLE), st.integers(0, len(URLS) - 1), st.booleans()),
    min_size=1,
    max_size=6,
)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=_steps, viewer=st.sampled_from(PEOPLE))
def test_no_show_find_or_export_by_one_person_holds_anothers_private_save(
    cli: RunCli, steps: list[tuple[str, int, bool]], viewer: str
) -> None:
    """Saves, re-saves and privacy flips by three people on one store (a word and a tag
    of each save its own): ``show``, ``find by:`` with the save's own words and ``export
    NAME/TAG`` as one of them never hold another's private save's words, and always hold
    those of a public one (a hit of find is the entry as the viewer sees it)."""
    with tempfile.TemporaryDirectory() as folder:
        db = str(Path(folder) / "pkm.db")
        words: dict[tuple[str, int], list[str]] = {}
        private: dict[tuple[str, int], bool] = {}
        ids: dict[int, int] = {}
        for step, (person, url, hidden) in enumerate(steps):
            key = (person, url)
            word = f"w{person}{url}x{step}"
            words.setdefault(key, []).append(word)
            flag = "--private" if hidden else "--public"
            args = ("save", URLS[url], "--no-fetch", "-t", f"t{person}{url}", "-n", word, flag)
            result = cli("--db", db, "--user", person, *args, "--json")
            assert result.exit_code == 0, result.stderr
            ids[url] = int(json.loads(result.stdout)["id"])
            private[key] = hidden

        def run(*args: str) -> str:
            return cli("--db", db, "--user", viewer, *args).stdout

        shown = {url: run("show", str(entry), "--json") for url, entry in ids.items()}
        for (person, url), hidden in private.items():
            if person == viewer:
                continue
            tag = f"t{person}{url}"
            found = run("find", f"by:{person}", words[(person, url)][-1], "--json")
            assert (ids[url] in [hit["id"] for hit in json.loads(found)]) != hidden
            exported = run("export", f"{person}/{tag}", "--format", "json")
            for word in (*words[(person, url)], tag):
                assert hidden or word in shown[url] and word in exported, (person, word)
                assert not hidden or word not in shown[url] + found + exported, (person, word)
