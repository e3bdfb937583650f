"""Periods of the index: the shared definitions (`protocol.index766`, also the national monitor's) and the
node's defaults and day boundaries."""

from __future__ import annotations

import re
from datetime import date, datetime

from django.utils.translation import gettext

from motcua.common import clock
from motcua.common.errors import InvalidInput
from motcua.common.text import fold
from motcua.common.timeutil import VN_TZ
from motcua.protocol.index766 import FIRST_YEAR, LAST_YEAR, Period, judged_at, month_end, parse_period

__all__ = [
    "FIRST_YEAR",
    "LAST_YEAR",
    "PARTS",
    "Period",
    "compose_period",
    "default_period",
    "describe_period",
    "judged_at",
    "midnight",
    "month_end",
    "normalize_period",
    "parse_period",
    "period_from",
    "picker",
    "this_quarter",
    "this_year",
    "whole_months",
]


def this_year() -> str:
    """The current year as a period (the default of the API, both index pages and the drill-down)."""
    return str(clock.now().year)


def this_quarter() -> str:
    """The current quarter as a period."""
    today = clock.now()
    return f"{today.year}-Q{(today.month - 1) // 3 + 1}"


def midnight(day: date) -> datetime:
    """The instant a day starts, Vietnam time."""
    return datetime(day.year, day.month, day.day, tzinfo=VN_TZ)


def whole_months(period: Period) -> bool:
    """The period starts on a month's first day and ends on a month's last (monthly rollups serve it)."""
    return period.start.day == 1 and period.end == month_end(period.end.year, period.end.month)


def default_period() -> str:
    """The period both index pages open on (the public page and the leaders' dashboard): the current year."""
    return this_year()


# -- what people type and pick ------------------------------------------------------------------------------
# The protocol (`parse_period`) stays strict: these helpers turn what a person types or picks on the pages
# into its canonical text first ("Q3/2026", "quý III năm 2026", "07/2026", "6 tháng đầu năm 2026", …).
_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4"}
_NUM = r"(\d{1,2}|iv|iii|ii|i)"
_YEAR = r"(\d{4})"
_SEP = r"\s*(?:/|-|\.|\s|nam)\s*"
_TYPED = [
    (re.compile(rf"^(?:q|quy)\s*{_NUM}{_SEP}{_YEAR}$"), "Q"),  # Q3/2026, quý 3/2026, quý III năm 2026
    (re.compile(rf"^{_YEAR}{_SEP}(?:q|quy)\s*{_NUM}$"), "Q~"),  # 2026/Q3, 2026 quý 3
    (re.compile(rf"^(?:h|nua|6 thang dau)\s*{_NUM}?{_SEP}{_YEAR}$"), "H"),  # H1/2026, 6 tháng đầu năm 2026
    (re.compile(rf"^6 thang cuoi{_SEP}{_YEAR}$"), "H2"),
    (re.compile(rf"^(?:thang\s*)?(\d{{1,2}}){_SEP}{_YEAR}$"), "M"),  # 07/2026, 7-2026, tháng 7/2026
    (re.compile(rf"^{_YEAR}\s*[/.]\s*(\d{{1,2}})$"), "M~"),  # 2026/07
    (re.compile(rf"^nam\s*{_YEAR}$"), "Y"),  # năm 2026
]
_DAY = r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})"
_RANGE = re.compile(rf"^(?:tu\s*)?{_DAY}\s*(?:\.\.|-|–|—|den)\s*{_DAY}$")


def normalize_period(text: str | None) -> str:
    """The canonical period text (`2026`, `2026-H1`, `2026-Q3`, `2026-07`, `2026-01-01..2026-03-31`) of what
    a person typed; text it cannot read comes back as it was (stripped), for `parse_period` to refuse."""
    raw = (text or "").strip()
    t = fold(raw.replace("–", "-").replace("—", "-"))
    if re.fullmatch(r"\d{4}(-(h[12]|q[1-4]|\d{2}))?|\d{4}-\d{2}-\d{2}\.\.\d{4}-\d{2}-\d{2}", t):
        return t.upper()
    if m := _RANGE.match(t):
        d1, m1, y1, d2, m2, y2 = m.groups()
        return f"{y1}-{int(m1):02d}-{int(d1):02d}..{y2}-{int(m2):02d}-{int(d2):02d}"
    for pattern, kind in _TYPED:
        m = pattern.match(t)
        if not m:
            continue
        groups = m.groups()
        if kind in ("Q", "Q~"):
            year, q = (groups[1], groups[0]) if kind == "Q" else groups
            q = _ROMAN.get(q, q).lstrip("0")
            return f"{year}-Q{q}" if q in ("1", "2", "3", "4") else raw
        if kind == "H":
            half = _ROMAN.get(groups[0] or "1", groups[0] or "1")
            return f"{groups[1]}-H{half}" if half in ("1", "2") else raw
        if kind == "H2":
            return f"{groups[0]}-H2"
        if kind == "M":
            return f"{groups[1]}-{int(groups[0]):02d}"
        if kind == "M~":
            return f"{groups[0]}-{int(groups[1]):02d}"
        return groups[0]
    return raw


PARTS = ["", "H1", "H2", "Q1", "Q2", "Q3", "Q4", *(f"{m:02d}" for m in range(1, 13))]


def compose_period(year: str | None, part: str | None) -> str:
    """The canonical text of the pickers' choice: a year and a part of it ("" the whole year, H1, Q3, 07…)."""
    year, part = (year or "").strip(), (part or "").strip().upper()
    if part not in PARTS:
        part = ""
    return f"{year}-{part}" if part else year


def period_from(query) -> str:
    """The period a page was asked for: the pickers (`nam`, `phan`), else a typed or linked `ky`, else the default."""
    if query.get("nam"):
        return compose_period(query.get("nam"), query.get("phan"))
    return normalize_period(query.get("ky")) or default_period()


def part_label(part: str) -> str:
    if not part:
        return gettext("Whole year")
    if part in ("H1", "H2"):
        return gettext("First half") if part == "H1" else gettext("Second half")
    if part.startswith("Q"):
        return gettext("Quarter %(q)s") % {"q": part[1]}
    return gettext("Month %(m)s") % {"m": int(part)}


def picker(period_text: str, years_back: int = 9) -> dict:
    """What the pickers show for a period: its name and dates, its year and part selected, and the choices (the
    last ten years, and the period's own year if older). A date range selects its first year only; a period
    that cannot be read selects the current year and has no name."""
    now = int(this_year())
    try:
        period = parse_period(period_text)
    except InvalidInput:
        period = None
    label = period.label.upper() if period else ""
    year, part = (period.start.year, label[5:]) if period and ".." not in label else (now, "")
    if period and ".." in label:
        year = period.start.year
    years = list(range(now, now - years_back - 1, -1))
    if year not in years:
        years.append(year)
    return {
        "name": describe_period(period_text) if period else None,
        "dates": f"{period.start:%d/%m/%Y} – {period.end:%d/%m/%Y}" if period and ".." not in label else "",
        "year": year,
        "part": part if part in PARTS else "",
        "years": years,
        "parts": [(p, part_label(p)) for p in PARTS],
    }


def describe_period(period_text: str) -> str:
    """A period in words: "Quý 3/2026", "6 tháng đầu năm 2026", "01/01/2026 – 15/02/2026"."""
    period = parse_period(period_text)
    text = period.label.upper()
    year = str(period.start.year)
    if ".." in text:
        return f"{period.start:%d/%m/%Y} – {period.end:%d/%m/%Y}"
    part = text[5:]
    if not part:
        return gettext("Year %(year)s") % {"year": year}
    if part in ("H1", "H2"):
        words = gettext("First half of %(year)s") if part == "H1" else gettext("Second half of %(year)s")
        return words % {"year": year}
    if part.startswith("Q"):
        return gettext("Quarter %(q)s/%(year)s") % {"q": part[1], "year": year}
    return gettext("Month %(m)s/%(year)s") % {"m": f"{int(part):02d}", "year": year}
