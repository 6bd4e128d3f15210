"""Everything the CLI prints goes through here: untrusted text is made inert first.

Titles, URLs and snippets come from the network. Control characters (C0, C1, ESC
sequences, bidi overrides) are removed, and text is printed as Rich ``Text``
objects, never parsed as markup, so ``[bold]`` in a title stays literal.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pkm.errors import PkmError
from pkm.text import BIDI_CONTROLS, terminal_text

if TYPE_CHECKING:
    from rich.console import Console

_JSON_UNSAFE = re.compile("[\x7f-\x9f" + BIDI_CONTROLS + "]")


def clean(text: object, *, multiline: bool = False) -> str:
    """Text safe to show on a terminal: no escape sequences, no control characters."""
    if text is None:
        return ""
    return terminal_text(str(text), multiline=multiline)


_stdout: Console | None = None
_stderr: Console | None = None


def out() -> Console:
    global _stdout
    if _stdout is None:
        from rich.console import Console

        _stdout = Console(highlight=False, markup=False, emoji=False)
        if not _stdout.is_terminal and "COLUMNS" not in os.environ:
            # Piped or redirected: lines as long as they need, not folded at 80 columns.
            _stdout.width = 200
    return _stdout


def err() -> Console:
    global _stderr
    if _stderr is None:
        from rich.console import Console

        _stderr = Console(stderr=True, highlight=False, markup=False, emoji=False)
    return _stderr


def styled(*parts: tuple[object, str] | str) -> Any:
    """A Rich Text from (text, style) pairs; every text is cleaned first."""
    from rich.text import Text

    line = Text()
    for part in parts:
        if isinstance(part, str):
            line.append(clean(part))
        else:
            line.append(clean(part[0]), style=part[1])
    return line


def styled_spans(text: str, spans: dict[str, Iterable[tuple[int, int]]]) -> Any:
    """A multi-line Rich Text of ``text``, cleaned, with each style of ``spans`` over its
    (start, end) ranges; the ranges must be of cleaned text, which cleaning leaves as is."""
    from rich.text import Text

    value = Text(clean(text, multiline=True))
    for style, ranges in spans.items():
        for start, end in ranges:
            value.stylize(style, start, end)
    return value


def print_line(*parts: tuple[object, str] | str) -> None:
    out().print(styled(*parts), soft_wrap=True)


def print_json(value: Any) -> None:
    """JSON for scripts: valid UTF-8, readable accents, and nothing a terminal would act on.

    The encoder escapes C0 controls; DEL, C1 controls and bidi overrides are escaped here
    too (they can only occur inside strings, so ``\\uXXXX`` keeps the JSON equal).
    """
    text = json.dumps(value, ensure_ascii=False, indent=2, default=_json_default)
    sys.stdout.write(_JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text))
    sys.stdout.write("\n")


def _json_default(value: object) -> object:
    if isinstance(value, datetime):
        return iso(value)
    raise TypeError(f"cannot encode {type(value).__name__}")


def iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def day(value: datetime | None) -> str:
    return value.astimezone().strftime("%Y-%m-%d") if value else "          "


def error_line(exc: PkmError | sqlite3.Error | OSError, store: Path | None) -> tuple[str, int]:
    """The line pkm prints for an error a command met, and the exit code that goes with it
    (``store``: the store file open, if any)."""
    if isinstance(exc, PkmError):
        message, code = str(exc), exc.exit_code
    elif isinstance(exc, sqlite3.Error):
        from pkm.storage.db import describe_error

        message, code = (describe_error(exc, store) if store else f"store error: {exc}"), 1
    else:
        message = f"{exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else "")
        code = 1
    return f"pkm: error: {clean(message)}\n", code


def warn(message: str) -> None:
    err().print(styled(("warning: ", "yellow"), message))


def note(message: str) -> None:
    err().print(styled((message, "dim")))


def table(headers: Iterable[str], rows: Iterable[Iterable[object]]) -> None:
    from rich import box
    from rich.table import Table

    grid = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for header in headers:
        grid.add_column(header)
    for row in rows:
        grid.add_row(*(styled(str(cell) if cell is not None else "") for cell in row))
    out().print(grid)


@contextmanager
def progress_bar(
    label: str, *, enabled: bool = True
) -> Iterator[Callable[[int, int], None] | None]:
    """A transient progress bar on stderr, only when stderr is a terminal.

    Yields a ``(done, total)`` callback, or None when there is no bar to draw.
    """
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(
        TextColumn(label), BarColumn(), MofNCompleteColumn(), console=err(), transient=True
    ) as bar:
        task = bar.add_task(label, total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield advance


def write_output(text: str, output: Path | None) -> None:
    """``text`` to a file, or to stdout when no file is given."""
    from pkm.errors import UserFileError

    if not text.endswith("\n"):
        text += "\n"
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UserFileError(f"cannot write {output}: {exc.strerror or exc}") from None
    note(f"Wrote {output}")
