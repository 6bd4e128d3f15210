"""URL validation and normalisation: one page, one entry, however its URL was written."""

from __future__ import annotations

import re
from typing import NamedTuple
from urllib.parse import SplitResult, parse_qsl, urlencode, urlsplit, urlunsplit

from pkm.errors import InvalidURLError

_DEFAULT_PORTS = {"http": 80, "https": 443}
_TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "mc_cid",
        "mc_eid",
        "igshid",
        "yclid",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
        "wickedid",
        "twclid",
        # Xiti/AT Internet, appended by French news feeds (often in the fragment).
        "xtor",
    }
)


# Fragments that only say where to scroll on a page, or carry tracking, never which page
# or which item: "#top", a WordPress post's "#comments", "#respond" and "#more-123"
# (the "continue reading" anchor), and the scroll-to-text directive browsers append when
# a passage is shared ("#:~:text=..."). Every other fragment is kept: hash-bang routes
# ("#!/alice/status/1"), web mail ("#inbox/..."), per-post anchors on one page a day
# ("20.html#a123456") and documentation anchors ("os.html#os.walk") name distinct things.
_SCROLL_FRAGMENTS = re.compile(r"(?:top|comments?|respond|more(?:-\d+)?)", re.IGNORECASE)
_TEXT_DIRECTIVE = ":~:"


class _Checked(NamedTuple):
    text: str
    parts: SplitResult
    host: str  # lower-case, without a trailing dot
    port: int | None


def _split_checked(url: str) -> _Checked:
    text = url.strip()
    try:
        parts = urlsplit(text)
        port = parts.port  # urlsplit checks the port only when asked
    except ValueError as exc:
        raise InvalidURLError(f"not a valid URL: {url!r} ({exc})") from None
    if parts.scheme.lower() not in _DEFAULT_PORTS:
        shown = parts.scheme + ":" if parts.scheme else "no scheme"
        raise InvalidURLError(f"only http and https URLs are supported, not {shown} in {url!r}")
    # A host of dots only ("http://./") is no host: the trailing dot is dropped.
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise InvalidURLError(f"URL has no host: {url!r}")
    return _Checked(text, parts, host, port)


def check_url(url: str) -> str:
    """Return ``url`` stripped, or raise InvalidURLError unless it is an http(s) URL with a host."""
    return _split_checked(url).text


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered.startswith("utm_") or lowered in _TRACKING_PARAMS


def _identity_fragment(fragment: str) -> str:
    """The part of a fragment that names something: empty for scroll positions and
    tracking (``utm_source=rss`` in the fragment, as some feeds write it)."""
    fragment = fragment.split(_TEXT_DIRECTIVE, 1)[0]
    if not fragment or _SCROLL_FRAGMENTS.fullmatch(fragment):
        return ""
    if "=" in fragment and not fragment.startswith(("!", "/")):
        pairs = parse_qsl(fragment, keep_blank_values=True)
        if pairs and all(_is_tracking(name) for name, _ in pairs):
            return ""
    return fragment


def normalize_url(url: str) -> str:
    """The identity of a page: scheme and host lower-cased, default port and tracking
    parameters dropped, an empty path written as ``/``, the fragment kept unless it only
    scrolls or tracks (see :data:`_SCROLL_FRAGMENTS`). Idempotent."""
    checked = _split_checked(url)
    parts = checked.parts
    scheme, netloc = _origin(checked)
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        kept = [(k, v) for k, v in pairs if not _is_tracking(k)]
        if len(kept) != len(pairs):
            query = urlencode(kept)
    return urlunsplit((scheme, netloc, _path(parts), query, _identity_fragment(parts.fragment)))


def feed_url(url: str) -> str:
    """The address pkm subscribes to: spaces trimmed, scheme and host lower-cased, the
    default port dropped; the fragment too, which is never sent to the server. The path
    and the whole query stay: they can tell two feeds of one site apart."""
    checked = _split_checked(url)
    scheme, netloc = _origin(checked)
    return urlunsplit((scheme, netloc, _path(checked.parts), checked.parts.query, ""))


def _path(parts: SplitResult) -> str:
    """The path, ``/`` when empty; a space as ``%20``, as browsers send it (and so that a
    space before a dropped fragment does not end the URL)."""
    return (parts.path or "/").replace(" ", "%20")


def _origin(checked: _Checked) -> tuple[str, str]:
    """The scheme and the network location, as one page has them however written."""
    parts = checked.parts
    scheme = parts.scheme.lower()
    host = checked.host
    bracketed = f"[{host}]" if ":" in host else host
    port = checked.port
    netloc = bracketed if port in (None, _DEFAULT_PORTS[scheme]) else f"{bracketed}:{port}"
    if "@" in parts.netloc and (parts.username or parts.password):
        userinfo = parts.username or ""
        if parts.password:
            userinfo += ":" + parts.password
        netloc = f"{userinfo}@{netloc}"
    return scheme, netloc


def host_of(url: str | None) -> str | None:
    if not url:
        return None
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None


def searchable(url: str | None) -> str:
    """A URL as words for the search index: host and path (the tokenizer splits on the
    punctuation), so a page saved bare is found by its host or the words in its address."""
    return url.split("://", 1)[-1] if url else ""
