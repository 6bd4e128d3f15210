"""`pkm copy`: a whole store into an empty one, between SQLite files and PostgreSQL
databases either way, ids, search index and sequences included."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from conftest import DATA, RunCli, Site, ids_titled, store_write
from postgres import fresh_database

from pkm import Pkm
from pkm.errors import PkmError

NETSCAPE = DATA / "netscape"
MakeStore = Callable[[str, str], str]


@pytest.fixture
def store_on(tmp_path: Path) -> Iterator[MakeStore]:
    """Makes a place for a store (nothing there yet) on an engine: a file named after its
    second argument, or a fresh PostgreSQL database."""
    with ExitStack() as stack:

        def make(engine: str, name: str) -> str:
            if engine == "postgresql":
                return stack.enter_context(fresh_database())
            return str(tmp_path / f"{name}.db")

        yield make


def _backup_tables(db: str | None = None) -> dict[str, object]:
    out = io.StringIO()
    with Pkm.open(db) as store:
        store.backup(out)
    return dict(json.loads(out.getvalue())["tables"])


def _json(cli: RunCli, *args: str) -> object:
    result = cli(*args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(autouse=True)
def one_person(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same person on both engines (on PostgreSQL pkm would act as the server role)."""
    monkeypatch.setenv("PKM_USER", "tester")


def _fill(cli: RunCli, site: Site) -> int:
    """Feeds with their fetch state, bookmarks with tags and a note, a mute rule, an
    archive, a link check and an alias; the id of the entry that has them."""
    assert cli("feeds", "add", site.url("/events.rss"), "--folder", "Events").exit_code == 0
    assert cli("feeds", "add", site.url("/blog/feeds/notes.atom")).exit_code == 0
    assert cli("import", str(NETSCAPE / "pinboard.html")).exit_code == 0
    (entry_id,) = ids_titled("Hybrid events")
    cli("tag", str(entry_id), "conference2.0", "--note", "Ideeën & <notes>")
    assert cli("mute", "add", 'title:"unconference"').exit_code == 0
    store_write("UPDATE entries SET archived_text = 'zanzibarian prose' WHERE id = ?", (entry_id,))
    store_write("DELETE FROM archives WHERE entry_id = ?", (entry_id,))
    store_write(
        "INSERT INTO archives (entry_id, attempted_at, archived_at, final_url, content_type,"
        " size, content) VALUES (?, 1, 1, 'https://x.example/', 'text/html', 9, '<p>a</p>')",
        (entry_id,),
    )
    store_write(
        "INSERT INTO link_checks (entry_id, checked_at, state, moved_to)"
        " VALUES (?, 2, 'moved', 'https://y.example/')",
        (entry_id,),
    )
    store_write(
        "INSERT INTO entry_aliases (url_key, entry_id, added_at)"
        " VALUES ('https://z.example/', ?, 3)",
        (entry_id,),
    )
    return entry_id


@pytest.mark.parametrize("via", ["sqlite", "postgresql"])
def test_a_round_trip_gives_an_identical_backup(
    cli: RunCli, site: Site, engine: str, via: str, store_on: MakeStore
) -> None:
    entry_id = _fill(cli, site)
    original = _backup_tables()
    # Every table holds rows, but follows (pkm follow is still to come: issue 18).
    assert all(
        original[table]["rows"]  # type: ignore[index]
        for table in original
        if table != "follows"
    ), original
    there, back = store_on(via, "there"), store_on(engine, "back")
    copied = cli("copy", "--", _pkm_db(), there)
    assert copied.exit_code == 0, copied.stderr
    assert copied.stdout.startswith("Copied ") and "entries" in copied.stdout
    assert cli("copy", there, back).exit_code == 0
    assert _backup_tables(there) == original
    assert _backup_tables(back) == original
    for store in (there, back):
        # The search index holds the copied entries, accents folded, archives in.
        found = _json(cli, "--db", store, "find", "ideeen", "#conference2.0")
        assert isinstance(found, list) and [h["id"] for h in found] == [entry_id]
        archived = _json(cli, "--db", store, "find", "zanzibarian")
        assert isinstance(archived, list) and [h["id"] for h in archived] == [entry_id]
    # The ids were copied as they were, and what comes next gets new ones.
    ids = _column(original, "entries", "id")
    added = _json(cli, "--db", there, "save", "https://new.example/", "--no-fetch", "-t", "new")
    assert isinstance(added, dict) and added["id"] == max(ids) + 1
    tag_ids = _column(_backup_tables(there), "tags", "id")
    assert max(tag_ids) == max(_column(original, "tags", "id")) + 1
    assert cli("--db", there, "mute", "add", "title:sponsored").exit_code == 0
    assert cli("--db", there, "feeds", "add", site.url("/network.rdf")).exit_code == 0


def _pkm_db() -> str:
    return os.environ["PKM_DB"]


def _column(tables: dict[str, object], table: str, column: str) -> list[int]:
    data = tables[table]
    assert isinstance(data, dict)
    at = data["columns"].index(column)
    return [int(row[at]) for row in data["rows"]]


def test_a_target_that_holds_anything_is_refused(
    cli: RunCli, engine: str, store_on: MakeStore
) -> None:
    cli("save", "https://a.example/", "--no-fetch", "-t", "mine")
    target = store_on(engine, "target")
    cli("--db", target, "save", "https://b.example/", "--no-fetch")
    before = _backup_tables(target)
    refused = cli("copy", _pkm_db(), target)
    assert refused.exit_code == 1
    assert refused.stderr.startswith("pkm: error: copy needs an empty target")
    assert refused.stderr.count("\n") == 1
    assert _backup_tables(target) == before


def test_a_missing_or_bad_source_or_target_is_one_line(
    cli: RunCli, engine: str, store_on: MakeStore, tmp_path: Path
) -> None:
    cli("save", "https://a.example/", "--no-fetch")
    missing = tmp_path / "missing.db"
    empty_database = store_on("postgresql", "unused") if engine == "postgresql" else None
    foreign = tmp_path / "notes.txt"
    foreign.write_text("not a store\n")
    cases = [
        ((str(missing), str(tmp_path / "t1.db")), "no pkm store at"),
        ((str(foreign), str(tmp_path / "t2.db")), "not a pkm store"),
        ((_pkm_db(), "mysql://db.example/pkm"), "unsupported store URL"),
        ((_pkm_db(), str(foreign)), "not a pkm store"),
        ((_pkm_db(), "postgresql://pkm@127.0.0.1:1/pkm"), "127.0.0.1:1"),
    ]
    if empty_database is not None:
        cases.append(((empty_database, str(tmp_path / "t3.db")), "no pkm store in"))
    for args, message in cases:
        result = cli("copy", *args)
        assert result.exit_code == 1, (args, result.stderr)
        assert result.stderr.startswith("pkm: error: ") and message in result.stderr, args
        assert result.stderr.count("\n") == 1
    assert not missing.exists()  # a missing source is not made
    assert foreign.read_text() == "not a store\n"


def test_the_library_copies_with_progress_and_not_into_itself(
    engine: str, store_on: MakeStore
) -> None:
    with Pkm.open() as store:
        for n in range(5):
            store.save(f"https://p.example/{n}", fetch=False, tags=["t"])
    heard: list[tuple[int, int]] = []
    with Pkm.open() as source, Pkm.open(store_on(engine, "target")) as target:
        counts = source.copy_to(target, progress=lambda done, total: heard.append((done, total)))
        with pytest.raises(PkmError, match="into itself"):
            source.copy_to(source)
    assert counts["entries"] == 5 and counts["save_tags"] == 5 and counts["tags"] == 1
    total = sum(counts.values())
    assert heard and heard[-1] == (total, total)
