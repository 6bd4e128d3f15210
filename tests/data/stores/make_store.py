"""Make the small pkm stores kept here, one per schema revision, each by the pkm of that time.

    python tests/data/stores/make_store.py            # every store in REVISIONS not made yet
    python tests/data/stores/make_store.py 0002 -f    # this one again
    python tests/data/stores/make_store.py 0003 --worktree   # by the pkm of the work tree

For each revision the pkm source (``pkm/`` and ``migrations/``) of the commit in REVISIONS
is taken from git into a temporary folder and run from there against a local HTTP server:
it subscribes to four feeds in folders (two good ones, one failing, one gone), scans them,
tags two items (with notes, one to read), saves two URLs (one of them a feed item's URL,
which merges) and writes ``NNNN.db`` (vacuumed, in WAL mode as pkm leaves it) and
``NNNN.json``: what that pkm's API said the store holds, and the feeds' fetch state.
tests/test_store_safety.py opens a copy of each store with today's pkm, which must upgrade
it to head and still hold exactly that.

When a migration is added, make its store with ``--worktree`` (the work tree's pkm must be
at that revision) and commit the two new files with the migration; then add the revision
and its commit to REVISIONS, so that the store can be made again from history.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]

# Schema revision -> a commit whose pkm writes stores at that revision.
REVISIONS = {
    "0001": "6c556ca84fec80063ce053df4bf6a168886b9430",
    "0002": "af71db083e66cf207b89bd6af178cbd709cec904",
    "0003": "fdd6a900fc6f8b9a436c3e06fcf939bd67d09d38",
    "0004": "4e3da5f90fb15ad3a678a4f85ec00c4dc5d06727",
    "0005": "3a92d9e2b05368364083654b66f5e2503ca2beda",
    "0006": "9205994182bc1625d7711828cc49656c07541c5b",
    "0007": "d696991e772cc2df15f3e3b5d6ed75abf5a35de0",
    "0008": "c5931d5fc457b73e4856c254d3e3bbc7f6aa87d1",
}

# Columns of the feeds table that a scan needs to ask politely and to back off.
FETCH_STATE = ("etag", "last_modified", "body_hash", "error_count", "next_fetch_at", "retired_at")

LEARNING = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Network Learning</title><link>https://learn.example/</link>
{items}</channel></rss>"""
LEARNING_ITEM = """<item><title>{title}</title><link>https://learn.example/{n}</link>
<guid>https://learn.example/{n}</guid><pubDate>Fri, {day:02d} Nov 2026 08:30:00 GMT</pubDate>
<description>&lt;p&gt;{title}: notes on &lt;b&gt;knowledge work&lt;/b&gt;.&lt;/p&gt;</description>
</item>"""
EVENTS = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Events &amp; Ideeën</title>
<id>urn:events</id><updated>2026-11-20T08:30:00Z</updated>
<link href="https://events.example/"/>{entries}</feed>"""
EVENTS_ENTRY = """<entry><title>{title}</title><id>urn:events:{n}</id>
<link href="https://events.example/{n}"/><updated>2026-11-{day:02d}T09:00:00Z</updated>
<author><name>Ann Author</name></author><content type="html">&lt;p&gt;{title}.&lt;/p&gt;</content>
</entry>"""


def serve_and_populate(db: Path, source: Path) -> dict[str, object]:
    """Run the old pkm (from ``source``) against a local server; its account of the store."""
    sys.path.insert(0, str(ROOT / "tests"))
    from httpserver import LocalServer

    learning = LEARNING.format(
        items="".join(
            LEARNING_ITEM.format(title=f"Learning in networks, part {n}", n=n, day=10 + n)
            for n in range(1, 7)
        )
    )
    events = EVENTS.format(
        entries="".join(
            EVENTS_ENTRY.format(title=f"Hybrid event {n}", n=n, day=10 + n) for n in range(1, 5)
        )
    )
    with LocalServer() as server:
        server.route(
            "/learning.rss",
            learning,
            content_type="application/rss+xml",
            headers={"ETag": '"learning-v1"', "Last-Modified": "Fri, 20 Nov 2026 08:30:00 GMT"},
        )
        server.route("/events.atom", events, content_type="application/atom+xml")
        server.route("/broken.rss", "oops", status=500)
        server.route("/gone.rss", "gone", status=410)
        env = {**os.environ, "PYTHONPATH": str(source)}
        env.pop("PKM_DB", None)
        done = subprocess.run(
            [sys.executable, __file__, "--populate", str(db), server.base_url],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    if done.returncode != 0:
        raise SystemExit(f"populating {db} failed:\n{done.stdout}\n{done.stderr}")
    account: dict[str, object] = json.loads(done.stdout)
    return account


def populate(db: Path, base_url: str) -> None:
    """Runs inside the old pkm: fill the store through its API, print what it holds."""
    import pkm
    from pkm import Pkm

    assert Path(pkm.__file__).resolve().parents[1] != ROOT, "not the old pkm"
    with Pkm.open(db) as store:
        for path, folder in (
            ("/learning.rss", "Learning/Networks"),
            ("/events.atom", "Events"),
            ("/broken.rss", None),
            ("/gone.rss", "Old"),
        ):
            store.add_feed(base_url + path, folder=folder, fetch=False)
        store.scan()
        [first] = [h.entry for h in store.find("part 2", limit=5)]
        store.tag(first.id, ["conference2.0", "Ideeën"], note="Good overview.\nSecond line.")
        [second] = [h.entry for h in store.find("hybrid event 3", limit=5)]
        store.tag(second.id, ["Conference2.0", "keynote"], to_read=True)
        store.save(
            "https://saved.example/talk?utm_source=x",
            tags=["keynote", "talks"],
            note="saved by URL",
            title="A talk worth keeping",
            fetch=False,
        )
        store.save(  # an item of a feed, saved by its URL: merges into that entry
            "https://learn.example/4#top",
            tags=["later"],
            note="merged",
            fetch=False,
        )
        saved = [store.entry(h.entry.id) for h in store.find("", saved=True, limit=1000)]
        account = {
            "bookmarks": sorted(
                (
                    {
                        "id": e.id,
                        "url": e.url,
                        "title": e.title,
                        "tags": sorted(e.tags),
                        "note": e.note,
                        "saved": e.saved.isoformat() if e.saved else None,
                        "to_read": e.to_read,
                        "feed_id": e.feed_id,
                    }
                    for e in saved
                ),
                key=lambda b: b["id"],
            ),
            "tags": {t.name: t.count for t in store.tags()},
            "feeds": [
                {
                    "id": f.id,
                    "url": f.url,
                    "title": f.title,
                    "folder": f.folder,
                    "last_status": f.last_status,
                    "last_error": f.last_error,
                    "errors": f.errors,
                    "items": f.items,
                }
                for f in store.feeds()
            ],
            "entries": len(store.find("", limit=1000)),
        }
    print(json.dumps(account))


def make(revision: str, *, force: bool, worktree: bool) -> None:
    target = HERE / f"{revision}.db"
    if target.exists() and not force:
        print(f"{target.name} exists (use -f to make it again)")
        return
    commit = "work tree" if worktree else REVISIONS[revision]
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "src"
        source.mkdir()
        if worktree:
            skip = shutil.ignore_patterns("__pycache__")
            for name in ("pkm", "migrations"):
                shutil.copytree(ROOT / name, source / name, ignore=skip)
        else:
            archive = subprocess.run(
                ["git", "-C", str(ROOT), "archive", commit, "pkm", "migrations"],
                check=True,
                capture_output=True,
            ).stdout
            subprocess.run(["tar", "-x", "-C", str(source)], input=archive, check=True)
        db = Path(tmp) / "store.db"
        account = serve_and_populate(db, source)
        conn = sqlite3.connect(db)
        version = conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        assert version == revision, f"{commit} made a store at {version}, not {revision}"
        conn.row_factory = sqlite3.Row
        account["fetch_state"] = {
            str(row["id"]): {column: row[column] for column in FETCH_STATE}
            for row in conn.execute(f"SELECT id, {', '.join(FETCH_STATE)} FROM feeds")
        }
        conn.execute("VACUUM")
        conn.close()  # the last connection checkpoints and removes the WAL: one file
        shutil.copyfile(db, target)
    record = {"revision": revision, "made_by_commit": commit, **account}
    (HERE / f"{revision}.json").write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {target.name} ({target.stat().st_size} bytes) and {revision}.json")


def main(argv: list[str]) -> None:
    if argv[:1] == ["--populate"]:
        populate(Path(argv[1]), argv[2])
        return
    force = "-f" in argv or "--force" in argv
    worktree = "--worktree" in argv
    wanted = [a for a in argv if not a.startswith("-")] or list(REVISIONS)
    if worktree and len(wanted) != 1:
        raise SystemExit("--worktree makes one store: name its revision")
    for revision in wanted:
        make(revision, force=force, worktree=worktree)


if __name__ == "__main__":
    main(sys.argv[1:])
