"""The one family of errors pkm raises; the CLI turns each into a one-line message."""

from __future__ import annotations


class PkmError(Exception):
    """Root of every error pkm raises on purpose. ``exit_code`` is what the CLI exits with."""

    exit_code = 1


class UsageError(PkmError):
    """The user asked for something malformed (bad query, bad option value)."""

    exit_code = 2


class NotFoundError(PkmError):
    """An id, URL, feed or tag that does not exist."""


class EntryNotFoundError(NotFoundError):
    pass


class FeedNotFoundError(NotFoundError):
    pass


class TagNotFoundError(NotFoundError):
    pass


class InvalidURLError(PkmError):
    """A URL that pkm refuses (not http/https, no host, unparseable)."""


class DuplicateURLError(PkmError):
    """A URL that another entry already holds."""


class InvalidTagError(PkmError):
    """A tag that is empty, too long or holds a comma."""


class QueryError(UsageError):
    """A search query that cannot be parsed; the message points at the problem."""


class StoreError(PkmError):
    """The store cannot be opened, read or written."""


class NotAStoreError(StoreError):
    """The file given as the store is not a pkm store (and is left untouched)."""


class ScanInProgressError(PkmError):
    """Another scan is writing to this store."""


class FeedError(PkmError):
    """A feed could not be fetched or parsed; carries the one-line reason."""


class FetchError(FeedError):
    pass


class ResponseTooLargeError(FetchError):
    pass


class ParseError(FeedError):
    pass


class FormatError(PkmError):
    """An import file that cannot be read in the expected format."""


class UserFileError(PkmError):
    """A file the user named cannot be read or written (missing, a folder, disk full)."""


class FileTooLargeError(UserFileError):
    """A file handed to pkm is larger than it reads (``--max-size`` raises the cap)."""
