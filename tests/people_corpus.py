"""Other people on a search test's store: random saves of theirs, public and private,
with tags and notes (which a by: search reads the words of), and what a brute-force
ranking needs to know of them; for test_search and test_search_pg alike."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Container, Iterator
from contextlib import contextmanager
from typing import Any

from pkm.storage.people import me, my_name, sign_in
from pkm.tagnames import tag_key

# The random corpus's words and tags (test_search's _random_docs).
VOCAB = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa"]
TAGS = ["red", "green", "blue", "Grün", "teal"]

# Others on the store of the random corpus: their saves, public and private, with tags
# and notes, which a by: search reads the words of (the public ones; all of one's own).
OTHERS = ("alice", "bob")


def add_others(conn: Any, seed: int) -> None:
    """Random saves of OTHERS, written with SQL both engines run (inside a transaction)."""
    rng = random.Random(seed)
    entry_ids = [int(r[0]) for r in conn.execute("SELECT id FROM entries ORDER BY id")]
    for name in OTHERS:
        person = conn.execute(
            "INSERT INTO people (name, created_at) VALUES (?, 0) RETURNING id", [name]
        ).fetchone()[0]
        for entry_id in rng.sample(entry_ids, len(entry_ids) // 3):
            tags = sorted(rng.sample(TAGS, rng.randint(0, 2)), key=tag_key)
            note = " ".join(rng.choices(VOCAB, k=3)) if rng.random() < 0.5 else None
            save = conn.execute(
                "INSERT INTO saves (person_id, entry_id, saved_at, note, private, tags_text)"
                " VALUES (?, ?, 0, ?, ?, ?) RETURNING id",
                [person, entry_id, note, int(rng.random() < 0.4), " ".join(tags) or None],
            ).fetchone()[0]
            for tag in tags:
                conn.execute(
                    "INSERT INTO tags (name, key) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                    [tag, tag_key(tag)],
                )
                conn.execute(
                    "INSERT INTO save_tags (save_id, tag_id) SELECT ?, id FROM tags WHERE key = ?",
                    [save, tag_key(tag)],
                )


@contextmanager
def acting_as(conn: Any, person: str | None) -> Iterator[None]:
    """The connection acts for ``person`` meanwhile (None: as it does)."""
    if person is None:
        yield
        return
    before = my_name(conn)
    sign_in(conn, person)
    try:
        yield
    finally:
        sign_in(conn, before)


def counted_saves(conn: Any, by: tuple[str, ...]) -> dict[int, int]:
    """The saves whose words a search counts beside the pages' (the person's own, and the
    public ones of the people it is by), as save id: entry id."""
    return {
        int(save_id): int(entry_id)
        for save_id, entry_id, person, private, name in conn.execute(
            "SELECT s.id, s.entry_id, s.person_id, s.private, p.name FROM saves s"
            " JOIN people p ON p.id = s.person_id"
        )
        if person == me(conn) or (not private and name in by)
    }


def summed(
    ranks: list[tuple[int, float]], allowed: Container[int], keep: Callable[[int], bool]
) -> dict[int, float]:
    """The ranks of counted saves, summed by entry, for the entries ``keep`` takes."""
    by_entry: dict[int, list[float]] = {}
    for entry_id, rank in ranks:
        by_entry.setdefault(entry_id, []).append(rank)
    return {
        entry_id: math.fsum(found)
        for entry_id, found in by_entry.items()
        if entry_id in allowed and keep(entry_id)
    }
