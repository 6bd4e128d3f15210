"""The one family of errors pkm raises; the CLI turns each into a one-line message."""

from __future__ import annotations


class PkmError(Exception):
    """Root of every error pkm raises on purpose. ``exit_code`` is what the CLI exits with.

    An error whose advice names an argument of the API holds the argument's name as
    ``option`` and the advice as a template (``advice``, ``{}`` where the name goes), so
    that a front end can name its own control instead: the CLI says ``--max-size`` where
    a Python caller reads ``max_size``.
    """

    exit_code = 1

    def __init__(self, message: str = "", *, option: str = "", advice: str = "") -> None:
        super().__init__(message + advice.format(option) if option else message)
        self._message = message
        self.option = option
        self.advice = advice

    def naming(self, control: str) -> str:
        """The message, its advice naming ``control`` for the argument."""
        return self._message + self.advice.format(control) if self.option else str(self)


class UsageError(PkmError):
    """The user asked for something malformed (bad query, bad option value)."""

    exit_code = 2


class ChoiceError(UsageError):
    """A pick among the things found that is out of range; ``count``: how many there are."""

    def __init__(self, message: str, count: int) -> None:
        super().__init__(message)
        self.count = count


class NotFoundError(PkmError):
    """An id, URL, feed or tag that does not exist."""


class EntryNotFoundError(NotFoundError):
    pass


class FeedNotFoundError(NotFoundError):
    pass


class TagNotFoundError(NotFoundError):
    pass


class PersonNotFoundError(NotFoundError):
    pass


class InvalidURLError(PkmError):
    """A URL that pkm refuses (not http/https, no host, unparseable)."""


class DuplicateURLError(PkmError):
    """A URL that another entry already holds."""


class InvalidTagError(PkmError):
    """A tag that is empty, too long or holds a comma."""


class InvalidPersonError(PkmError):
    """A person's name pkm cannot use."""


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
    """A file handed to pkm is larger than it reads (the ``max_size`` argument raises the cap)."""
