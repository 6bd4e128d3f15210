"""The ``pkm`` command: a thin Typer shell over :class:`pkm.Pkm`."""

from __future__ import annotations

import os
import sys


def main() -> None:
    try:
        try:
            _run()
        finally:
            sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (``pkm find x | head -1``): stop quietly with 1, as Typer's
        # click does for the other commands.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise SystemExit(1) from None


def _run() -> None:
    from pkm.cli.argv import global_options_first
    from pkm.cli.quick import run

    argv = global_options_first(sys.argv[1:])
    code = run(argv)
    if code is not None:
        raise SystemExit(code)
    from pkm.cli.app import app

    app(args=argv)
