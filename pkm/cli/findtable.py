"""The options of `pkm find` as pkm/cli/find.py declares them, for the quick
path (pkm/cli/quick.py), which reads them without importing Typer.

Generated: run ``python -m pkm.cli.find`` after changing the command's options;
tests/test_quick.py fails while this differs from what the command declares.
"""

# Each option name: (parameter, kind, minimum, default); see pkm.cli.find.quick_table.
OPTIONS: dict[str, tuple[str, str, int | None, object]] = {
    "--tag": ("tags", "texts", None, None),
    "-t": ("tags", "texts", None, None),
    "--feed": ("feed", "text", None, None),
    "--since": ("since", "text", None, None),
    "--saved": ("saved", "flag", None, False),
    "--unread": ("unread", "flag", None, False),
    "--like": ("like", "integer", None, None),
    "--limit": ("limit", "integer", 1, 20),
    "--offset": ("offset", "integer", 0, 0),
    "--json": ("as_json", "flag", None, False),
    "--help": ("help", "help", None, None),
    "-h": ("help", "help", None, None),
}
