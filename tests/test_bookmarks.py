"""Bookmarks in and out: saving pages, importing collections, backups, reading lists."""

from __future__ import annotations

import io
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import DATA, RunCli, Site, ids_titled, store_write
from httpserver import LocalServer

from pkm import Pkm
from pkm.errors import PkmError

NETSCAPE = DATA / "netscape"


def _json(cli: RunCli, *args: str) -> object:
    result = cli(*args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def _backup_tables(db: str | Path | None = None) -> dict[str, object]:
    """The tables of a backup of the store at ``db`` (``PKM_DB`` when None)."""
    out = io.StringIO()
    with Pkm.open(db) as store:
        store.backup(out)
    document = json.loads(out.getvalue())
    return dict(document["tables"])


def test_save_fetches_title_and_merges_on_resave(cli: RunCli, site: Site, engine: str) -> None:
    first = _json(cli, "save", site.url("/talk"), "-t", "keynote", "--note", "slides")
    assert isinstance(first, dict)
    assert first["title"] == "Keynote: the future of conferences"
    assert first["merged"] is False
    # Tracking and a scroll-position fragment do not make another page.
    again = cli("save", site.url("/talk") + "?utm_source=x#comments", "-t", "Conference2.0")
    assert again.exit_code == 0 and "Merged into" in again.stdout
    shown = _json(cli, "show", str(first["id"]))
    assert isinstance(shown, dict)
    assert shown["tags"] == ["Conference2.0", "keynote"]
    assert shown["note"] == "slides"
    assert "hybrid events" in (shown["text"] or "")  # og:description is searchable
    hits = _json(cli, "find", "slides video keynote")
    assert isinstance(hits, list) and [h["id"] for h in hits] == [first["id"]]
    # A fragment that names a part of the page is a bookmark of its own.
    part = _json(cli, "save", site.url("/talk") + "#q-and-a", "-t", "questions")
    assert isinstance(part, dict)
    assert part["merged"] is False and part["id"] != first["id"]


def test_unreachable_page_is_saved_with_a_warning(cli: RunCli, site: Site, engine: str) -> None:
    result = cli("save", site.url("/gone-page"), "-t", "later", "--to-read")
    assert result.exit_code == 0
    assert "warning: saved without a title: HTTP 404" in result.stderr
    shown = _json(cli, "show", "1")
    assert isinstance(shown, dict) and shown["url"] == site.url("/gone-page")
    hits = _json(cli, "find", "is:toread")
    assert isinstance(hits, list) and [h["url"] for h in hits] == [site.url("/gone-page")]


def test_firefox_import_is_idempotent_and_merges(cli: RunCli, engine: str) -> None:
    cli(
        "save",
        "https://JARCHE.com/2014/02/the-seek-sense-share-framework/?utm_medium=x",
        "--no-fetch",
        "-t",
        "mine",
    )
    result = cli("import", str(NETSCAPE / "firefox.html"))
    assert result.exit_code == 0, result.stderr
    first = result.stdout
    assert "merged 1" in first
    before = _backup_tables()
    again = cli("import", str(NETSCAPE / "firefox.html"))
    assert again.exit_code == 0
    assert "Imported 0," in again.stdout
    assert _backup_tables() == before
    tags = {t["name"] for t in _json(cli, "tags")}  # type: ignore[index, union-attr]
    assert {"mine", "pkm", "seek-sense-share", "Conferences", "conference2.0"} <= tags
    # Folders become tags in tag form (no spaces).
    assert all(" " not in name for name in tags)
    merged = _json(cli, "find", "--tag", "mine")
    assert isinstance(merged, list) and len(merged) == 1
    assert set(merged[0]["tags"]) >= {"mine", "pkm", "seek-sense-share"}


def test_every_exporter_fixture_imports(cli: RunCli, tmp_path: Path) -> None:
    for path in sorted(NETSCAPE.glob("*.html")):
        result = cli("--db", str(tmp_path / f"{path.stem}.db"), "import", str(path))
        assert result.exit_code == 0, (path.name, result.stderr)
        assert "Imported" in result.stdout


def test_pinboard_json_import(cli: RunCli, tmp_path: Path, engine: str) -> None:
    posts = [
        {
            "href": "https://example.org/a",
            "description": "A <b>post</b>",
            "extended": "why",
            "time": "2020-02-03T04:05:06Z",
            "shared": "no",
            "toread": "yes",
            "tags": "conference2.0 keynote",
        },
        {"href": "javascript:void(0)", "description": "bad"},
        {"description": "no href"},
    ]
    file = tmp_path / "pinboard.json"
    file.write_text(json.dumps(posts))
    result = cli("import", str(file))
    assert result.exit_code == 0, result.stderr
    assert "Imported 1, merged 0, skipped 2" in result.stdout
    shown = _json(cli, "show", "1")
    assert isinstance(shown, dict) and shown["title"] == "A <b>post</b>"
    assert (shown["tags"], shown["private"]) == (["conference2.0", "keynote"], True)
    hits = _json(cli, "find", "#keynote")
    assert isinstance(hits, list) and hits[0]["title"] == "A <b>post</b>"
    assert hits[0]["tags"] == ["conference2.0", "keynote"]


def test_backup_restore_gives_an_identical_store(
    cli: RunCli, site: Site, tmp_path: Path, engine: str, other_store: Callable[[str], str]
) -> None:
    cli("feeds", "add", site.url("/events.rss"), "--folder", "Events")
    cli("feeds", "add", site.url("/blog/feeds/notes.atom"))
    cli("import", str(NETSCAPE / "pinboard.html"))
    (entry_id,) = ids_titled("Hybrid events")
    cli("tag", str(entry_id), "conference2.0", "--note", "Ideeën & <notes>")
    assert cli("mute", "add", 'title:"unconference"').exit_code == 0
    store_write(
        "UPDATE entries SET archived_text = 'archived zanzibarian prose' WHERE id = ?",
        (entry_id,),
    )
    # `pkm tag` tried to archive the page (the site does not serve it): replace that.
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
    backup = tmp_path / "backup.json"
    assert cli("backup", str(backup)).exit_code == 0
    restored = other_store("restored")
    result = cli("--db", restored, "restore", str(backup))
    assert result.exit_code == 0, result.stderr
    assert "Restored" in result.stdout
    assert _backup_tables(restored) == _backup_tables()
    assert "unconference" in cli("--db", restored, "mute", "list").stdout
    # Ids given by the backup are taken: what is added next gets new ones.
    added = _json(cli, "--db", restored, "save", "https://new.example/", "--no-fetch")
    assert isinstance(added, dict) and added["id"] == max(_ids(backup, "entries")) + 1
    assert cli("--db", restored, "mute", "add", "title:sponsored").exit_code == 0
    assert cli("--db", restored, "save", "https://new.example/b", "-t", "brand-new").exit_code == 0
    # The index came back too.
    again = _json(cli, "--db", restored, "find", "ideeen", "#conference2.0")
    assert isinstance(again, list) and [h["id"] for h in again] == [entry_id]
    archived = _json(cli, "--db", restored, "find", "zanzibarian")
    assert isinstance(archived, list) and [h["id"] for h in archived] == [entry_id]


def test_a_store_is_restored_once_and_its_backup_imports(
    cli: RunCli, site: Site, tmp_path: Path, other_store: Callable[[str], str]
) -> None:
    cli("feeds", "add", site.url("/events.rss"), "--folder", "Events")
    cli("import", str(NETSCAPE / "pinboard.html"))
    backup = tmp_path / "backup.json"
    assert cli("backup", str(backup)).exit_code == 0
    restored = other_store("restored")
    assert cli("--db", restored, "restore", str(backup)).exit_code == 0
    # Restoring twice, or into a used store, is refused and changes nothing.
    refused = cli("--db", restored, "restore", str(backup))
    assert refused.exit_code == 1 and "needs an empty store" in refused.stderr
    assert _backup_tables(restored) == _backup_tables()
    # pkm import recognises its own backup.
    other = other_store("other")
    assert cli("--db", other, "import", str(backup)).exit_code == 0
    assert _backup_tables(other) == _backup_tables()


def _ids(backup: Path, table: str) -> list[int]:
    table_data = json.loads(backup.read_text())["tables"][table]
    at = table_data["columns"].index("id")
    return [int(row[at]) for row in table_data["rows"]]


def test_corrupt_backup_is_refused_cleanly(cli: RunCli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "pkm-backup", "version": 1, "tables": {"entries": 3}}')
    result = cli("restore", str(bad))
    assert result.exit_code == 1 and "malformed" in result.stderr
    assert _json(cli, "find") == []


def test_netscape_round_trip_into_a_fresh_store(
    cli: RunCli, tmp_path: Path, engine: str, other_store: Callable[[str], str]
) -> None:
    cli("import", str(NETSCAPE / "firefox.html"))
    for tag in ("pkm", "conference2.0"):
        out = tmp_path / f"{tag}.html"
        assert cli("export", tag, "--format", "netscape", "-o", str(out)).exit_code == 0
        fresh = other_store(tag)
        assert cli("--db", fresh, "import", str(out)).exit_code == 0
        back = tmp_path / f"{tag}-back.html"
        assert cli("--db", fresh, "export", tag, "-f", "netscape", "-o", str(back)).exit_code == 0
        assert back.read_text() == out.read_text()
        original = _json(cli, "find", "--tag", tag, "--limit", "100")
        copy = _json(cli, "--db", fresh, "find", "--tag", tag, "--limit", "100")
        assert isinstance(original, list) and isinstance(copy, list) and original
        keys = ("url", "title", "tags", "saved")
        assert [{k: h[k] for k in keys} for h in copy] == [
            {k: h[k] for k in keys} for h in original
        ]


def test_atom_export_can_be_followed_by_another_pkm(
    cli: RunCli, site: Site, tmp_path: Path
) -> None:
    cli("feeds", "add", site.url("/events.rss"))
    for hit in _json(cli, "find", "--limit", "2"):  # type: ignore[union-attr]
        cli("tag", str(hit["id"]), "shared-list")  # type: ignore[index]
    atom = cli("export", "shared-list", "--format", "atom")
    assert atom.exit_code == 0
    mine = _json(cli, "find", "#shared-list")
    assert isinstance(mine, list)
    with LocalServer() as server:
        server.route("/list.atom", atom.stdout, content_type="application/atom+xml")
        colleague = tmp_path / "colleague.db"
        added = cli("--db", str(colleague), "feeds", "add", server.url("/list.atom"))
        assert added.exit_code == 0, added.stderr
    theirs = _json(cli, "--db", str(colleague), "find")
    assert isinstance(theirs, list)
    assert sorted((h["url"], h["title"]) for h in theirs) == sorted(
        (h["url"], h["title"]) for h in mine
    )


def test_export_a_search(cli: RunCli, site: Site) -> None:
    cli("feeds", "add", site.url("/events.rss"))
    result = cli("export", "--query", "hybrid OR unconference", "--format", "md")
    assert result.exit_code == 0, result.stderr
    assert "Hybrid events" in result.stdout and "unconference" in result.stdout
    assert "Ideeën" not in result.stdout
    both = cli("export", "x", "--query", "y")
    assert both.exit_code == 2


def test_library_restore_refuses_non_backup(db_path: Path) -> None:
    with Pkm.open(db_path) as store, pytest.raises(PkmError, match="not a pkm backup"):
        store.restore(b"[1, 2, 3]")


def test_backup_covers_every_table(db_path: Path) -> None:
    from pkm.storage.backup import TABLES
    from pkm.storage.models import is_fts_table

    Pkm.open(db_path).close()
    conn = sqlite3.connect(db_path)
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    conn.close()
    # index_rebuild only marks work left after a migration: a restored store has none.
    transient = {"alembic_version", "index_rebuild"}
    assert set(TABLES) == {n for n in names if n not in transient and not is_fts_table(n)}


@pytest.mark.usefixtures("engine")
def test_export_format_follows_the_file_name(cli: RunCli, tmp_path: Path) -> None:
    cli("save", "https://example.org/a", "--no-fetch", "-t", "share", "--title", "A page")
    for name, marker in (
        ("list.html", "<!DOCTYPE html>"),
        ("list.atom", "<feed"),
        ("list.json", '"version"'),
        ("list.txt", "# Reading list"),
    ):
        out = tmp_path / name
        assert cli("export", "share", "-o", str(out)).exit_code == 0
        assert marker.lower() in out.read_text().lower(), name
    forced = tmp_path / "bookmarks.html"
    cli("export", "share", "-f", "netscape", "-o", str(forced))
    assert "NETSCAPE-Bookmark-file-1" in forced.read_text()


def test_a_backup_from_a_newer_pkm_is_refused(cli: RunCli, tmp_path: Path) -> None:
    cli("save", "https://a.example/x", "--no-fetch", "-t", "kept")
    backup = tmp_path / "backup.json"
    assert cli("backup", str(backup)).exit_code == 0
    document = json.loads(backup.read_text())
    for schema, message in (("9999", "newer than this pkm's"), ("x1", "unknown schema")):
        document["schema"] = schema
        backup.write_text(json.dumps(document))
        target = tmp_path / f"{schema}.db"
        result = cli("--db", str(target), "restore", str(backup))
        assert result.exit_code == 1 and message in result.stderr, result.stderr
        assert _json(cli, "--db", str(target), "find") == []


def test_a_backup_from_before_shown_items_restores_as_seen(cli: RunCli, tmp_path: Path) -> None:
    """A 0003 backup has no shown_at and keys without fragments: both are derived again."""
    from pkm.formats import backup

    store = Path(__file__).parent / "data" / "stores" / "0003.db"
    conn = sqlite3.connect(store)
    try:
        tables = []
        for table in ("feeds", "scans", "entries", "items", "tags", "entry_tags"):  # as of 0003
            columns = [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
            rows = conn.execute(f"SELECT * FROM {table}").fetchall()
            tables.append((table, columns, rows))
    finally:
        conn.close()
    assert "shown_at" not in tables[2][1]
    old = tmp_path / "old.json"
    with old.open("w") as out:
        backup.write(out, schema="0003", tables=tables)
    restored = tmp_path / "restored.db"
    assert cli("--db", str(restored), "restore", str(old)).exit_code == 0
    conn = sqlite3.connect(restored)
    try:
        unshown = conn.execute(
            "SELECT count(*) FROM entries e JOIN subscriptions s ON s.feed_id = e.feed_id"
            " WHERE e.id > s.shown_through"
        ).fetchone()
        subscribed = conn.execute("SELECT count(DISTINCT feed_id) FROM subscriptions").fetchone()
        entries = conn.execute("SELECT count(*) FROM entries").fetchone()
    finally:
        conn.close()
    assert unshown == (0,) and entries[0] == len(tables[2][2])
    assert subscribed[0] == len(tables[0][2])  # the owner's, every feed


def test_importing_a_backup_into_a_store_with_data_merges_by_url(
    cli: RunCli, site: Site, tmp_path: Path
) -> None:
    mine, theirs = tmp_path / "mine.db", tmp_path / "theirs.db"
    assert cli("--db", str(theirs), "feeds", "add", site.url("/events.rss")).exit_code == 0
    for url, tag, note in (
        ("https://shared.example/a", "conference2.0", "their note"),
        ("https://theirs.example/b", "keynote", None),
    ):
        args = ["save", url, "--no-fetch", "-t", tag] + (["-n", note] if note else [])
        assert cli("--db", str(theirs), *args).exit_code == 0
    cli("--db", str(theirs), "tag", "1", "--private")
    backup = tmp_path / "theirs.json"
    assert cli("--db", str(theirs), "backup", str(backup)).exit_code == 0
    assert (
        cli(
            "--db", str(mine), "save", "https://shared.example/a", "--no-fetch", "-n", "mine"
        ).exit_code
        == 0
    )
    result = cli("--db", str(mine), "import", str(backup))
    assert result.exit_code == 0, result.stderr
    assert "Read as pkm backup (merged)" in result.stdout
    saved_count = 3  # two saves and the tagged feed item
    assert f"Imported {saved_count - 1}, merged 1, skipped 0" in result.stdout
    with Pkm.open(mine) as pkm:
        shared = pkm.find("", saved=True, limit=10)
        by_url = {hit.entry.url: hit.entry for hit in shared}
        assert by_url["https://shared.example/a"].note == "mine\ntheir note"
        assert by_url["https://shared.example/a"].tags == ("conference2.0",)
        assert [f.url for f in pkm.feeds()] == [site.url("/events.rss")]
    private = [e for e in by_url.values() if e.private]
    assert len(private) == 1
    again = cli("--db", str(mine), "import", str(backup))
    assert "Imported 0, merged 3, skipped 0" in again.stdout
