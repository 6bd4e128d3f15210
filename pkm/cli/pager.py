"""Output taller than the screen through a pager, the way git does it.

The pager is ``$PKM_PAGER``, else ``$PAGER``, else ``less -R``, with ``LESS=FRX`` when
``LESS`` is unset (quit if it fits, keep colours, leave the text on the screen). An empty
value or ``cat`` means no pager; a pager that cannot be started means printing directly,
without an error: reading the article matters more than the pager.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys

DEFAULT_PAGER = "less -R"


def pager_command() -> list[str] | None:
    """The pager to run as an argument list, or None for none."""
    for name in ("PKM_PAGER", "PAGER"):
        value = os.environ.get(name)
        if value is not None:
            break
    else:
        value = DEFAULT_PAGER
    try:
        argv = shlex.split(value)
    except ValueError:  # unbalanced quotes: not a command anyone can mean
        return None
    if not argv or argv == ["cat"]:
        return None
    return argv


def page(text: str, screen_lines: int) -> None:
    """``text`` (already styled for this terminal) through the pager when it has more lines
    than ``screen_lines``, else straight to stdout."""
    argv = pager_command() if text.count("\n") >= screen_lines else None
    if argv is None or not _through(argv, text):
        sys.stdout.write(text)
        sys.stdout.flush()


def _through(argv: list[str], text: str) -> bool:
    """False when the pager could not be started (nothing was shown)."""
    env = dict(os.environ)
    env.setdefault("LESS", "FRX")
    sys.stdout.flush()
    try:
        process = subprocess.Popen(argv, stdin=subprocess.PIPE, env=env)
    except OSError:
        return False
    assert process.stdin is not None
    try:
        process.stdin.write(text.encode("utf-8", "replace"))
        process.stdin.close()
    except BrokenPipeError:  # the reader quit the pager before the end
        pass
    while True:
        try:
            process.wait()
            return True
        except KeyboardInterrupt:  # Ctrl-C belongs to the pager (less ends a search with it)
            continue
