"""No command run as one person ever prints another person's private save (issue 18).

Random sequences of saves, privacy flips, note edits, default-privacy changes and follows
by two or three people on one store, on both engines; then, as each person, every read
command that prints JSON (and exports as JSON), searched for the markers of the saves
that are someone else's and private at that moment: their notes, their tags, and the URL
and title of a page nobody saved publicly and the viewer did not save.

Every marker is unique text (``nt7q``, ``tg7q``, ``pt3q``, ``p3.example``) that only
that note, tag or page holds. Which saves are private is read from the store with plain
SQL after the steps, not from a model of what pkm should have done. A step's own output
is checked too, against what was private before it (less what the step itself typed).
"""

from __future__ import annotations

import itertools
import json
import re
import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import RunCli, store_rows
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

PEOPLE = ("alice", "bob", "carol")
PAGES = 5
TOPICS = ("alpha", "beta")  # shared tags, never markers: what follows of a tag follow
_markers = itertools.count(1)


def page_url(page: int) -> str:
    return f"https://p{page}.example/u{page}x"


def page_title(page: int) -> str:
    return f"Page pt{page}q about things"


# --- the steps ----------------------------------------------------------------------


@dataclass(frozen=True)
class Save:
    person: str
    page: int
    private: bool | None
    topic: str | None


@dataclass(frozen=True)
class Tag:
    """``pkm tag ID`` by anyone (a new save when it is not theirs yet), maybe a flip."""

    person: str
    page: int
    private: bool | None


@dataclass(frozen=True)
class EditNote:
    person: str
    page: int


@dataclass(frozen=True)
class Default:
    person: str
    private: bool


@dataclass(frozen=True)
class Follow:
    person: str
    other: str
    topic: str | None
    follow: bool


Step = Save | Tag | EditNote | Default | Follow


def steps(people: Sequence[str]) -> st.SearchStrategy[list[Step]]:
    person = st.sampled_from(people)
    page = st.integers(0, PAGES - 1)
    privacy = st.sampled_from([None, True, False])
    topic = st.none() | st.sampled_from(TOPICS)
    step = st.one_of(
        st.builds(Save, person, page, privacy, topic),
        st.builds(Save, person, page, privacy, topic),
        st.builds(Tag, person, page, privacy),
        st.builds(Tag, person, page, st.booleans()),
        st.builds(EditNote, person, page),
        st.builds(Default, person, st.booleans()),
        st.builds(Follow, person, person, topic, st.booleans()),
    )
    return st.lists(step, min_size=1, max_size=12)


def step_argv(step: Step, ids: dict[int, int]) -> tuple[list[str], set[str]] | None:
    """The command line of ``step`` (None when its page is not in the store yet) and
    the words it types itself, which its own output may echo."""
    n = next(_markers)
    flag = {None: [], True: ["--private"], False: ["--public"]}
    if isinstance(step, Save):
        url, title = page_url(step.page), page_title(step.page)
        argv = ["save", url, "--no-fetch", "--title", title, "-t", f"tg{n}q", "-n", f"nt{n}q"]
        argv += ["-t", step.topic] if step.topic else []
        return [*argv, *flag[step.private], "--json"], {f"p{step.page}.example", f"pt{step.page}q"}
    if isinstance(step, Default):
        private = "--default-private" if step.private else "--default-public"
        return ["people", "set", private], set()
    if isinstance(step, Follow):
        if step.other == step.person:
            return None
        target = f"{step.other}/{step.topic}" if step.topic else step.other
        return ["follow" if step.follow else "unfollow", target], set()
    entry = ids.get(step.page)
    if entry is None:
        return None
    if isinstance(step, Tag):
        return ["tag", str(entry), f"tg{n}q", "--no-archive", *flag[step.private]], set()
    return ["edit", str(entry), "--note", f"nt{n}q"], set()


# --- what each person must not see ----------------------------------------------------

_NOTE = re.compile(r"nt\d+q")
_TITLE = re.compile(r"pt\d+q")
_HOST = re.compile(r"p\d+\.example")


@dataclass
class Secrets:
    """Per person, the markers of others' private saves they must never be shown."""

    of: dict[str, set[str]]
    tags: dict[str, set[str]]


def secrets(people: Sequence[str]) -> Secrets:
    saves = store_rows(
        "SELECT o.id, p.name, o.private, o.note, o.entry_id, e.url, e.title FROM saves o"
        " JOIN people p ON p.id = o.person_id JOIN entries e ON e.id = o.entry_id"
    )
    tag_rows = store_rows(
        "SELECT st.save_id, t.name FROM save_tags st JOIN tags t ON t.id = st.tag_id"
    )
    tags_of: dict[int, set[str]] = {}
    for row in tag_rows:
        tags_of.setdefault(int(str(row["save_id"])), set()).add(str(row["name"]))
    public_entries = {int(str(r["entry_id"])) for r in saves if not r["private"]}
    shown: set[str] = set()  # in a public save: anyone may see it
    for row in saves:
        if not row["private"]:
            shown |= _save_markers(row, tags_of)
    result = Secrets({}, {})
    for viewer in people:
        mine = {int(str(r["entry_id"])) for r in saves if r["name"] == viewer}
        hidden: set[str] = set()
        hidden_tags: set[str] = set()
        for row in saves:
            if row["name"] == viewer or not row["private"]:
                continue
            hidden |= _save_markers(row, tags_of)
            hidden_tags |= {t for t in tags_of.get(int(str(row["id"])), ()) if t not in TOPICS}
            entry = int(str(row["entry_id"]))
            if entry not in public_entries and entry not in mine:
                hidden |= set(_TITLE.findall(str(row["title"])))
                hidden |= set(_HOST.findall(str(row["url"])))
        result.of[viewer] = hidden - shown
        result.tags[viewer] = hidden_tags - shown
    return result


def _save_markers(row: dict[str, object], tags_of: dict[int, set[str]]) -> set[str]:
    found = set(_NOTE.findall(str(row["note"] or "")))
    return found | (tags_of.get(int(str(row["id"])), set()) - set(TOPICS))


def assert_hidden(output: str, hidden: set[str], what: Sequence[str]) -> None:
    """No marker of ``hidden`` in ``output``, but those the command line typed (an error
    may say what it was asked: a search's other markers, a hit's URL, still count)."""
    typed = " ".join(what)
    leaked = sorted(marker for marker in hidden if marker in output and marker not in typed)
    assert not leaked, f"{' '.join(what)} printed {leaked}:\n{output}"


# --- every read command ----------------------------------------------------------------


def read_commands(
    viewer: str, people: Sequence[str], entry_ids: Sequence[int], hidden: Secrets
) -> Iterator[list[str]]:
    """Every command with --json (and export, as JSON) that reads what people saved."""
    yield from (["find"], ["find", "things"], ["find", "--saved"], ["find", "is:saved"])
    words = hidden.of[viewer] | {f"pt{page}q" for page in range(PAGES)}
    yield ["find", " OR ".join(sorted(w for w in words if w.isalnum()))]
    for tag in sorted(hidden.tags[viewer]):
        yield ["find", f"#{tag}"]
        yield ["export", tag, "--format", "json"]
    for other in people:
        yield ["find", f"by:{other}"]
        yield ["find", "--by", other, "things"]
        for tag in sorted(hidden.tags[viewer]) + list(TOPICS):
            yield ["export", f"{other}/{tag}", "--format", "json"]
    for topic in TOPICS:
        yield ["find", f"#{topic}"]
        yield ["export", topic, "--format", "json"]
    yield ["export", "--query", "things", "--format", "json"]
    yield from (["tags"], ["tags", "--everyone"], ["people"], ["following"], ["network"])
    yield ["scan", "--no-fetch"]
    for entry in entry_ids:
        yield ["show", str(entry)]
        yield ["related", str(entry)]


def check_everyone(cli: RunCli, people: Sequence[str]) -> None:
    hidden = secrets(people)
    entry_ids = [int(str(r["id"])) for r in store_rows("SELECT id FROM entries ORDER BY id")]
    for viewer in people:
        for argv in read_commands(viewer, people, entry_ids, hidden):
            if argv[0] != "export":
                argv = [*argv, "--json"]
            result = cli("--user", viewer, *argv)
            # An export of a tag one does not have, a person not stored yet: one line.
            assert result.exit_code in (0, 1), (argv, result.stderr)
            if argv[0] != "export" and result.exit_code == 0:
                json.loads(result.stdout)
            assert_hidden(result.stdout + result.stderr, hidden.of[viewer], [viewer, *argv])


# --- the property, on both engines ----------------------------------------------------


@contextmanager
def _fresh_store(engine: str, request: pytest.FixtureRequest, template: Path) -> Iterator[str]:
    if engine == "postgresql":
        from postgres import fresh_database

        with fresh_database(request.getfixturevalue("_store_template")) as url:
            yield url
        return
    path = template.with_name(f"store{next(_markers)}.db")
    shutil.copyfile(template, path)
    try:
        yield str(path)
    finally:
        path.unlink()


def run_steps(cli: RunCli, sequence: Sequence[Step], people: Sequence[str]) -> None:
    ids: dict[int, int] = {}
    for step in sequence:
        command = step_argv(step, ids)
        if command is None:
            continue
        argv, typed = command
        before = secrets(people).of[step.person] - typed
        result = cli("--user", step.person, *argv)
        assert_hidden(result.stdout + result.stderr, before, [step.person, *argv])
        if isinstance(step, Save):
            assert result.exit_code == 0, result.stderr
            ids[step.page] = int(json.loads(result.stdout)["id"])


_EXAMPLES = {"sqlite": 25, "postgresql": 8}


@pytest.fixture
def quick_cli(cli: RunCli, monkeypatch: pytest.MonkeyPatch) -> RunCli:
    """The ``cli`` fixture, with the Typer app made into its click command once rather
    than at every run (90% of a run's time; a hundred runs check one example)."""
    import typer.main
    import typer.testing

    from pkm.cli.app import app

    command = typer.main.get_command(app)
    monkeypatch.setattr(typer.testing, "_get_command", lambda _: command)
    return cli


@pytest.mark.parametrize("people", [PEOPLE[:2], PEOPLE], ids=["two", "three"])
def test_no_command_prints_another_persons_private_save(
    engine: str,
    people: tuple[str, ...],
    quick_cli: RunCli,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    template = tmp_path / "template.db"
    if engine == "sqlite":
        from pkm import Pkm

        Pkm.open(template).close()

    @given(sequence=steps(people))
    @settings(
        max_examples=_EXAMPLES[engine],
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    def prop(sequence: list[Step]) -> None:
        with _fresh_store(engine, request, template) as store:
            monkeypatch.setenv("PKM_DB", store)
            run_steps(quick_cli, sequence, people)
            check_everyone(quick_cli, people)

    prop()


@pytest.mark.usefixtures("engine")
def test_its_oracle_sees_private_saves(cli: RunCli) -> None:
    """The secrets are read with SQL that sees every person's private rows (a PostgreSQL
    role that row-level security held back would make the property vacuous)."""
    result = cli("--user", "alice", *step_argv(Save("alice", 1, True, "alpha"), {})[0])
    assert result.exit_code == 0, result.stderr
    hidden = secrets(PEOPLE)
    assert {"p1.example", "pt1q"} <= hidden.of["bob"] and hidden.tags["bob"]
    assert "p1.example" not in hidden.of["alice"]


@pytest.mark.usefixtures("engine")
def test_a_page_only_others_keep_privately_is_not_found_nor_shown(cli: RunCli) -> None:
    """The leak the property found: a saved page no feed brought is an entry of its own,
    whose URL and title are the saver's; kept privately, it is theirs until someone
    saves it publicly."""
    saved = cli("--user", "alice", *step_argv(Save("alice", 2, True, None), {})[0])
    entry = str(json.loads(saved.stdout)["id"])
    for argv in (["find"], ["find", "pt2q"], ["find", "things"], ["find", "site:p2.example"]):
        result = cli("--user", "bob", *argv, "--json")
        assert (result.exit_code, json.loads(result.stdout)) == (0, []), argv
    for argv in (["show", entry], ["tag", entry, "mine"], ["edit", entry, "--note", "x"]):
        result = cli("--user", "bob", *argv)
        assert (result.exit_code, result.stderr) == (1, f"pkm: error: no entry with id {entry}\n")
    assert cli("--user", "alice", "tag", entry, "--public").exit_code == 0
    found = json.loads(cli("--user", "bob", "find", "pt2q", "--json").stdout)
    assert [hit["url"] for hit in found] == [page_url(2)]
