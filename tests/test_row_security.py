"""On a team store, the PostgreSQL server itself keeps each person's private rows theirs:
Bob, connected as his own role with plain SQL (no pkm code), cannot read Alice's private
saves, notes or tags, nor change any of Alice's rows; pkm used as Bob's role works."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from conftest import RunCli
from postgres import fresh_database

from pkm import Pkm

PASSWORD = "bob-secret"


def _as_role(url: str, role: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=f"{role}:{PASSWORD}@{parts.hostname}:{parts.port}"))


@pytest.fixture
def team() -> Iterator[tuple[str, str, str]]:
    """A store where Alice keeps a private and a public save, and a role for Bob: the
    store's URL (as its owner), Bob's URL and Bob's role name."""
    bob = f"pkm_bob_{os.getpid()}"
    with fresh_database() as url:
        with Pkm.open(url, user="alice") as alice:
            alice.save(
                "https://plans.example/merger",
                fetch=False,
                tags=["secret-deal"],
                note="x9q confidential",
                private=True,
            )
            alice.save("https://blog.example/open", fetch=False, tags=["open"], note="fine")
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f"DROP ROLE IF EXISTS {bob}")
            admin.execute(f"CREATE ROLE {bob} LOGIN PASSWORD '{PASSWORD}' IN ROLE pkm_person")
        try:
            yield url, _as_role(url, bob), bob
        finally:
            with psycopg.connect(url, autocommit=True) as admin:
                database = urlsplit(url).path.lstrip("/")
                admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE usename = %s AND datname = %s",
                    (bob, database),
                )
                admin.execute(f"REASSIGN OWNED BY {bob} TO current_user")
                admin.execute(f"DROP OWNED BY {bob}")
                admin.execute(f"DROP ROLE {bob}")


def test_plain_sql_as_bob_sees_only_public_rows(team: tuple[str, str, str]) -> None:
    _, bob_url, _ = team
    with psycopg.connect(bob_url, autocommit=True) as bob:
        notes = [row[0] for row in bob.execute("SELECT note FROM saves")]
        assert notes == ["fine"]
        tags = [
            row[0]
            for row in bob.execute(
                "SELECT t.name FROM save_tags st JOIN tags t ON t.id = st.tag_id"
            )
        ]
        assert tags == ["open"]
        # Nothing of the private save leaks through its search document either.
        assert bob.execute("SELECT count(*) FROM saves WHERE fts @@ 'x9q'").fetchone() == (0,)
        alice = bob.execute("SELECT id FROM people WHERE name = 'alice'").fetchone()
        assert alice is not None
        changed = bob.execute(
            "UPDATE saves SET note = 'mine now' WHERE person_id = %s", (alice[0],)
        ).rowcount
        assert changed == 0
        assert bob.execute("DELETE FROM saves WHERE person_id = %s", (alice[0],)).rowcount == 0
        assert bob.execute("DELETE FROM save_tags").rowcount == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            bob.execute(
                "INSERT INTO saves (person_id, entry_id, saved_at) VALUES (%s, 1, 0)",
                (alice[0],),
            )
        renamed = bob.execute("UPDATE people SET name = 'mallory' WHERE name = 'alice'")
        assert renamed.rowcount == 0
    with psycopg.connect(team[0], autocommit=True) as owner:
        assert sorted(row[0] for row in owner.execute("SELECT note FROM saves")) == [
            "fine",
            "x9q confidential",
        ]


def test_pkm_as_bobs_role_is_bob(team: tuple[str, str, str], cli: RunCli) -> None:
    _, bob_url, bob = team
    saved = cli("--db", bob_url, "save", "https://bob.example/1", "--no-fetch", "-t", "mine")
    assert saved.exit_code == 0, saved.stderr
    people = json.loads(cli("--db", bob_url, "people", "--json").stdout)
    assert {p["name"]: p["saves"] for p in people} == {"alice": 1, bob: 1}
    everyone = json.loads(cli("--db", bob_url, "tags", "--everyone", "--json").stdout)
    assert [t["name"] for t in everyone] == ["mine", "open"]
    # Acting as Alice through Bob's role: the server refuses to write her rows.
    posing = cli("--db", bob_url, "--user", "alice", "save", "https://x.example/", "--no-fetch")
    assert posing.exit_code == 1 and "row-level security" in posing.stderr


def test_read_state_and_mute_rules_are_each_roles_own(
    team: tuple[str, str, str], cli: RunCli
) -> None:
    owner_url, bob_url, bob = team
    with Pkm.open(owner_url, user="alice") as alice:
        alice.add_feed("http://127.0.0.1:9/alice.xml", fetch=False, folder="Secret plans")
        alice.mute("title:merger")
        alice.set_read([alice.tagged("open")[0].id])
    with psycopg.connect(bob_url, autocommit=True) as plain:
        assert plain.execute("SELECT count(*) FROM entry_states").fetchone() == (0,)
        assert plain.execute("SELECT count(*) FROM mute_rules").fetchone() == (0,)
        # Who follows which feed is no secret; changing someone's subscription is.
        assert plain.execute("UPDATE subscriptions SET folder = 'mine'").rowcount == 0
        assert plain.execute("DELETE FROM subscriptions").rowcount == 0
        assert plain.execute("DELETE FROM mute_rules").rowcount == 0
    for args in (
        ("feeds", "add", "http://127.0.0.1:9/bob.xml", "--no-fetch", "--folder", "Bob's"),
        ("mute", "add", "title:merger"),
    ):
        result = cli("--db", bob_url, *args)
        assert result.exit_code == 0, result.stderr
    feeds = json.loads(cli("--db", bob_url, "feeds", "list", "--json").stdout)
    assert [(f["url"], f["folder"]) for f in feeds] == [("http://127.0.0.1:9/bob.xml", "Bob's")]
    with Pkm.open(owner_url, user="alice") as alice:
        assert [f.folder for f in alice.feeds()] == ["Secret plans"]
        assert [r.text for r in alice.mute_rules()] == ["title:merger"]
    with Pkm.open(owner_url, user=bob) as as_bob:
        assert [r.text for r in as_bob.mute_rules()] == ["title:merger"]
