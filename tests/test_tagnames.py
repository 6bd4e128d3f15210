"""One rule for tags wherever they enter, and every stored tag can be searched."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from conftest import RunCli
from hypothesis import given, settings
from hypothesis import strategies as st

from pkm.api import Pkm
from pkm.errors import InvalidTagError
from pkm.tagnames import clean_tag, salvage_tag


@pytest.mark.parametrize(
    ("tag", "why"),
    [("*", "asterisks"), ('"q"', "quotes"), ("(todo)", "parentheses"), ("a,b", "commas")],
)
def test_tags_a_search_cannot_find_are_refused(cli: RunCli, tag: str, why: str) -> None:
    assert cli("save", "https://a.example/", "--no-fetch", "-t", "kept").exit_code == 0
    result = cli("tag", "1", tag)
    assert result.exit_code == 1 and f"tags cannot contain {why}" in result.stderr
    assert json.loads(cli("show", "1", "--json").stdout)["tags"] == ["kept"]
    renamed = cli("tags", "rename", "kept", tag)
    assert renamed.exit_code == 1 and why in renamed.stderr
    query = cli("find", f"#{tag}")
    assert query.exit_code == 2 or query.stdout.strip().startswith("Nothing")


@pytest.mark.usefixtures("engine")
def test_a_changed_tag_is_said(cli: RunCli) -> None:
    saved = cli("save", "https://a.example/", "--no-fetch", "-t", "two words", "-t", "#hash")
    assert saved.exit_code == 0
    assert "tag 'two words' is stored as 'two-words'" in saved.stderr
    assert "tag '#hash' is stored as 'hash'" in saved.stderr
    renamed = cli("tags", "rename", "two-words", "three more words")
    assert "Renamed two-words to three-more-words" in renamed.stdout
    assert "stored as 'three-more-words'" in renamed.stderr
    tagged = cli("tag", "1", "plain")
    assert tagged.exit_code == 0 and "stored as" not in tagged.stderr


@pytest.mark.usefixtures("engine")
def test_an_imported_bookmark_keeps_a_tag_with_punctuation(cli: RunCli, tmp_path: Path) -> None:
    export = tmp_path / "bookmarks.html"
    export.write_text(
        '<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<DL><p>\n<DT><A HREF="https://a.example/x"'
        ' TAGS="(todo),*,&quot;quoted&quot;">X</A>\n</DL><p>\n'
    )
    result = cli("import", str(export))
    assert result.exit_code == 0 and "Imported 1, merged 0, skipped 0" in result.stdout
    assert sorted(json.loads(cli("show", "1", "--json").stdout)["tags"]) == ["quoted", "todo"]
    assert salvage_tag("*") is None and salvage_tag("\x1b") is None


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=20))
def test_every_tag_pkm_stores_is_found_by_its_search(raw: str) -> None:
    try:
        name = clean_tag(raw)
    except InvalidTagError:
        return
    with tempfile.TemporaryDirectory() as folder, Pkm.open(Path(folder) / "pkm.db") as pkm:
        pkm.save("https://a.example/", tags=[raw], fetch=False)
        hits = pkm.find(f"#{name}")
        assert [hit.entry.id for hit in hits] == [1], name
        assert [hit.entry.id for hit in pkm.find(tags=[name])] == [1]
