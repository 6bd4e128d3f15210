"""The house's rules, checked: the CLI talks to pkm through its public modules only."""

from __future__ import annotations

import ast
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
