"""The ``pkm`` command: a thin Typer shell over :class:`pkm.Pkm`."""

from __future__ import annotations


def main() -> None:
    from pkm.cli.app import app

    app()
