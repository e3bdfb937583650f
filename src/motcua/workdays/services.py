"""Working-time services: the current calendar (cached per process) and deadline queries.

The calendar is rebuilt when the override table changes; every answer carries the
calendar version that produced it, so a stored deadline can be traced back.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max

from motcua.audit import services as audit
from motcua.common.errors import InvalidInput
from motcua.common.timeutil import parse_instant
from motcua.workdays.engine import Override, Unit, WorkCalendar, parse_unit
from motcua.workdays.models import CalendarAudit, CalendarOverride
from motcua.workdays.sources import build_calendar

_lock = threading.Lock()
_cache: dict[str, object] = {"stamp": None, "calendar": None, "checked": 0.0}
# How long a process trusts its calendar before checking the override table again: an
# admin's change reaches every process within this many seconds.
STAMP_TTL_SECONDS = 2.0


def _stamp() -> tuple:
    agg = CalendarOverride.objects.aggregate(n=Count("id"), last=Max("updated_at"), top=Max("id"))
    return (agg["n"], agg["last"], agg["top"], settings.MOTCUA_OFFICE_HOURS)


def forget_calendar() -> None:
    """Drop this process's cached calendar (tests roll the override table back under it)."""
    _cache.update(stamp=None, calendar=None, checked=0.0)


def get_calendar() -> WorkCalendar:
    """The calendar in force: holidays + overrides + office hours (one cheap query every 2 s)."""
    if _cache["calendar"] is not None and time.monotonic() - _cache["checked"] < STAMP_TTL_SECONDS:
        return _cache["calendar"]  # type: ignore[return-value]
    stamp = _stamp()
    with _lock:
        _cache["checked"] = time.monotonic()
        if _cache["stamp"] != stamp:
            overrides = [
                Override(o.day, o.kind == CalendarOverride.Kind.WORKING_DAY, o.note)
                for o in CalendarOverride.objects.all()
            ]
            first, last = settings.MOTCUA_CALENDAR_YEARS
            _cache["calendar"] = build_calendar(settings.MOTCUA_OFFICE_HOURS, overrides, first, last)
            _cache["stamp"] = stamp
        return _cache["calendar"]  # type: ignore[return-value]


@dataclass(frozen=True)
class DeadlineAnswer:
    start: datetime
    amount: str
    unit: Unit
    due: datetime
    calendar_version: str
    explain: list[dict]


@dataclass(frozen=True)
class BetweenAnswer:
    start: datetime
    end: datetime
    seconds: int
    working_hours: float
    working_days: float
    calendar_version: str


def compute_deadline(start: str | datetime, amount: str | int, unit: str, explain: bool = True) -> DeadlineAnswer:
    """Validate raw input and compute the due instant (the API and CLI call this)."""
    start_at = parse_instant(start) if isinstance(start, str) else start
    unit_value = parse_unit(unit)
    calendar = get_calendar()
    due = calendar.deadline(start_at, amount, unit_value)
    rows = calendar.explain(start_at, due) if explain else []
    return DeadlineAnswer(start_at, str(amount), unit_value, due, calendar.version, rows)


def compute_between(start: str | datetime, end: str | datetime) -> BetweenAnswer:
    start_at = parse_instant(start, "start") if isinstance(start, str) else start
    end_at = parse_instant(end, "end") if isinstance(end, str) else end
    if end_at < start_at:
        raise InvalidInput(
            "end_before_start",
            "Thời điểm kết thúc phải sau thời điểm bắt đầu.",
            "The end must not be before the start.",
        )
    calendar = get_calendar()
    seconds = calendar.working_seconds_between(start_at, end_at)
    day = calendar.office_hours.day_seconds
    return BetweenAnswer(start_at, end_at, seconds, round(seconds / 3600, 4), round(seconds / day, 4), calendar.version)


@transaction.atomic
def set_override(day: date, kind: str, note: str, actor=None) -> CalendarOverride:
    """Declare `day` an extra holiday or working day (audited)."""
    if kind not in CalendarOverride.Kind.values:
        raise InvalidInput("unknown_override_kind", "Loại ngày không hợp lệ.", "Unknown override kind.")
    if not note.strip():
        raise InvalidInput(
            "override_note_required",
            "Phải ghi căn cứ hoặc lý do khi điều chỉnh lịch.",
            "A note (legal basis or reason) is required.",
        )
    _cache["checked"] = 0.0  # this process sees its own change at once
    override, created = CalendarOverride.objects.update_or_create(
        day=day, defaults={"kind": kind, "note": note.strip(), "updated_by": actor}
    )
    if created and actor is not None:
        CalendarOverride.objects.filter(pk=override.pk).update(created_by=actor)
    record_override_change(override, "created" if created else "changed", actor)
    return override


@transaction.atomic
def delete_override(override: CalendarOverride, actor=None) -> None:
    _cache["checked"] = 0.0
    override.delete()
    record_override_change(override, "deleted", actor)


def record_override_change(override: CalendarOverride, action: str, actor) -> None:
    audit.record(
        f"calendar.{action}",
        actor=actor,
        target=override.day.isoformat(),
        payload={"kind": override.kind, "note": override.note},
    )
    CalendarAudit.objects.create(
        day=override.day,
        action=action,
        kind=override.kind,
        note=override.note,
        actor=actor,
        calendar_version=get_calendar().version,
    )
