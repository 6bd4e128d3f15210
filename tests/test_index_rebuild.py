"""Migration 0006 recreates the search index; pkm fills it again in resumable batches."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from pkm import Pkm
from pkm.storage.db import upgrade

STORES = Path(__file__).parent / "data" / "stores"
BEFORE_REBUILD = STORES / "0005.db"

KILLED_REBUILD = """
import os, sys
from pkm import Pkm
from pkm.storage import fts_index

fts_index.REBUILD_BATCH = 2
calls = []

def progress(done, total):
    calls.append((done, total))
    print(done, total, flush=True)
    if len(calls) == 2:
        os._exit(9)  # as SIGKILL would, between two batches

Pkm.open(sys.argv[1], progress=progress)
"""


def _unindexed(db: Path) -> tuple[int, int]:
    conn = sqlite3.connect(db)
    try:
        waiting = conn.execute("SELECT count(*) FROM entries WHERE indexed = 0").fetchone()[0]
        marks = conn.execute("SELECT count(*) FROM index_rebuild").fetchone()[0]
    finally:
        conn.close()
    return int(waiting), int(marks)


def _answers(store: Pkm) -> dict[str, list[int]]:
    return {
        words: [hit.entry.id for hit in store.find(words, limit=100)]
        for words in ("knowledge", "second line", "ev*", "events", "ideeen")
    }


def test_an_upgraded_store_is_fully_indexed_with_prefixes(tmp_path: Path) -> None:
    db = tmp_path / "pkm.db"
    shutil.copyfile(BEFORE_REBUILD, db)
    seen: list[tuple[int, int]] = []
    with Pkm.open(db, progress=lambda done, total: seen.append((done, total))) as store:
        answers = _answers(store)
    assert _unindexed(db) == (0, 0)
    assert seen and seen[-1][0] == seen[-1][1] > 0
    assert all(answers.values()), answers
    conn = sqlite3.connect(db)
    sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'entries_fts'").fetchone()[0]
    rows = conn.execute("SELECT count(*) FROM entries").fetchone()[0]
    indexed = conn.execute("SELECT count(*) FROM entries_fts").fetchone()[0]
    conn.close()
    assert "prefix='2 3'" in sql
    assert "archived_text" in sql
    assert indexed == rows


def test_the_index_reads_archived_text(tmp_path: Path) -> None:
    db = tmp_path / "pkm.db"
    shutil.copyfile(BEFORE_REBUILD, db)
    with Pkm.open(db) as store:
        entry_id = store.find("knowledge", limit=1)[0].entry.id
        assert store.find("zanzibarian") == []
    conn = sqlite3.connect(db)
    with conn:
        conn.execute(
            "UPDATE entries SET archived_text = 'kept text about zanzibarian spices' WHERE id = ?",
            (entry_id,),
        )
    conn.close()
    with Pkm.open(db) as store:
        assert [hit.entry.id for hit in store.find("zanzibarian")] == [entry_id]
        assert [hit.entry.id for hit in store.find("zan*")] == [entry_id]


def test_a_rebuild_killed_between_batches_carries_on_at_the_next_open(tmp_path: Path) -> None:
    reference = tmp_path / "reference.db"
    shutil.copyfile(BEFORE_REBUILD, reference)
    with Pkm.open(reference) as store:
        expected = _answers(store)
    db = tmp_path / "pkm.db"
    shutil.copyfile(BEFORE_REBUILD, db)
    upgrade(db)  # the migration alone: the index is empty and marked for a rebuild
    waiting, marks = _unindexed(db)
    assert waiting > 4 and marks == 1
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_REBUILD, str(db)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert killed.returncode == 9, killed.stderr
    assert killed.stdout.split() == ["2", str(waiting), "4", str(waiting)]
    assert _unindexed(db) == (waiting - 4, 1)
    with Pkm.open(db) as store:
        assert _answers(store) == expected
    assert _unindexed(db) == (0, 0)
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.execute("INSERT INTO entries_fts(entries_fts) VALUES ('integrity-check')")
    conn.close()
