"""Rewriting one benchmark's section of benchmarks/README.md, leaving the others alone."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

README = Path(__file__).resolve().parent / "README.md"
REPO = README.parent.parent


def replace_section(heading: str, text: str) -> None:
    """Put ``text`` (which starts with ``heading``) in place of that section, or append it."""
    old = README.read_text() if README.exists() else "# Benchmarks\n"
    start = old.find(heading + "\n")
    if start < 0:
        new = old.rstrip() + "\n\n" + text.rstrip() + "\n"
    else:
        following = re.search(r"^## ", old[start + len(heading) :], re.M)
        end = start + len(heading) + following.start() if following else len(old)
        new = old[:start] + text.rstrip() + "\n\n" + old[end:].lstrip()
    README.write_text(new.rstrip() + "\n")


def revision() -> str:
    """The repository's commit, and whether pkm/ had uncommitted changes when measured."""
    try:
        head = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(REPO), "status", "--porcelain", "--", "pkm"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"
    return f"{head} (with uncommitted changes in pkm/)" if dirty else head
