"""On a narrow terminal every line fits: columns are dropped or cut, text wraps at words."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_hostile import RICH_SEQUENCES, run_on_terminal

from pkm.api import Pkm

WORDS = (
    "Conferences change when the backchannel becomes the room and every session is"
    " followed by people who are not there, writing notes for colleagues far away"
)


@pytest.fixture
def store(tmp_path: Path) -> Path:
    db = tmp_path / "pkm.db"
    with Pkm.open(db) as pkm:
        for n in range(3):
            pkm.add_feed(
                f"https://feeds{n}.example/a/rather/long/path/to/the/feed/number/{n}.xml",
                title=f"A feed with a long title about conferences and learning {n}",
                folder="Research & Development/Conferences",
                fetch=False,
            )
        page = pkm.save("https://a.example/talk", title="Backchannel talk", fetch=False)
    import sqlite3

    conn = sqlite3.connect(db)
    conn.execute("UPDATE entries SET text = ? WHERE id = ?", (WORDS, page.entry.id))
    conn.execute("INSERT INTO entries_fts(entries_fts) VALUES ('rebuild')")
    conn.commit()
    conn.close()
    return db


def _lines(output: str) -> list[str]:
    return [RICH_SEQUENCES.sub("", line) for line in output.replace("\r", "").split("\n")]


@pytest.mark.parametrize("columns", [40, 60, 80])
def test_feeds_list_fits_the_terminal(store: Path, columns: int) -> None:
    lines = [
        line for line in _lines(run_on_terminal(store, "feeds", "list", columns=columns)) if line
    ]
    assert lines and all(len(line) <= columns for line in lines), lines
    assert lines[0].split()[:2] == ["id", "title"]
    assert all(re.match(r"\d+ ", line) for line in lines[2:])  # one line per feed, id first


@pytest.mark.parametrize("columns", [50, 60])
def test_find_wraps_snippets_at_words_under_the_title(store: Path, columns: int) -> None:
    lines = [
        line
        for line in _lines(run_on_terminal(store, "find", "backchannel", columns=columns))
        if line
    ]
    assert all(len(line) <= columns for line in lines), lines
    body = [
        line
        for line in lines
        if line.startswith(" " * 9) and line.strip() not in ("saved",) and "a.example" not in line
    ]
    vocabulary = set(WORDS.replace(",", "").split())
    tokens = [w.strip("…,") for line in body for w in line.split()]
    assert tokens and all(not t or t in vocabulary for t in tokens), tokens  # no word cut
    assert len(body) >= 2  # it wrapped, and each wrapped line kept the indent
