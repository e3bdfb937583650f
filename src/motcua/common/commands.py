"""Helpers shared by our management commands: domain errors and progress bars."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from motcua.common.errors import DomainError


@contextmanager
def domain_errors(as_json: bool = False) -> Iterator[None]:
    """Print a domain error (stable code + Vietnamese/English message) and exit 2."""
    try:
        yield
    except DomainError as exc:
        if as_json:
            sys.stderr.write(json.dumps(exc.as_dict(), ensure_ascii=False, indent=2) + "\n")
        else:
            sys.stderr.write(f"Lỗi [{exc.code}]: {exc.message_vi}\nError [{exc.code}]: {exc.message_en}\n")
            for problem in exc.details.get("problems", [])[:50]:
                sys.stderr.write(f"  - {problem['loc']}: {problem['problem']}\n")
        raise SystemExit(2) from None


def progress_bar(disable: bool = False) -> Progress:
    """A rich progress bar on stderr (hidden when asked, e.g. in tests)."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        disable=disable,
        transient=False,
    )
