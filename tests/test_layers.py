"""The house's rules, checked: the CLI talks to pkm through its public modules only, and
only pkm.storage speaks SQL."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

PKM = Path(__file__).resolve().parent.parent / "pkm"
# What a program using pkm may import: the facade, its types and errors, and the small
# helpers that are part of the API (reading files with a cap, tag names, store location,
# making untrusted text safe to show).
PUBLIC = {
    "pkm",
    "pkm.api",
    "pkm.errors",
    "pkm.types",
    "pkm.files",
    "pkm.tagnames",
    "pkm.config",
    "pkm.text",
}


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name == "pkm" or name.startswith("pkm.")}


def test_the_cli_uses_only_the_public_api() -> None:
    wrong = {
        f"{path.relative_to(PKM.parent)}: {name}"
        for path in (PKM / "cli").rglob("*.py")
        for name in _imports(path)
        if name not in PUBLIC and not name.startswith("pkm.cli")
    }
    assert not wrong, sorted(wrong)


def test_the_library_never_imports_the_cli() -> None:
    wrong = {
        f"{path.relative_to(PKM.parent)}: {name}"
        for path in PKM.rglob("*.py")
        # __main__ is the program (python -m pkm), not the library.
        if "cli" not in path.relative_to(PKM).parts and path.name != "__main__.py"
        for name in _imports(path)
        if name.startswith("pkm.cli")
    }
    assert not wrong, sorted(wrong)


# Statements as SQL writes them (keywords in capitals, as pkm's SQL is written): prose
# such as "select a feed" or "update the store" does not match.
SQL = re.compile(
    r"\bSELECT\b.*\bFROM\b|\bINSERT\s+(OR\s+[A-Z]+\s+)?INTO\b|\bUPDATE\s+\w+\s+SET\b"
    r"|\bDELETE\s+FROM\b|\b(CREATE|DROP)\s+(UNIQUE\s+|VIRTUAL\s+)?(TABLE|INDEX|VIEW|TRIGGER)\b"
    r"|\bALTER\s+TABLE\b|\bPRAGMA\s+\w+|^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT)\b",
    re.DOTALL,
)


def _strings(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """The string literals of a module (an f-string with its values as ``?``), without
    docstrings: prose about SQL is not SQL."""
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            parts = [v.value if isinstance(v, ast.Constant) else "?" for v in node.values]
            yield node.lineno, "".join(str(part) for part in parts)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) not in docstrings:
                yield node.lineno, node.value


def sql_outside_storage(root: Path) -> list[str]:
    """``file:line: text`` for each SQL statement in a module of ``root`` (a package)
    outside its ``storage`` folder."""
    found = []
    for path in sorted(root.rglob("*.py")):
        if "storage" in path.relative_to(root).parts:
            continue
        for line, text in _strings(ast.parse(path.read_text(), str(path))):
            if SQL.search(text):
                found.append(f"{path.relative_to(root.parent)}:{line}: {text[:60]!r}")
    return found


def test_only_storage_speaks_sql() -> None:
    assert not sql_outside_storage(PKM)


def test_the_sql_check_finds_sql(tmp_path: Path) -> None:
    package = tmp_path / "pkm"
    (package / "storage").mkdir(parents=True)
    (package / "storage" / "rows.py").write_text('Q = "SELECT id FROM entries"\n')
    (package / "search.py").write_text(
        '"""Docs may say SELECT id FROM entries."""\n'
        "def f(conn, t):\n"
        '    """Select a feed, update the store, delete from it."""\n'
        '    conn.execute(f"SELECT {t}.rowid FROM {t} WHERE x = ?")\n'
        '    conn.execute("PRAGMA wal_checkpoint(PASSIVE)")\n'
        '    conn.execute("update entries set muted = 1")  # lower case: not found\n'
        '    conn.execute("INSERT OR IGNORE INTO tags (name) VALUES (?)")\n'
        '    return "UPDATE entries SET note = ?", "BEGIN IMMEDIATE", "DELETE FROM tags"\n'
    )
    found = sql_outside_storage(package)
    assert sorted(int(item.split(":")[1]) for item in found) == [4, 5, 7, 8, 8, 8], found


def test_only_storage_imports_the_driver() -> None:
    wrong = sorted(
        str(path.relative_to(PKM.parent))
        for path in PKM.rglob("*.py")
        if "storage" not in path.relative_to(PKM).parts
        and any(
            (isinstance(node, ast.Import) and any(a.name == "sqlite3" for a in node.names))
            or (isinstance(node, ast.ImportFrom) and node.module == "sqlite3")
            for node in ast.walk(ast.parse(path.read_text(), str(path)))
        )
    )
    assert not wrong, wrong
