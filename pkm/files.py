"""The files a user hands pkm (bookmark exports, OPML, backups), read with a bound.

A file is read in chunks up to a cap, so that ``pkm import /dev/zero`` (or a file
that is not what it claims) stops with one line instead of filling memory. The cap is
generous for real collections: a 200,000-bookmark export is about 60 MB.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from pkm.errors import FileTooLargeError, UsageError, UserFileError

DEFAULT_MAX_FILE_BYTES = 256 * 2**20
_CHUNK = 2**20
_UNITS = {"": 1, "k": 2**10, "m": 2**20, "g": 2**30}
_SIZE = re.compile(r"(\d+)\s*([kmg]?)(?:i?b)?", re.IGNORECASE)


def read_input(path: Path, *, max_size: int = DEFAULT_MAX_FILE_BYTES) -> bytes:
    """The bytes of ``path``; :class:`FileTooLargeError` once more than ``max_size``."""
    chunks: list[bytes] = []
    total = 0
    try:
        with path.open("rb") as file:
            while chunk := file.read(min(_CHUNK, max_size + 1 - total)):
                chunks.append(chunk)
                total += len(chunk)
                if total > max_size:
                    raise FileTooLargeError(
                        f"{path} is larger than {describe_size(max_size)}, the most pkm reads",
                        option="max_size",
                        advice=" ({} raises it)",
                    )
    except OSError as exc:
        raise UserFileError(f"cannot read {path}: {exc.strerror or exc}") from None
    return b"".join(chunks)


def parse_size(text: str) -> int:
    """``"300M"``, ``"1GiB"``, ``"5000000"``: a number of bytes (units are binary)."""
    match = _SIZE.fullmatch(text.strip())
    if match is None or int(match[1]) == 0:
        raise UsageError(f"not a size: {text!r} (say 300M, 1G or a number of bytes)")
    return int(match[1]) * _UNITS[match[2].lower()]


def describe_size(n: int) -> str:
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= scale and n % scale == 0:
            return f"{n // scale} {unit}"
    return f"{n} bytes"


def write_file(path: Path, write: Callable[[IO[str]], object]) -> None:
    """Write a file the user named, whole or not at all.

    A regular file is written beside its place and renamed over it once complete, so a
    failure (a full disk, an error half-way) leaves what was there before. A device or a
    pipe (``/dev/stdout``, ``/dev/full``) is written in place, and its errors reported.
    """
    try:
        if path.exists() and not path.is_file():
            with path.open("w", encoding="utf-8") as out:
                write(out)
            return
        with _beside(path) as out:
            write(out)
    except OSError as exc:
        raise UserFileError(f"cannot write {path}: {exc.strerror or exc}") from None


@contextmanager
def _beside(path: Path) -> Iterator[IO[str]]:
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.chmod(name, 0o666 & ~_umask())
        os.replace(name, path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
