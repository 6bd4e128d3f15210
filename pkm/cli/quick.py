"""`pkm find`, `tags`, `show`, `read` and `network` without Typer: the everyday commands
start in well under 200 ms.

Importing Typer and building the command tree took about 40 ms of every run here, more
than opening the store and searching it (and about 100 ms of CPU when it builds every
command's parameters on a busy machine).  This module reads the usual forms of
``pkm [--db STORE] [--user NAME] find [OPTIONS] [WORDS]`` by itself and prints through the
same code as the Typer command (:mod:`pkm.cli.hits`); ``pkm [GLOBALS] tags [--sort S]
[--json]`` likewise (:mod:`pkm.cli.listing`), ``pkm show ID [OPTIONS]``
(:mod:`pkm.cli.showing`), ``pkm read [--all] [WORDS]`` (:mod:`pkm.cli.reader`) and ``pkm
network [--since S] [--limit N] [--json]`` (:mod:`pkm.cli.networkview`).  Anything else,
including help, completion, an unknown option or a value Typer would reject, returns None
and goes to the Typer app, which stays the one definition of the command line: the
options of find read here are :mod:`pkm.cli.findtable`, generated from the Typer command,
and tests/test_quick.py holds the two to the same options and the same output.  The
global ``--db`` and ``--user`` are read before the command (``PKM_DB`` and ``PKM_USER``
by :meth:`pkm.api.Pkm.open`, as for Typer).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pkm.cli.argv import options_first
from pkm.cli.findtable import OPTIONS
from pkm.cli.render import error_line, index_rebuild_progress
from pkm.errors import PkmError
from pkm.types import DEFAULT_LIMIT, FindOptions

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


# Likewise for `pkm show` and `pkm read`.
SHOW_OPTIONS: Mapping[str, bool] = {
    "--json": False,
    "--width": True,
    "--no-pager": False,
    "--full-text": False,
    "-h": False,
    "--help": False,
}
READ_OPTIONS: Mapping[str, bool] = {
    "--all": False,
    "--network": False,
    "-h": False,
    "--help": False,
}
NETWORK_OPTIONS: Mapping[str, bool] = {
    "--since": True,
    "--limit": True,
    "-n": True,
    "--json": False,
    "-h": False,
    "--help": False,
}


@dataclass(frozen=True)
class Globals:
    """The global options given before the command: the store and the person."""

    db: str | None = None
    user: str | None = None


@dataclass
class ShowArgs:
    where: Globals
    entry_id: int
    width: int | None
    flags: set[str]


@dataclass
class ReadArgs:
    where: Globals
    query: str | None
    include_read: bool
    network: bool


@dataclass
class NetworkArgs:
    where: Globals
    since: str | None
    limit: int
    as_json: bool


@dataclass
class FindArgs:
    """A plain `pkm find` command line, read: each parameter of the Typer command by its
    name there (as given, else its default; a ``texts`` one a tuple)."""

    where: Globals = field(default_factory=Globals)
    words: list[str] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=_defaults)


def parse(argv: Sequence[str], environ: Mapping[str, str] = os.environ) -> FindArgs | None:
    """``argv`` (without the program name) as a plain find, or None for Typer to handle."""
    if "_PKM_COMPLETE" in environ:
        return None
    where, start = _globals(argv)
    if start is None or argv[start : start + 1] != ["find"]:
        return None
    found = FindArgs(where=where)
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


def parse_tags(argv: Sequence[str]) -> tuple[Globals, str, bool] | None:
    """``pkm [GLOBALS] tags [--sort name|count] [--json]``: the global options, the sort
    and whether JSON was asked; None for anything else (a subcommand, help, a bad value)."""
    where, i = _globals(argv)
    if i is None or argv[i : i + 1] != ["tags"]:
        return None
    from pkm.cli.listing import SORTS

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
    return where, sort, as_json


def _simple(
    argv: Sequence[str], command: str, takes_value: Mapping[str, bool]
) -> tuple[Globals, dict[str, str], list[str]] | None:
    """``pkm [GLOBALS] COMMAND`` with the options of ``takes_value`` (each at most once, a
    flag without "=") and words: (the global options, the options by name with their
    values, the words); None for anything else, help and ``--`` included."""
    where, i = _globals(argv)
    if i is None or argv[i : i + 1] != [command]:
        return None
    options: dict[str, str] = {}
    words: list[str] = []
    rest = list(argv[i + 1 :])
    while rest:
        arg = rest.pop(0)
        if not arg.startswith("-"):
            words.append(arg)
            continue
        name, equals, value = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        if name not in takes_value or name in ("-h", "--help", "--") or name in options:
            return None
        if not takes_value[name]:
            if equals:
                return None
        elif not equals:
            if not rest:
                return None
            value = rest.pop(0)
        options[name] = value
    return where, options, words


def _digits(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() else None


def parse_show(argv: Sequence[str]) -> ShowArgs | None:
    """``pkm [--db STORE] show ID [--json] [--width N] [--no-pager] [--full-text]``, or
    None for Typer to handle."""
    found = _simple(argv, "show", SHOW_OPTIONS)
    if found is None:
        return None
    where, options, words = found
    entry_id = _digits(words[0]) if len(words) == 1 else None
    if entry_id is None:
        return None
    width = None
    if "--width" in options:
        from pkm.cli.article import MIN_WIDTH

        width = _digits(options.pop("--width"))
        if width is None or width < MIN_WIDTH:
            return None
    return ShowArgs(where, entry_id, width, set(options))


def parse_read(argv: Sequence[str]) -> ReadArgs | None:
    """``pkm [GLOBALS] read [--all] [--network] [WORDS]``, or None for Typer to handle."""
    found = _simple(argv, "read", READ_OPTIONS)
    if found is None:
        return None
    where, options, words = found
    return ReadArgs(where, " ".join(words) or None, "--all" in options, "--network" in options)


def parse_network(argv: Sequence[str]) -> NetworkArgs | None:
    """``pkm [GLOBALS] network [--since S] [--limit N | -n N] [--json]``, or None for
    Typer to handle."""
    found = _simple(argv, "network", NETWORK_OPTIONS)
    if found is None:
        return None
    where, options, words = found
    if words or ("--limit" in options and "-n" in options):
        return None
    limit = DEFAULT_LIMIT
    given = options.get("--limit", options.get("-n"))
    if given is not None:
        number = _digits(given)
        if number is None or number < 1:
            return None
        limit = number
    return NetworkArgs(where, options.get("--since"), limit, "--json" in options)


# The global options read here, by the field of Globals each sets.
_GLOBALS = {"--db": "db", "--user": "user"}


def _globals(argv: Sequence[str]) -> tuple[Globals, int | None]:
    """The global options given before the command, and where the command starts (None:
    the words before it are not just --db and --user, each with a value)."""
    given: dict[str, str] = {}
    i = 0
    while i < len(argv) and argv[i].startswith("-"):
        name, equals, value = argv[i].partition("=")
        option = _GLOBALS.get(name)
        if option is None:
            return Globals(), None
        if not equals:
            if i + 1 == len(argv) or argv[i + 1].startswith("-"):
                return Globals(), None
            i += 1
            value = argv[i]
        elif not value:
            return Globals(), None
        given[option] = value
        i += 1
    return Globals(**given), i


def run(argv: Sequence[str]) -> int | None:
    """Run ``pkm find``, ``tags``, ``show``, ``read`` or ``network`` from ``argv`` if it is
    a plain one: its exit code, else None."""
    if "_PKM_COMPLETE" in os.environ:
        return None
    tags = parse_tags(argv)
    if tags is not None:
        from pkm.cli.listing import show_tags

        where, sort, as_json = tags
        return _with_store(where, lambda store: show_tags(store, sort=sort, as_json=as_json))
    show = parse_show(argv)
    if show is not None:
        from pkm.cli.showing import show_entry

        return _with_store(
            show.where,
            lambda store: show_entry(
                store,
                show.entry_id,
                as_json="--json" in show.flags,
                width=show.width,
                no_pager="--no-pager" in show.flags,
                full_text="--full-text" in show.flags,
            ),
        )
    read = parse_read(argv)
    if read is not None:
        from pkm.cli.reader import run as run_reader

        return _with_store(
            read.where,
            lambda store: run_reader(
                store, read.query, include_read=read.include_read, network=read.network
            ),
        )
    network = parse_network(argv)
    if network is not None:
        from pkm.cli.networkview import show_network

        return _with_store(
            network.where,
            lambda store: show_network(
                store, since=network.since, limit=network.limit, as_json=network.as_json
            ),
        )
    args = parse(argv)
    if args is None:
        return None
    from pkm.cli import hits

    values = dict(args.values)
    as_json = bool(values.pop("as_json"))
    # The command's other parameters are FindOptions' fields, by the same names.
    options = FindOptions(**values)
    return _with_store(
        args.where,
        lambda store: hits.run_find(store, " ".join(args.words), options, as_json=as_json),
    )


def _with_store(where: Globals, command: Callable[[Pkm], None]) -> int:
    from pkm.api import Pkm

    try:
        with Pkm.open(where.db, user=where.user, progress=index_rebuild_progress()) as store:
            command(store)
    except BrokenPipeError:
        raise  # not an error of pkm's: main() ends quietly
    except (PkmError, OSError) as exc:
        line, code = error_line(exc)
        sys.stderr.write(line)
        return code
    except KeyboardInterrupt:
        return 130  # as Typer ends a command the user interrupted
    return 0
