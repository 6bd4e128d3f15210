"""Every export people bring to `pkm import`: read with exact counts, dates and tags, the
format found from the content and named in the summary, and a clean error for the rest."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import DATA, RunCli, store_rows
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pkm import Pkm
from pkm.errors import FormatError, UserFileError
from pkm.formats import imports
from pkm.formats._shared import is_web_url
from pkm.formats.chrome import parse_chrome
from pkm.formats.delicious import parse_delicious
from pkm.formats.firefox import parse_firefox
from pkm.formats.instapaper import parse_instapaper
from pkm.formats.netscape import parse_netscape
from pkm.formats.omnivore import parse_omnivore
from pkm.formats.places import parse_places
from pkm.formats.pocket import parse_pocket
from pkm.formats.readwise import parse_readwise
from pkm.types import BookmarkData

IMPORTS = DATA / "imports"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def data(name: str) -> bytes:
    return (IMPORTS / name).read_bytes()


def make_places(path: Path) -> sqlite3.Connection:
    """A places.sqlite from the SQL fixture, left open (as Firefox leaves it)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA wal_autocheckpoint = 0")  # every change stays in the -wal file
    conn.executescript((IMPORTS / "places.sql").read_text())
    return conn


def _nested_folders(depth: int) -> dict[str, object]:
    node: dict[str, object] = {"type": "folder", "name": "deepest", "children": []}
    for _ in range(depth):
        node = {"type": "folder", "name": "f", "children": [node]}
    return node


def _json(cli: RunCli, *args: str) -> list[dict[str, object]]:
    result = cli(*args, "--json")
    assert result.exit_code == 0, result.stderr
    found = json.loads(result.stdout)
    assert isinstance(found, list)
    return found


# --- detection --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("chrome-Bookmarks.json", "chrome"),
        ("firefox-backup.json", "firefox"),
        ("pocket.csv", "pocket"),
        ("instapaper.csv", "instapaper"),
        ("readwise.csv", "readwise"),
        ("readwise-reader.json", "readwise"),
        ("omnivore-metadata_0_to_3.json", "omnivore"),
        ("delicious.json", "delicious"),
        ("netscape-date-strings.html", "netscape"),
    ],
)
def test_format_is_found_from_the_content(name: str, expected: str) -> None:
    assert imports.detect(data(name)) == expected


def test_places_and_pinboard_and_backup_are_found(tmp_path: Path) -> None:
    db = tmp_path / "places.sqlite"
    make_places(db).close()
    assert imports.detect(db.read_bytes()) == "places"
    assert imports.detect(b'[{"href": "https://a.example/", "tags": "x y"}]') == "pinboard"
    assert imports.detect(b'{"format": "pkm-backup", "version": 1}') == "backup"
    assert imports.detect(b'<?xml version="1.0"?><opml version="2.0"></opml>') == "opml"


# --- each reader, exactly -----------------------------------------------------------------


def test_chrome_folders_become_tags_and_dates_count_from_1601() -> None:
    result = parse_chrome(data("chrome-Bookmarks.json"))
    assert result.bookmarks == [
        BookmarkData(
            url="https://news.ycombinator.com/",
            title="Hacker News",
            added=at("2020-01-02T03:04:05"),
        ),
        BookmarkData(
            url="https://doc.rust-lang.org/book/",
            title="The Rust Book",
            tags=("Reading", "Rust"),
            added=at("2021-06-07T08:09:10"),
        ),
        # date_added "0" is no date, not 1601.
        BookmarkData(url="https://www.sbb.ch/en", title="Zürich timetable"),
    ]
    assert result.skipped == [
        "javascript:(function(){document.body.style.filter='invert(1)'})(): javascript: link,"
        " not http(s)",
        "chrome://settings/: chrome: link, not http(s)",
    ]
    without = parse_chrome(data("chrome-Bookmarks.json"), folders_as_tags=False)
    assert [b.tags for b in without.bookmarks] == [(), (), ()]


def test_firefox_backup_tags_folders_and_skipped_queries() -> None:
    result = parse_firefox(data("firefox-backup.json"))
    assert result.bookmarks == [
        BookmarkData(
            url="https://docs.python.org/3/",
            title="Python docs",
            tags=("python", "reference", "Dev"),
            added=at("2020-01-02T03:04:05"),
            modified=at("2021-06-07T08:09:10"),
        ),
        BookmarkData(
            url="https://peps.python.org/pep-0008/",
            title="PEP 8",
            tags=("Dev", "Python"),
            added=at("2021-06-07T08:09:10"),
            modified=at("2021-06-07T08:09:10"),
        ),
        BookmarkData(
            url="https://meteo.example.fr/paris",
            title="Météo",
            tags=("weather",),
            added=at("2020-01-02T03:04:05"),
            modified=at("2020-01-02T03:04:05"),
        ),
        BookmarkData(
            url="http://old.example.net/page.html",
            title="An untagged page",
            added=at("2019-12-31T23:59:59"),
            modified=at("2019-12-31T23:59:59"),
        ),
    ]
    # Two place: queries and a bookmarklet; the separator is not a record.
    assert result.skipped == [
        "place:sort=8&maxResults=10: place: link, not http(s)",
        "javascript:location.href='https://example.org/save?u='+encodeURIComponent(locat…:"
        " javascript: link, not http(s)",
        "place:type=6&sort=14&maxResults=10: place: link, not http(s)",
    ]


def test_places_sqlite_tags_from_tag_folders(tmp_path: Path) -> None:
    db = tmp_path / "places.sqlite"
    make_places(db).close()
    result = parse_places(db.read_bytes())
    assert result.bookmarks == [
        BookmarkData(
            url="https://www.mozilla.org/firefox/",
            title="Firefox",  # no title of its own: the page's
            tags=("browsers",),
            added=at("2021-06-07T08:09:10"),
            modified=at("2021-06-07T08:09:10"),
        ),
        BookmarkData(
            url="https://developer.mozilla.org/en-US/docs/Web/HTTP",
            title="MDN: HTTP",
            tags=("http", "browsers", "Web dev"),
            added=at("2020-01-02T03:04:05"),
            modified=at("2021-06-07T08:09:10"),
        ),
    ]
    assert result.skipped == ["place:parent=toolbar_____&sort=12: place: link, not http(s)"]


def test_pocket_unread_is_to_read_and_tags_split_on_bars() -> None:
    result = parse_pocket(data("pocket.csv"))
    paper = "https://web.stanford.edu/class/ee384m/Handouts/HowtoReadPaper.pdf"
    assert result.bookmarks == [
        BookmarkData(
            url=paper,
            title="How to read a paper",
            tags=("research", "reading"),
            added=at("2020-01-02T03:04:05"),
            to_read=True,
        ),
        BookmarkData(
            url="https://www.kalzumeus.com/2010/06/17/falsehoods-programmers-believe-about-names/",
            title="Falsehoods programmers believe about names, again",
            added=at("2021-06-07T08:09:10"),
        ),
        BookmarkData(
            url="https://example.com/unicode",
            title="Ünïcödé title",
            tags=("café", "to try"),
            added=at("2019-12-31T23:59:59"),
            to_read=True,
        ),
        BookmarkData(
            url="https://example.com/no-title",
            title="https://example.com/no-title",
            added=at("2020-01-02T03:04:05"),
        ),
        BookmarkData(
            url=paper,
            title="How to read a paper (again)",
            tags=("papers",),
            added=at("2021-06-07T08:09:10"),
        ),
    ]
    assert result.skipped == ["pocket://app/item/123: pocket: link, not http(s)"]


def test_instapaper_folder_as_tag_and_selection_as_note() -> None:
    result = parse_instapaper(data("instapaper.csv"))
    assert result.bookmarks == [
        BookmarkData(
            url="https://www.paulgraham.com/greatwork.html",
            title="How to Do Great Work",
            note="If you collected lists of techniques for doing great work in a lot of"
            " different fields,\nwhat would the intersection look like?",
            added=at("2020-01-02T03:04:05"),
            to_read=True,
        ),
        BookmarkData(
            url="https://example.org/archived",
            title="An archived article",
            added=at("2021-06-07T08:09:10"),
        ),
        BookmarkData(
            url="https://example.org/starred",
            title="A starred one",
            tags=("starred",),
            added=at("2019-12-31T23:59:59"),
        ),
        BookmarkData(
            url="https://example.org/soup",
            title="Tomato soup",
            tags=("Recipes",),
            added=at("2020-01-02T03:04:05"),
        ),
    ]
    assert result.skipped == ["row 5: no URL"]


def test_readwise_csv_list_literal_tags_and_feed_items_skipped() -> None:
    result = parse_readwise(data("readwise.csv"))
    assert result.bookmarks == [
        BookmarkData(
            url="https://arxiv.org/abs/1706.03762",
            title="Attention Is All You Need",
            tags=("ai", "to try"),
            added=datetime(2022, 12, 20, 19, 47, 0, 442000, tzinfo=UTC),
            to_read=True,
        ),
        BookmarkData(
            url="https://karpathy.github.io/2015/05/21/rnn-effectiveness/",
            title="The Unreasonable Effectiveness of Recurrent Neural Networks",
            tags=("ai",),
            added=at("2022-12-15T00:16:25"),
        ),
        BookmarkData(
            url="https://example.com/quoted",
            title='Tags with "quotes", and commas',
            tags=("it's fine",),
            added=at("2023-03-04T05:06:07"),
            to_read=True,
        ),
    ]
    assert result.skipped == ["row 3: in the feed, never saved"]


def test_readwise_json_source_url_tags_notes_and_highlights_skipped() -> None:
    result = parse_readwise(data("readwise-reader.json"))
    assert result.bookmarks == [
        BookmarkData(
            url="https://www.gwern.net/Spaced-repetition",
            title="Spaced Repetition for Efficient Learning",
            note="Compare with Anki's defaults.",
            tags=("memory",),
            added=at("2023-03-27T16:04:49"),
            modified=at("2023-03-28T10:00:00"),
            to_read=True,
        ),
        BookmarkData(
            url="https://blog.example.org/done.html",
            title="Read and archived",
            tags=("done", "blogs"),
            added=at("2023-01-01T00:00:00"),
            modified=at("2023-01-02T00:00:00"),
        ),
    ]
    assert result.skipped == [
        "document 2: a highlight or note, not a document",
        "document 4: in the feed, never saved",
    ]


def test_omnivore_labels_and_state() -> None:
    result = parse_omnivore(data("omnivore-metadata_0_to_3.json"))
    assert result.bookmarks == [
        BookmarkData(
            url="https://slow.example.com/the-case",
            title="The case for slow software",
            tags=("software", "essays"),
            added=datetime(2024, 10, 30, 12, 39, 28, 23000, tzinfo=UTC),
            modified=at("2024-10-31T08:00:00"),
            to_read=True,
        ),
        BookmarkData(
            url="https://news.example.org/finished",
            title="Finished reading",
            added=at("2024-05-01T09:30:00"),
            modified=at("2024-05-02T09:30:00"),
        ),
    ]
    assert result.skipped == ["An uploaded PDF: no URL"]


def test_delicious_long_and_short_keys() -> None:
    result = parse_delicious(data("delicious.json"))
    assert result.bookmarks == [
        BookmarkData(
            url="http://www.w3.org/Provider/Style/URI",
            title="Cool URIs don't change",
            note="Tim Berners-Lee, 1998",
            tags=("web", "design"),
            added=at("2005-03-14T22:13:05"),
        ),
        BookmarkData(
            url="http://www.paulgraham.com/avg.html",
            title="Beating the Averages",
            note="Blub paradox",
            tags=("lisp", "programming"),
            added=at("2006-07-08T09:10:11"),
            private=True,
        ),
        BookmarkData(
            url="http://joelonsoftware.com/articles/fog0000000069.html",
            title="Things You Should Never Do",
            tags=("software", "rewrite"),
            added=at("2006-01-01T00:00:00"),
        ),
    ]
    assert result.skipped == ["post 4: no URL"]
    wrapped = parse_delicious(json.dumps({"posts": [{"u": "https://x.example/"}]}).encode())
    assert wrapped.bookmarks == [BookmarkData(url="https://x.example/")]


def test_netscape_add_date_as_a_date_string() -> None:
    result = parse_netscape(data("netscape-date-strings.html"))
    same = at("2000-10-10T10:55:36")  # 13:55:36 at +03:00
    assert [(b.title, b.added) for b in result.bookmarks] == [
        ("Log Files", same),
        ("RFC 2822 date", same),
        ("ISO date without a zone", same),
        ("Log date without a zone", same),
        ("Unreadable date", None),
    ]
    assert result.problems == [
        "https://example.com/nonsense: date 'last Tuesday' not understood;"
        " saved with the import date"
    ]


def test_an_unreadable_date_is_reported_and_the_bookmark_kept(
    cli: RunCli, tmp_path: Path, engine: str
) -> None:
    file = tmp_path / "pocket.csv"
    file.write_text(
        "title,url,time_added,tags,status\n"
        "A,https://a.example/,yesterday,,unread\n"
        "B,https://b.example/,0,,unread\n"  # 0: no date, as some exporters write it
    )
    result = cli("import", str(file))
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "Read as Pocket CSV: 2 records",
        "Imported 2, merged 0, skipped 0",
    ]
    assert result.stderr == (
        "  imported row 1: date 'yesterday' not understood; saved with the import date\n"
    )
    assert store_rows("SELECT entry_id FROM entry_states WHERE read_at IS NOT NULL") == []
    assert len(_json(cli, "find", "is:unread")) == 2


# --- through the command line -------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "label", "counts"),
    [
        ("chrome-Bookmarks.json", "Chrome Bookmarks JSON", (5, 3, 0, 2)),
        ("firefox-backup.json", "Firefox bookmark backup JSON", (7, 4, 0, 3)),
        ("pocket.csv", "Pocket CSV", (6, 4, 1, 1)),
        ("instapaper.csv", "Instapaper CSV", (5, 4, 0, 1)),
        ("readwise.csv", "Readwise Reader export", (4, 3, 0, 1)),
        ("readwise-reader.json", "Readwise Reader export", (4, 2, 0, 2)),
        ("omnivore-metadata_0_to_3.json", "Omnivore JSON", (3, 2, 0, 1)),
        ("delicious.json", "delicious JSON", (4, 3, 0, 1)),
        ("netscape-date-strings.html", "Netscape bookmark file", (5, 5, 0, 0)),
    ],
)
def test_summary_names_the_format_and_adds_up(
    cli: RunCli, name: str, label: str, counts: tuple[int, int, int, int], engine: str
) -> None:
    records, imported, merged, skipped = counts
    assert imported + merged + skipped == records
    result = cli("import", str(IMPORTS / name))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[:2] == [
        f"Read as {label}: {records} records",
        f"Imported {imported}, merged {merged}, skipped {skipped}",
    ]
    again = cli("import", str(IMPORTS / name))
    assert f"Imported 0, merged {imported + merged}, skipped {skipped}" in again.stdout
    assert len(store_rows("SELECT id FROM saves")) == imported
    assert len(_json(cli, "find")) == imported


def test_pocket_import_keeps_dates_tags_and_to_read(cli: RunCli) -> None:
    assert cli("import", str(IMPORTS / "pocket.csv")).exit_code == 0
    unread = _json(cli, "find", "is:toread")
    assert sorted(str(hit["url"]) for hit in unread) == [
        "https://example.com/unicode",
        "https://web.stanford.edu/class/ee384m/Handouts/HowtoReadPaper.pdf",
    ]
    paper = next(hit for hit in unread if "stanford" in str(hit["url"]))
    # The second row of the same paper merged in: its tag joined, the first date kept.
    assert paper["tags"] == ["papers", "reading", "research"]
    assert paper["saved_at"] == "2020-01-02T03:04:05Z"
    assert [hit["url"] for hit in _json(cli, "find", "#to-try")] == ["https://example.com/unicode"]


def test_chrome_import_folders_as_tags_and_the_option_to_not(cli: RunCli, tmp_path: Path) -> None:
    assert cli("import", str(IMPORTS / "chrome-Bookmarks.json")).exit_code == 0
    rust = _json(cli, "find", "#Rust")
    assert [(h["title"], h["tags"], h["saved_at"]) for h in rust] == [
        ("The Rust Book", ["Reading", "Rust"], "2021-06-07T08:09:10Z")
    ]
    other = str(tmp_path / "other.db")
    plain = cli("--db", other, "import", "--no-folder-tags", str(IMPORTS / "chrome-Bookmarks.json"))
    assert plain.exit_code == 0
    no_tag = cli("--db", other, "find", "#Rust")  # folders did not become tags
    assert no_tag.exit_code == 1 and "no tag 'rust'" in no_tag.stderr


def test_places_sqlite_of_a_running_firefox(cli: RunCli, tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    profile.mkdir()
    db = profile / "places.sqlite"
    firefox = make_places(db)
    # A bookmark only in the -wal file, and the database locked as a running Firefox holds it.
    firefox.execute(
        "INSERT INTO moz_places (id, url, title) VALUES (9, 'https://sqlite.org/lockingv3.html',"
        " 'File Locking')"
    )
    firefox.execute(
        "INSERT INTO moz_bookmarks (id, type, fk, parent, position, title, dateAdded, guid)"
        " VALUES (40, 1, 9, 5, 0, 'File Locking', 1623053350000000, 'b00000000040')"
    )
    firefox.execute("BEGIN EXCLUSIVE")
    assert (profile / "places.sqlite-wal").stat().st_size > 0
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in profile.iterdir()}
    try:
        result = cli("import", str(db))
    finally:
        firefox.execute("ROLLBACK")
        after = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in profile.iterdir()}
        firefox.close()
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[:2] == [
        "Read as Firefox places.sqlite: 4 records",
        "Imported 3, merged 0, skipped 1",
    ]
    assert after == before  # the profile is not touched
    hits = _json(cli, "find", "locking")
    assert [(h["title"], h["saved_at"]) for h in hits] == [("File Locking", "2021-06-07T08:09:10Z")]


def test_forced_format_and_unknown_names(cli: RunCli) -> None:
    pocket = str(IMPORTS / "pocket.csv")
    wrong = cli("import", pocket, "--format", "instapaper")
    assert wrong.exit_code == 1
    assert wrong.stderr == "pkm: error: not an Instapaper CSV export: no folder column\n"
    right = cli("import", str(IMPORTS / "delicious.json"), "-f", "pinboard")
    assert right.exit_code == 0
    assert right.stdout.startswith("Read as Pinboard JSON: 4 records\n")
    unknown = cli("import", pocket, "--format", "evernote")
    assert unknown.exit_code == 2
    assert "unknown import format 'evernote' (netscape, chrome, firefox, places," in unknown.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b"name,email\nAda,ada@example.org\n",
            "not a file pkm can import: a CSV file with columns name, email, not Pocket,"
            " Instapaper or Readwise Reader; use --format to say which",
        ),
        (bytes(range(256)) * 4, "not a file pkm can import: binary data, not a bookmark export"),
        (b"", "not a file pkm can import: the file is empty"),
        (
            b'{"bookmarks": []}',
            "not a file pkm can import: JSON, an object with keys bookmarks, not a bookmark"
            " export pkm knows",
        ),
        (b'{"roots": ', "looks like JSON, but cannot be parsed: Expecting value"),
        (
            b"<html><body><p>Hello</p></body></html>",
            "not a file pkm can import: an HTML page with no bookmark list (<DL>/<DT>) in it",
        ),
        (
            json.dumps({"roots": {"bookmark_bar": _nested_folders(250)}}).encode(),
            "looks like Chrome Bookmarks JSON, but cannot be read: folders nested more than 200",
        ),
    ],
)
def test_a_file_pkm_cannot_read_says_what_it_looked_like(
    cli: RunCli, tmp_path: Path, content: bytes, message: str
) -> None:
    file = tmp_path / "export"
    file.write_bytes(content)
    result = cli("import", str(file))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"pkm: error: {message}")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert _json(cli, "find") == []


def test_an_sqlite_file_that_is_not_places(cli: RunCli, tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    conn.close()
    result = cli("import", str(other))
    assert result.exit_code == 1
    assert result.stderr == (
        "pkm: error: looks like Firefox places.sqlite, but cannot be read: an SQLite database"
        " without Firefox's tables (no such table: moz_bookmarks)\n"
    )


def test_library_import_file(tmp_path: Path) -> None:
    db = tmp_path / "places.sqlite"
    make_places(db).close()
    with Pkm.open(tmp_path / "store.db") as store:
        report = store.import_file(db, folders_as_tags=False)
    assert (report.read_as, report.imported, report.merged, len(report.skipped)) == (
        "Firefox places.sqlite",
        2,
        0,
        1,
    )
    with pytest.raises(UserFileError, match="cannot read"):
        Pkm.open(tmp_path / "store.db").import_file(tmp_path / "missing.csv")


# --- random input -----------------------------------------------------------------------

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
READERS = sorted(name for name, fmt in imports.FORMATS.items() if fmt.read is not None)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "roots",
                    "children",
                    "type",
                    "url",
                    "uri",
                    "href",
                    "u",
                    "t",
                    "tags",
                    "title",
                    "name",
                    "date_added",
                    "dateAdded",
                    "results",
                    "source_url",
                    "parent_id",
                    "location",
                    "labels",
                    "slug",
                    "savedAt",
                    "posts",
                    "guid",
                    "root",
                ]
            )
            | st.text(max_size=5),
            inner,
            max_size=5,
        )
    ),
    max_leaves=20,
)


def _reads_cleanly(content: bytes) -> None:
    try:
        name = imports.detect(content)
    except FormatError:
        name = None
    # Backups and OPML are read by Pkm, and fuzzed in test_fuzz.py.
    assert name is None or name in imports.FORMATS
    for reader in READERS:
        fmt = imports.FORMATS[reader]
        try:
            result = imports.read(fmt, content, folders_as_tags=True, wal=None, detected=True)
        except FormatError as exc:
            assert str(exc) and "\n" not in str(exc)
        else:
            assert all(is_web_url(bookmark.url) for bookmark in result.bookmarks)


@FUZZ
@given(st.binary(max_size=300))
def test_random_bytes_give_a_clean_error(content: bytes) -> None:
    _reads_cleanly(content)


@FUZZ
@given(json_values)
def test_random_json_gives_a_clean_error(document: object) -> None:
    _reads_cleanly(json.dumps(document).encode())


@FUZZ
@given(
    st.sampled_from(
        [
            "title,url,time_added,tags,status",
            "URL,Title,Selection,Folder,Timestamp",
            "Title,URL,ID,Document tags,Saved date,Reading progress,Location,Seen",
        ]
    ),
    st.lists(st.lists(st.text(max_size=12), max_size=9), max_size=5),
)
def test_random_csv_rows_give_a_clean_error(header: str, rows: list[list[str]]) -> None:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    _reads_cleanly((header + "\n" + out.getvalue()).encode("utf-8", "surrogatepass"))


def test_help_names_every_format(cli: RunCli) -> None:
    result = cli("import", "--help")
    assert result.exit_code == 0
    text = " ".join(result.stdout.replace("│", " ").split())
    for name in imports.FORMATS:
        assert f" {name}," in text or f" {name} " in text, name


def test_a_spreadsheet_saved_as_windows_1252() -> None:
    content = (
        "URL,Title,Selection,Folder,Timestamp\n"
        "https://a.example/,Caf\xe9 cr\xe8me,,R\xe9sum\xe9s,1577934245\n"
    )
    result = parse_instapaper(content.encode("cp1252"))
    assert result.bookmarks == [
        BookmarkData(
            url="https://a.example/",
            title="Café crème",
            tags=("Résumés",),
            added=at("2020-01-02T03:04:05"),
        )
    ]
