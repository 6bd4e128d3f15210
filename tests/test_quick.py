"""The quick path of `pkm find`, `tags`, `show`, `read` and `network` (pkm/cli/quick.py),
with the global --db and --user: the same options and the same output as the Typer
commands, and Typer for everything it does not read itself."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import RunCli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_search import DOCS, _store

from pkm.cli import findtable, quick
from pkm.cli.app import app
from pkm.cli.find import table_source, takes_value


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    path = tmp_path_factory.mktemp("quick") / "pkm.db"
    return path, _store(path, DOCS)


@pytest.mark.parametrize(
    ("name", "table"),
    [
        ("find", quick.FIND_OPTIONS),
        ("show", quick.SHOW_OPTIONS),
        ("read", quick.READ_OPTIONS),
        ("network", quick.NETWORK_OPTIONS),
    ],
)
def test_its_option_table_is_the_typer_commands(name: str, table: dict[str, bool]) -> None:
    import typer.main

    group = typer.main.get_command(app)
    command = group.commands[name]  # type: ignore[attr-defined]
    root = group.make_context("pkm", [], resilient_parsing=True)
    ctx = command.make_context(name, [], parent=root, resilient_parsing=True)
    assert dict(table) == takes_value(command.get_params(ctx))


def test_its_table_is_generated_from_the_typer_command() -> None:
    written = Path(findtable.__file__).read_text(encoding="utf-8")
    assert written == table_source(), "pkm/cli/findtable.py is stale: python -m pkm.cli.find"


ARGVS = [
    ["find"],
    ["find", "hybrid"],
    ["find", "hybrid", "meetings"],
    ["find", "hybrid", "--limit", "1"],
    ["find", "--limit=2", "hybrid"],
    ["find", "hybrid", "--offset", "1", "--limit", "1"],
    ["find", "hybrid", "--offset", "50"],
    ["find", "#sourdough"],
    ["find", "--tag", "sourdough"],
    ["find", "-t", "sourdough", "-t", "nosuchtag"],
    ["find", "bread", "-flour"],
    ["find", "--", "--saved"],
    ["find", "hybrid", "--json"],
    ["find", "--saved"],
    ["find", "--unread", "--saved"],
    ["find", "--feed", "Events Blog"],
    ["find", "--feed=jarche", "hybrid"],
    ["find", "--since", "2020-01-01", "guide"],
    ["find", "--since", "not-a-date"],
    ["find", '"unbalanced'],
    ["find", "NEAR(", "c++"],
    ["find", "nothing-matches-this-zzz"],
    ["find", "--feed", "no such feed"],
    ["find", "--like", "1", "--limit", "3"],
    ["find", "--like", "99999"],
    ["find", "--tag", "-sourdough"],
    ["find", "#sour*", "ideeën"],
    ["find", "--", "-hybrid", "guide"],
    ["find", "--limit", " 2", "hybrid"],
]


@pytest.mark.parametrize("argv", ARGVS, ids=" ".join)
def test_prints_what_the_typer_command_prints(
    argv: list[str],
    store: tuple[Path, dict[str, int]],
    cli: RunCli,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = store[0]
    expected = cli("--db", str(path), *argv)
    assert quick.parse(["--db", str(path), *argv]) is not None
    code = quick.run(["--db", str(path), *argv])
    out, err = capsys.readouterr()
    assert (code, out, err) == (expected.exit_code, expected.stdout, expected.stderr)


def test_reads_the_store_from_pkm_db_and_db_equals(
    store: tuple[Path, dict[str, int]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = store[0]
    assert quick.run([f"--db={path}", "find", "hybrid"]) == 0
    by_option = capsys.readouterr().out
    monkeypatch.setenv("PKM_DB", str(path))
    assert quick.run(["find", "hybrid"]) == 0
    assert capsys.readouterr().out == by_option and "Hybrid meetings guide" in by_option


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--help"],
        ["--version"],
        ["tags"],
        ["feeds", "list"],
        ["--db"],
        ["--db", "x.db"],
        ["--bogus", "find"],
        ["find", "--help"],
        ["find", "x", "-h"],
        ["find", "--bogus", "x"],
        ["find", "--limit", "0", "x"],
        ["find", "--limit", "many", "x"],
        ["find", "--offset", "-1"],
        ["find", "--like", "one"],
        ["find", "--json=1"],
        ["find", "x", "--tag"],
        ["find", "x", "--db", "other.db"],
    ],
    ids=lambda argv: " ".join(argv) or "(nothing)",
)
def test_leaves_everything_else_to_typer(argv: list[str]) -> None:
    assert quick.parse(argv) is None


def test_leaves_completion_to_typer() -> None:
    assert quick.parse(["find", "x"], {"_PKM_COMPLETE": "bash_complete"}) is None


def test_a_piped_find_loads_neither_typer_nor_rich_nor_sqlalchemy_nor_psycopg(
    store: tuple[Path, dict[str, int]], tmp_path: Path
) -> None:
    heavy = "{'typer', 'rich', 'click', 'sqlalchemy', 'alembic', 'psycopg'}"
    probe = (
        "import sys\nfrom pkm.cli import main\n"
        "try:\n    main()\nexcept SystemExit as exit:\n    code = exit.code\n"
        f"loaded = sorted({{m.split('.')[0] for m in sys.modules}} & {heavy})\n"
        "print(f'exit {code} loaded {loaded}')"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, "--db", str(store[0]), "find", "hybrid"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PKM_DB": str(tmp_path / "unused.db")},
    )
    assert "Hybrid meetings guide" in result.stdout
    assert result.stdout.splitlines()[-1] == "exit 0 loaded []", result.stderr


@pytest.mark.parametrize("command", [["find"], ["tags"]], ids=["quick find", "typer"])
def test_a_closed_pipe_ends_quietly(command: list[str], store: tuple[Path, dict[str, int]]) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before pkm writes a byte: every write fails
    try:
        result = subprocess.run(
            [sys.executable, "-m", "pkm", "--db", str(store[0]), *command],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    finally:
        os.close(write_end)
    assert (result.returncode, result.stderr) == (1, "")


_TOKENS = [
    "hybrid",
    "guide",
    "-flour",
    "#sourdough",
    "#sour*",
    '"',
    "NEAR(",
    "*",
    "OR",
    "--",
    "--tag",
    "-t",
    "sourdough",
    "--feed",
    "jarche",
    "--since",
    "7d",
    "--limit",
    "--limit=1",
    "2",
    "0",
    "-1",
    "--offset",
    "--like",
    "--saved",
    "--unread",
    "--json",
    "--json=1",
    "-h",
    "--bogus",
]


@given(tail=st.lists(st.sampled_from(_TOKENS), max_size=6))
@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_any_command_line_it_takes_prints_what_typer_prints(
    tail: list[str],
    store: tuple[Path, dict[str, int]],
    cli: RunCli,
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["--db", str(store[0]), "find", *tail]
    if quick.parse(argv) is None:
        return  # Typer's to handle
    capsys.readouterr()
    code = quick.run(argv)
    out, err = capsys.readouterr()
    expected = cli(*argv)
    assert (code, out, err) == (expected.exit_code, expected.stdout, expected.stderr)


@pytest.mark.parametrize(
    "args",
    [["tags"], ["tags", "--sort", "count"], ["tags", "--sort=count", "--json"], ["tags", "--json"]],
    ids=" ".join,
)
def test_tags_prints_what_the_typer_command_prints(
    store: tuple[Path, dict[str, int]], args: list[str]
) -> None:
    from typer.testing import CliRunner

    from pkm.cli.app import app

    db = str(store[0])
    shortcut = subprocess.run(
        [sys.executable, "-m", "pkm", "--db", db, *args], capture_output=True, text=True, timeout=60
    )
    typer_run = CliRunner().invoke(app, ["--db", db, *args])
    assert shortcut.returncode == typer_run.exit_code == 0
    assert quick.parse_tags(["--db", db, *args]) is not None
    assert shortcut.stdout == typer_run.stdout and shortcut.stdout


@pytest.mark.parametrize(
    "args",
    [["tags", "rename", "a", "b"], ["tags", "--sort", "size"], ["tags", "-h"], ["x", "tags"]],
)
def test_tags_leaves_the_rest_to_typer(args: list[str]) -> None:
    assert quick.parse_tags(args) is None


def test_a_piped_tags_loads_neither_typer_nor_rich(store: tuple[Path, dict[str, int]]) -> None:
    probe = (
        "import sys\nfrom pkm.cli import main\n"
        "try:\n    main()\nexcept SystemExit as exit:\n    code = exit.code\n"
        "loaded = sorted({m.split('.')[0] for m in sys.modules} & {'typer', 'rich', 'click'})\n"
        "print(f'exit {code} loaded {loaded}')"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, "--db", str(store[0]), "tags"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.splitlines()[-1] == "exit 0 loaded []", result.stderr


# --- pkm show and pkm read ----------------------------------------------------------------

ARTICLES = Path(__file__).parent / "data" / "articles"


@pytest.fixture(scope="module")
def shown(store: tuple[Path, dict[str, int]]) -> tuple[Path, int]:
    """The store, with one entry holding a real article (links, lists, code) as content,
    saved by others too (alice publicly, with tags and a note; carol privately)."""
    path, ids = store
    entry_id = ids["title_hit"]
    html = "".join((ARTICLES / f"{name}.html").read_text() for name in ("links", "lists", "code"))
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE entries SET content = ? WHERE id = ?", (html, entry_id))
        for name, private, note in (("alice", 0, "good overview"), ("carol", 1, "hers alone")):
            person = conn.execute(
                "INSERT INTO people (name, created_at) VALUES (?, 0) RETURNING id", (name,)
            ).fetchone()[0]
            conn.execute(
                "INSERT INTO saves (person_id, entry_id, saved_at, note, private, tags_text)"
                " VALUES (?, ?, 1700000000, ?, ?, 'conference2.0')",
                (person, entry_id, note, private),
            )
    conn.close()
    return path, entry_id


SHOW_ARGVS = [
    ["show", "ID"],
    ["show", "ID", "--no-pager"],
    ["show", "--no-pager", "ID"],
    ["show", "ID", "--json"],
    ["show", "ID", "--width", "30"],
    ["show", "--width=44", "ID", "--no-pager"],
    ["show", "ID", "--width", "20", "--json"],
    ["show", "OTHER"],
    ["show", "99999"],
    ["show", "0"],
]


@pytest.mark.parametrize("argv", SHOW_ARGVS, ids=" ".join)
def test_show_prints_what_the_typer_command_prints(
    argv: list[str], shown: tuple[Path, int], cli: RunCli, capsys: pytest.CaptureFixture[str]
) -> None:
    path, entry_id = shown
    other = _store_ids(path)["body_hit"]
    argv = [{"ID": str(entry_id), "OTHER": str(other)}.get(arg, arg) for arg in argv]
    expected = cli("--db", str(path), *argv)
    assert quick.parse_show(["--db", str(path), *argv]) is not None
    code = quick.run(["--db", str(path), *argv])
    out, err = capsys.readouterr()
    assert (code, out, err) == (expected.exit_code, expected.stdout, expected.stderr)
    if argv[1:2] == [str(entry_id)] and code == 0:
        assert "[1] https://" in out or '"links": [' in out  # the article is there
        assert "also saved by alice: #conference2.0 'good overview'" in out or (
            '"person": "alice"' in out and '"note": "good overview"' in out
        )
        assert "carol" not in out and "hers alone" not in out


def _store_ids(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT title, id FROM entries").fetchall()
    conn.close()
    titles = {"Hybrid meetings guide": "title_hit", "Rooms chairs tables": "body_hit"}
    return {titles[title]: entry_id for title, entry_id in rows if title in titles}


@pytest.mark.parametrize(
    "argv",
    [
        ["show"],
        ["show", "x"],
        ["show", "1", "2"],
        ["show", "-1"],
        ["show", "+1"],
        ["show", "1_0"],
        ["show", "\u0661"],  # an Arabic-Indic one: int() reads it, Typer's parser may not
        ["show", "1", "--width", "19"],
        ["show", "1", "--width", "wide"],
        ["show", "1", "--width"],
        ["show", "1", "--width", "--json"],
        ["show", "1", "--json=1"],
        ["show", "1", "--json", "--json"],
        ["show", "1", "-h"],
        ["show", "--help"],
        ["show", "--", "1"],
        ["show", "1", "--bogus"],
        ["--bogus", "show", "1"],
        ["read", "--help"],
        ["read", "-x"],
        ["read", "--all=yes"],
        ["read", "--all", "--all"],
        ["read", "--", "-x"],
        ["read", "words", "-h"],
        ["read", "bread", "-flour"],  # an option to Typer too: "No such option"
        ["reader"],
    ],
    ids=" ".join,
)
def test_show_and_read_leave_everything_else_to_typer(argv: list[str]) -> None:
    assert quick.parse_show(argv) is None and quick.parse_read(argv) is None


READ_ARGVS = [
    ["read"],
    ["read", "--all"],
    ["read", "hybrid"],
    ["read", "hybrid", "--all", "#sourdough"],
    ["read", "is:saved"],
    ["read", "--network"],
    ["--user", "bob", "read", "--network", "--all"],
]


@pytest.mark.parametrize("argv", READ_ARGVS, ids=" ".join)
def test_read_opens_the_reader_as_the_typer_command_does(
    argv: list[str],
    store: tuple[Path, dict[str, int]],
    cli: RunCli,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import pkm.cli.read
    import pkm.cli.reader

    opened: list[tuple[Any, ...]] = []

    def run(
        store: Any, query: str | None = None, *, include_read: bool = False, network: bool = False
    ) -> None:
        opened.append((store.location, store.person, query, include_read, network))

    monkeypatch.setattr(pkm.cli.read, "run", run)
    monkeypatch.setattr(pkm.cli.reader, "run", run)
    db = str(store[0])
    assert cli("--db", db, *argv).exit_code == 0
    assert quick.run(["--db", db, *argv]) == 0
    assert len(opened) == 2 and opened[0] == opened[1]


def test_a_piped_show_loads_neither_typer_nor_sqlalchemy_nor_rich_beyond_its_cell_widths(
    shown: tuple[Path, int],
) -> None:
    heavy = "{'typer', 'click', 'sqlalchemy', 'httpx', 'rich.console', 'rich.text'}"
    probe = (
        "import sys\nfrom pkm.cli import main\n"
        "try:\n    main()\nexcept SystemExit as exit:\n    code = exit.code\n"
        "loaded = {m.split('.')[0] for m in sys.modules} | set(sys.modules)\n"
        f"print(f'exit {{code}} loaded', sorted(loaded & {heavy}))"
    )
    path, entry_id = shown
    result = subprocess.run(
        [sys.executable, "-c", probe, "--db", str(path), "show", str(entry_id)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "Links:" in result.stdout
    assert result.stdout.splitlines()[-1] == "exit 0 loaded []", result.stderr


# --- pkm network, and --user before any of them ----------------------------------------


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store of three people: Bob follows Alice and Carol's #events; some saves private."""
    from pkm import Pkm

    path = tmp_path_factory.mktemp("people") / "pkm.db"
    saves = [
        ("alice", "https://talks.example/hybrid", "Hybrid talk", ["events"], "good one", False),
        ("alice", "https://plans.example/secret", "Secret talk plans", ["events"], "hush", True),
        ("carol", "https://talks.example/rooms", "Rooms for a talk", ["events"], None, False),
        ("carol", "https://food.example/bread", "Bread talk", ["bread"], None, False),
        ("bob", "https://talks.example/hybrid", "Hybrid talk", ["mine"], "bob's", False),
    ]
    for person, url, title, tags, note, private in saves:
        with Pkm.open(path, user=person) as store:
            store.save(url, tags=tags, note=note, title=title, fetch=False, private=private)
    with Pkm.open(path, user="bob") as store:
        store.follow("alice")
        store.follow("carol/events")
    return path


NETWORK_ARGVS = [
    ["--user", "bob", "network"],
    ["--user=bob", "network", "--json"],
    ["--user", "bob", "network", "--limit", "1"],
    ["--user", "bob", "network", "-n", "2", "--json"],
    ["--user", "bob", "network", "--limit=2"],
    ["--user", "bob", "network", "--since", "1d"],
    ["--user", "bob", "network", "--since", "2999-01-01"],
    ["--user", "bob", "network", "--since", "not-a-date"],
    ["--user", "carol", "network"],
    ["--user", "nobody", "network", "--json"],
    ["--user", "bad name", "network"],
    ["--user", "alice", "--user", "bob", "network"],
    ["--user", "bob", "find", "by:alice", "talk"],
    ["--user", "bob", "find", "--by", "carol", "--json"],
    ["--user", "bob", "find", "by:nobody"],
    ["--user", "carol", "find", "talk"],
    ["--user", "alice", "find", "#events", "--json"],
    ["--user", "bob", "tags", "--json"],
    ["--user", "carol", "tags"],
    ["--user", "alice", "show", "2", "--json"],
    ["--user", "bob", "show", "2"],
]


@pytest.mark.parametrize("argv", NETWORK_ARGVS, ids=" ".join)
def test_network_and_user_print_what_the_typer_commands_print(
    argv: list[str], shared: Path, cli: RunCli, capsys: pytest.CaptureFixture[str]
) -> None:
    full = ["--db", str(shared), *argv]
    expected = cli(*full)
    parsers = (quick.parse, quick.parse_tags, quick.parse_show, quick.parse_network)
    assert any(parse(full) is not None for parse in parsers)
    code = quick.run(full)
    out, err = capsys.readouterr()
    assert (code, out, err) == (expected.exit_code, expected.stdout, expected.stderr)
    assert out or err


def test_network_holds_others_public_saves_as_typer_does(
    shared: Path, cli: RunCli, capsys: pytest.CaptureFixture[str]
) -> None:
    """What the comparisons above compare is the network: not an error on both sides."""
    assert quick.run(["--db", str(shared), "--user", "bob", "network", "--json"]) == 0
    items = json.loads(capsys.readouterr().out)
    assert sorted((i["saved_by"], i["title"]) for i in items) == [
        ("alice", "Hybrid talk"),
        ("carol", "Rooms for a talk"),
    ]


def test_pkm_user_reads_as_user_does(
    shared: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert quick.run(["--db", str(shared), "--user", "bob", "network"]) == 0
    by_option = capsys.readouterr().out
    monkeypatch.setenv("PKM_USER", "bob")
    assert quick.run(["--db", str(shared), "network"]) == 0
    assert capsys.readouterr().out == by_option and "Hybrid talk" in by_option


@pytest.mark.parametrize(
    "argv",
    [
        ["--user"],
        ["--user", "bob"],
        ["--user=", "network"],
        ["--user", "--json", "network"],
        ["--db=", "network"],
        ["--user", "bob", "--bogus", "network"],
        ["network", "extra"],
        ["network", "--limit", "0"],
        ["network", "--limit", "many"],
        ["network", "-n", "1", "--limit", "2"],
        ["network", "--limit", "1", "--limit", "2"],
        ["network", "--since"],
        ["network", "--json=1"],
        ["network", "--bogus"],
        ["network", "-h"],
        ["--user", "bob", "network", "--help"],
        ["--user", "bob", "follow", "alice"],
    ],
    ids=" ".join,
)
def test_network_and_user_leave_everything_else_to_typer(argv: list[str]) -> None:
    assert quick.parse_network(argv) is None and quick.parse(argv) is None
    assert quick.parse_tags(argv) is None and quick.parse_show(argv) is None


@pytest.mark.parametrize(
    "command", [["network"], ["find", "by:alice", "talk"]], ids=["network", "find by"]
)
def test_a_piped_network_or_find_by_loads_neither_typer_nor_rich(
    shared: Path, command: list[str]
) -> None:
    probe = (
        "import sys\nfrom pkm.cli import main\n"
        "try:\n    main()\nexcept SystemExit as exit:\n    code = exit.code\n"
        "loaded = sorted({m.split('.')[0] for m in sys.modules} & {'typer', 'rich', 'click'})\n"
        "print(f'exit {code} loaded {loaded}')"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, "--db", str(shared), "--user", "bob", *command],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "Hybrid talk" in result.stdout
    assert result.stdout.splitlines()[-1] == "exit 0 loaded []", result.stderr
