"""The command line before anything parses it: global options may follow the command.

``pkm open 1 --db work.db`` means what ``pkm --db work.db open 1`` means, as users of
git and other tools expect; Typer reads a group's options only before the command, so
they are moved there. After ``--`` every word is the command's.
"""

from __future__ import annotations

from collections.abc import Sequence

# Global options and whether each takes a value.
GLOBAL_OPTIONS = {"--db": True, "--version": False}


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
