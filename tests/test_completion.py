"""Tab completes tags, feeds and folders from the store, quickly and without ever failing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pkm.api import Pkm


def complete(db: Path, words: str) -> subprocess.CompletedProcess[str]:
    """What bash completion asks pkm for the last of ``words`` (empty: a new word)."""
    line = words.split(" ")
    env = dict(os.environ, _PKM_COMPLETE="complete_bash", PKM_DB=str(db))
    env["COMP_WORDS"] = " ".join(["pkm", *line])
    env["COMP_CWORD"] = str(len(line))
    # The installed command: completion is keyed to the program's name.
    program = Path(sys.executable).with_name("pkm")
    return subprocess.run([program], env=env, capture_output=True, text=True, timeout=60)


@pytest.fixture
def store(tmp_path: Path) -> Path:
    db = tmp_path / "pkm.db"
    with Pkm.open(db) as pkm:
        for n, title, folder in (
            (1, "Events & Learning", "Events"),
            (2, "Network Learning", "Learning/Networks"),
        ):
            pkm.add_feed(f"https://f{n}.example/rss", title=title, folder=folder, fetch=False)
        for n, tags in enumerate((["conference2.0", "keynote"], ["conference2.0"], ["café"])):
            pkm.save(f"https://a.example/{n}", tags=tags, fetch=False)
    return db


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("tag 1 con", ["conference2.0"]),
        ("tag 1 ", ["conference2.0", "café", "keynote"]),  # most used first
        ("find -t key", ["keynote"]),
        ("export ca", ["café"]),
        ("tags rename k", ["keynote"]),
        ("feeds list --folder L", ["Learning/Networks"]),
        ("scan --folder ", ["Events", "Learning/Networks"]),
        ("feeds remove Net", ["Network Learning"]),
        ("find --feed Ev", ["Events & Learning"]),
    ],
)
def test_names_come_from_the_store(store: Path, words: str, expected: list[str]) -> None:
    result = complete(store, words)
    assert result.returncode == 0, result.stderr
    offered = [line.split(":", 1)[0] for line in result.stdout.splitlines() if line]
    if words.endswith(" ") and words.startswith("tag "):
        assert offered[0] == "conference2.0"
        assert sorted(offered) == sorted(expected)
    else:
        assert offered == expected


@pytest.mark.parametrize("content", [None, b"not a database at all", b""])
def test_without_a_usable_store_it_offers_nothing_and_makes_nothing(
    tmp_path: Path, content: bytes | None
) -> None:
    folder = tmp_path / "store"
    folder.mkdir()
    db = folder / "pkm.db"
    if content is not None:
        db.write_bytes(content)
    result = complete(db, "tag 1 con")
    assert result.returncode == 0 and result.stdout.strip() == "" and result.stderr == ""
    assert sorted(p.name for p in folder.iterdir()) == (["pkm.db"] if content is not None else [])
