"""Dossier codes: `{agency_code}-{yymmdd}-{seq:04d}` by default, unique per agency per day.

The sequence comes from an atomic upsert on a counter row (`INSERT … ON CONFLICT DO UPDATE
… RETURNING`), which PostgreSQL serializes with a row lock and SQLite with its write lock,
so two desks receiving at the same instant never get the same number. Codes written by others
(the historical import, an old system) advance the counter (`advance_past`), and allocation checks
the code is free anyway, so it never hands out a code that exists, whatever wrote the table before.
"""

from __future__ import annotations

import re
import string
from datetime import date, datetime

from django.conf import settings
from django.db import connection
from django.utils import timezone

from motcua.common.errors import Conflict
from motcua.dossiers.models import Dossier, DossierCodeCounter
from motcua.org.models import Agency

_UPSERT = (
    "INSERT INTO {table} (agency_id, day, last) VALUES (%s, %s, 1) "
    "ON CONFLICT (agency_id, day) DO UPDATE SET last = {table}.last + 1 RETURNING last"
)
_RAISE = (
    "INSERT INTO {table} (agency_id, day, last) VALUES (%s, %s, %s) "
    "ON CONFLICT (agency_id, day) DO UPDATE SET last = "
    "CASE WHEN excluded.last > {table}.last THEN excluded.last ELSE {table}.last END"
)
_TRIES = 5
CODE_MAX = Dossier._meta.get_field("code").max_length


def _table() -> str:
    return connection.ops.quote_name(DossierCodeCounter._meta.db_table)


def next_sequence(agency: Agency, at: datetime) -> int:
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT.format(table=_table()), [agency.pk, timezone.localdate(at)])
        return cursor.fetchone()[0]


def format_code(agency_code: str, day: date, seq: int) -> str:
    return settings.MOTCUA_DOSSIER_CODE_PATTERN.format(
        agency_code=agency_code, yymmdd=day.strftime("%y%m%d"), yyyymmdd=day.strftime("%Y%m%d"), seq=seq
    )


def allocate_code(agency: Agency, at: datetime) -> str:
    """Call inside the transaction that creates the dossier (a rollback returns the number)."""
    day = timezone.localdate(at)
    for _ in range(_TRIES):
        code = format_code(agency.code, day, next_sequence(agency, at))
        if not Dossier.objects.filter(code=code).exists():
            return code
        advance_past(agency.pk, agency.code, day, _taken_sequences(agency.code, day))
    raise Conflict(
        "code_unavailable",
        "Không cấp được mã hồ sơ mới; vui lòng thử lại.",
        "No free dossier code could be allocated; try again.",
    )


def normalize_code(text: str) -> str:
    """A dossier code as people type or paste it → as codes are written: no spaces anywhere, upper case
    (` 000.01.31.h53-260302-0007 ` → `000.01.31.H53-260302-0007`)."""
    return "".join((text or "").split()).upper()


_SHORT = re.compile(r"(?P<day>\d{6})-(?P<seq>\d{1,6})")


def short_form(text: str) -> tuple[date, int] | None:
    """The day and sequence of a code typed without its desk (`261130-0007` → 30/11/2026, 7); None when
    `text` is not that."""
    match = _SHORT.fullmatch(normalize_code(text))
    if match is None:
        return None
    try:
        day = datetime.strptime(match["day"], "%y%m%d").date()
    except ValueError:
        return None
    return day, int(match["seq"])


def desk_codes_of(day: date, seq: int) -> list[str]:
    """The codes every one-stop desk of this node gives the `seq`-th dossier of `day` (short-form lookups)."""
    desks = Agency.objects.filter(is_one_stop_desk=True).values_list("code", flat=True)
    return [format_code(desk, day, seq) for desk in desks]


def sequence_of(code: str, agency_code: str, day: date) -> int | None:
    """The sequence number of `code` if it follows this node's pattern for that desk and day."""
    match = _pattern(agency_code, day).fullmatch(code)
    return int(match.group("seq")) if match else None


def advance_past(agency_id: int, agency_code: str, day: date, codes) -> None:
    """Raise the desk's counter for `day` to the highest sequence among `codes` (never lower it)."""
    seqs = [s for s in (sequence_of(c, agency_code, day) for c in codes) if s is not None]
    if seqs:
        with connection.cursor() as cursor:
            cursor.execute(_RAISE.format(table=_table()), [agency_id, day, max(seqs)])


def _taken_sequences(agency_code: str, day: date) -> list[str]:
    prefix = _prefix(agency_code, day)
    return list(Dossier.objects.filter(code__startswith=prefix).values_list("code", flat=True))


def _pattern(agency_code: str, day: date) -> re.Pattern:
    """The code pattern as a regular expression for one desk and day; the sequence is `seq`."""
    parts = []
    for literal, field, _spec, _conv in string.Formatter().parse(settings.MOTCUA_DOSSIER_CODE_PATTERN):
        parts.append(re.escape(literal))
        if field == "seq":
            parts.append(r"(?P<seq>\d+)")
        elif field:
            parts.append(re.escape(_field(field, agency_code, day)))
    return re.compile("".join(parts))


def _field(name: str, agency_code: str, day: date) -> str:
    return {"agency_code": agency_code, "yymmdd": day.strftime("%y%m%d"), "yyyymmdd": day.strftime("%Y%m%d")}[name]


def _prefix(agency_code: str, day: date) -> str:
    """The literal start of every code of this desk and day (up to the sequence)."""
    out = ""
    for literal, field, _spec, _conv in string.Formatter().parse(settings.MOTCUA_DOSSIER_CODE_PATTERN):
        out += literal
        if field == "seq" or field is None:
            break
        out += _field(field, agency_code, day)
    return out
