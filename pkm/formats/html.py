"""A reading list as one standalone HTML5 page: inline CSS, no script, nothing remote.

Every piece of text is escaped; the entries' summaries (HTML from feeds) are sanitized with
nh3, and a Content-Security-Policy forbids scripts as a second line of defence, so the page
is safe to open in a colleague's browser.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape

from pkm.formats._shared import entry_date, is_web_url, iso8601, summary_html, utc
from pkm.text import clean_block, clean_line
from pkm.types import Entry

__all__ = ["dump"]

_CSS = """\
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;max-width:46rem;
margin:2rem auto;padding:0 1rem;color:#222;background:#fff}
h1{font-size:1.6rem;margin-bottom:.25rem}
header p{margin:.25rem 0;color:#555}
ol{list-style:none;padding:0}
li{margin:0 0 1.5rem}
h2{font-size:1.1rem;margin:0}
a{color:#0645ad}
.meta{color:#666;font-size:.875rem;margin:.1rem 0}
.tag{display:inline-block;background:#eef;border-radius:.25rem;padding:0 .35rem;margin-right:.25rem}
blockquote{margin:.4rem 0;padding-left:.75rem;border-left:3px solid #ccd;color:#333}
.summary{font-size:.9rem;color:#444}
.summary *{max-width:100%}
@media (prefers-color-scheme:dark){body{background:#161616;color:#ddd}a{color:#8ab4f8}
.meta,header p{color:#aaa}.tag{background:#2a2a40}blockquote{color:#ccc}.summary{color:#bbb}}
"""

_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


def _e(text: str) -> str:
    return escape(text, quote=True)


def dump(
    entries: Sequence[Entry],
    *,
    title: str,
    description: str | None = None,
    generated: datetime | None = None,
    link: str | None = None,
) -> str:
    page_title = clean_line(title) or "Reading list"
    out = [
        "<!DOCTYPE html>",
        "<html>",
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_e(_CSP)}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="pkm">',
        '<meta name="referrer" content="no-referrer">',
        f"<title>{_e(page_title)}</title>",
        f"<style>\n{_CSS}</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{_e(page_title)}</h1>",
    ]
    if description:
        out.append(f'<p class="description">{_paragraph(description)}</p>')
    meta: list[str] = []
    count = len(entries)
    meta.append(f"{count} link" + ("" if count == 1 else "s"))
    if generated is not None:
        stamp = f'<time datetime="{iso8601(generated)}">{utc(generated):%Y-%m-%d}</time>'
        meta.append(f"exported {stamp}")
    if link and is_web_url(link):
        meta.append(f'<a href="{_e(link)}" rel="noopener noreferrer">{_e(clean_line(link))}</a>')
    out.append(f'<p class="meta">{" · ".join(meta)}</p>')
    out.append("</header>")
    out.append("<main>")
    if entries:
        out.append("<ol>")
        for entry in entries:
            out.append(_entry(entry))
        out.append("</ol>")
    out.append("</main>")
    out.append("</body>")
    out.append("</html>")
    return "\n".join(out) + "\n"


def _paragraph(text: str) -> str:
    return "<br>\n".join(_e(line) for line in clean_block(text).split("\n"))


def _entry(entry: Entry) -> str:
    text = _e(clean_line(entry.title) or clean_line(entry.url) or f"entry {entry.id}")
    if entry.url and is_web_url(entry.url):
        heading = f'<a href="{_e(clean_line(entry.url))}" rel="noopener noreferrer">{text}</a>'
    else:
        heading = text
    parts = ["<li>", f"<h2>{heading}</h2>"]
    meta: list[str] = []
    when = entry_date(entry)
    if when is not None:
        meta.append(f'<time datetime="{iso8601(when)}">{utc(when):%Y-%m-%d}</time>')
    source = clean_line(entry.feed_title)
    if source:
        meta.append(f'<span class="source">{_e(source)}</span>')
    tags = [t for t in (clean_line(tag) for tag in entry.tags) if t]
    if tags:
        meta.append(" ".join(f'<span class="tag">{_e(tag)}</span>' for tag in tags))
    if meta:
        parts.append(f'<p class="meta">{" · ".join(meta)}</p>')
    note = clean_block(entry.note)
    if note:
        parts.append(f"<blockquote>{_paragraph(note)}</blockquote>")
    summary = summary_html(entry)
    if summary:
        parts.append(f'<div class="summary">{summary}</div>')
    parts.append("</li>")
    return "\n".join(parts)
