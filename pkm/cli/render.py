"""Everything the CLI prints goes through here: untrusted text is made inert first.

Titles, URLs and snippets come from the network. Control characters (C0, C1, ESC
sequences, bidi overrides) are removed, and text is printed as Rich ``Text``
objects, never parsed as markup, so ``[bold]`` in a title stays literal.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
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
        # Piped or logged, a message is one line however long: a log reader greps it.
        _stderr.soft_wrap = not _stderr.is_terminal
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


class StyledText:
    """Cleaned text and the (start, end, style) spans of its styles, built without Rich:
    written as it is when the output is plain (a pipe, a file), a Rich Text for a terminal
    or a widget. Importing Rich is a sixth of a short command's start-up."""

    def __init__(self) -> None:
        self._chunks: list[str] = []
        self._length = 0
        self.spans: list[tuple[int, int, str]] = []

    def append(self, text: object, style: str | None = None) -> None:
        """``text`` cleaned of control characters and made one line."""
        self._add(clean(text), {style: [(0, None)]} if style else {})

    def append_block(self, text: str, spans: dict[str, Iterable[tuple[int, int]]]) -> None:
        """Multi-line ``text``, cleaned, with each style of ``spans`` over its (start, end)
        ranges, which must be of cleaned text (cleaning leaves a rendered article as is)."""
        self._add(clean(text, multiline=True), spans)

    def extend(self, other: StyledText) -> None:
        offset = self._length
        self._add(other.plain, {})
        self.spans += [(offset + start, offset + end, style) for start, end, style in other.spans]

    def _add(self, cleaned: str, spans: Mapping[str, Iterable[tuple[int, int | None]]]) -> None:
        for style, ranges in spans.items():
            for start, end in ranges:
                stop = len(cleaned) if end is None else end
                self.spans.append((self._length + start, self._length + stop, style))
        self._chunks.append(cleaned)
        self._length += len(cleaned)

    @property
    def plain(self) -> str:
        return "".join(self._chunks)

    def rich(self) -> Any:
        from rich.text import Span, Text

        return Text(self.plain, spans=[Span(*span) for span in self.spans])


def styled_lines(lines: Iterable[Sequence[tuple[object, str] | str] | StyledText]) -> StyledText:
    """Lines of (text, style) parts, or styled text already made, as one StyledText."""
    joined = StyledText()
    for number, line in enumerate(lines):
        if number:
            joined.append_block("\n", {})
        if isinstance(line, StyledText):
            joined.extend(line)
            continue
        for part in line:
            if isinstance(part, str):
                joined.append(part)
            else:
                joined.append(part[0], part[1])
    return joined


def print_styled(text: StyledText) -> None:
    """One print of a whole view; no Rich at all when the output is plain."""
    if plain(sys.stdout):
        sys.stdout.write(text.plain + "\n")
        return
    out().print(text.rich(), soft_wrap=True)


def print_line(*parts: tuple[object, str] | str) -> None:
    out().print(styled(*parts), soft_wrap=True)


def print_lines(lines: Iterable[Sequence[tuple[object, str] | str]]) -> None:
    """Many lines at once: a listing of thousands costs one print, not thousands (and
    none of Rich's when the output is not styled)."""
    if plain(sys.stdout):
        sys.stdout.writelines(
            "".join(clean(part if isinstance(part, str) else part[0]) for part in line) + "\n"
            for line in lines
        )
        return
    from rich.text import Text

    block = Text("\n").join(styled(*line) for line in lines)
    out().print(block, soft_wrap=True)


def plain(stream: Any) -> bool:
    """Whether Rich would print to ``stream`` without styles (not a terminal, not forced)."""
    if any(os.environ.get(name) for name in ("FORCE_COLOR", "TTY_COMPATIBLE")):
        return False
    try:
        return not stream.isatty()
    except (AttributeError, ValueError):
        return False


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


# The options of the commands, by the name of the API argument they set: an error whose
# advice names an argument names the option instead.
OPTIONS = {"format": "--format", "include_private": "--include-private", "max_size": "--max-size"}


def error_line(exc: PkmError | OSError) -> tuple[str, int]:
    """The line pkm prints for an error a command met, and the exit code that goes with it."""
    if isinstance(exc, PkmError):
        message = exc.naming(OPTIONS.get(exc.option, exc.option))
        code = exc.exit_code
    else:
        message = f"{exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else "")
        code = 1
    return f"pkm: error: {clean(message)}\n", code


def warn(message: str) -> None:
    err().print(styled(("warning: ", "yellow"), message))


def note(message: str) -> None:
    err().print(styled((message, "dim")))


# The wide column is cut with an ellipsis down to this; the others are never cut.
_MIN_COLUMN = 8


def table(
    headers: Iterable[str],
    rows: Iterable[Iterable[object]],
    *,
    droppable: Iterable[str] = (),
    wide: str | None = None,
) -> None:
    """One line per row, laid out for the width: the ``droppable`` columns (first named,
    first dropped) go when the rows would not fit, and the ``wide`` column (a title) is
    cut with an ellipsis before the others."""
    from rich import box
    from rich.table import Table

    names = list(headers)
    cells = [[clean(cell) if cell is not None else "" for cell in row] for row in rows]
    widths = [max([len(name), *(len(row[i]) for row in cells)]) for i, name in enumerate(names)]
    keep = list(range(len(names)))
    room = out().width
    for name in droppable:
        if sum(widths[i] for i in keep) + 3 * (len(keep) - 1) <= room:  # 3: the gap
            break
        keep.remove(names.index(name))
    others = sum(widths[i] for i in keep if names[i] != wide) + 3 * (len(keep) - 1)
    grid = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for i in keep:
        is_wide = names[i] == wide
        grid.add_column(
            names[i],
            no_wrap=True,
            overflow="ellipsis",
            min_width=min(widths[i], _MIN_COLUMN) if is_wide else widths[i],
            max_width=max(_MIN_COLUMN, room - others) if is_wide else None,
        )
    for row in cells:
        grid.add_row(*(styled(row[i]) for i in keep))
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


def progress_on_demand(label: str) -> Callable[[int, int], None] | None:
    """A ``(done, total)`` callback that draws a transient bar on stderr from its first
    call to the call that reaches the total; None when stderr is not a terminal. For work
    that is seldom there, such as rebuilding the search index when a store is opened:
    Rich's progress module is imported only when the first call comes."""
    if not sys.stderr.isatty():
        return None
    bars: list[Any] = []

    def advance(done: int, total: int) -> None:
        if not bars:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            bar = Progress(
                TextColumn(label), BarColumn(), MofNCompleteColumn(), console=err(), transient=True
            )
            bars.extend([bar, bar.add_task(label, total=total)])
            bar.start()
        bar, task = bars
        bar.update(task, completed=done, total=total)
        if done >= total:
            bar.stop()

    return advance


def index_rebuild_progress() -> Callable[[int, int], None] | None:
    """What opening a store reports while it rebuilds the search index once."""
    return progress_on_demand("Rebuilding the search index (once, after an upgrade)")


def write_output(text: str, output: Path | None) -> None:
    """``text`` to a file (whole or not at all), or to stdout when no file (or ``-``) is
    given."""
    from pkm.files import write_file

    if not text.endswith("\n"):
        text += "\n"
    if output is None or str(output) == "-":
        sys.stdout.write(text)
        return
    write_file(output, lambda out: out.write(text))
    note(f"Wrote {output}")
