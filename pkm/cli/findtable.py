"""The options of `pkm find` as pkm/cli/find.py declares them, for the quick
path (pkm/cli/quick.py), which reads them without importing Typer.

Generated: run ``python -m pkm.cli.find`` after changing the command's options;
tests/test_quick.py fails while this differs from what the command declares.
"""

# Each option name: (parameter, kind, minimum, default); see pkm.cli.find.quick_table.
OPTIONS: dict[str, tuple[str, str, int | None, object]] = {
    "--by": ("by", "text", None, None),
    "--feed": ("feed", "text", None, None),
    "--help": ("help", "help", None, None),
    "--json": ("as_json", "flag", None, False),
    "--like": ("like", "integer", None, None),
    "--limit": ("limit", "integer", 1, 20),
    "--offset": ("offset", "integer", 0, 0),
    "--saved": ("saved", "flag", None, False),
    "--since": ("since", "text", None, None),
    "--tag": ("tags", "texts", None, None),
    "--unread": ("unread", "flag", None, False),
    "-h": ("help", "help", None, None),
    "-t": ("tags", "texts", None, None),
}
