"""The reader's prompts: save, tags, search, a yes/no question, and the help screen.

Each is a modal screen that returns what was typed (None when Esc cancels it).
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Input, Static

from pkm.cli.reader.keys import help_text
from pkm.cli.render import clean

PROMPT_CSS = """
.prompt { dock: bottom; height: auto; border: round $accent; background: $panel; padding: 0 1; }
.prompt Input { border: none; height: 1; padding: 0; }
"""


class TagSuggester(Suggester):
    """Completes the word being typed from the existing tags, most used first."""

    def __init__(self, tags: Sequence[str]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.tags = list(tags)

    async def get_suggestion(self, value: str) -> str | None:
        head, _, word = value.rpartition(" ")
        if not word:
            return None
        typed = {w.casefold() for w in head.split()}
        low = word.casefold()
        for tag in self.tags:
            key = tag.casefold()
            if key.startswith(low) and key != low and key not in typed:
                return f"{head} {tag}" if head else tag
        return None


class Prompt(ModalScreen[object]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = PROMPT_CSS

    def action_cancel(self) -> None:
        self.dismiss(None)


class SavePrompt(Prompt):
    """Tags (completed from the existing ones) and an optional note; Enter saves."""

    def __init__(self, title: str, tags: Sequence[str], current: Sequence[str]) -> None:
        super().__init__()
        self.title_text, self.tags, self.current = title, tags, current

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt"):
            yield Static(Text(f"Save: {clean(self.title_text)}"))
            yield Input(
                " ".join(self.current) + (" " if self.current else ""),
                placeholder="tags, separated by spaces (→ completes)",
                suggester=TagSuggester(self.tags),
                select_on_focus=False,
                id="tags",
            )
            yield Input(placeholder="note (optional)", select_on_focus=False, id="note")
            yield Static(Text("Enter saves · Tab: tags / note · Esc cancels", style="dim"))

    def on_input_submitted(self) -> None:
        tags = self.query_one("#tags", Input).value.split()
        note = self.query_one("#note", Input).value.strip()
        self.dismiss((tags, note or None))


class TagsPrompt(Prompt):
    """The entry's tags, to edit; Enter keeps exactly what is typed."""

    def __init__(self, title: str, tags: Sequence[str], current: Sequence[str]) -> None:
        super().__init__()
        self.title_text, self.tags, self.current = title, tags, current

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt"):
            yield Static(Text(f"Tags of: {clean(self.title_text)}"))
            yield Input(
                " ".join(self.current),
                placeholder="tags, separated by spaces (→ completes)",
                suggester=TagSuggester(self.tags),
                select_on_focus=False,
            )
            yield Static(Text("Enter keeps these tags · Esc cancels", style="dim"))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.split())


class SearchPrompt(Prompt):
    def __init__(self, query: str = "") -> None:
        super().__init__()
        self.query_text = query

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt"):
            yield Input(self.query_text, placeholder="search: words, #tag, feed:NAME, is:unread …")
            yield Static(Text("Enter searches · Esc cancels", style="dim"))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)


class Confirm(Prompt):
    """A yes/no question: y or Enter says yes, n or Esc no."""

    BINDINGS = [
        Binding("y,enter", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt"):
            yield Static(Text(f"{clean(self.question)} [y/n]"))

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class Help(Prompt):
    BINDINGS = [Binding("escape,q,question_mark", "cancel", "Close")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt"):
            yield Static(Text("Keys of pkm read", style="bold"))
            yield Static(Text(help_text()))
            yield Static(Text("Esc, q or ? closes this", style="dim"))
