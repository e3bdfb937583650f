"""The working-time engine: golden cases across holidays, the closing rule, properties."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.common.errors import InvalidInput
from motcua.common.timeutil import VN_TZ
from motcua.workdays.engine import Override, Unit, add_months
from motcua.workdays.sources import build_calendar

OFFICE = "07:30-11:30,13:00-17:00"
CAL = build_calendar(OFFICE, first_year=2024, last_year=2032)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=VN_TZ)


GOLDEN = [
    # the example: Friday before Tết 2026 (16–20/02 off)
    ("2026-02-13T09:00", "3", Unit.WORKING_DAYS, "2026-02-25T09:00"),
    # Tết 2025: 27–31/01 off, then the weekend
    ("2025-01-24T09:00", "1", Unit.WORKING_DAYS, "2025-02-03T09:00"),
    # Tết 2027: 04–10/02 off; ends exactly at the close of the morning session
    ("2027-02-03T13:00", "1", Unit.WORKING_DAYS, "2027-02-11T11:30"),
    # 30/4 and 1/5/2026 (Thursday, Friday)
    ("2026-04-29T07:30", "2", Unit.WORKING_DAYS, "2026-05-04T17:00"),
    # 2/9/2026 with the swap: Monday 31/08 off, Saturday 22/08 worked
    ("2026-08-28T09:00", "1", Unit.WORKING_DAYS, "2026-09-03T09:00"),
    ("2026-08-21T17:00", "1", Unit.WORKING_HOURS, "2026-08-22T08:30"),
    # Vietnam Cultural Day 24/11/2026 (Tuesday)
    ("2026-11-23T09:00", "1", Unit.WORKING_DAYS, "2026-11-25T09:00"),
    # the closing rule: an amount that ends at a session's close is due at that close
    ("2026-02-23T07:30", "1", Unit.WORKING_DAYS, "2026-02-23T17:00"),
    ("2026-02-23T07:30", "4", Unit.WORKING_HOURS, "2026-02-23T11:30"),
    ("2026-02-23T13:00", "0.5", Unit.WORKING_DAYS, "2026-02-23T17:00"),
    # starts outside office hours begin at the next office instant
    ("2026-02-21T10:00", "1", Unit.WORKING_HOURS, "2026-02-23T08:30"),
    ("2026-02-23T12:00", "1", Unit.WORKING_HOURS, "2026-02-23T14:00"),
    ("2026-02-23T18:00", "1", Unit.WORKING_HOURS, "2026-02-24T08:30"),
    ("2026-02-23T06:00", "1", Unit.WORKING_HOURS, "2026-02-23T08:30"),
    # calendar days and months (Civil Code): the last day, moved to the next working day's close
    ("2026-02-13T09:00", "15", Unit.DAYS, "2026-03-02T17:00"),
    ("2026-02-13T09:00", "4", Unit.DAYS, "2026-02-23T17:00"),
    ("2026-01-31T09:00", "1", Unit.MONTHS, "2026-03-02T17:00"),
    ("2026-01-15T09:00", "1", Unit.MONTHS, "2026-02-23T17:00"),
    ("2026-03-10T15:00", "2", Unit.MONTHS, "2026-05-11T17:00"),
]


@pytest.mark.parametrize(("start", "amount", "unit", "due"), GOLDEN)
def test_golden_deadlines(start, amount, unit, due):
    assert CAL.deadline(at(start), amount, unit) == at(due)


def test_deadline_is_aware_vietnam_time_even_from_utc_input():
    utc = datetime(2026, 2, 13, 2, 0, tzinfo=UTC)  # = 09:00 in Hanoi
    assert CAL.deadline(utc, 3, "working_days").isoformat() == "2026-02-25T09:00:00+07:00"


def test_between_counts_only_office_time():
    assert CAL.working_seconds_between(at("2026-02-13T09:00"), at("2026-02-25T09:00")) == 24 * 3600
    assert CAL.working_seconds_between(at("2026-02-14T00:00"), at("2026-02-22T23:59")) == 0
    assert CAL.working_seconds_between(at("2026-02-23T11:00"), at("2026-02-23T13:30")) == 3600


def test_makeup_saturday_and_swapped_monday():
    assert CAL.is_working_day(date(2026, 8, 22))  # Saturday worked
    assert not CAL.is_working_day(date(2026, 8, 31))  # Monday off in exchange
    assert not CAL.is_working_day(date(2026, 2, 16))
    assert CAL.day_kind(date(2026, 8, 22)).value == "makeup_workday"


def test_overrides_add_holidays_and_working_days():
    holiday = build_calendar(OFFICE, [Override(date(2026, 2, 23), working=False, note="Bão")], 2025, 2027)
    assert holiday.deadline(at("2026-02-13T09:00"), 3, "working_days") == at("2026-02-26T09:00")
    workday = build_calendar(OFFICE, [Override(date(2026, 2, 21), working=True, note="Làm bù")], 2025, 2027)
    assert workday.deadline(at("2026-02-13T09:00"), 3, "working_days") == at("2026-02-24T09:00")
    assert len({CAL.version, holiday.version, workday.version}) == 3


def test_explain_lists_every_day_with_its_reason():
    rows = CAL.explain(at("2026-02-13T09:00"), at("2026-02-25T09:00"))
    assert rows[0]["date"] == "2026-02-13" and rows[-1]["date"] == "2026-02-25"
    assert sum(r["counted_seconds"] for r in rows) == 24 * 3600
    tet = next(r for r in rows if r["date"] == "2026-02-17")
    assert tet["kind"] == "holiday" and not tet["counted"] and "Tết" in tet["reason"]
    assert next(r for r in rows if r["date"] == "2026-02-14")["kind"] == "weekend"


@pytest.mark.parametrize(
    ("amount", "unit", "code"),
    [
        ("-1", "working_days", "negative_amount"),
        ("abc", "working_days", "invalid_amount"),
        ("nan", "working_hours", "invalid_amount"),
        ("1.5", "days", "fractional_amount"),
        ("1", "fortnights", "unknown_unit"),
        ("1e9", "working_days", "amount_too_large"),
    ],
)
def test_bad_arguments_have_stable_codes(amount, unit, code):
    with pytest.raises(InvalidInput) as err:
        CAL.deadline(at("2026-02-13T09:00"), amount, unit)
    assert err.value.code == code
    assert err.value.message_vi and err.value.message_en


def test_out_of_range():
    with pytest.raises(InvalidInput) as err:
        CAL.deadline(at("2033-01-01T09:00"), 1, "working_days")
    assert err.value.code == "calendar_out_of_range"
    with pytest.raises(InvalidInput):
        CAL.deadline(at("2032-12-30T09:00"), 5, "working_days")


def test_add_months_clamps_to_month_end():
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2025, 12, 15), 2) == date(2026, 2, 15)


# -- properties ------------------------------------------------------------------------------
starts = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31)).map(
    lambda d: d.replace(second=0, microsecond=0, tzinfo=VN_TZ)
)
working_amounts = st.integers(min_value=0, max_value=400).map(lambda quarters: quarters / 4)
units = st.sampled_from([Unit.WORKING_DAYS, Unit.WORKING_HOURS])


def _seconds(amount: float, unit: Unit) -> int:
    return round(amount * (8 * 3600 if unit is Unit.WORKING_DAYS else 3600))


@settings(max_examples=400, deadline=None)
@given(start=starts, amount=working_amounts, unit=units)
def test_between_inverts_deadline(start, amount, unit):
    due = CAL.deadline(start, str(amount), unit)
    assert CAL.working_seconds_between(start, due) == _seconds(amount, unit)
    assert due >= start


@settings(max_examples=300, deadline=None)
@given(start=starts, a=working_amounts, b=working_amounts, unit=units)
def test_monotonic_in_amount(start, a, b, unit):
    lo, hi = sorted((a, b))
    assert CAL.deadline(start, str(lo), unit) <= CAL.deadline(start, str(hi), unit)


@settings(max_examples=300, deadline=None)
@given(s1=starts, gap=st.integers(min_value=0, max_value=60 * 24 * 30), amount=working_amounts, unit=units)
def test_monotonic_in_start(s1, gap, amount, unit):
    s2 = s1 + timedelta(minutes=gap)
    assert CAL.deadline(s1, str(amount), unit) <= CAL.deadline(s2, str(amount), unit)


@settings(max_examples=300, deadline=None)
@given(start=starts, amount=st.integers(min_value=1, max_value=200), unit=units)
def test_positive_deadlines_fall_in_office_time_on_working_days(start, amount, unit):
    due = CAL.deadline(start, amount, unit)
    assert CAL.is_working_day(due.date())
    minute = due.hour * 60 + due.minute
    assert 7 * 60 + 30 < minute <= 11 * 60 + 30 or 13 * 60 < minute <= 17 * 60


@settings(max_examples=200, deadline=None)
@given(start=starts, amount=st.integers(min_value=0, max_value=60), unit=st.sampled_from([Unit.DAYS, Unit.MONTHS]))
def test_calendar_periods_end_at_close_of_a_working_day(start, amount, unit):
    due = CAL.deadline(start, amount, unit)
    assert CAL.is_working_day(due.date()) and (due.hour, due.minute) == (17, 0)
    last = start.date() + timedelta(days=amount) if unit is Unit.DAYS else add_months(start.date(), amount)
    assert due.date() >= last
    assert all(not CAL.is_working_day(last + timedelta(d)) for d in range((due.date() - last).days))
