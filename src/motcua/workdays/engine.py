"""Working-time arithmetic (tính thời hạn theo ngày làm việc).

Pure Python, no Django: a `WorkCalendar` is built once from the holiday source,
the admin overrides and the office hours, then answers deadlines in O(log n).

The trick that makes it fast: every instant maps to an *office-time offset*,
the number of office seconds elapsed since the calendar's first day. A prefix
sum over days (`_cum`) makes that mapping O(1) and its inverse a bisection, so
"add N working days" is offset → add → inverse, whatever N is.
The rules are written down in docs/workdays.md.
"""

from __future__ import annotations

import calendar as _pycal
import hashlib
import json
from bisect import bisect_left
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from motcua.common.errors import InvalidInput
from motcua.common.timeutil import VN_TZ

WEEKDAYS_VI = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")


class Unit(StrEnum):
    """Đơn vị tính thời hạn (DonViTinh)."""

    WORKING_DAYS = "working_days"
    WORKING_HOURS = "working_hours"
    DAYS = "days"
    MONTHS = "months"


class DayKind(StrEnum):
    WORKING = "working"
    WEEKEND = "weekend"
    HOLIDAY = "holiday"
    MAKEUP_WORKDAY = "makeup_workday"  # ngày làm bù (a Saturday worked)
    OVERRIDE_HOLIDAY = "override_holiday"
    OVERRIDE_WORKING = "override_working"


WORKING_KINDS = frozenset({DayKind.WORKING, DayKind.MAKEUP_WORKDAY, DayKind.OVERRIDE_WORKING})


@dataclass(frozen=True)
class OfficeHours:
    """Office sessions of a working day, as seconds after midnight."""

    sessions: tuple[tuple[int, int], ...]

    @classmethod
    def parse(cls, spec: str) -> OfficeHours:
        """'07:30-11:30,13:00-17:00' → sessions; sorted, non-overlapping, non-empty."""
        sessions = []
        try:
            for part in spec.split(","):
                begin, end = (_clock_seconds(x) for x in part.strip().split("-"))
                sessions.append((begin, end))
        except ValueError:
            raise ValueError(f"invalid office hours {spec!r}, expected e.g. 07:30-11:30,13:00-17:00") from None
        sessions.sort()
        previous_end = -1
        for begin, end in sessions:
            if not (previous_end <= begin < end <= 86400):
                raise ValueError(f"office hours {spec!r} overlap or are empty")
            previous_end = end
        return cls(tuple(sessions))

    @property
    def day_seconds(self) -> int:
        return sum(end - begin for begin, end in self.sessions)

    @property
    def closing(self) -> int:
        return self.sessions[-1][1]

    def spec(self) -> str:
        return ",".join(f"{_clock(b)}-{_clock(e)}" for b, e in self.sessions)


@dataclass(frozen=True)
class Override:
    """An admin decision on one day: an extra holiday or an extra working day."""

    day: date
    working: bool
    note: str = ""


@dataclass(frozen=True)
class Deadline:
    due: datetime
    calendar_version: str


def _clock_seconds(text: str) -> int:
    hours, minutes = text.strip().split(":")
    value = int(hours) * 3600 + int(minutes) * 60
    if not 0 <= value <= 86400:
        raise ValueError(text)
    return value


def _clock(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def _error_out_of_range(value: object, first: date, last: date) -> InvalidInput:
    return InvalidInput(
        "calendar_out_of_range",
        f"Thời điểm {value} nằm ngoài lịch làm việc ({first:%d/%m/%Y}–{last:%d/%m/%Y}).",
        f"{value} is outside the working calendar ({first:%Y-%m-%d} to {last:%Y-%m-%d}).",
    )


class WorkCalendar:
    """An immutable working calendar for a range of years."""

    def __init__(
        self,
        *,
        first_year: int,
        last_year: int,
        office_hours: OfficeHours,
        holidays_vi: dict[date, str],
        holidays_en: dict[date, str] | None = None,
        makeup_workdays: set[date] | frozenset[date] = frozenset(),
        overrides: list[Override] | tuple[Override, ...] = (),
        source: str = "",
    ):
        self.office_hours = office_hours
        self.first_day = date(first_year, 1, 1)
        self.last_day = date(last_year, 12, 31)
        self._base = self.first_day.toordinal()
        self._n = self.last_day.toordinal() - self._base + 1
        self._sessions = office_hours.sessions
        self._closing = office_hours.closing
        self._holidays_en = holidays_en or {}
        self._holidays_vi = holidays_vi
        self._overrides = {o.day: o for o in overrides}
        self._kinds = [self._classify(self.first_day + timedelta(i), makeup_workdays) for i in range(self._n)]
        self._working = [kind in WORKING_KINDS for kind in self._kinds]
        day_len = office_hours.day_seconds
        cum = [0] * (self._n + 1)
        for i, working in enumerate(self._working):
            cum[i + 1] = cum[i] + (day_len if working else 0)
        self._cum = cum
        # next_working[i]: the first working day at or after day i (or _n when none is left).
        nxt = [self._n] * (self._n + 1)
        for i in range(self._n - 1, -1, -1):
            nxt[i] = i if self._working[i] else nxt[i + 1]
        self._next_working = nxt
        self._midnights = [
            datetime.combine(self.first_day + timedelta(i), datetime.min.time(), VN_TZ) for i in range(self._n)
        ]
        self.version = self._make_version(source, makeup_workdays)

    # -- construction -------------------------------------------------------------------
    def _classify(self, day: date, makeup: set[date] | frozenset[date]) -> DayKind:
        override = self._overrides.get(day)
        if override is not None:
            return DayKind.OVERRIDE_WORKING if override.working else DayKind.OVERRIDE_HOLIDAY
        if day in makeup:
            return DayKind.MAKEUP_WORKDAY
        if day.weekday() >= 5:
            return DayKind.WEEKEND
        if day in self._holidays_vi:
            return DayKind.HOLIDAY
        return DayKind.WORKING

    def _make_version(self, source: str, makeup: set[date] | frozenset[date]) -> str:
        canonical = json.dumps(
            {
                "source": source,
                "range": [self.first_day.isoformat(), self.last_day.isoformat()],
                "office_hours": self.office_hours.spec(),
                "holidays": sorted(d.isoformat() for d in self._holidays_vi),
                "makeup": sorted(d.isoformat() for d in makeup),
                "overrides": sorted((o.day.isoformat(), o.working) for o in self._overrides.values()),
            },
            sort_keys=True,
        )
        digest = hashlib.sha256(canonical.encode()).hexdigest()[:12]
        return f"{source or 'custom'}+{digest}"

    # -- queries on days ----------------------------------------------------------------
    def _index(self, day: date) -> int:
        i = day.toordinal() - self._base
        if not 0 <= i < self._n:
            raise _error_out_of_range(day, self.first_day, self.last_day)
        return i

    def is_working_day(self, day: date) -> bool:
        return self._working[self._index(day)]

    def day_kind(self, day: date) -> DayKind:
        return self._kinds[self._index(day)]

    # -- office-time offsets ------------------------------------------------------------
    def offset(self, instant: datetime) -> int:
        """Office seconds elapsed from the calendar's first day up to `instant`."""
        local = instant.astimezone(VN_TZ) if instant.tzinfo else instant.replace(tzinfo=VN_TZ)
        i = local.toordinal() - self._base
        if not 0 <= i < self._n:
            raise _error_out_of_range(local.isoformat(), self.first_day, self.last_day)
        total = self._cum[i]
        if self._working[i]:
            sec = local.hour * 3600 + local.minute * 60 + local.second
            for begin, end in self._sessions:
                if sec <= begin:
                    break
                total += (sec if sec < end else end) - begin
        return total

    def instant_at(self, offset: int) -> datetime:
        """The earliest instant at which `offset` office seconds have elapsed.

        An offset that lands exactly on the close of a session is that close
        (11:30 or 17:00), not the next opening.
        """
        if offset <= 0 or offset > self._cum[self._n]:
            raise _error_out_of_range(f"offset {offset}", self.first_day, self.last_day)
        i = bisect_left(self._cum, offset, 0, self._n) - 1  # last day with cum < offset: a working day
        rest = offset - self._cum[i]
        for begin, end in self._sessions:
            length = end - begin
            if rest <= length:
                return self._midnights[i] + timedelta(seconds=begin + rest)
            rest -= length
        raise AssertionError("offset beyond the day's office time")  # pragma: no cover

    # -- public arithmetic --------------------------------------------------------------
    def deadline(self, start: datetime, amount: int | float | Decimal | str, unit: Unit | str) -> datetime:
        """The due instant of `amount` `unit`s counted from `start`."""
        unit = parse_unit(unit)
        if unit is Unit.WORKING_DAYS or unit is Unit.WORKING_HOURS:
            per = self.office_hours.day_seconds if unit is Unit.WORKING_DAYS else 3600
            seconds = amount_to_seconds(amount, per)
            if seconds == 0:
                return start.astimezone(VN_TZ) if start.tzinfo else start.replace(tzinfo=VN_TZ)
            return self.instant_at(self.offset(start) + seconds)
        whole = whole_amount(amount)
        local = start.astimezone(VN_TZ) if start.tzinfo else start.replace(tzinfo=VN_TZ)
        if unit is Unit.DAYS:
            last = local.date() + timedelta(days=whole)
        else:
            try:
                last = add_months(local.date(), whole)
            except ValueError:
                raise _error_out_of_range(f"+{whole} months", self.first_day, self.last_day) from None
        return self._end_of_working_day(last)

    def working_seconds_between(self, start: datetime, end: datetime) -> int:
        """Office time between two instants (negative when `end` is before `start`)."""
        return self.offset(end) - self.offset(start)

    def _end_of_working_day(self, day: date) -> datetime:
        """Close of office on `day`, or on the next working day when `day` is not one."""
        i = day.toordinal() - self._base
        if not 0 <= i < self._n:
            raise _error_out_of_range(day, self.first_day, self.last_day)
        j = self._next_working[i]
        if j >= self._n:
            raise _error_out_of_range(day, self.first_day, self.last_day)
        return self._midnights[j] + timedelta(seconds=self._closing)

    # -- explanation --------------------------------------------------------------------
    def explain(self, start: datetime, due: datetime) -> list[dict]:
        """Each day from `start` to `due`: counted office time or why it was skipped."""
        start_l, due_l = (x.astimezone(VN_TZ) if x.tzinfo else x.replace(tzinfo=VN_TZ) for x in (start, due))
        rows = []
        day = start_l.date()
        while day <= due_l.date():
            kind = self.day_kind(day)
            lo = max(start_l, datetime.combine(day, datetime.min.time(), VN_TZ))
            hi = min(due_l, datetime.combine(day + timedelta(1), datetime.min.time(), VN_TZ))
            counted = self.offset(hi) - self.offset(lo) if hi > lo else 0
            if day == due_l.date() and due_l.time() == datetime.min.time():
                counted = 0
            rows.append(self._explain_row(day, kind, counted))
            day += timedelta(1)
        return rows

    def _explain_row(self, day: date, kind: DayKind, counted: int) -> dict:
        override = self._overrides.get(day)
        name_vi = self._holidays_vi.get(day, "")
        name_en = self._holidays_en.get(day, name_vi)
        reason_vi, reason_en = {
            DayKind.WORKING: ("Ngày làm việc", "Working day"),
            DayKind.WEEKEND: ("Nghỉ cuối tuần", "Weekend"),
            DayKind.HOLIDAY: (f"Nghỉ lễ, Tết: {name_vi}", f"Public holiday: {name_en}"),
            DayKind.MAKEUP_WORKDAY: ("Ngày làm bù", "Make-up working day"),
            DayKind.OVERRIDE_HOLIDAY: ("Ngày nghỉ bổ sung", "Extra day off (override)"),
            DayKind.OVERRIDE_WORKING: ("Ngày làm việc bổ sung", "Extra working day (override)"),
        }[kind]
        if override is not None and override.note:
            reason_vi, reason_en = f"{reason_vi}: {override.note}", f"{reason_en}: {override.note}"
        if kind is DayKind.WEEKEND and name_vi:
            reason_vi, reason_en = f"{reason_vi} (trùng {name_vi})", f"{reason_en} (also {name_en})"
        return {
            "date": day.isoformat(),
            "weekday": WEEKDAYS_VI[day.weekday()],
            "kind": kind.value,
            "counted": kind in WORKING_KINDS and counted > 0,
            "counted_seconds": counted,
            "counted_hours": round(counted / 3600, 4),
            "reason": reason_vi,
            "reason_en": reason_en,
        }


# -- argument parsing shared by the API, the CLI and the services -----------------------------
def parse_unit(unit: Unit | str) -> Unit:
    if isinstance(unit, Unit):
        return unit
    try:
        return Unit(str(unit).strip().lower())
    except ValueError:
        allowed = ", ".join(u.value for u in Unit)
        raise InvalidInput(
            "unknown_unit",
            f"Đơn vị thời gian '{unit}' không hợp lệ; dùng một trong: {allowed}.",
            f"Unknown time unit '{unit}'; use one of: {allowed}.",
            allowed=[u.value for u in Unit],
        ) from None


def _decimal(amount: int | float | Decimal | str) -> Decimal:
    if isinstance(amount, int | Decimal):
        value = Decimal(amount)
    else:
        try:
            value = Decimal(str(amount).strip())
        except InvalidOperation:
            value = Decimal("NaN")
    if not value.is_finite():
        raise InvalidInput(
            "invalid_amount",
            f"Thời lượng '{amount}' không phải là số.",
            f"Amount '{amount}' is not a number.",
        )
    if value < 0:
        raise InvalidInput(
            "negative_amount",
            "Thời lượng không được âm.",
            "The amount must not be negative.",
            amount=str(amount),
        )
    if value > 100_000:
        raise InvalidInput("amount_too_large", "Thời lượng quá lớn.", "The amount is too large.")
    return value


def amount_to_seconds(amount: int | float | Decimal | str, per_unit: int) -> int:
    """Working amount → whole seconds (fractions such as 0.5 working day are allowed)."""
    if type(amount) is int and 0 <= amount <= 100_000:  # the hot path
        return amount * per_unit
    return int((_decimal(amount) * per_unit).to_integral_value())


def whole_amount(amount: int | float | Decimal | str) -> int:
    if type(amount) is int and 0 <= amount <= 100_000:
        return amount
    value = _decimal(amount)
    if value != value.to_integral_value():
        raise InvalidInput(
            "fractional_amount",
            "Thời hạn tính theo ngày hoặc tháng phải là số nguyên.",
            "Periods in calendar days or months must be whole numbers.",
        )
    return int(value)


def add_months(day: date, months: int) -> date:
    """Civil Code: the corresponding day of the last month, or that month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, _pycal.monthrange(year, month)[1]))
