"""Web pages fetched outside a scan: the feed behind a URL, a saved page's title,
description and archived text, an entry's article text on demand. Each is one polite
fetch."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pkm.errors import ChoiceError, FetchError, ParseError, PkmError

if TYPE_CHECKING:
    from pkm.discover import DiscoveredFeed
    from pkm.fulltext import Article
    from pkm.types import PageText


def resolve_feed_url(url: str, choose: int) -> tuple[str, list[DiscoveredFeed]]:
    """The feed URL behind ``url``: itself when it is a feed, else the one found on the page
    that ``choose`` (0 = the first) picks."""
    from pkm.discover import discover_feeds, looks_like_html
    from pkm.fetch import fetch_page
    from pkm.parse import parse_feed

    page = fetch_page(url)
    try:
        parse_feed(page.body, page.url, page.content_type)
        return page.url, []
    except ParseError as not_a_feed:
        if not looks_like_html(page.body):
            raise FetchError(f"{url} is not a feed ({not_a_feed})") from None
    found = discover_feeds(page.body, page.url)
    if not found:
        raise FetchError(f"{url} is a web page without a feed link")
    if not 0 <= choose < len(found):
        raise ChoiceError(
            f"choose must be from 0 to {len(found) - 1}: the page links to {len(found)} feeds",
            len(found),
        )
    # The feed a page links to must answer as a feed, as a feed URL given directly must.
    chosen = found[choose].url
    try:
        feed = fetch_page(chosen)
        parse_feed(feed.body, feed.url, feed.content_type)
    except (FetchError, ParseError) as exc:
        raise FetchError(f"{chosen} (linked from {url}): {exc}") from None
    return feed.url, found


@dataclass(frozen=True)
class SavedPage:
    """What one fetch of a page being saved gives: its title and description, its text
    to archive (when asked), and a one-line warning when something could not be had."""

    title: str | None = None
    description: str | None = None
    archive: PageText | None = None
    warning: str | None = None


def saved_page(url: str, *, archive: bool, need_title: bool = True) -> SavedPage:
    """The page at ``url``, fetched once (as a scan fetches article pages) for its title
    and description and, with ``archive``, its readable text."""
    from pkm import archive as archiving
    from pkm import scan
    from pkm.discover import page_metadata
    from pkm.fetch import fetch_page
    from pkm.fulltext import is_page_type

    try:
        page = fetch_page(url, timeouts=scan.TIMEOUTS)
    except PkmError as exc:
        if not need_title:
            failed = f"not archived: {exc}"
        else:
            failed = f"saved without a title: {exc}" + (" (not archived)" if archive else "")
        return SavedPage(archive=archiving.failure(str(exc)) if archive else None, warning=failed)
    kept = archiving.keep(page) if archive else None
    warning = f"not archived: {kept.error}" if kept is not None and kept.error else None
    if not is_page_type(page.content_type):  # a PDF's bytes hold no HTML title
        return SavedPage(archive=kept, warning=warning)
    meta = page_metadata(page.body, page.url)
    return SavedPage(meta.title, meta.description, kept, warning)


def article_of(url: str) -> Article:
    """The main text of the article page at ``url``, as a scan of a full-text feed
    fetches it (same deadlines and size cap); raises with the reason when there is none."""
    from pkm import scan
    from pkm.fetch import fetch_page
    from pkm.fulltext import extract_article, is_page_type

    page = fetch_page(url, max_bytes=scan.PAGE_MAX_BYTES, timeouts=scan.TIMEOUTS)
    if not is_page_type(page.content_type):
        raise FetchError(f"{url} is not a web page ({page.content_type})")
    article = extract_article(page.body, page.url)
    if article is None:
        raise FetchError(f"no article text found on {url}")
    return article
