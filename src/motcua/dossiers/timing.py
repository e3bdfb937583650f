"""Dossier time rules on top of the working calendar: appointments, step dues, pauses and the
at-risk instant (docs/dossiers.md). How the index judges a dossier on time is `protocol.facts`."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from motcua.workdays.engine import Unit, WorkCalendar, amount_to_seconds


def step_budget_seconds(calendar: WorkCalendar, value: Decimal, unit: str) -> int:
    per = calendar.office_hours.day_seconds if unit == Unit.WORKING_DAYS else 3600
    return amount_to_seconds(value, per)


def add_working(calendar: WorkCalendar, start: datetime, seconds: int) -> datetime:
    """`start` plus `seconds` of office time (a start outside office hours waits for the next opening)."""
    return start if seconds <= 0 else calendar.instant_at(calendar.offset(start) + seconds)


def office_seconds_spent(calendar: WorkCalendar, budget: int, due: datetime, finished: datetime) -> int:
    """Office time a step took: its budget plus the office time past its due instant (negative when early).
    Due instants move by supplement pauses, so the pauses are left out."""
    return max(0, budget + calendar.working_seconds_between(due, finished))


def shift_by_pause(calendar: WorkCalendar, due: datetime, paused_at: datetime, resumed_at: datetime) -> datetime:
    """Move a deadline later by the office time spent waiting (the clock was paused)."""
    paused = calendar.working_seconds_between(paused_at, resumed_at)
    return calendar.instant_at(calendar.offset(due) + paused) if paused > 0 else due


def risk_from(
    calendar: WorkCalendar, due: datetime, step_started: datetime, step_due: datetime, later_budget: int
) -> datetime:
    """From when a dossier is at risk: the remaining steps no longer fit before its deadline.

    At instant t the work still planned ends at deadline(max(t, step_due), later_budget); the
    dossier is at risk once that is after `due`, i.e. from the latest start that still fits.
    """
    latest_offset = calendar.offset(due) - later_budget
    latest = calendar.instant_at(latest_offset) if latest_offset > 0 else step_started
    return step_started if step_due > latest else latest
