"""Who is using pkm: the current person's name, and what a person's name may be."""

from __future__ import annotations

import getpass
import os
import re

from pkm.errors import InvalidPersonError

__all__ = ["check_name", "current_name", "is_name"]

# A letter or digit first, then letters, digits, ".", "_" or "-": a name stands in
# "alice/conference2.0" and "by:alice", so it holds no "/", ":" or space.
_NAME = re.compile(r"[^\W_][\w.-]{0,63}")
# When the operating system cannot say who is logged in (a container without a passwd
# entry for the user).
FALLBACK_NAME = "me"


def is_name(text: str) -> bool:
    """Whether ``text`` can name a person."""
    return _NAME.fullmatch(text) is not None


def check_name(name: str) -> str:
    """``name`` if it can name a person, else InvalidPersonError."""
    if not _NAME.fullmatch(name):
        shown = name[:40].encode("unicode_escape").decode()
        raise InvalidPersonError(
            f"invalid person name {shown!r}: use letters, digits, '.', '_' or '-'"
            " (at most 64, starting with a letter or digit)"
        )
    return name


def current_name(explicit: str | None = None, role: str | None = None) -> str:
    """The person pkm acts for: ``explicit`` (``--user``), else ``PKM_USER``, else the
    server ``role`` a PostgreSQL store is used by (a person's own on a team server), else
    the login name."""
    if explicit:
        return check_name(explicit)
    named = os.environ.get("PKM_USER")
    if named:
        return check_name(named)
    if role and _NAME.fullmatch(role):
        return role
    try:
        login = getpass.getuser()
    except (OSError, KeyError):
        return FALLBACK_NAME
    return login if _NAME.fullmatch(login) else FALLBACK_NAME
