"""`pkm find` and `pkm tags` without Typer: the everyday search answers in ~70 ms
instead of ~100.

Importing Typer and building the command tree took about 40 ms of every run here, more
than opening the store and searching it.  This module reads the usual forms of
``pkm [--db STORE] find [OPTIONS] [WORDS]`` by itself and prints through the same code
as the Typer command (:mod:`pkm.cli.hits`); ``pkm [--db STORE] tags [--sort S] [--json]``
likewise (:mod:`pkm.cli.listing`).  Anything else, including help, completion,
an unknown option or a value Typer would reject, returns None and goes to the Typer app,
which stays the one definition of the command line: the options read here are
:mod:`pkm.cli.findtable`, generated from the Typer command, and tests/test_quick.py holds
the two to the same options and the same output.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pkm.cli import hits
from pkm.cli.argv import options_first
from pkm.cli.findtable import OPTIONS
from pkm.cli.listing import SORTS, show_tags
from pkm.cli.render import error_line, index_rebuild_progress
from pkm.errors import PkmError
from pkm.types import FindOptions

if TYPE_CHECKING:
    from pkm.api import Pkm

# Every option of `pkm find`: whether it takes a value.
FIND_OPTIONS: Mapping[str, bool] = {
    name: kind not in ("flag", "help") for name, (_, kind, _, _) in OPTIONS.items()
}


def _defaults() -> dict[str, Any]:
    return {
        param: () if kind == "texts" else default
        for param, kind, _, default in OPTIONS.values()
        if kind != "help"
    }


@dataclass
class FindArgs:
    """A plain `pkm find` command line, read: each parameter of the Typer command by its
    name there (as given, else its default; a ``texts`` one a tuple)."""

    db: str | None = None
    words: list[str] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=_defaults)


def parse(argv: Sequence[str], environ: Mapping[str, str] = os.environ) -> FindArgs | None:
    """``argv`` (without the program name) as a plain find, or None for Typer to handle."""
    if "_PKM_COMPLETE" in environ:
        return None
    db, start = _global_db(argv)
    if start is None or argv[start : start + 1] != ["find"]:
        return None
    found = FindArgs(db=db)
    ordered = options_first(argv[start + 1 :], FIND_OPTIONS)
    j = 0
    while j < len(ordered):
        arg = ordered[j]
        if arg == "--":
            found.words = list(ordered[j + 1 :])
            break
        name, equals, value = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        row = OPTIONS.get(name)
        if row is None or row[1] == "help":
            return None
        param, kind, minimum, _ = row
        if kind == "flag":
            if equals:
                return None
            found.values[param] = True
        else:
            if not equals:
                if j + 1 == len(ordered):
                    return None
                j += 1
                value = ordered[j]
            if not _take_value(found.values, param, kind, minimum, value):
                return None
        j += 1
    return found


def _take_value(
    values: dict[str, Any], param: str, kind: str, minimum: int | None, value: str
) -> bool:
    if kind == "integer":
        try:
            number = int(value)
        except ValueError:
            return False
        if minimum is not None and number < minimum:
            return False
        values[param] = number
    elif kind == "texts":
        values[param] = (*values[param], value)
    else:
        values[param] = value
    return True


def parse_tags(argv: Sequence[str]) -> tuple[str | None, str, bool] | None:
    """``pkm [--db STORE] tags [--sort name|count] [--json]``: the store, the sort and
    whether JSON was asked; None for anything else (a subcommand, help, a bad value)."""
    db, i = _global_db(argv)
    if i is None or argv[i : i + 1] != ["tags"]:
        return None
    sort, as_json = "name", False
    rest = list(argv[i + 1 :])
    while rest:
        arg = rest.pop(0)
        if arg == "--json":
            as_json = True
        elif arg == "--sort" and rest:
            sort = rest.pop(0)
        elif arg.startswith("--sort="):
            sort = arg[len("--sort=") :]
        else:
            return None
        if sort not in SORTS:
            return None
    return db, sort, as_json


def _global_db(argv: Sequence[str]) -> tuple[str | None, int | None]:
    """The --db given before the command, and where the command starts (None: the
    words before it are not just --db)."""
    db = None
    i = 0
    while i < len(argv) and argv[i].startswith("-"):
        if argv[i].startswith("--db=") and len(argv[i]) > 5:
            db = argv[i][5:]
        elif argv[i] == "--db" and i + 1 < len(argv):
            i += 1
            db = argv[i]
        else:
            return None, None
        i += 1
    return db, i


def run(argv: Sequence[str]) -> int | None:
    """Run ``pkm find`` or ``pkm tags`` from ``argv`` if it is a plain one: its exit code,
    else None."""
    if "_PKM_COMPLETE" in os.environ:
        return None
    tags = parse_tags(argv)
    if tags is not None:
        db, sort, as_json = tags
        return _with_store(db, lambda store: show_tags(store, sort=sort, as_json=as_json))
    args = parse(argv)
    if args is None:
        return None
    values = dict(args.values)
    as_json = bool(values.pop("as_json"))
    # The command's other parameters are FindOptions' fields, by the same names.
    options = FindOptions(**values)
    return _with_store(
        args.db, lambda store: hits.run_find(store, " ".join(args.words), options, as_json=as_json)
    )


def _with_store(db: str | None, command: Callable[[Pkm], None]) -> int:
    from pkm.api import Pkm

    try:
        with Pkm.open(db, progress=index_rebuild_progress()) as store:
            command(store)
    except BrokenPipeError:
        raise  # not an error of pkm's: main() ends quietly
    except (PkmError, OSError) as exc:
        line, code = error_line(exc)
        sys.stderr.write(line)
        return code
    return 0
