"""Input files of the commands: a path that cannot be read is a domain error (stable code, Vietnamese
and English message, exit 2 through `common.commands.domain_errors`), never a traceback. Files are
opened as bytes: each command decodes what it reads and refuses what is not UTF-8 with its own code."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO

from motcua.common.errors import InvalidInput


def _unreadable(path: str, exc: OSError) -> InvalidInput:
    if isinstance(exc, FileNotFoundError):
        return InvalidInput("file_not_found", f"Không tìm thấy tệp {path}.", f"No such file: {path}.")
    if isinstance(exc, IsADirectoryError):
        return InvalidInput("file_unreadable", f"{path} là thư mục, không phải tệp.", f"{path} is a directory.")
    reason = exc.strerror or type(exc).__name__
    return InvalidInput("file_unreadable", f"Không đọc được tệp {path}: {reason}.", f"Cannot read {path}: {reason}.")


@contextmanager
def open_input(path: str) -> Iterator[BinaryIO]:
    """The file at `path`, opened for reading bytes."""
    try:
        fh = open(path, "rb")  # noqa: SIM115 — closed below, after the errors are translated
    except OSError as exc:
        raise _unreadable(path, exc) from None
    with fh:
        yield fh


def read_input(path: str) -> bytes:
    """The whole file (`-`: standard input) as bytes."""
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError as exc:
        raise _unreadable(path, exc) from None


def write_output(path: str, text: str) -> None:
    """Write `text` (UTF-8) to `path`; a path that cannot be written is a domain error."""
    try:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise InvalidInput(
            "file_unwritable", f"Không ghi được tệp {path}: {reason}.", f"Cannot write {path}: {reason}."
        ) from None
