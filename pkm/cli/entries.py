"""`pkm tag`, `untag`, `save`, `show`, `open`: keeping things and looking at them."""

from __future__ import annotations

from typing import Annotated

import typer

from pkm.cli import article, complete, render, shapes, showing
from pkm.cli.options import EntryIdArg, JsonOpt, NoteOpt, PrivateOpt, TagsOpt, open_pkm
from pkm.cli.tags import say_changed
from pkm.types import Entry

NoArchiveOpt = Annotated[
    bool, typer.Option("--no-archive", help="Do not keep the page's text (see pkm archive).")
]


def register(app: typer.Typer) -> None:
    app.command("tag")(tag)
    app.command("untag")(untag)
    app.command("save")(save)
    app.command("show")(show)
    app.command("open")(open_)


def tag(
    ctx: typer.Context,
    entry_id: EntryIdArg,
    tags: Annotated[
        list[str] | None, typer.Argument(help="Tags to add.", autocompletion=complete.tags)
    ] = None,
    note: NoteOpt = None,
    to_read: Annotated[bool, typer.Option("--to-read", help="Mark it to read later.")] = False,
    private: PrivateOpt = None,
    no_archive: NoArchiveOpt = False,
) -> None:
    """Save an entry as a bookmark with tags (added to its earlier tags); its page's
    text is kept, as pkm save keeps it."""
    store = open_pkm(ctx)
    entry = store.tag(
        entry_id, tags or [], note=note, to_read=True if to_read else None, private=private
    )
    if not no_archive:
        kept = store.archive_entry(entry.id)
        if kept is not None and kept.archived is None:
            render.warn(f"not archived: {kept.error}")
    render.print_line("Saved ", (f"{entry.id}", "cyan"), " ", (entry.display_title, "bold"))
    _show_tags(entry)
    say_changed(tags or [])


def untag(
    ctx: typer.Context,
    entry_id: EntryIdArg,
    tags: Annotated[
        list[str], typer.Argument(help="Tags to remove.", autocompletion=complete.tags)
    ],
) -> None:
    """Remove tags from an entry."""
    entry, missing = open_pkm(ctx).untag(entry_id, tags)
    for name in missing:
        render.warn(f"entry {entry.id} had no tag {name}")
    _show_tags(entry)


def save(
    ctx: typer.Context,
    url: Annotated[str, typer.Argument(help="Any http(s) URL.")],
    tags: TagsOpt = None,
    note: NoteOpt = None,
    title: Annotated[str | None, typer.Option("--title", help="Title to use.")] = None,
    no_fetch: Annotated[
        bool, typer.Option("--no-fetch", help="Do not fetch the page (nor archive it).")
    ] = False,
    to_read: Annotated[bool, typer.Option("--to-read", help="Mark it to read later.")] = False,
    private: PrivateOpt = None,
    no_archive: NoArchiveOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Save any URL with tags and a note; its title is fetched from the page, and its
    readable text kept so that it outlives the page."""
    result = open_pkm(ctx).save(
        url,
        tags=tags or [],
        note=note,
        title=title,
        fetch=not no_fetch,
        to_read=True if to_read else None,
        private=private,
        archive=not no_archive,
    )
    if result.warning:
        render.warn(result.warning)
    if as_json:
        render.print_json(
            shapes.entry_json(result.entry)
            | {"merged": result.merged, "archive": shapes.archive_json(result.archive)}
        )
        return
    verb = "Merged into" if result.merged else "Saved"
    render.print_line(
        f"{verb} ", (f"{result.entry.id}", "cyan"), " ", (result.entry.display_title, "bold")
    )
    _show_tags(result.entry)
    say_changed(tags or [])


def show(
    ctx: typer.Context,
    entry_id: EntryIdArg,
    as_json: JsonOpt = False,
    width: Annotated[
        int | None,
        typer.Option(
            "--width",
            min=article.MIN_WIDTH,
            metavar="N",
            help="Wrap at N columns (default: the terminal's, at most 100; 80 when piped).",
        ),
    ] = None,
    no_pager: Annotated[
        bool, typer.Option("--no-pager", help="Print directly, never through a pager.")
    ] = False,
    full_text: Annotated[
        bool,
        typer.Option(
            "--full-text", help="Fetch the article page for its text first (kept for next time)."
        ),
    ] = False,
) -> None:
    """Show one entry in full: its details, then the whole article."""
    showing.show_entry(
        open_pkm(ctx),
        entry_id,
        as_json=as_json,
        width=width,
        no_pager=no_pager,
        full_text=full_text,
    )


def open_(
    ctx: typer.Context,
    entry_id: EntryIdArg,
    link: Annotated[
        int | None,
        typer.Argument(
            metavar="[N]", help="Open link N of the article instead, as pkm show numbers them."
        ),
    ] = None,
) -> None:
    """Open an entry's URL, or one of its article's links, in the browser."""
    import webbrowser

    from pkm.errors import PkmError

    entry = open_pkm(ctx).entry(entry_id, mark_read=True)
    if link is None:
        if not entry.url:
            raise PkmError(f"entry {entry_id} has no URL")
        url = entry.url
    else:
        links = article.render_article(article.article_html(entry)).links
        if not 1 <= link <= len(links):
            count = {0: "no links", 1: "1 link"}.get(len(links), f"{len(links)} links")
            raise PkmError(f"entry {entry_id} has no link {link} (its article has {count})")
        url = links[link - 1].url
    if not webbrowser.open(url):
        raise PkmError(f"no browser could open {url}")


def _show_tags(entry: Entry) -> None:
    if entry.private:
        render.print_line(("  private: ", "dim"), "left out of exports for others")
    if entry.tags:
        render.print_line(("  tags: ", "dim"), " ".join(entry.tags))
    if entry.note:
        render.print_line(("  note: ", "dim"), entry.note)
