"""The command line before anything parses it: global options may follow the command,
and a search's words may be mixed with its options.

``pkm open 1 --db work.db --user bob`` means what ``pkm --db work.db --user bob open 1``
means, as users of
git and other tools expect; Typer reads a group's options only before the command, so
they are moved there. After ``--`` every word is the command's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

# Global options and whether each takes a value.
GLOBAL_OPTIONS = {"--db": True, "--user": True, "--version": False}


def global_options_first(argv: Sequence[str]) -> list[str]:
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(argv):
        word = argv[i]
        if word == "--":
            rest.extend(argv[i:])
            break
        name = word.split("=", 1)[0]
        takes_value = GLOBAL_OPTIONS.get(name)
        if takes_value is None:
            rest.append(word)
        elif takes_value and "=" not in word:
            if i + 1 == len(argv):  # a dangling --db: Typer says what is missing
                rest.append(word)
            else:
                front.extend(argv[i : i + 2])
                i += 1
        else:
            front.append(word)
        i += 1
    return [*front, *rest]


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
