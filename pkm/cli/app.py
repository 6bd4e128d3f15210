"""The Typer application: global options and the command groups."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from pkm import __version__
from pkm.cli import (
    archive,
    check,
    edit,
    entries,
    export,
    feeds,
    find,
    mute,
    network,
    people,
    read,
    scan,
    tags,
    transfer,
)
from pkm.cli.render import error_line
from pkm.errors import PkmError


class PkmGroup(TyperGroup):
    """Turns every pkm error, in any command, into one line on stderr and its exit code."""

    def invoke(self, ctx: Any) -> Any:  # Typer's vendored click Context is private
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            raise  # not an error of pkm's: main() ends quietly
        except (PkmError, OSError) as exc:
            line, code = error_line(exc)
            sys.stderr.write(line)
            raise typer.Exit(code) from None


app = typer.Typer(
    name="pkm",
    cls=PkmGroup,
    help="Scan your feeds, save what matters with tags, find it again, share it.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"pkm {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            envvar="PKM_DB",
            show_envvar=True,
            help="Store: a file path or sqlite:/// URL (default: your user data dir).",
        ),
    ] = None,
    user: Annotated[
        str | None,
        typer.Option(
            "--user",
            envvar="PKM_USER",
            show_envvar=True,
            help="Act as this person on a shared store (default: your login name).",
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show version.")
    ] = False,
) -> None:
    """pkm: a personal knowledge-flow tool for the terminal."""
    ctx.obj = {"db": db, "user": user}


app.add_typer(feeds.app, name="feeds")
app.add_typer(tags.app, name="tags")
app.add_typer(mute.app, name="mute")
app.add_typer(people.app, name="people")
scan.register(app)
entries.register(app)
archive.register(app)
edit.register(app)
find.register(app)
export.register(app)
transfer.register(app)
read.register(app)
check.register(app)
network.register(app)
