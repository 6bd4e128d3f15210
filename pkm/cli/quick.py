"""`pkm find` without Typer: the everyday search answers in ~70 ms instead of ~100.

Importing Typer and building the command tree took about 40 ms of every run here, more
than opening the store and searching it.  This module reads the usual forms of
``pkm [--db STORE] find [OPTIONS] [WORDS]`` by itself and prints through the same code
as the Typer command (:mod:`pkm.cli.hits`).  Anything else, including help, completion,
an unknown option or a value Typer would reject, returns None and goes to the Typer app,
which stays the one definition of the command line; tests/test_quick.py holds the two
to the same options and the same output.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from pkm.cli import hits
from pkm.cli.render import error_line
from pkm.errors import PkmError

# Every option of `pkm find`, as Typer declares it: whether it takes a value.
FIND_OPTIONS: Mapping[str, bool] = {
    "--tag": True,
    "-t": True,
    "--feed": True,
    "--since": True,
    "--like": True,
    "--limit": True,
    "--offset": True,
    "--saved": False,
    "--unread": False,
    "--json": False,
    "-h": False,
    "--help": False,
}
_INTEGERS = {"--like": None, "--limit": 1, "--offset": 0}  # option: its minimum
_FLAGS = {"--saved", "--unread", "--json"}


@dataclass
class FindArgs:
    """A plain `pkm find` command line, read: options by their names as typed."""

    db: str | None = None
    words: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)
    numbers: dict[str, int] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)


def options_first(args: Sequence[str], takes_value: Mapping[str, bool]) -> list[str]:
    """``args`` as options first, then ``--`` and the query words in their order.

    Every argument that is not one of the command's options is a query word, so
    ``pkm find python -django -#meta`` excludes two things: a word that starts with
    "-" is an option only when it is exactly one (``-t``, ``--tag=x``, …).
    """
    options: list[str] = []
    words: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        name = arg.split("=", 1)[0] if arg.startswith("--") else arg
        if arg == "--":
            words.extend(args[i + 1 :])
            break
        if name in takes_value:
            options.append(arg)
            if takes_value[name] and name == arg and i + 1 < len(args):
                options.append(args[i + 1])
                i += 1
        elif arg.startswith("--") and len(arg) > 2:
            options.append(arg)  # an unknown long option: let the parser say so
        else:
            words.append(arg)
        i += 1
    return [*options, "--", *words] if words else options


def parse(argv: Sequence[str], environ: Mapping[str, str] = os.environ) -> FindArgs | None:
    """``argv`` (without the program name) as a plain find, or None for Typer to handle."""
    if "_PKM_COMPLETE" in environ:
        return None
    found = FindArgs()
    i = 0
    while i < len(argv) and argv[i] != "find":
        if argv[i].startswith("--db=") and len(argv[i]) > 5:
            found.db = argv[i][5:]
        elif argv[i] == "--db" and i + 1 < len(argv):
            i += 1
            found.db = argv[i]
        else:
            return None
        i += 1
    if i == len(argv):
        return None
    ordered = options_first(argv[i + 1 :], FIND_OPTIONS)
    j = 0
    while j < len(ordered):
        arg = ordered[j]
        if arg == "--":
            found.words = list(ordered[j + 1 :])
            break
        name, equals, value = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        if name not in FIND_OPTIONS or name in ("-h", "--help"):
            return None
        if name in _FLAGS:
            if equals:
                return None
            found.flags.add(name)
        else:
            if not equals:
                if j + 1 == len(ordered):
                    return None
                j += 1
                value = ordered[j]
            if not _take_value(found, name, value):
                return None
        j += 1
    return found


def _take_value(found: FindArgs, name: str, value: str) -> bool:
    if name in ("--tag", "-t"):
        found.tags.append(value)
    elif name in _INTEGERS:
        try:
            number = int(value)
        except ValueError:
            return False
        minimum = _INTEGERS[name]
        if minimum is not None and number < minimum:
            return False
        found.numbers[name] = number
    else:
        found.values[name] = value
    return True


def run(argv: Sequence[str]) -> int | None:
    """Run ``pkm find`` from ``argv`` if it is a plain one: its exit code, else None."""
    args = parse(argv)
    if args is None:
        return None
    from pkm.api import Pkm

    store: Pkm | None = None
    try:
        store = Pkm.open(args.db)
        with store:
            hits.run_find(
                store,
                " ".join(args.words),
                tags=args.tags,
                feed=args.values.get("--feed"),
                since=args.values.get("--since"),
                saved="--saved" in args.flags,
                unread="--unread" in args.flags,
                like=args.numbers.get("--like"),
                limit=args.numbers.get("--limit", 20),
                offset=args.numbers.get("--offset", 0),
                as_json="--json" in args.flags,
            )
    except BrokenPipeError:
        raise  # not an error of pkm's: main() ends quietly
    except (PkmError, sqlite3.Error, OSError) as exc:
        line, code = error_line(exc, store)
        sys.stderr.write(line)
        return code
    return 0
