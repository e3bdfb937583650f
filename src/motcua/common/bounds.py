"""Bounds of untrusted input: integer ranges of the database columns, characters no column may hold,
and JSON documents of bounded depth.

A value that passes here can be stored on SQLite and PostgreSQL alike: PostgreSQL refuses NUL in
text and jsonb, lone surrogates in UTF-8, integers beyond its column types and non-finite numbers in
jsonb, and every such refusal would otherwise fail a whole transaction (a 500, a lost batch).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from motcua.common.errors import InvalidInput

INT16_MAX = 2**15 - 1  # PostgreSQL smallint (PositiveSmallIntegerField)
INT32_MAX = 2**31 - 1  # integer (PositiveIntegerField)
INT64_MAX = 2**63 - 1  # bigint (BigIntegerField, PositiveBigIntegerField)

MAX_JSON_DEPTH = 16  # the national payload nests 4 deep (body › data › item › list › entry)

# C0 and C1 controls except tab, line feed and carriage return; DEL. Lone surrogates are no text.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile("[\ud800-\udfff]")

PROBLEMS = {
    "control_character": (
        "Có ký tự điều khiển (chỉ cho phép tab và xuống dòng)",
        "contains a control character (only tab and line breaks are allowed)",
    ),
    "invalid_unicode": ("Có ký tự Unicode không hợp lệ", "contains invalid Unicode (a lone surrogate)"),
    "too_deep": (f"Dữ liệu lồng quá {MAX_JSON_DEPTH} cấp", f"nests deeper than {MAX_JSON_DEPTH} levels"),
    "not_finite": ("Có số không hữu hạn (NaN, Infinity)", "contains a non-finite number (NaN, Infinity)"),
    "number_too_large": ("Có số quá lớn", "contains a number out of range"),
}


def text_problem(text: str) -> str | None:
    """'control_character', 'invalid_unicode' or None."""
    if _CONTROL.search(text):
        return "control_character"
    if _SURROGATE.search(text):
        return "invalid_unicode"
    return None


def printable(text: object, limit: int = 2000) -> str:
    """Text from elsewhere (another system's error message) made safe to store: control characters
    and lone surrogates replaced, cut to `limit`."""
    return _SURROGATE.sub("\ufffd", _CONTROL.sub("\ufffd", str(text)[:limit]))


def json_problem(value: Any, max_depth: int = MAX_JSON_DEPTH, values: bool = True) -> tuple[str, str] | None:
    """The first (code, location) that makes a parsed JSON value unfit to store, or None: nesting
    deeper than `max_depth`, and unless `values` is false (the depth only), a control character or
    lone surrogate in a key or string, a non-finite float, an integer beyond bigint. Iterative, so
    no input can exhaust the stack."""
    stack: list[tuple[Any, int, str]] = [(value, 1, "$")]
    while stack:
        node, depth, where = stack.pop()
        if not values and not isinstance(node, dict | list):
            continue
        if isinstance(node, str):
            problem = text_problem(node)
            if problem:
                return problem, where
        elif isinstance(node, bool) or node is None:
            continue
        elif isinstance(node, int):
            if not -INT64_MAX - 1 <= node <= INT64_MAX:
                return "number_too_large", where
        elif isinstance(node, float):
            if not math.isfinite(node):
                return "not_finite", where
        elif isinstance(node, dict | list):
            if depth > max_depth:
                return "too_deep", where
            if isinstance(node, dict):
                for key, child in node.items():
                    problem = text_problem(key) if values else None
                    if problem:
                        return problem, where
                    stack.append((child, depth + 1, f"{where}.{key}"[:200]))
            else:
                stack.extend((child, depth + 1, f"{where}[{i}]") for i, child in enumerate(node))
    return None


def _no_constants(name: str):
    raise ValueError(f"{name} is not a JSON number")


def loads(raw: bytes | str, max_depth: int = MAX_JSON_DEPTH, values: bool = True) -> Any:
    """Parse untrusted JSON: strict UTF-8, no NaN/Infinity, bounded depth and, unless `values` is
    false (the caller checks each part on its own), nothing a column cannot hold. Refusals are
    `InvalidInput` with a stable code (invalid_utf8, invalid_json, too_deep, control_character,
    invalid_unicode, not_finite, number_too_large) and both messages."""
    if isinstance(raw, bytes | bytearray):
        try:
            raw = bytes(raw).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidInput(
                "invalid_utf8",
                f"Dữ liệu không phải UTF-8 hợp lệ (byte {exc.start}).",
                f"The data is not valid UTF-8 (byte {exc.start}).",
            ) from None
    try:
        value = json.loads(raw, parse_constant=_no_constants)
    except RecursionError:
        value, problem = None, ("too_deep", "$")
    except ValueError as exc:  # JSONDecodeError, NaN/Infinity, integers of more than 4300 digits
        raise InvalidInput(
            "invalid_json",
            f"Dữ liệu không phải JSON hợp lệ: {str(exc)[:120]}",
            f"The data is not valid JSON: {str(exc)[:120]}",
        ) from None
    else:
        problem = json_problem(value, max_depth, values)
    if problem:
        raise refusal(*problem)
    return value


def refusal(code: str, where: str = "$") -> InvalidInput:
    vi, en = PROBLEMS[code]
    return InvalidInput(code, f"{vi} ({where}).", f"The data {en} ({where}).", location=where)
