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
