"""The reader's keys, listed once: for the bindings, the ``?`` screen and ``--help``.

Plain data, no Textual import: ``pkm read --help`` shows this table without starting it.
"""

from __future__ import annotations

# (keys as the user presses them, what they do); newsboat users should feel at home.
KEYS: tuple[tuple[str, str], ...] = (
    ("j / k", "next / previous item (in the article: read it)"),
    ("↓ / ↑", "next / previous item in the list; scroll in the article"),
    ("Enter", "read the item"),
    ("Space", "page down in the article, then the next unread"),
    ("n / p", "next / previous unread"),
    ("s", "save with tags and a note (→ completes a tag, Enter saves, Esc cancels)"),
    ("t", "edit the tags"),
    ("o", "open the item in the browser"),
    ("1…9", "open the article's link N"),
    ("m", "mark read / unread"),
    ("A", "mark the whole feed read (asks first)"),
    ("f", "fetch the full text of the item"),
    ("/", "search with the query language of pkm find; the hits fill the list"),
    ("r", "reload: items a scan stored meanwhile appear"),
    ("Esc", "back: from the article to the list, from a search to the unread items"),
    ("?", "this help"),
    ("q", "quit"),
)

HINTS = "j/k move · Enter read · s save · o open · m read · / search · ? help · q quit"


def help_text() -> str:
    """The key table as lines of text."""
    width = max(len(keys) for keys, _ in KEYS)
    return "\n".join(f"{keys:<{width}}  {what}" for keys, what in KEYS)
