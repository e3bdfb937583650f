"""Periods of the index: the shared definitions (`protocol.index766`, also the national monitor's) and the
node's defaults and day boundaries."""

from __future__ import annotations

from datetime import date, datetime

from motcua.common import clock
from motcua.common.errors import InvalidInput
from motcua.common.timeutil import VN_TZ
from motcua.protocol import index766
from motcua.protocol.index766 import Period, judged_at, month_end

# The years a period may cover: beyond them instants overflow (9999-12-31 has no next day) and nothing is filed.
FIRST_YEAR, LAST_YEAR = 2000, 2099

__all__ = [
    "Period",
    "judged_at",
    "midnight",
    "month_end",
    "parse_period",
    "this_quarter",
    "this_year",
    "whole_months",
]


def parse_period(text: str) -> Period:
    """`protocol.index766.parse_period` within FIRST_YEAR..LAST_YEAR (400 `invalid_period` outside): the node
    parses every period a caller sends (API, pages, CLI) here."""
    period = index766.parse_period(text)
    if period.start.year < FIRST_YEAR or period.end.year > LAST_YEAR:
        raise InvalidInput(
            "invalid_period",
            f"Kỳ '{text[:40]}' nằm ngoài các năm {FIRST_YEAR}–{LAST_YEAR}.",
            f"Period '{text[:40]}' is outside the years {FIRST_YEAR}-{LAST_YEAR}.",
        )
    return period


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
