"""`pkm find` and `pkm related`: ranked full-text search with filters, and more like one."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand

from pkm.cli import complete, hits, render, shapes
from pkm.cli.argv import options_first
from pkm.cli.options import EntryIdArg, JsonOpt, TagsOpt, open_pkm
from pkm.types import DEFAULT_LIMIT, FindOptions

_QUERY_HELP = (
    'Words (all must match), "phrases", OR, -word or NOT word, prefix*, (groups), #tag, #tag*,'
    " -#tag, feed:NAME, site:HOST, since:7d, is:saved, is:read, is:unread (not yet shown),"
    " is:toread (marked to read later), is:muted, !untagged."
    " In bash, quote a leading #: '#tag' (or use --tag)."
)
LimitOpt = Annotated[int, typer.Option("--limit", min=1, help="At most this many.")]
OffsetOpt = Annotated[int, typer.Option("--offset", min=0, help="Skip this many first.")]


class FindCommand(TyperCommand):
    """Every argument that is not one of the command's own options is a query word
    (:func:`pkm.cli.argv.options_first`): ``pkm find python -django`` excludes a word."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        return super().parse_args(ctx, options_first(args, takes_value(self.get_params(ctx))))


def takes_value(params: list[Any]) -> dict[str, bool]:
    """Each option name of ``params``: whether it takes a value."""
    table: dict[str, bool] = {}
    for param in params:
        if getattr(param, "param_type_name", "") == "option":
            flag = bool(getattr(param, "is_flag", False) or getattr(param, "count", False))
            for name in (*param.opts, *param.secondary_opts):
                table[name] = not flag
    return table


def quick_table(params: list[Any]) -> dict[str, tuple[str, str, int | None, object]]:
    """Each option name of ``params``: its parameter, kind, minimum and default, the row
    :mod:`pkm.cli.findtable` holds for the quick path. A kind is ``flag``, ``text``,
    ``texts`` (given any number of times), ``integer`` or ``help`` (left to Typer)."""
    table: dict[str, tuple[str, str, int | None, object]] = {}
    for param in params:
        if getattr(param, "param_type_name", "") != "option":
            continue
        kind, minimum = _kind(param)
        for name in (*param.opts, *param.secondary_opts):
            table[name] = (param.name, kind, minimum, param.default)
    return table


def _kind(param: Any) -> tuple[str, int | None]:
    type_name = type(param.type).__name__
    if not param.expose_value:
        return "help", None
    if param.is_flag and not param.secondary_opts:
        return "flag", None
    if type_name == "StringParamType":
        return ("texts" if param.multiple else "text"), None
    if type_name == "IntParamType" and not param.multiple:
        return "integer", None
    if type_name == "IntRange" and param.type.max is None and not param.type.min_open:
        return "integer", param.type.min
    raise TypeError(f"the quick path of pkm find cannot read --{param.name} ({param.type})")


def table_source() -> str:
    """pkm/cli/findtable.py as the options of :func:`find` make it."""
    import typer.main

    from pkm.cli.app import app

    group = typer.main.get_command(app)
    command = group.commands["find"]  # type: ignore[attr-defined]
    root = group.make_context("pkm", [], resilient_parsing=True)
    ctx = command.make_context("find", [], parent=root, resilient_parsing=True)
    rows = [
        f"    {_literal(name)}: ({', '.join(_literal(value) for value in row)}),\n"
        for name, row in sorted(quick_table(command.get_params(ctx)).items())
    ]
    return _TABLE_HEAD + "".join(rows) + "}\n"


def _literal(value: object) -> str:
    return f'"{value}"' if isinstance(value, str) else repr(value)


_TABLE_HEAD = '''"""The options of `pkm find` as pkm/cli/find.py declares them, for the quick
path (pkm/cli/quick.py), which reads them without importing Typer.

Generated: run ``python -m pkm.cli.find`` after changing the command's options;
tests/test_quick.py fails while this differs from what the command declares.
"""

# Each option name: (parameter, kind, minimum, default); see pkm.cli.find.quick_table.
OPTIONS: dict[str, tuple[str, str, int | None, object]] = {
'''


def register(app: typer.Typer) -> None:
    app.command("find", cls=FindCommand)(find)
    app.command("related")(related)


def find(
    ctx: typer.Context,
    query: Annotated[list[str] | None, typer.Argument(help=_QUERY_HELP)] = None,
    tags: TagsOpt = None,
    feed: Annotated[
        str | None,
        typer.Option("--feed", help="Feed id or title.", autocompletion=complete.feeds),
    ] = None,
    since: Annotated[str | None, typer.Option("--since", help="7d, yesterday, 2026-01-01.")] = None,
    saved: Annotated[bool, typer.Option("--saved", help="Only saved entries.")] = False,
    unread: Annotated[bool, typer.Option("--unread", help="Only unread (is:unread).")] = False,
    like: Annotated[
        int | None, typer.Option("--like", help="Entries most like this entry id.")
    ] = None,
    by: Annotated[
        str | None, typer.Option("--by", help="Saved by this person (their public saves).")
    ] = None,
    limit: LimitOpt = DEFAULT_LIMIT,
    offset: OffsetOpt = 0,
    as_json: JsonOpt = False,
) -> None:
    """Search everything read and saved, best match first (newest first without words)."""
    options = FindOptions(
        tags=tuple(tags or ()),
        feed=feed,
        since=since,
        saved=saved,
        unread=unread,
        like=like,
        by=by,
        limit=limit,
        offset=offset,
    )
    hits.run_find(open_pkm(ctx), " ".join(query or []), options, as_json=as_json)


def related(
    ctx: typer.Context,
    entry_id: EntryIdArg,
    limit: LimitOpt = DEFAULT_LIMIT,
    offset: OffsetOpt = 0,
    as_json: JsonOpt = False,
) -> None:
    """Entries most like one entry (by its rarest telling words): pull a thread."""
    found = open_pkm(ctx).related(entry_id, limit=limit, offset=offset)
    if as_json:
        render.print_json([shapes.hit_json(hit) for hit in found])
    elif found:
        hits.show_hits(found)
    else:
        hits.note(f"Nothing like entry {entry_id} found.")


if __name__ == "__main__":
    Path(__file__).with_name("findtable.py").write_text(table_source(), encoding="utf-8")
