"""Parameters of pages' query strings, bounded: a value out of range is treated as absent, like a malformed one."""

from __future__ import annotations

from motcua.common.bounds import INT64_MAX


def int_param(value: str | None, low: int = 1, high: int = INT64_MAX) -> int | None:
    """`value` as an integer in [low, high] (row ids and keyset cursors by default), else None."""
    try:
        number = int(value) if value and len(value) <= 20 else None
    except ValueError:
        return None
    return number if number is not None and low <= number <= high else None
