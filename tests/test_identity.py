"""One entry per identity (issue 11, section 1): nothing distinct is merged, nothing the same
is kept twice.

Bookmarks whose URLs differ in a fragment that names something (a hash-bang route, a mail
thread, a documentation anchor) are different bookmarks; noise fragments and tracking merge.
Feed items with different identities (guid, else link) are never one entry, within a feed
or across feeds, and a store whose old pkm merged them gets the swallowed items back.
"""

from __future__ import annotations

import html
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import RunCli
from httpserver import LocalServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pkm import Pkm
from pkm.storage.db import HEAD_REVISION

pytestmark = pytest.mark.timeout(120)

ROOT = Path(__file__).resolve().parents[1]
# A commit whose pkm writes stores at schema revision 0003, before fragments were identity.
REVISION_0003 = "fdd6a900fc6f8b9a436c3e06fcf939bd67d09d38"


def pkm(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pkm", "--db", str(db), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, (result.args, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    return result.stdout


def as_json(result: subprocess.CompletedProcess[str]) -> Any:
    return json.loads(ok(result))


def netscape(records: list[tuple[str, str]]) -> str:
    """A bookmark file as browsers write it: one ``<DT><A>`` per (URL, tag)."""
    lines = ["<!DOCTYPE NETSCAPE-Bookmark-file-1>", "<TITLE>Bookmarks</TITLE>", "<DL><p>"]
    for i, (url, tag) in enumerate(records):
        lines.append(
            f'<DT><A HREF="{html.escape(url)}" ADD_DATE="{1_700_000_000 + i}"'
            f' TAGS="{html.escape(tag)}">Bookmark {i}</A>'
        )
    lines.append("</DL><p>")
    return "\n".join(lines) + "\n"


def saved(db: Path) -> dict[str, tuple[int, set[str]]]:
    """Every bookmark: URL -> (id, tags)."""
    conn = sqlite3.connect(db)
    try:
        people = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'saves'").fetchone()
        sql = (
            "SELECT e.id, e.url, t.name FROM entries e JOIN saves s ON s.entry_id = e.id"
            " LEFT JOIN save_tags st ON st.save_id = s.id LEFT JOIN tags t ON t.id = st.tag_id"
            if people
            else "SELECT e.id, e.url, t.name FROM entries e"  # a store from before 0007
            " LEFT JOIN entry_tags et ON et.entry_id = e.id LEFT JOIN tags t ON t.id = et.tag_id"
            " WHERE e.saved_at IS NOT NULL"
        )
        rows = conn.execute(sql).fetchall()
    finally:
        conn.close()
    found: dict[str, tuple[int, set[str]]] = {}
    for entry_id, url, tag in rows:
        found.setdefault(url, (entry_id, set()))[1].update([tag] if tag else [])
    return found


# --- bookmarks whose fragment is their identity -------------------------------------------

OS_HTML = "https://docs.python.org/3/library/os.html"
DISTINCT = [
    ("https://twitter.com/#!/alice/status/1", "alice"),
    ("https://twitter.com/#!/bob/status/2", "bob"),
    ("https://mail.google.com/mail/u/0/#inbox/FMfcgzQXJWDsKmlGxBbwPzRmDlFrQbVh", "mail-one"),
    ("https://mail.google.com/mail/u/0/#inbox/FMfcgzQXJWDtVbHnnGkqvGjLPhQvzCgR", "mail-two"),
    (OS_HTML + "#os.walk", "walk"),
    (OS_HTML + "#os.scandir", "scandir"),
]


def test_bookmarks_that_differ_in_an_identity_fragment_stay_apart(tmp_path: Path) -> None:
    db = tmp_path / "pkm.db"
    export = tmp_path / "bookmarks.html"
    export.write_text(netscape(DISTINCT))
    assert ok(pkm(db, "import", str(export))).strip().splitlines() == [
        "Read as Netscape bookmark file: 6 records",
        "Imported 6, merged 0, skipped 0",
    ]
    assert saved(db) == {url: (i + 1, {tag}) for i, (url, tag) in enumerate(DISTINCT)}

    listdir = as_json(
        pkm(db, "save", OS_HTML + "#os.listdir", "-t", "listdir", "--no-fetch", "--json")
    )
    assert listdir["merged"] is False and listdir["id"] == 7
    assert listdir["url"] == OS_HTML + "#os.listdir"
    walk = as_json(pkm(db, "show", "5", "--json"))
    assert (walk["url"], walk["title"], walk["tags"]) == (
        OS_HTML + "#os.walk",
        "Bookmark 4",
        ["walk"],
    )

    # Importing the same file again: every record merges into its own bookmark.
    assert (
        ok(pkm(db, "import", str(export))).strip().splitlines()[-1]
        == "Imported 0, merged 6, skipped 0"
    )
    assert len(saved(db)) == 7


# Written otherwise, the same page: noise fragments, tracking, host case, the default port.
SAME_PAGE = [
    (OS_HTML + "#top", None),
    (OS_HTML + "#", None),
    (OS_HTML + "#comments", None),
    (OS_HTML + "?utm_source=x", None),
    (OS_HTML + "#:~:text=foo", None),
    ("HTTPS://Docs.Python.ORG:443/3/library/os.html#respond", None),
    (OS_HTML + "?utm_source=x#os.walk", 2),
    (OS_HTML + "#os.walk:~:text=walk%20the%20tree", 2),
    ("https://DOCS.python.org:443/3/library/os.html#os.walk", 2),
    (OS_HTML + "#utm_source=rss&utm_medium=feed", None),
    ("https://twitter.com/?utm_campaign=share#!/alice/status/1", 3),
]


def test_noise_fragments_and_tracking_merge_into_the_page(tmp_path: Path, cli: RunCli) -> None:
    db = tmp_path / "pkm.db"
    page = as_json(pkm(db, "save", OS_HTML, "-t", "page", "--no-fetch", "--json"))
    walk = as_json(pkm(db, "save", OS_HTML + "#os.walk", "-t", "walk", "--no-fetch", "--json"))
    alice = as_json(pkm(db, "save", DISTINCT[0][0], "-t", "alice", "--no-fetch", "--json"))
    assert [page["id"], walk["id"], alice["id"]] == [1, 2, 3]
    owners = {None: page["id"], 2: walk["id"], 3: alice["id"]}
    for n, (url, owner) in enumerate(SAME_PAGE):
        result = cli("--db", str(db), "save", url, "-t", f"v{n}", "--no-fetch", "--json")
        assert result.exit_code == 0, result.stderr
        merged = json.loads(result.stdout)
        assert (merged["merged"], merged["id"]) == (True, owners[owner]), url
    # In a bookmark file they merge the same way.
    export = tmp_path / "variants.html"
    export.write_text(netscape([(url, f"w{n}") for n, (url, _) in enumerate(SAME_PAGE)]))
    summary = ok(pkm(db, "import", str(export))).strip().splitlines()[-1]
    assert summary == f"Imported 0, merged {len(SAME_PAGE)}, skipped 0"
    tags = dict(saved(db).values())
    assert len(tags) == 3
    for n, (_, owner) in enumerate(SAME_PAGE):
        assert {f"v{n}", f"w{n}"} <= tags[owners[owner]]
    # The URL each bookmark was first saved under is kept, not renamed by a later save.
    assert set(saved(db)) == {OS_HTML, OS_HTML + "#os.walk", DISTINCT[0][0]}


# --- a blog whose posts are anchors on one page a day --------------------------------------

DAYS = (20, 21, 22, 23, 24, 25, 26)
POSTS = 48


def letters(n: int) -> str:
    return "".join("bcdfghjklmnpqrstvwxz"[int(d)] for d in f"{n:03d}")


@dataclass(frozen=True)
class Post:
    n: int
    day: int
    link: str
    word: str  # in this post's text only


def post(n: int) -> Post:
    day = DAYS[n * len(DAYS) // POSTS]
    link = f"https://scripting.example/2026/11/{day}.html#a{100_000 + n * 37:06d}"
    return Post(n, day, link, "zorb" + letters(n))


SCRIPTING_POSTS = [post(n) for n in range(POSTS)]


def scripting_feed(*, guids: bool) -> str:
    """Like Scripting News: items without titles, each a paragraph linking to its anchor on
    the day's page (its guid, when there is one, is that link)."""
    items = []
    for post in reversed(SCRIPTING_POSTS):
        guid = f'<guid isPermaLink="true">{post.link}</guid>' if guids else ""
        when = f"{post.day} Nov 2026 {8 + post.n % 12:02d}:{post.n:02d}:00 GMT"
        items.append(
            f"<item><description>&lt;p&gt;Post {post.n} of the day: thinking about"
            f" {post.word} and outliners.&lt;/p&gt;</description>"
            f"<link>{post.link}</link>{guid}<pubDate>{when}</pubDate></item>"
        )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Scripting News</title>'
        "<link>https://scripting.example/</link>" + "".join(items) + "</channel></rss>"
    )


def feed_entries(db: Path) -> list[tuple[int, str]]:
    """Every entry a feed brought: (id, URL), by id."""
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute(
            "SELECT id, url FROM entries WHERE feed_id IS NOT NULL ORDER BY id"
        ).fetchall()
    finally:
        conn.close()
    return [(int(entry_id), str(url)) for entry_id, url in rows]


def assert_every_post_found(db: Path) -> None:
    with Pkm.open(db) as store:
        for post in SCRIPTING_POSTS:
            assert [hit.entry.url for hit in store.find(post.word)] == [post.link], post
    # And by the program a user runs: any of the words finds every post.
    query = " OR ".join(post.word for post in SCRIPTING_POSTS)
    hits = as_json(pkm(db, "find", query, "--json", "--limit", "100"))
    assert sorted(hit["url"] for hit in hits) == sorted(post.link for post in SCRIPTING_POSTS)


GUIDS = pytest.mark.parametrize("guids", [True, False], ids=["guids", "links only"])


@GUIDS
def test_every_post_of_a_day_page_is_an_entry_of_its_own(
    local_server: LocalServer, tmp_path: Path, guids: bool
) -> None:
    assert len({post.link.split("#")[0] for post in SCRIPTING_POSTS}) == len(DAYS)
    local_server.route("/rss.xml", scripting_feed(guids=guids), content_type="application/rss+xml")
    db = tmp_path / "pkm.db"
    ok(pkm(db, "feeds", "add", local_server.url("/rss.xml")))
    urls = [url for _, url in feed_entries(db)]
    assert sorted(urls) == sorted(post.link for post in SCRIPTING_POSTS)
    assert_every_post_found(db)
    # The digest shows each post once, though none has a title to tell them apart by.
    digest = as_json(pkm(db, "scan", "--json"))
    assert sorted(item["url"] for item in digest["items"]) == sorted(urls)
    assert len(feed_entries(db)) == POSTS


# --- items of two feeds --------------------------------------------------------------------


def rss(title: str, items: list[tuple[str, str, str, str]]) -> str:
    """A feed of (guid, link, title, a word only this item has) items."""
    body = "".join(
        f'<item><title>{item_title}</title><link>{link}</link><guid isPermaLink="false">{guid}'
        f"</guid><description>Notes about {word}.</description>"
        "<pubDate>Fri, 20 Nov 2026 08:30:00 GMT</pubDate></item>"
        for guid, link, item_title, word in items
    )
    return f'<rss version="2.0"><channel><title>{title}</title>{body}</channel></rss>'


ARTICLE = "https://shared.example/article"
ROUNDUP = "https://shared.example/roundup"
STORY = "https://story.example/42"
ALPHA = [
    ("urn:alpha:1", ARTICLE, "Alpha reads the article", "alphaword"),
    ("urn:alpha:2", ROUNDUP, "Morning roundup", "morningword"),
    ("urn:alpha:3", ROUNDUP, "Evening roundup", "eveningword"),
    ("urn:story:42", STORY, "The shared story", "storyword"),
]
BETA = [
    ("urn:beta:1", ARTICLE, "Beta reads the article", "betaword"),
    ("urn:story:42", STORY, "The shared story", "storyword"),
]


def test_items_are_one_entry_only_when_they_are_the_same_item(
    local_server: LocalServer, tmp_path: Path
) -> None:
    local_server.route("/alpha.rss", rss("Alpha Notes", ALPHA), content_type="application/rss+xml")
    local_server.route("/beta.rss", rss("Beta Links", BETA), content_type="application/rss+xml")
    db = tmp_path / "pkm.db"
    for path in ("/alpha.rss", "/beta.rss"):
        ok(pkm(db, "feeds", "add", local_server.url(path), "--no-fetch"))
    digest = as_json(pkm(db, "scan", "--json"))

    # Other guids at the same link (from another feed, or twice in one): entries of their
    # own. The same guid in both feeds: one entry.
    assert sorted(url for _, url in feed_entries(db)) == [ARTICLE, ARTICLE, ROUNDUP, ROUNDUP, STORY]
    with Pkm.open(db) as store:
        for _, link, _, word in ALPHA + BETA:
            assert [hit.entry.url for hit in store.find(word)] == [link], word
    titles = sorted(item["title"] for item in digest["items"])
    assert titles == sorted({title for _, _, title, _ in ALPHA + BETA})
    [story] = [item for item in digest["items"] if item["url"] == STORY]
    assert {story["feed"], *story["also_in"]} == {"Alpha Notes", "Beta Links"}
    assert len(story["also_in"]) == 1
    for item in digest["items"]:
        if item["url"] != STORY:
            assert item["also_in"] == [], item


# --- a store whose old pkm merged posts into one entry per day page -------------------------


@pytest.fixture(scope="module")
def pkm_0003(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The source of the pkm that wrote revision 0003 stores, taken from git."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    probe = subprocess.run(
        ["git", "-C", str(ROOT), "cat-file", "-e", f"{REVISION_0003}^{{commit}}"],
        capture_output=True,
    )
    if probe.returncode != 0:
        pytest.skip(f"the git history of pkm (commit {REVISION_0003[:8]}) is not available")
    source = tmp_path_factory.mktemp("pkm-0003")
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", REVISION_0003, "pkm", "migrations"],
        check=True,
        capture_output=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(source)], input=archive, check=True)
    return source


def old_pkm(source: Path, db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(source)}
    env.pop("PKM_DB", None)
    return subprocess.run(
        [sys.executable, "-m", "pkm", "--db", str(db), *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=source,  # the first entry of sys.path: the old package, never the work tree's
        env=env,
    )


def revision(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return str(conn.execute("SELECT version_num FROM alembic_version").fetchone()[0])
    finally:
        conn.close()


def integrity(db: Path) -> tuple[str, list[Any]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0], conn.execute(
            "PRAGMA foreign_key_check"
        ).fetchall()
    finally:
        conn.close()


@pytest.mark.parametrize(
    "guids",
    [
        pytest.param(True, id="guids"),
        pytest.param(False, id="links only"),
    ],
)
def test_an_upgraded_store_gets_the_swallowed_posts_back(
    local_server: LocalServer, tmp_path: Path, cli: RunCli, pkm_0003: Path, guids: bool
) -> None:
    local_server.route("/rss.xml", scripting_feed(guids=guids), content_type="application/rss+xml")
    db = tmp_path / "pkm.db"
    ok(old_pkm(pkm_0003, db, "feeds", "add", local_server.url("/rss.xml")))
    ok(old_pkm(pkm_0003, db, "save", OS_HTML + "#os.walk", "-t", "walk", "--no-fetch"))
    assert revision(db) == "0003"
    before = feed_entries(db)
    assert len(before) == len(DAYS)  # the bug, as the old pkm had it: one entry a day page
    first, second = before[0][0], before[1][0]
    ok(old_pkm(pkm_0003, db, "tag", str(first), "keep", "-n", "why it matters"))
    ok(old_pkm(pkm_0003, db, "tag", str(second), "later", "Ideeën"))
    kept = {entry_id: (url, tags) for url, (entry_id, tags) in saved(db).items()}
    assert len(kept) == 3

    digest = as_json(pkm(db, "scan", "--json"))
    assert revision(db) == HEAD_REVISION  # upgraded through 0004 to today's head
    after = feed_entries(db)
    assert sorted(url for _, url in after) == sorted(post.link for post in SCRIPTING_POSTS)
    assert after[: len(before)] == before  # the old entries keep their ids and URLs
    # Only the posts given back are new: the day pages' entries were shown long ago.
    assert sorted(item["url"] for item in digest["items"]) == sorted(
        url for _, url in after[len(before) :]
    )
    assert {entry_id: (url, tags) for url, (entry_id, tags) in saved(db).items()} == kept
    assert as_json(pkm(db, "show", str(first), "--json"))["note"] == "why it matters"
    assert_every_post_found(db)
    assert as_json(pkm(db, "scan", "--json"))["items"] == []
    # The bookmark's key was rebuilt: another anchor of its page is another bookmark.
    walk = kept_id(kept, OS_HTML + "#os.walk")
    again = json.loads(
        cli("--db", str(db), "save", OS_HTML + "#os.walk", "--no-fetch", "--json").stdout
    )
    assert (again["merged"], again["id"]) == (True, walk)
    other = json.loads(
        cli("--db", str(db), "save", OS_HTML + "#os.scandir", "--no-fetch", "--json").stdout
    )
    assert other["merged"] is False
    assert integrity(db) == ("ok", [])


def kept_id(kept: dict[int, tuple[str, set[str]]], url: str) -> int:
    [entry_id] = [entry_id for entry_id, (kept_url, _) in kept.items() if kept_url == url]
    return entry_id


# --- any set of URLs: one bookmark per identity, and the summary adds up --------------------

# The model a URL is drawn from; its identity is read off the model, never off the URL text.
HOSTS = ("example.com", "docs.python.org", "twitter.com")
PATHS = ("", "/", "/a", "/3/library/os.html", "/mail/u/0/")
REAL_PARAMS = (("id", "7"), ("page", "2"))
TRACKING_PARAMS = (
    ("utm_source", "rss"),
    ("UTM_Medium", "email"),
    ("fbclid", "abc"),
    ("gclid", "1"),
)
NAMING_FRAGMENTS = (
    "!/alice/status/1",
    "!/bob/status/2",
    "inbox/FMfcgz",
    "inbox/fmfcgz",  # case matters in a fragment: another mail thread
    "os.walk",
    "a123456",
    "id=7",
)
NOISE_FRAGMENTS = (
    "",
    "top",
    "TOP",
    "comments",
    "comment",
    "respond",
    "more",
    "more-12",
    "utm_source=rss",
    "utm_source=rss&fbclid=x",
    "xtor=RSS-3",
)
NOT_WEB = ("javascript:void(0)", "place:sort=8&maxResults=10", "ftp://files.example/a")

Identity = tuple[str, str, int | None, str, tuple[tuple[str, str], ...], str]


@dataclass(frozen=True)
class ModelURL:
    scheme: str
    host: str
    port: int | None  # as written
    path: str
    params: tuple[tuple[str, str], ...]
    fragment: str | None  # None: no '#'
    directive: bool  # a ':~:text=' directive after the fragment

    def text(self, host_case: list[bool], scheme_upper: bool) -> str:
        host = "".join(c.upper() if up else c for c, up in zip(self.host, host_case, strict=False))
        scheme = self.scheme.upper() if scheme_upper else self.scheme
        netloc = host if self.port is None else f"{host}:{self.port}"
        url = f"{scheme}://{netloc}{self.path}"
        if self.params:
            url += "?" + "&".join(f"{k}={v}" for k, v in self.params)
        if self.fragment is not None:
            url += "#" + self.fragment + (":~:text=some%20words" if self.directive else "")
        return url

    def identity(self) -> Identity:
        default = {"http": 80, "https": 443}[self.scheme]
        port = None if self.port in (None, default) else self.port
        real = tuple(p for p in self.params if p in REAL_PARAMS)
        names = self.fragment if self.fragment in NAMING_FRAGMENTS else ""
        return (self.scheme, self.host, port, self.path or "/", real, names)


model_urls = st.builds(
    ModelURL,
    scheme=st.sampled_from(("http", "https")),
    host=st.sampled_from(HOSTS),
    port=st.sampled_from((None, 80, 443, 8080)),
    path=st.sampled_from(PATHS),
    params=st.lists(st.sampled_from(REAL_PARAMS + TRACKING_PARAMS), max_size=3).map(tuple),
    fragment=st.none() | st.sampled_from(NAMING_FRAGMENTS + NOISE_FRAGMENTS),
    directive=st.booleans(),
)
written_urls = st.tuples(
    model_urls, st.lists(st.booleans(), min_size=20, max_size=20), st.booleans()
)


@pytest.fixture(scope="module")
def empty_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new store, migrated once: each example imports into a copy of it."""
    path = tmp_path_factory.mktemp("empty") / "pkm.db"
    Pkm.open(path).close()
    return path


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    records=st.lists(written_urls, min_size=1, max_size=25),
    not_web=st.lists(st.sampled_from(NOT_WEB), max_size=2),
)
def test_an_import_keeps_one_bookmark_per_identity_and_counts_every_record(
    empty_store: Path,
    records: list[tuple[ModelURL, list[bool], bool]],
    not_web: list[str],
) -> None:
    urls = [model.text(case, upper) for model, case, upper in records]
    identity_of = {url: model.identity() for url, (model, _, _) in zip(urls, records, strict=True)}
    tags_of: dict[Identity, set[str]] = {}
    for n, (model, _, _) in enumerate(records):
        tags_of.setdefault(model.identity(), set()).add(f"t{n}")
    lines = [(url, f"t{n}") for n, url in enumerate(urls)] + [(url, "skip") for url in not_web]
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "pkm.db"
        shutil.copyfile(empty_store, db)
        with Pkm.open(db) as store:
            report = store.import_bookmarks(netscape(lines).encode())
        stored = saved(db)
    assert report.imported + report.merged + len(report.skipped) == len(lines)
    assert len(report.skipped) == len(not_web)
    assert report.imported == len(stored) == len(tags_of)
    # Each bookmark is one identity, under the first URL it was written as, with the tags
    # of every record of that identity.
    by_identity = {identity_of[url]: tags for url, (_, tags) in stored.items()}
    assert by_identity == tags_of
    firsts = {identity_of[url]: url for url in reversed(urls)}
    assert set(stored) == set(firsts.values())
