"""Every command has help, and the README documents it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer

from pkm.cli.app import app

README = (Path(__file__).parent.parent / "README.md").read_text()


def _commands(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    for name, sub in getattr(command, "commands", {}).items():
        yield (*path, name), sub
        yield from _commands(sub, (*path, name))


def test_every_command_has_help_and_is_in_the_readme() -> None:
    root = typer.main.get_command(app)
    commands = list(_commands(root))
    assert len(commands) >= 20
    for path, command in commands:
        assert (command.help or "").strip(), f"pkm {' '.join(path)} has no help"
        words = " ".join(path)
        # Rows name a command in full ("pkm tags") or, after a slash, by its group ("`tags rename").
        documented = f"pkm {words}" in README or f"`{words}" in README
        assert documented, f"pkm {words} is not in the README"
