"""Input at the edges: files without bounds and ids no store can hold.

Every file pkm reads stops at a size cap with one line; every id a command takes, however
large, negative or malformed, is "not found" or a usage error, never a traceback.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import RunCli, Site
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from pkm.api import Pkm
from pkm.cli.app import app
from pkm.errors import ChoiceError, FileTooLargeError, UsageError
from pkm.files import DEFAULT_MAX_FILE_BYTES, describe_size, parse_size

BOOKMARKS = """<!DOCTYPE NETSCAPE-Bookmark-file-1>
<DL><p>
<DT><A HREF="https://a.example/1" ADD_DATE="1700000000" TAGS="x">One</A>
<DT><A HREF="https://a.example/2" ADD_DATE="1700000000" TAGS="x">Two</A>
</DL><p>
"""


def run(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pkm", "--db", str(db), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def one_line_error(result: subprocess.CompletedProcess[str], code: int = 1) -> str:
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("pkm: error: "), result.stderr
    return lines[0]


@pytest.mark.parametrize("command", [("import",), ("restore",), ("feeds", "import")], ids=" ".join)
def test_an_endless_file_stops_at_the_cap(tmp_path: Path, command: tuple[str, ...]) -> None:
    db = tmp_path / "pkm.db"
    started = time.monotonic()
    error = one_line_error(run(db, *command, "/dev/zero"))
    assert time.monotonic() - started < 20
    assert f"/dev/zero is larger than {describe_size(DEFAULT_MAX_FILE_BYTES)}" in error
    assert "--max-size" in error


def test_max_size_lowers_and_raises_the_cap(tmp_path: Path) -> None:
    db = tmp_path / "pkm.db"
    bookmarks = tmp_path / "bookmarks.html"
    bookmarks.write_text(BOOKMARKS)
    error = one_line_error(run(db, "import", str(bookmarks), "--max-size", "100"))
    assert f"{bookmarks} is larger than 100 bytes" in error
    with Pkm.open(db) as pkm:
        assert pkm.find(saved=True) == []  # nothing half-read was stored
    done = run(db, "import", str(bookmarks), "--max-size", "1K")
    assert done.returncode == 0, done.stderr
    assert "Imported 2, merged 0, skipped 0" in done.stdout
    # A file exactly at the cap is read.
    exact = run(db, "import", str(bookmarks), "--max-size", str(bookmarks.stat().st_size))
    assert exact.returncode == 0, exact.stderr


@pytest.mark.parametrize("size", ["0", "-1", "big", "1T", "1.5M"])
def test_a_bad_max_size_is_a_usage_error(tmp_path: Path, size: str) -> None:
    bookmarks = tmp_path / "bookmarks.html"
    bookmarks.write_text(BOOKMARKS)
    error = one_line_error(
        run(tmp_path / "pkm.db", "import", str(bookmarks), "--max-size", size), 2
    )
    assert "not a size" in error


def test_sizes_read_as_binary_units() -> None:
    assert parse_size("300M") == 300 * 2**20
    assert parse_size("1GiB") == 2**30
    assert parse_size("64kb") == 64 * 2**10
    assert parse_size("5000000") == 5_000_000


def test_an_unreadable_file_is_one_line(tmp_path: Path) -> None:
    error = one_line_error(run(tmp_path / "pkm.db", "import", str(tmp_path)))
    assert f"cannot read {tmp_path}" in error


# Every command that takes an entry id, then one that takes a feed id.
ENTRY_COMMANDS = [
    ("show", "{}"),
    ("open", "{}"),
    ("tag", "{}", "t"),
    ("untag", "{}", "t"),
    ("related", "{}"),
    ("find", "--like", "{}"),
]
FEED_COMMANDS = [("scan", "--feed", "{}"), ("feeds", "remove", "{}")]
HUGE = ["9223372036854775808", "18446744073709551616", "-9223372036854775809", "1" + "0" * 40]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("ids") / "pkm.db"
    with Pkm.open(db) as pkm:
        pkm.save("https://a.example/kept", tags=["kept"], note="still here", fetch=False)
    return db


def _args(command: tuple[str, ...], value: str) -> list[str]:
    """The command line; a negative id goes as ``--opt=ID`` or after ``--``, so that it is
    an id, not an option."""
    args = [part.format(value) for part in command]
    if value.startswith("-"):
        position = args.index(value)
        if args[position - 1].startswith("--"):
            args[position - 1 : position + 1] = [f"{args[position - 1]}={value}"]
        else:
            args.insert(position, "--")
    return args


@pytest.mark.parametrize("value", HUGE)
@pytest.mark.parametrize("command", ENTRY_COMMANDS + FEED_COMMANDS, ids=lambda c: c[0])
def test_an_id_no_store_can_hold_is_not_found(
    store: Path, command: tuple[str, ...], value: str
) -> None:
    args = _args(command, value)
    error = one_line_error(run(store, *args))
    kind = "feed" if command in FEED_COMMANDS else "entry"
    assert f"no {kind} " in error and value in error
    with Pkm.open(store) as pkm:
        (kept,) = pkm.find(saved=True)
        assert kept.entry.note == "still here"


_ids = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.text(min_size=1, max_size=12).filter(lambda s: not s.startswith("-")),
)


@settings(max_examples=150, deadline=None)
@given(command=st.sampled_from(ENTRY_COMMANDS + FEED_COMMANDS), value=_ids)
def test_any_id_gives_an_answer_never_a_traceback(
    store: Path, command: tuple[str, ...], value: str
) -> None:
    args = _args(command, value)
    result = CliRunner().invoke(app, ["--db", str(store), *args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code in (1, 2), (args, result.output)
    if result.exit_code == 1:
        assert result.stderr.startswith("pkm: error: no "), (args, result.stderr)
        assert len(result.stderr.splitlines()) == 1


# --- writing what the user asked for -----------------------------------------------------


def _store_with_a_page(tmp_path: Path) -> Path:
    db = tmp_path / "pkm.db"
    with Pkm.open(db) as pkm:
        pkm.save("https://a.example/untitled", tags=["list"], note="my note", fetch=False)
        entry = pkm.save("https://a.example/talk", tags=["list"], title="Talk", fetch=False)
    conn = sqlite3.connect(db)  # a description, as a fetched page gives one
    conn.execute(
        "UPDATE entries SET text = 'Slides about hybrid events' WHERE id = ?", (entry.entry.id,)
    )
    conn.commit()
    conn.close()
    return db


def test_export_says_what_it_needs(tmp_path: Path) -> None:
    error = one_line_error(run(_store_with_a_page(tmp_path), "export"), 2)
    assert "export needs a tag or --query" in error


def test_export_to_dash_is_stdout_and_htm_is_html(tmp_path: Path) -> None:
    db = _store_with_a_page(tmp_path)
    dash = run(db, "export", "list", "-o", "-")
    assert dash.returncode == 0 and dash.stdout.startswith("# Reading list: list")
    assert not (Path.cwd() / "-").exists()
    page = tmp_path / "list.htm"
    assert run(db, "export", "list", "-o", str(page)).returncode == 0
    assert page.read_text().startswith("<!DOCTYPE html>")


@pytest.mark.parametrize("format", ["md", "html", "atom", "json", "netscape"])
def test_every_export_names_untitled_entries_and_carries_descriptions(
    tmp_path: Path, format: str
) -> None:
    db = _store_with_a_page(tmp_path)
    result = run(db, "export", "list", "--format", format)
    assert result.returncode == 0, result.stderr
    assert "<A></A>" not in result.stdout and "[](" not in result.stdout
    assert "https://a.example/untitled" in result.stdout
    if format != "netscape":  # bookmarks hold a note, not a description
        assert "Slides about hybrid events" in result.stdout


def test_json_export_keeps_the_note_apart_from_the_article(tmp_path: Path) -> None:
    import json

    result = run(_store_with_a_page(tmp_path), "export", "list", "--format", "json")
    items = {item["url"]: item for item in json.loads(result.stdout)["items"]}
    talk, untitled = items["https://a.example/talk"], items["https://a.example/untitled"]
    assert talk["content_text"] == "Slides about hybrid events"
    assert untitled["_pkm"]["note"] == "my note"
    assert "my note" not in untitled["content_text"]


@pytest.mark.parametrize(
    "command",
    [("export", "list", "-o"), ("backup",), ("feeds", "export", "-o")],
    ids=lambda c: " ".join(c[:2]),
)
def test_a_full_device_is_an_error(tmp_path: Path, command: tuple[str, ...]) -> None:
    error = one_line_error(run(_store_with_a_page(tmp_path), *command, "/dev/full"))
    assert "cannot write /dev/full: No space left on device" in error


def test_a_failed_write_leaves_the_old_file_and_no_partial_one(tmp_path: Path) -> None:
    import errno

    from pkm.errors import UserFileError
    from pkm.files import write_file

    folder = tmp_path / "lists"
    folder.mkdir()
    target = folder / "list.md"
    target.write_text("the list I shared yesterday\n")

    def half_then_full(out: object) -> None:
        assert hasattr(out, "write")
        out.write("half a new list")
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(UserFileError, match="No space left"):
        write_file(target, half_then_full)
    assert target.read_text() == "the list I shared yesterday\n"
    assert sorted(p.name for p in folder.iterdir()) == ["list.md"]
    write_file(target, lambda out: out.write("today's list\n"))
    assert target.read_text() == "today's list\n"
    assert sorted(p.name for p in folder.iterdir()) == ["list.md"]


def test_global_options_work_after_the_command(tmp_path: Path) -> None:
    from pkm.cli.argv import global_options_first

    db = tmp_path / "work.db"
    saved = subprocess.run(
        [
            sys.executable,
            "-m",
            "pkm",
            "save",
            "https://a.example/late",
            "--no-fetch",
            "--db",
            str(db),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert saved.returncode == 0, saved.stderr
    for args in (["show", "1", f"--db={db}"], ["find", "late", "--db", str(db)]):
        shown = subprocess.run(
            [sys.executable, "-m", "pkm", *args], capture_output=True, text=True, timeout=60
        )
        assert shown.returncode == 0 and "a.example/late" in shown.stdout, (args, shown.stderr)
    assert global_options_first(["tag", "1", "x", "--db", "a.db"]) == [
        "--db",
        "a.db",
        "tag",
        "1",
        "x",
    ]
    # After "--" a word is the command's, and a dangling --db is left for Typer to refuse.
    assert global_options_first(["find", "--", "--db", "x"]) == ["find", "--", "--db", "x"]
    assert global_options_first(["tags", "--db"]) == ["tags", "--db"]


def test_user_works_after_the_command_on_both_paths(tmp_path: Path) -> None:
    db = str(tmp_path / "work.db")

    def pkm(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "pkm", *args], capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, (args, done.stderr)
        return done.stdout

    pkm(
        "save", "https://a.example/alice", "--no-fetch", "-t", "hers", "--db", db, "--user", "alice"
    )
    pkm("save", "https://b.example/bob", "--no-fetch", "-t", "his", "--user=bob", "--db", db)
    # save and follow go through Typer; tags, find and network take the quick path.
    assert "his" in pkm("tags", "--db", db, "--user", "bob")
    assert "hers" not in pkm("tags", "--json", "--user", "bob", "--db", db)
    assert "b.example/bob" in pkm("find", "--db", db, "--user", "bob", "#his")
    assert "b.example/bob" not in pkm("find", "--user", "alice", "--db", db, "--saved")
    pkm("follow", "alice", "--db", db, "--user", "bob")
    assert "a.example/alice" in pkm("network", "--db", db, "--user", "bob")


def test_messages_on_a_piped_stderr_are_never_folded(tmp_path: Path) -> None:
    tag = "a tag with many words " * 4
    saved = run(tmp_path / "pkm.db", "save", "https://a.example/", "--no-fetch", "-t", tag)
    assert saved.returncode == 0
    (line,) = saved.stderr.splitlines()
    assert len(line) > 100 and line.startswith("tag 'a tag with many words")


# --- the library's words and the CLI's --------------------------------------------------------


def test_the_api_names_its_arguments_and_the_cli_its_options(
    tmp_path: Path, site: Site, cli: RunCli
) -> None:
    big = tmp_path / "big.html"
    big.write_text(BOOKMARKS)
    with Pkm.open(tmp_path / "pkm.db") as store:
        for kwargs, message in [
            ({"limit": 0}, "limit must be a positive number, not 0"),
            ({"offset": -1}, "offset must be 0 or more, not -1"),
        ]:
            with pytest.raises(UsageError, match=f"^{message}$"):
                store.find("x", **kwargs)
        with pytest.raises(UsageError, match="^export needs a tag or a query$"):
            store.export()
        with pytest.raises(UsageError, match="^nothing to change: give a title, folder or"):
            store.edit_feed(1)
        with pytest.raises(ChoiceError, match="^choose must be from 0 to 1: the page links to 2"):
            store.add_feed(site.url("/blog/"), choose=2)
        with pytest.raises(FileTooLargeError, match=r"the most pkm reads \(max_size raises it\)$"):
            store.import_file(big, max_size=10)
    chosen = cli("feeds", "add", site.url("/blog/"), "--choose", "3")
    assert (chosen.exit_code, chosen.stderr) == (
        2,
        "pkm: error: --choose must be between 1 and 2\n",
    )
    nothing = cli("feeds", "edit", "1")
    assert (
        nothing.stderr == "pkm: error: nothing to change: give --title, --folder or --full-text\n"
    )
    both = cli("export", "x", "--query", "y")
    assert both.stderr == "pkm: error: export takes a tag or --query, not both\n"
