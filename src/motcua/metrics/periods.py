"""Periods of the index: the shared definitions (`protocol.index766`, also the national monitor's) and the
node's defaults and day boundaries."""

from __future__ import annotations

from datetime import date, datetime

from motcua.common import clock
from motcua.common.timeutil import VN_TZ
from motcua.protocol.index766 import FIRST_YEAR, LAST_YEAR, Period, judged_at, month_end, parse_period

__all__ = [
    "FIRST_YEAR",
    "LAST_YEAR",
    "Period",
    "judged_at",
    "midnight",
    "month_end",
    "parse_period",
    "this_quarter",
    "this_year",
    "whole_months",
]


def this_year() -> str:
    """The current year as a period (the default of the API, the dashboard and the drill-down)."""
    return str(clock.now().year)


def this_quarter() -> str:
    """The current quarter as a period (the default of the public transparency page)."""
    today = clock.now()
    return f"{today.year}-Q{(today.month - 1) // 3 + 1}"


def midnight(day: date) -> datetime:
    """The instant a day starts, Vietnam time."""
    return datetime(day.year, day.month, day.day, tzinfo=VN_TZ)


def whole_months(period: Period) -> bool:
    """The period starts on a month's first day and ends on a month's last (monthly rollups serve it)."""
    return period.start.day == 1 and period.end == month_end(period.end.year, period.end.month)
