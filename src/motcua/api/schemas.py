"""Schemas shared by every router, and the bounded types of parameters: what the OpenAPI schema documents is
exactly what the API enforces (tests/security/test_api_schema.py)."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from ninja import Schema
from pydantic import BeforeValidator, Field, WithJsonSchema, model_validator
from pydantic_core import PydanticCustomError

from motcua.common.bounds import INT32_MAX, INT64_MAX, PROBLEMS, json_problem
from motcua.metrics.periods import FIRST_YEAR, LAST_YEAR


class ErrorOut(Schema):
    code: str
    message: str
    message_en: str
    details: dict[str, Any] | None = None


# What every endpoint open to the anonymous may answer besides its own: 400 (a parameter out of its bounds, or
# control characters in the URL: `common.boundary`) and 429 (`MOTCUA_PUBLIC_API_RATE` per address).
PUBLIC_ERRORS = {400: ErrorOut, 429: ErrorOut}
# What every endpoint behind a login may answer besides its own.
AUTH_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut}


# -- bodies -----------------------------------------------------------------------------------------------
# Refusals of a body as a whole (`common.bounds`), each answered 400 with its own stable code.
BOUNDARY_CODES = {"control_character": "control_characters"}


def boundary_code(problem: str) -> str:
    return BOUNDARY_CODES.get(problem, problem)


BODY_CODES = frozenset(boundary_code(problem) for problem in PROBLEMS)


class BodyIn(Schema):
    """A JSON body fit to store on every database: no control characters other than tab and line breaks and
    no lone surrogates in any string or key, nesting of at most 16 levels, integers within bigint, finite
    numbers. Otherwise 400 `control_characters`, `invalid_unicode`, `too_deep`, `number_too_large` or
    `not_finite` (the whole body is checked once, before its fields)."""

    @model_validator(mode="wrap")
    @classmethod
    def _storable(cls, data: Any, handler):
        # "wrap", not "before": django-ninja's own wrap validator would hand a "before" one its DjangoGetter
        found = json_problem(data)
        if found:
            problem, where = found
            context = {"en": PROBLEMS[problem][1], "where": where}
            raise PydanticCustomError(boundary_code(problem), "The data {en} ({where})", context)
        return handler(data)


# -- parameters --------------------------------------------------------------------------------------------
_YEAR = "20[0-9]{2}"  # FIRST_YEAR..LAST_YEAR
_DAY = f"{_YEAR}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
assert (FIRST_YEAR, LAST_YEAR) == (2000, 2099), "keep _YEAR in step with metrics.periods"

PERIOD_PATTERN = f"^({_YEAR}(-([Hh][12]|[Qq][1-4]|0[1-9]|1[0-2]))?|{_DAY}\\.\\.{_DAY})$"
PERIOD_HELP = f"2026, 2026-H1, 2026-Q3, 2026-07 or 2026-01-01..2026-03-31 (years {FIRST_YEAR}–{LAST_YEAR})"
Period = Annotated[str, Field(pattern=PERIOD_PATTERN, max_length=22, description=PERIOD_HELP)]
OptionalPeriod = Annotated[
    str,
    Field(pattern=f"^$|{PERIOD_PATTERN}", max_length=22, description=f"{PERIOD_HELP}; empty: this year"),
]
Cursor = Annotated[int, Field(ge=1, le=INT64_MAX, description="`next_cursor` of the previous page")]
Version = Annotated[int, Field(ge=0, le=INT32_MAX)]
Code = Annotated[str, Field(min_length=1, max_length=40)]  # dossier and procedure codes (the columns' length)
AgencyCode = Annotated[str, Field(min_length=1, max_length=20)]
Username = Annotated[str, Field(min_length=1, max_length=150)]
SCOPE_PATTERN = "^(node|(agency|commune|unit|procedure|official):[^:]{1,150})$"
Scope = Annotated[
    str,
    Field(
        pattern=SCOPE_PATTERN,
        max_length=160,
        description="node, agency:CODE, commune:CODE, unit:CODE, procedure:CODE or official:USERNAME",
    ),
]


def _iso_text(pattern: str, what: str):
    compiled = re.compile(pattern)

    def check(value: Any) -> Any:
        if isinstance(value, str) and compiled.match(value):
            return value
        raise PydanticCustomError("invalid_format", "{what}", {"what": what})

    return BeforeValidator(check)


# Query dates and body instants: ISO text only (no Unix timestamps: `received_to=0` is no date), years 2000–2099.
Day = Annotated[
    date,
    _iso_text(f"^{_DAY}$", f"a date YYYY-MM-DD in {FIRST_YEAR}–{LAST_YEAR}"),
    WithJsonSchema({"type": "string", "format": "date", "pattern": f"^{_DAY}$"}),
]
_INSTANT = (
    f"^{_DAY}T([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\\.[0-9]{{1,6}})?)?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])?$"
)
Instant = Annotated[
    datetime,
    _iso_text(_INSTANT, f"an instant YYYY-MM-DDTHH:MM[:SS][±HH:MM], {FIRST_YEAR}–{LAST_YEAR} (naive: Vietnam time)"),
    WithJsonSchema({"type": "string", "format": "date-time", "pattern": _INSTANT}),
]

# Each parameter whose value failed validation answers with its own code (else `invalid_input`).
PARAM_CODES = {
    "period": "invalid_period",
    "scope": "invalid_scope",
    "config": "unknown_config",
    "limit": "invalid_limit",
    "cursor": "invalid_cursor",
    "status": "invalid_status",
    "received_from": "invalid_date",
    "received_to": "invalid_date",
    "unit": "unknown_unit",
}
