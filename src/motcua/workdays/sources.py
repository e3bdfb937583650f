"""Builds a WorkCalendar from the `holidays` VN calendar, office hours and overrides."""

from __future__ import annotations

from collections.abc import Iterable

import holidays

from motcua.workdays.engine import OfficeHours, Override, WorkCalendar


def build_calendar(
    office_hours: str,
    overrides: Iterable[Override] = (),
    first_year: int = 2015,
    last_year: int = 2040,
) -> WorkCalendar:
    """Holidays (lunar Tết, Hùng Kings, official swaps) from the `holidays` package."""
    years = range(first_year, last_year + 1)
    vi = holidays.country_holidays("VN", years=years, language="vi")
    en = holidays.country_holidays("VN", years=years, language="en_US")
    makeup = {d for d in getattr(vi, "weekend_workdays", set()) if first_year <= d.year <= last_year}
    return WorkCalendar(
        first_year=first_year,
        last_year=last_year,
        office_hours=OfficeHours.parse(office_hours),
        holidays_vi=dict(vi.items()),
        holidays_en=dict(en.items()),
        makeup_workdays=makeup,
        overrides=list(overrides),
        source=f"vn-holidays-{holidays.__version__}",
    )
