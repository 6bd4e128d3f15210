"""`pkm read --network`: the network as a source of the triage (issue 18), headless and on a
real pseudo-terminal: what the people one follows saved publicly, never a private save."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from test_reader import (  # noqa: F401  (store and terminal: fixtures)
    Store,
    Terminal,
    screen_text,
    store,
    terminal,
    type_text,
)

from pkm import Pkm
from pkm.cli.reader.app import Reader

PUBLIC = "Alice on hybrid"
SECRET = "Alice's merger plan"
CAROL = "Carol on rooms"


@dataclass
class Shared:
    db: Path
    ids: dict[str, int]


@pytest.fixture
def shared(store: Store) -> Shared:  # noqa: F811
    """The reader tests' store (feeds scanned by its owner, the login name's person), where
    Alice and Carol saved pages and the owner follows Alice and Carol's #rooms."""
    ids: dict[str, int] = {}
    saves = [
        ("alice", "https://talks.example/hybrid", PUBLIC, ["events"], False),
        ("alice", "https://plans.example/merger", SECRET, ["events"], True),
        ("carol", "https://rooms.example/big", CAROL, ["rooms"], False),
        ("carol", "https://food.example/bread", "Carol's bread", ["bread"], False),
    ]
    for person, url, title, tags, private in saves:
        with Pkm.open(store.db, user=person) as pkm:
            saved = pkm.save(url, tags=tags, title=title, fetch=False, private=private)
            ids[title] = saved.entry.id
    with Pkm.open(store.db) as pkm:
        pkm.follow("alice")
        pkm.follow("carol/rooms")
    return Shared(store.db, ids)


def drive(db: Path, *pressed: str, size: tuple[int, int] = (240, 30)) -> str:
    """Press keys in a fresh ``pkm read --network``; the screen at the end."""

    async def go() -> str:
        with Pkm.open(db) as pkm:
            app = Reader(pkm, network=True)
            async with app.run_test(size=size) as pilot:
                await pilot.pause()
                for key in pressed:
                    await pilot.press(key)
                    await pilot.pause()
                return screen_text(app)

    return asyncio.run(go())


def test_it_lists_the_public_saves_of_those_followed(shared: Shared) -> None:
    shown = drive(shared.db)
    assert "your network" in shown and "2 unread of 2" in shown
    assert PUBLIC in shown and CAROL in shown
    assert "merger" not in shown and "bread" not in shown
    assert shown.index(CAROL) < shown.index(PUBLIC)  # newest saved first


def test_enter_reads_one_and_esc_goes_back_to_the_feeds(shared: Shared) -> None:
    shown = drive(shared.db, "enter")
    assert "rooms.example/big" in shown  # the article of the newest
    with Pkm.open(shared.db) as pkm:
        assert pkm.entry(shared.ids[CAROL]).read and not pkm.entry(shared.ids[PUBLIC]).read
    feeds = drive(shared.db, "escape", "escape")
    assert "your network" not in feeds and "5 unread of 5" in feeds


def test_a_search_from_the_network_goes_back_to_it(shared: Shared) -> None:
    shown = drive(shared.db, "slash", *type_text("hybrid"), "enter")
    assert "search: hybrid" in shown
    assert "your network" in drive(shared.db, "slash", *type_text("hybrid"), "enter", "escape")


def test_all_lists_those_read_too(shared: Shared) -> None:
    drive(shared.db, "enter")
    with Pkm.open(shared.db) as pkm:
        assert [s.entry.title for s in pkm.triage(network=True).stories] == [PUBLIC]
        everything = pkm.triage(network=True, include_read=True).stories
    assert [s.entry.title for s in everything] == [CAROL, PUBLIC]


def test_no_one_followed_is_an_empty_list(shared: Shared) -> None:
    with Pkm.open(shared.db, user="dave") as pkm:
        assert pkm.triage(network=True).stories == ()


def test_on_a_real_terminal_a_save_from_the_network_is_found_by_pkm_find(
    shared: Shared,
    terminal: Callable[..., Terminal],  # noqa: F811
) -> None:
    term = terminal("--db", str(shared.db), "read", "--network", size=(240, 30))
    term.wait_for("your network")
    term.wait_for("2 unread of 2")
    term.send("j")
    term.send("s")
    term.wait_for(f"Save: {PUBLIC}")
    term.send("fromnet\r")
    term.wait_for("saved: fromnet")
    term.send("q")
    assert term.proc.wait(timeout=20) == 0
    assert "merger" not in term.text()
    found = subprocess.run(
        [sys.executable, "-m", "pkm", "--db", str(shared.db), "find", "#fromnet", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert found.returncode == 0, found.stderr
    assert [hit["id"] for hit in json.loads(found.stdout)] == [shared.ids[PUBLIC]]
