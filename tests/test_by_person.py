"""``pkm find by:NAME`` / ``--by NAME``: another person's public saves, all of one's own, on
both engines."""

from __future__ import annotations

import json

import pytest
from conftest import RunCli


def _save(cli: RunCli, person: str, url: str, *args: str) -> int:
    result = cli("--user", person, "save", url, "--no-fetch", *args, "--json")
    assert result.exit_code == 0, result.stderr
    return int(json.loads(result.stdout)["id"])


def _found(cli: RunCli, person: str, *args: str) -> list[int]:
    result = cli("--user", person, "find", *args, "--json")
    assert result.exit_code == 0, result.stderr
    return sorted(int(hit["id"]) for hit in json.loads(result.stdout))


@pytest.mark.usefixtures("engine")
def test_by_finds_a_persons_public_saves_only(cli: RunCli) -> None:
    public = _save(cli, "alice", "https://a.example/public", "-t", "conf")
    private = _save(cli, "alice", "https://a.example/secret", "-t", "conf", "--private")
    bobs = _save(cli, "bob", "https://b.example/own", "-t", "misc", "--private")
    _save(cli, "bob", "https://a.example/public", "-t", "other")
    assert _found(cli, "bob", "by:alice") == [public]
    assert _found(cli, "bob", "--by", "alice") == [public]
    assert _found(cli, "carol", "by:alice", "site:a.example") == [public]
    assert _found(cli, "alice", "by:alice") == sorted([public, private])
    assert _found(cli, "bob", "by:bob") == sorted([public, bobs])
    assert _found(cli, "alice", "by:bob") == [public]
    assert _found(cli, "alice", "by:alice", "by:bob") == [public]
    assert _found(cli, "bob", "by:alice", "#other") == [public]
    # The larger filter is a condition, not the driver: it must keep privacy too.
    more = [_save(cli, "alice", f"https://a.example/more{n}") for n in (1, 2)]
    _save(cli, "bob", "https://a.example/secret")
    assert _found(cli, "carol", "by:alice", "by:bob") == [public]
    assert _found(cli, "carol", "by:bob", "by:alice") == [public]
    cli("--user", "alice", "tag", str(public), "--private")
    assert _found(cli, "bob", "by:alice") == more
    assert _found(cli, "bob", "--by", "alice", "is:saved") == []
    assert _found(cli, "carol", "by:alice", "by:bob") == []


@pytest.mark.usefixtures("engine")
def test_by_an_unknown_person_is_one_line(cli: RunCli) -> None:
    _save(cli, "alice", "https://a.example/x")
    for args in (("by:nobody",), ("--by", "nobody"), ("word", "by:nobody")):
        result = cli("--user", "alice", "find", *args)
        assert result.exit_code == 1
        assert result.stderr.strip().count("\n") == 0 and "nobody" in result.stderr
        assert "Traceback" not in result.stderr


def test_by_is_a_query_filter() -> None:
    from pkm.errors import QueryError
    from pkm.query import merge, parse_query

    q = parse_query('python by:alice by:"bob"')
    assert q.by == ("alice", "bob") and "by:alice" in q.filter_words()
    assert merge(q, by=["carol", "alice"]).by == ("alice", "bob", "carol")
    with pytest.raises(QueryError):
        parse_query("(a OR by:alice)")
    with pytest.raises(QueryError):
        parse_query("-by:alice")


@pytest.mark.usefixtures("engine")
def test_by_words_match_their_public_tags_and_notes(cli: RunCli) -> None:
    """A word of a by: search may be in the page, in one's own save, or in a public save
    of the people it is by (all of one's own when it is by oneself), term by term."""
    hers = _save(
        cli, "alice", "https://a.example/k8s", "--title", "Cluster guide", "-t", "orchestration"
    )
    cli("--user", "alice", "edit", str(hers), "--note", "about kubernetes upgrades")
    secret = _save(cli, "alice", "https://a.example/h", "-n", "helm charts", "--private")
    own = _save(cli, "bob", "https://b.example/k", "-n", "kubernetes at home")
    also = _save(cli, "bob", "https://a.example/k8s")  # the same entry, without words
    assert also == hers
    for person in ("bob", "carol", "alice"):
        assert _found(cli, person, "by:alice", "kubernetes") == [hers]
        assert _found(cli, person, "--by", "alice", "orchestration") == [hers]  # her tag
        # One word in her note, one in the page's title: each may be in either.
        assert _found(cli, person, "by:alice", "kubernetes", "guide") == [hers]
        assert _found(cli, person, "by:alice", '"kubernetes upgrades"') == [hers]
        assert _found(cli, person, "by:alice", "kubernetes", "nowhere") == []
        assert _found(cli, person, "by:alice", "(kubernetes OR nowhere)") == [hers]
    # Without by:, another's words are theirs alone; with it, one's own still count.
    assert _found(cli, "bob", "kubernetes") == [own]
    assert _found(cli, "carol", "kubernetes") == []
    assert _found(cli, "bob", "by:bob", "kubernetes") == [own]
    assert _found(cli, "bob", "by:alice", "by:bob", "kubernetes") == [hers]
    # Her private note counts for her only.
    assert _found(cli, "bob", "by:alice", "helm") == []
    assert _found(cli, "carol", "by:alice", "helm") == []
    assert _found(cli, "alice", "by:alice", "helm") == [secret]
    assert _found(cli, "alice", "helm") == [secret]
    # An excluded word in her public save leaves the entry out, as one in the page does.
    assert _found(cli, "bob", "by:alice", "guide", "-kubernetes") == []
    assert _found(cli, "bob", "by:alice", "-kubernetes") == []
    assert _found(cli, "alice", "by:alice", "-kubernetes") == [secret]
    assert _found(cli, "bob", "by:alice", "-nowhere") == [hers]
    # Made private, her words stop counting for the others.
    cli("--user", "alice", "tag", str(hers), "--private")
    assert _found(cli, "bob", "by:alice", "kubernetes") == []
    assert _found(cli, "alice", "by:alice", "kubernetes") == [hers]


def _snippets(cli: RunCli, person: str, *args: str) -> dict[int, object]:
    result = cli("--user", person, "find", *args, "--json")
    assert result.exit_code == 0, result.stderr
    return {int(hit["id"]): hit["snippet"] for hit in json.loads(result.stdout)}


@pytest.mark.usefixtures("engine")
def test_a_by_search_shows_their_notes_words(cli: RunCli) -> None:
    """A hit whose words are in the note of the person searched by shows that note's
    words, unless one's own note holds them; another's private note never shows."""
    hers = _save(cli, "alice", "https://a.example/k", "-n", "about kubernetes upgrades")
    both = _save(cli, "alice", "https://a.example/b", "-n", "alices kubernetes words")
    _save(cli, "bob", "https://a.example/b", "-n", "bobs kubernetes words")
    secret = _save(cli, "alice", "https://a.example/s", "-n", "helm secret", "--private")
    _save(cli, "carol", "https://a.example/s", "-n", "carol on helm")
    shown = _snippets(cli, "bob", "by:alice", "kubernetes")
    # (PostgreSQL's headline may leave out a short word at either end.)
    assert "kubernetes upgrades" in str(shown[hers])
    assert "bobs kubernetes" in str(shown[both])
    mine = _snippets(cli, "bob", "kubernetes")
    assert list(mine) == [both] and "bobs kubernetes" in str(mine[both])
    carols = _snippets(cli, "bob", "by:carol", "helm")
    assert list(carols) == [secret] and "carol" in str(carols[secret])
    assert "secret" not in json.dumps(_snippets(cli, "bob", "by:carol", "carol"))
