"""Dossier codes: `{agency_code}-{yymmdd}-{seq:04d}` by default, unique per agency per day.

The sequence comes from an atomic upsert on a counter row (`INSERT … ON CONFLICT DO UPDATE
… RETURNING`), which PostgreSQL serializes with a row lock and SQLite with its write lock,
so two desks receiving at the same instant never get the same number.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import connection
from django.utils import timezone

from motcua.dossiers.models import DossierCodeCounter
from motcua.org.models import Agency

_UPSERT = (
    "INSERT INTO {table} (agency_id, day, last) VALUES (%s, %s, 1) "
    "ON CONFLICT (agency_id, day) DO UPDATE SET last = {table}.last + 1 RETURNING last"
)


def next_sequence(agency: Agency, at: datetime) -> int:
    table = connection.ops.quote_name(DossierCodeCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT.format(table=table), [agency.pk, timezone.localdate(at)])
        return cursor.fetchone()[0]


def allocate_code(agency: Agency, at: datetime) -> str:
    """Call inside the transaction that creates the dossier (a rollback returns the number)."""
    day = timezone.localdate(at)
    return settings.MOTCUA_DOSSIER_CODE_PATTERN.format(
        agency_code=agency.code,
        yymmdd=day.strftime("%y%m%d"),
        yyyymmdd=day.strftime("%Y%m%d"),
        seq=next_sequence(agency, at),
    )
