"""The main text of an article page, for full-text feeds: trafilatura finds it (leaving
navigation, sidebars, comments and footers out), the feeds' sanitizer cleans it; and the
text of a PDF, for archived pages, by pypdf.

Pure: bytes in, sanitized HTML and plain text out. trafilatura costs 0.3 s to import, so
it is imported by the first extraction, never by pkm's start-up or a scan without
full-text feeds; pypdf likewise, by the first PDF.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

# Below this many characters of text, what was found is a fragment (a cookie notice, a
# "page not found"), not the article: the feed's own content is kept instead.
MIN_ARTICLE_TEXT = 80
# Media types worth extracting from; a PDF or an image has no HTML article in it.
_PAGE_TYPES = ("html", "xml", "text/plain")
# A PDF's text is read from this many pages at most: a book's first chapters say what it
# is about, and reading a thousand pages takes pypdf minutes.
MAX_PDF_PAGES = 100
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_HYPHENATED = re.compile(r"(\w)-\n(\w)")


@dataclass(frozen=True)
class Article:
    html: str
    text: str


def is_page_type(content_type: str | None) -> bool:
    """Whether a response of this Content-Type can hold an article (no type: maybe)."""
    if not content_type:
        return True
    kind = content_type.split(";", 1)[0].strip().lower()
    return any(part in kind for part in _PAGE_TYPES)


def extract_article(body: bytes, url: str) -> Article | None:
    """The page's main text as sanitized HTML (links made absolute against ``url``) and as
    plain text; None when no article was found."""
    import trafilatura
    from trafilatura.htmlprocessing import build_html_output
    from trafilatura.settings import Document

    from pkm.parse import html_text, sanitize

    # What trafilatura.extract() does, less the similarity fingerprint of the text it
    # computes for HTML output: unused here, and a quarter of the time per page.
    document = trafilatura.bare_extraction(
        body,
        url=url,
        output_format="html",
        include_comments=False,
        include_tables=True,
        include_images=True,
        include_links=True,
    )
    if not isinstance(document, Document):
        return None
    found = build_html_output(document, False)
    cleaned = sanitize(found, url if url.startswith(("http://", "https://")) else None, False)
    text = html_text(cleaned or "")
    if cleaned is None or len(text) < MIN_ARTICLE_TEXT:
        return None
    return Article(cleaned, text)


def is_pdf(content_type: str | None, body: bytes) -> bool:
    kind = (content_type or "").split(";", 1)[0].strip().lower()
    return kind == "application/pdf" or (
        kind in ("", "application/octet-stream") and body.startswith(b"%PDF-")
    )


def extract_pdf(body: bytes) -> Article | None:
    """The text of a PDF's pages (the first MAX_PDF_PAGES), as paragraphs of escaped
    HTML and as plain text; None when it holds no text (a scan, an image)."""
    import io
    import logging
    import warnings

    import pypdf

    from pkm.text import clean_block

    # pypdf reports the oddities of real-world files through logging and warnings; with
    # no handler configured, Python would print them on the terminal.
    logging.getLogger("pypdf").addHandler(logging.NullHandler())
    logging.getLogger("pypdf").propagate = False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reader = pypdf.PdfReader(io.BytesIO(body))
        if reader.is_encrypted:
            reader.decrypt("")  # most "encrypted" PDFs only restrict printing or copying
        pages = [page.extract_text() or "" for page in reader.pages[:MAX_PDF_PAGES]]
    paragraphs = []
    for block in _PARAGRAPH_BREAK.split(clean_block("\n\n".join(pages))):
        words = " ".join(_HYPHENATED.sub(r"\1\2", block).split())
        if words:
            paragraphs.append(words)
    text = "\n\n".join(paragraphs)
    if len(text) < MIN_ARTICLE_TEXT:
        return None
    return Article("".join(f"<p>{html.escape(p)}</p>" for p in paragraphs), text)
