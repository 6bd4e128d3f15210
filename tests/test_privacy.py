"""A private save stays private: no reading list meant for others holds it, unless asked.

Netscape bookmark files and pkm backups carry the flag with each bookmark, exactly.
"""

from __future__ import annotations

import json
from pathlib import Path

from conftest import RunCli
from hypothesis import given, settings
from hypothesis import strategies as st

from pkm.api import Pkm
from pkm.formats import EXPORTERS, KEEP_PRIVATE_FLAG
from pkm.formats.netscape import parse_netscape

NETSCAPE = """<!DOCTYPE NETSCAPE-Bookmark-file-1>
<DL><p>
<DT><A HREF="https://public.example/agenda" ADD_DATE="1700000000" TAGS="conference2.0"
 PRIVATE="0">Open agenda for the conference day</A>
<DD>Share this one with the team.
<DT><A HREF="https://secret.example/salary-review" ADD_DATE="1700000100"
 TAGS="conference2.0" PRIVATE="1">Salary review before the conference</A>
<DD>Confidential: negotiation notes.
</DL><p>
"""

PINBOARD = [
    {
        "href": "https://public.example/keynote",
        "description": "Keynote slides",
        "extended": "Worth a read.",
        "time": "2024-05-01T09:30:00Z",
        "shared": "yes",
        "toread": "no",
        "tags": "conference2.0",
    },
    {
        "href": "https://secret.example/health-letter",
        "description": "Letter from the clinic",
        "extended": "Nobody else needs this.",
        "time": "2024-05-02T09:30:00Z",
        "shared": "no",
        "toread": "no",
        "tags": "conference2.0",
    },
]

SECRETS = (
    "secret.example",
    "Salary review",
    "negotiation notes",
    "Letter from the clinic",
    "Nobody else needs this",
)
SHARED_FORMATS = sorted(set(EXPORTERS) - KEEP_PRIVATE_FLAG)


def _imported(cli: RunCli, tmp_path: Path) -> None:
    netscape = tmp_path / "bookmarks.html"
    netscape.write_text(NETSCAPE)
    pinboard = tmp_path / "pinboard.json"
    pinboard.write_text(json.dumps(PINBOARD))
    for path in (netscape, pinboard):
        result = cli("import", str(path))
        assert result.exit_code == 0, result.stderr


def _id_of(cli: RunCli, url: str) -> int:
    hits = json.loads(cli("find", "--tag", "conference2.0", "--json").stdout)
    (found,) = [hit["id"] for hit in hits if hit["url"] == url]
    return int(found)


def test_exports_for_others_leave_private_saves_out(cli: RunCli, tmp_path: Path) -> None:
    _imported(cli, tmp_path)
    for name in SHARED_FORMATS:
        out = tmp_path / f"list.{name}"
        result = cli("export", "conference2.0", "--format", name, "-o", str(out))
        assert result.exit_code == 0, result.stderr
        text = out.read_text()
        for secret in SECRETS:
            assert secret not in text, (name, secret)
        assert "Open agenda for the conference day" in text and "Keynote slides" in text
        assert "Left out 2 private entries" in result.stderr
        by_query = cli("export", "--query", "conference", "--format", name)
        assert by_query.exit_code == 0, by_query.stderr
        assert "secret.example" not in by_query.stdout
        assert "public.example/agenda" in by_query.stdout


def test_include_private_puts_them_in(cli: RunCli, tmp_path: Path) -> None:
    _imported(cli, tmp_path)
    for name in SHARED_FORMATS:
        result = cli("export", "conference2.0", "--format", name, "--include-private")
        assert result.exit_code == 0, result.stderr
        assert "secret.example/salary-review" in result.stdout
        assert "Left out" not in result.stderr


def test_a_tag_holding_only_private_saves_exports_nothing(cli: RunCli, tmp_path: Path) -> None:
    _imported(cli, tmp_path)
    secret = _id_of(cli, "https://secret.example/salary-review")
    assert cli("tag", str(secret), "hr").exit_code == 0
    out = tmp_path / "hr.md"
    result = cli("export", "hr", "-o", str(out))
    assert result.exit_code == 1
    assert "all 1 entries are private; --include-private exports them" in result.stderr
    assert not out.exists()


def test_netscape_export_keeps_each_flag_exactly(cli: RunCli, tmp_path: Path) -> None:
    _imported(cli, tmp_path)
    result = cli("export", "conference2.0", "--format", "netscape")
    assert result.exit_code == 0, result.stderr
    flags = {b.url: b.private for b in parse_netscape(result.stdout.encode()).bookmarks}
    assert flags == {
        "https://public.example/agenda": False,
        "https://secret.example/salary-review": True,
        "https://public.example/keynote": False,
        "https://secret.example/health-letter": True,
    }


def test_backup_and_restore_keep_the_flag(cli: RunCli, tmp_path: Path) -> None:
    _imported(cli, tmp_path)
    backup = tmp_path / "backup.json"
    assert cli("backup", str(backup)).exit_code == 0
    other = tmp_path / "restored.db"
    assert cli("--db", str(other), "restore", str(backup)).exit_code == 0
    with Pkm.open(other) as pkm:
        flags = {e.url: e.private for e in pkm.tagged("conference2.0")}
    assert flags["https://secret.example/health-letter"] is True
    assert flags["https://public.example/keynote"] is False


def test_tag_private_and_public_and_show_says_so(cli: RunCli, tmp_path: Path) -> None:
    _imported(cli, tmp_path)
    public = _id_of(cli, "https://public.example/agenda")
    made = cli("tag", str(public), "--private")
    assert made.exit_code == 0, made.stderr
    assert "private" in made.stdout
    shown = cli("show", str(public))
    assert "private" in shown.stdout and "left out of exports" in shown.stdout
    assert json.loads(cli("show", str(public), "--json").stdout)["private"] is True
    assert "public.example/agenda" not in cli("export", "conference2.0").stdout
    assert cli("tag", str(public), "--public").exit_code == 0
    assert json.loads(cli("show", str(public), "--json").stdout)["private"] is False
    assert "public.example/agenda" in cli("export", "conference2.0").stdout
    # Tagging again without a flag keeps it as it is.
    assert cli("tag", str(public), "--private").exit_code == 0
    assert cli("tag", str(public), "more", "-n", "another note").exit_code == 0
    assert json.loads(cli("show", str(public), "--json").stdout)["private"] is True


def test_save_private(cli: RunCli) -> None:
    saved = cli(
        "save", "https://secret.example/diary", "--no-fetch", "-t", "me", "--private", "--json"
    )
    assert saved.exit_code == 0, saved.stderr
    assert json.loads(saved.stdout)["private"] is True
    # Saving it again, as public, shares it.
    again = cli("save", "https://secret.example/diary", "--no-fetch", "--public", "--json")
    assert json.loads(again.stdout)["private"] is False


# No "h": no random word spells "hidden".
_words = st.text(alphabet="abcdefgijklmnopqrstuvwxyz", min_size=4, max_size=10)


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(_words, _words, st.booleans()), min_size=1, max_size=8, unique_by=lambda t: t[0]
    )
)
def test_no_export_for_others_ever_holds_a_private_entry(
    saves: list[tuple[str, str, bool]],
) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder, Pkm.open(Path(folder) / "pkm.db") as pkm:
        for slug, word, private in saves:
            kind = "hidden" if private else "open"
            pkm.save(
                f"https://{kind}.example/{slug}",
                tags=["list"],
                title=f"{kind}title {word}",
                note=f"{kind}note {word}",
                fetch=False,
                private=private,
            )
        if all(private for _, _, private in saves):
            return
        for name in SHARED_FORMATS:
            text = pkm.export("list", format=name).text
            assert "hidden" not in text, name
            assert text.count("open.example/") >= sum(not p for _, _, p in saves), name
