"""The user's day, end to end through the CLI: scan → save → retrieve → share."""

from __future__ import annotations

import json
import re
from pathlib import Path

from conftest import RunCli, Site


def _json(run: RunCli, *args: str) -> object:
    result = run(*args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def _subscribe_all(cli: RunCli, site: Site) -> None:
    assert cli("feeds", "add", site.url("/events.rss"), "--folder", "Events").exit_code == 0
    assert (
        cli("feeds", "add", site.url("/network.rdf"), "--folder", "Learning/Networks").exit_code
        == 0
    )
    added = cli("feeds", "add", site.url("/blog/"), "--choose", "2")
    assert added.exit_code == 0, added.stderr
    assert "2 feeds found" in added.stderr
    assert "Knowledge Work Notes" in added.stdout


def test_the_users_day(cli: RunCli, site: Site, tmp_path: Path) -> None:
    _subscribe_all(cli, site)
    feeds = _json(cli, "feeds", "list")
    assert isinstance(feeds, list)
    assert {f["title"] for f in feeds} == {
        "Events & Learning",
        "Network Learning",
        "Knowledge Work Notes",
    }
    assert {f["folder"] for f in feeds} == {"Events", "Learning/Networks", None}
    assert all(f["status"] == "ok" and f["errors"] == 0 for f in feeds)
    assert set(feeds[0]) >= {
        "id",
        "url",
        "title",
        "folder",
        "status",
        "errors",
        "items",
        "last_fetched",
    }

    # Adding fetched each feed at once: nothing changed since (the RSS feed answers 304
    # to its ETag, the others send the same bytes again), but what adding stored was
    # never shown, so the morning scan shows it, once.
    scan = _json(cli, "scan")
    assert isinstance(scan, dict)
    assert scan["feeds"] == {"total": 3, "updated": 0, "not_modified": 3, "failed": 0, "skipped": 0}
    assert scan["errors"] == []
    morning = {item["title"] for item in scan["items"]}
    assert "Hybrid events: what we learned from a year online" in morning
    assert "Seek sense share" in morning
    later = _json(cli, "scan")
    assert isinstance(later, dict) and later["items"] == []
    conditional = site.server.requests_to("/events.rss")[-1]
    assert conditional.headers.get("If-None-Match") == '"v1"'

    found = _json(cli, "find", "hybrid events")
    assert isinstance(found, list) and found
    hybrid = found[0]
    assert hybrid["title"] == "Hybrid events: what we learned from a year online"
    assert hybrid["url"] == "https://events.example/2026/hybrid-events?utm_source=rss"

    tagged = cli(
        "tag", str(hybrid["id"]), "conference2.0", "--note", "good overview of hybrid events"
    )
    assert tagged.exit_code == 0, tagged.stderr
    assert "conference2.0" in tagged.stdout

    saved = cli("save", site.url("/talk"), "-t", "conference2.0", "-t", "keynote")
    assert saved.exit_code == 0, saved.stderr
    assert "Keynote: the future of conferences" in saved.stdout

    hits = _json(cli, "find", "hybrid events", "--tag", "conference2.0")
    assert isinstance(hits, list)
    assert [h["id"] for h in hits][0] == hybrid["id"]
    assert hits[0]["saved"] is True and hits[0]["tags"] == ["conference2.0"]
    # The saved talk page matches through its fetched description.
    assert "Keynote: the future of conferences" in [h["title"] for h in hits]

    out = tmp_path / "reading-list.md"
    exported = cli("export", "conference2.0", "--format", "md", "-o", str(out))
    assert exported.exit_code == 0, exported.stderr
    text = out.read_text()
    assert "Hybrid events: what we learned from a year online" in text
    assert "good overview of hybrid events" in text
    assert "Keynote: the future of conferences" in text
    assert text.index("Keynote") < text.index("Hybrid events")  # newest saved first

    as_json = cli("export", "conference2.0", "--format", "json")
    assert as_json.exit_code == 0
    feed = json.loads(as_json.stdout)
    assert len(feed["items"]) == 2


def test_scan_shows_new_items_grouped_by_feed(cli: RunCli, site: Site) -> None:
    for path in ("/events.rss", "/blog/feeds/notes.atom"):
        assert cli("feeds", "add", site.url(path), "--no-fetch").exit_code == 0
    result = cli("scan")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert out.index("Events & Learning") < out.index("Hybrid events")
    assert out.index("Knowledge Work Notes") < out.index("Seek sense share")
    assert "https://notes.example/seek-sense-share" in out
    assert "2026-11-21" in out
    assert "Scanned 2 feeds: 2 updated, 0 unchanged, 0 failed" in out
    # Another feed's post about the unconference links to it: a post of its own (another
    # guid, another title), shown and found by its own words.
    assert "Conference 2.0: the unconference format" in out
    assert "Reading lists as a team habit" in out
    assert out.count("events.example/2026/unconference") == 2
    found = _json(cli, "find", "team habit")
    assert isinstance(found, list)
    assert [hit["title"] for hit in found] == ["Reading lists as a team habit"]
    again = cli("scan")
    assert "0 new items" in again.stdout
    assert "Scanned 2 feeds: 0 updated, 2 unchanged, 0 failed" in again.stdout


def test_one_id_space(cli: RunCli, site: Site) -> None:
    cli("feeds", "add", site.url("/events.rss"))
    found = _json(cli, "find", "hybrid")
    assert isinstance(found, list)
    item_id = found[0]["id"]
    # The same page saved by URL (tracking parameter and fragment differ) is the same entry.
    saved = _json(
        cli, "save", "https://EVENTS.example/2026/hybrid-events#top", "--no-fetch", "-t", "events"
    )
    assert isinstance(saved, dict)
    assert saved["id"] == item_id and saved["merged"] is True
    shown = _json(cli, "show", str(item_id))
    assert isinstance(shown, dict) and shown["tags"] == ["events"]
    assert "<script>" not in json.dumps(shown)
    untagged = cli("untag", str(item_id), "events")
    assert untagged.exit_code == 0


def test_broken_feed_never_spoils_a_scan(cli: RunCli, site: Site) -> None:
    for path in ("/events.rss", "/broken.rss", "/missing.rss", "/network.rdf"):
        cli("feeds", "add", site.url(path), "--no-fetch")
    report = _json(cli, "scan")
    assert isinstance(report, dict)
    assert report["feeds"] == {
        "total": 4,
        "updated": 2,
        "not_modified": 0,
        "failed": 2,
        "skipped": 0,
    }
    assert len(report["items"]) == 5
    errors = {e["url"]: e["error"] for e in report["errors"]}
    assert "404" in errors[site.url("/missing.rss")]
    assert errors[site.url("/broken.rss")]
    text = cli("scan", "--force")
    assert "Failing feeds:" in text.stdout and "404" in text.stdout


def test_tags_rename_merge_delete(cli: RunCli) -> None:
    a = _json(cli, "save", "https://a.example/", "--no-fetch", "-t", "Conference2.0", "-t", "x")
    b = _json(cli, "save", "https://b.example/", "--no-fetch", "-t", "conf")
    assert isinstance(a, dict) and isinstance(b, dict)
    assert _json(cli, "tags") == [
        {"name": "conf", "count": 1},
        {"name": "Conference2.0", "count": 1},
        {"name": "x", "count": 1},
    ]
    assert "Merged" in cli("tags", "rename", "conf", "conference2.0").stdout
    assert _json(cli, "tags") == [{"name": "Conference2.0", "count": 2}, {"name": "x", "count": 1}]
    assert cli("tags", "delete", "X").exit_code == 0
    assert _json(cli, "tags") == [{"name": "Conference2.0", "count": 2}]
    # Deleting a tag keeps the entries.
    assert isinstance(_json(cli, "show", str(a["id"])), dict)
    hits = _json(cli, "find", "--tag", "conference2.0")
    assert isinstance(hits, list) and {h["id"] for h in hits} == {a["id"], b["id"]}


def test_feeds_opml_round_trip_and_remove(cli: RunCli, tmp_path: Path) -> None:
    starter = Path(__file__).parent.parent / "feeds.opml"
    result = cli("feeds", "import", str(starter))
    assert result.exit_code == 0, result.stderr
    feeds = _json(cli, "feeds", "list")
    assert isinstance(feeds, list) and len(feeds) >= 20
    assert all(f["folder"] for f in feeds)
    out = tmp_path / "out.opml"
    assert cli("feeds", "export", "-o", str(out)).exit_code == 0
    other = tmp_path / "other.db"
    assert cli("--db", str(other), "feeds", "import", str(out)).exit_code == 0
    again = _json(cli, "--db", str(other), "feeds", "list")
    assert isinstance(again, list)
    assert [(f["url"], f["folder"]) for f in again] == [(f["url"], f["folder"]) for f in feeds]
    assert "0 feeds" in cli("feeds", "import", str(starter)).stdout
    first = feeds[0]
    assert cli("feeds", "remove", str(first["id"])).exit_code == 0
    assert cli("feeds", "remove", first["url"]).exit_code == 1


def test_removing_a_feed_keeps_saved_entries(cli: RunCli, site: Site) -> None:
    cli("feeds", "add", site.url("/events.rss"))
    hits = _json(cli, "find", "unconference")
    assert isinstance(hits, list)
    cli("tag", str(hits[0]["id"]), "keep")
    assert cli("feeds", "remove", site.url("/events.rss")).exit_code == 0
    assert _json(cli, "find", "hybrid") == []
    kept = _json(cli, "find", "--tag", "keep")
    assert isinstance(kept, list) and [h["id"] for h in kept] == [hits[0]["id"]]


def test_bad_input_is_one_line_and_exit_code(cli: RunCli, tmp_path: Path) -> None:
    cases = [
        (("tag", "999", "x"), 1, "no entry with id 999"),
        (("show", "999"), 1, "no entry with id 999"),
        (("save", "javascript:alert(1)"), 1, "only http and https"),
        (("save", "file:///etc/passwd"), 1, "only http and https"),
        (("feeds", "add", "ftp://example.org/feed"), 1, "only http and https"),
        (("feeds", "import", str(tmp_path / "nope.opml")), 1, "cannot read"),
        (("tags", "rename", "nothing", "else"), 1, "no tag 'nothing'"),
        (("export", "nothing"), 1, "no entries tagged"),
        (("feeds", "remove", "42"), 1, "no feed with id 42"),
        (("tag", "abc", "x"), 2, ""),
        (("find", '"unbalanced'), 2, "quote"),
    ]
    for args, code, message in cases:
        result = cli(*args)
        assert result.exit_code == code, (args, result.stdout, result.stderr)
        lines = result.stderr.strip().splitlines()
        if code == 1:
            assert len(lines) == 1 and lines[0].startswith("pkm: error: "), (args, lines)
        assert message in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr


def test_unwritable_or_foreign_store_is_refused(cli: RunCli, tmp_path: Path) -> None:
    foreign = tmp_path / "notes.txt"
    foreign.write_text("my precious notes\n")
    result = cli("--db", str(foreign), "tags")
    assert result.exit_code == 1 and "not a pkm store" in result.stderr
    assert foreign.read_text() == "my precious notes\n"
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("")
    result = cli("--db", str(blocked / "pkm.db"), "tags")
    assert result.exit_code == 1 and "cannot create the store folder" in result.stderr
    result = cli("--db", "mysql://localhost/pkm", "tags")
    assert result.exit_code == 1
    assert "pkm stores are SQLite files or PostgreSQL databases" in result.stderr


def test_hostile_titles_reach_the_terminal_inert(cli: RunCli) -> None:
    saved = cli(
        "save",
        "https://x.example/",
        "--no-fetch",
        "--title",
        "\x1b[31mred\x1b]0;pwned\x07 [bold]markup[/bold] \u202eevil",
    )
    assert saved.exit_code == 0
    for args in (("find",), ("show", "1"), ("find", "markup")):
        out = cli(*args).stdout
        assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
        assert "[bold]markup[/bold]" in out


def test_a_page_saved_bare_is_found_by_its_address(cli: RunCli, tmp_path: Path) -> None:
    cli("save", "https://example.org/talks/hybrid-keynote", "--no-fetch", "-t", "conference2.0")
    found = _json(cli, "find", "keynote", "--tag", "conference2.0")
    assert isinstance(found, list) and [h["url"] for h in found] == [
        "https://example.org/talks/hybrid-keynote"
    ]
    assert isinstance(_json(cli, "find", "site:example.org"), list)
    out = tmp_path / "list.md"
    cli("export", "conference2.0", "-o", str(out))
    assert out.read_text().endswith("\n")


def test_unknown_names_are_errors_not_empty_results(cli: RunCli, site: Site) -> None:
    _subscribe_all(cli, site)
    for args, message in (
        (("scan", "--no-fetch", "--folder", "Nope"), "no folder 'Nope' (folders: Events,"),
        (("feeds", "list", "--folder", "nope"), "no folder 'nope'"),
        (("find", "--feed", "nonexistent"), "no feed matches 'nonexistent'"),
        (("find", "hybrid", "--tag", "never-used"), "no tag 'never-used'"),
    ):
        result = cli(*args)
        assert result.exit_code == 1 and message in result.stderr, (args, result.stderr)
    typo = cli("find", "titel:hybrid")
    assert typo.exit_code == 2 and "unknown field titel:" in typo.stderr
    # A folder is also the folders below it; a feed name is part of a title.
    assert cli("feeds", "list", "--folder", "Learning").exit_code == 0
    assert cli("find", "--feed", "Events").exit_code == 0


def test_title_author_and_tag_fields(cli: RunCli, site: Site) -> None:
    _subscribe_all(cli, site)
    by_title = _json(cli, "find", "title:hybrid")
    assert isinstance(by_title, list)
    assert [h["title"] for h in by_title] == ["Hybrid events: what we learned from a year online"]
    by_author = _json(cli, "find", 'author:"Marieke de Vries"')
    assert isinstance(by_author, list) and by_title[0]["id"] in [h["id"] for h in by_author]
    hit = by_title[0]["id"]
    assert cli("tag", str(hit), "conference2.0").exit_code == 0
    by_tag = _json(cli, "find", "tag:Conference2.0")
    assert isinstance(by_tag, list) and [h["id"] for h in by_tag] == [hit]


def test_one_feed_however_its_address_is_written(cli: RunCli, site: Site) -> None:
    url = site.url("/events.rss")
    first = cli("feeds", "add", url)
    assert first.exit_code == 0, first.stderr
    for variant in (url.replace("http://", "HTTP://"), url + "#frag", f"  {url}  "):
        again = cli("feeds", "add", variant)
        assert again.exit_code == 0, again.stderr
    feeds = _json(cli, "feeds", "list")
    assert isinstance(feeds, list) and len(feeds) == 1
    # The query is the feed's own: another query is another feed.
    assert cli("feeds", "remove", url.replace("http://", "HTTP://")).exit_code == 0
    assert _json(cli, "feeds", "list") == []


def test_a_page_whose_feed_is_gone_is_not_subscribed(cli: RunCli, tmp_path: Path) -> None:
    from httpserver import LocalServer

    with LocalServer() as server:
        server.route(
            "/blog/",
            '<html><head><link rel="alternate" type="application/rss+xml" href="/gone.rss">'
            "</head><body>A blog</body></html>",
            content_type="text/html",
        )
        result = cli("feeds", "add", server.url("/blog/"))
    assert result.exit_code == 1, result.stdout
    assert "gone.rss (linked from" in result.stderr and "404" in result.stderr
    assert _json(cli, "feeds", "list") == []


def test_the_digest_groups_by_folder_then_feed(cli: RunCli, site: Site) -> None:
    _subscribe_all(cli, site)
    out = cli("scan", "--no-fetch", "--since", "30d").stdout
    # Folders in order, the feed without a folder last, each feed under its folder.
    assert out.index("Events\n") < out.index("Events & Learning") < out.index("Learning/Networks")
    assert out.index("Learning/Networks") < out.index("Network Learning")
    assert out.index("Network Learning") < out.index("(no folder)") < out.index("Knowledge Work")
    by_feed = cli("scan", "--no-fetch", "--since", "30d", "--group", "feed").stdout
    assert "(no folder)" not in by_feed and "Learning/Networks\n" not in by_feed
    flat = cli("scan", "--no-fetch", "--since", "30d", "--group", "none").stdout
    dates = re.findall(r"^\s+\d+\s+(\d{4}-\d\d-\d\d)", flat, re.M)
    assert dates and dates == sorted(dates, reverse=True)
    assert "Events & Learning" in flat  # each item names its feed
    bad = cli("scan", "--group", "tags")
    assert bad.exit_code == 2
