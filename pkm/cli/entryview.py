"""One entry as the terminal shows it: details, the article, its links.

``pkm show`` prints this and the reading pane of ``pkm read`` displays it, so an article
reads the same in both. Everything is a Rich ``Text`` of cleaned strings, never markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pkm.cli import article, render
from pkm.types import Entry, OtherSave

# One line of the view: its parts, each plain or (text, style).
Line = list[tuple[object, str] | str]


def entry_view(
    entry: Entry,
    body: article.Article,
    also_in: Sequence[str] = (),
    *,
    archived: datetime | None = None,
    also_saved_by: Sequence[OtherSave] = (),
) -> render.StyledText:
    """The whole view as one multi-line styled text; ``archived``: the body is the page's
    archived text, kept then; ``also_saved_by``: the others' public saves of it, a line
    each after the entry's own details."""
    lines: list[Line | render.StyledText] = [[(entry.display_title, "bold")]]
    if entry.url:
        lines.append([(entry.url, "blue")])
    facts = [
        ("id", str(entry.id)),
        ("feed", entry.feed_title or ""),
        ("also in", ", ".join(also_in)),
        ("author", entry.author or ""),
        ("published", render.day(entry.published).strip()),
        ("saved", render.day(entry.saved).strip()),
        ("tags", " ".join(entry.tags)),
        ("to read", "yes" if entry.to_read else ""),
        ("private", "yes: left out of exports for others" if entry.private else ""),
        (
            "full text",
            f"fetched {render.day(entry.full_text_at).strip()}" if entry.full_text_at else "",
        ),
        ("archived", render.day(archived).strip() if archived else ""),
    ]
    lines += [[(f"{label:>9}  ", "dim"), value] for label, value in facts if value]
    if entry.note:
        lines.append([(f"{'note':>9}  ", "dim"), (entry.note, "italic")])
    lines += [other_save_line(other) for other in also_saved_by]
    if body.text:
        text = render.StyledText()
        text.append_block(body.text, {"bold": body.headings, "dim": body.quotes})
        lines += [[], text]
    if body.cut:
        cut = (
            f"[the article goes on for {body.cut:,} more characters of HTML;"
            f" pkm open {entry.id} shows the page]"
        )
        lines += [[], [(cut, "dim")]]
    if body.links:
        lines += [[], [(article.LINKS_HEADING, "bold")]]
        lines += [[article.link_line(link)] for link in body.links]
    return render.styled_lines(lines)


def other_save_line(other: OtherSave) -> Line:
    """``also saved by alice: #conference2.0 'good overview'``: their tags, their note
    quoted (on one line), all of it cleaned as any text from others."""
    said = " ".join(f"#{tag}" for tag in other.tags)
    if other.note:
        said = f"{said} {other.note!r}".strip()
    parts: Line = [("also saved by ", "dim"), (other.person, "green")]
    if said:
        parts += [": ", (said, "italic")]
    return parts
