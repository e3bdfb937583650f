"""The Decision 766 formulas shared by the node and the monitor: indicator sets (data, versioned),
periods, the per-dossier counts as filters over rows with the fact columns, the formula table, and scoring.

Each dossier count is defined once, as a filter over column names that the node's fact rows and the
monitor's synced dossiers both have (`protocol.facts.derive` fills them); counted (`COUNT … FILTER`),
summed into rollups or listed (drill-down), and combined into fractions by the one table `FORMULAS`,
so either side passes its own rows and gets the same figures for the same dossiers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from importlib import resources

from django.db.models import Count, Q

from motcua.common import clock
from motcua.common.errors import InvalidInput
from motcua.common.timeutil import VN_TZ

DEFAULT_CONFIG = "766-2024"


@cache
def load_config(version: str = DEFAULT_CONFIG) -> dict:
    try:
        text = resources.files("motcua.protocol").joinpath(f"indicators/{version}.json").read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidInput(
            "unknown_config", f"Không có bộ chỉ số '{version}'.", f"No indicator set '{version}'."
        ) from None
    return json.loads(text)


# -- periods --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Period:
    """Received dates (Vietnam time) from `start` to `end` inclusive."""

    label: str
    start: date
    end: date

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        """[start, end) as instants: exact at the second on every database."""
        start = datetime(self.start.year, self.start.month, self.start.day, tzinfo=VN_TZ)
        end = datetime(self.end.year, self.end.month, self.end.day, tzinfo=VN_TZ) + timedelta(days=1)
        return start, end


# The years a period may cover: beyond them instants overflow (9999-12-31 has no next day) and nothing is filed.
FIRST_YEAR, LAST_YEAR = 2000, 2099


def parse_period(text: str) -> Period:
    """2026, 2026-H1, 2026-Q3, 2026-07, or 2026-01-01..2026-03-31, within FIRST_YEAR..LAST_YEAR (400
    `invalid_period` otherwise); the node and the monitor parse every period a caller sends here."""
    period = _parse_period(text)
    if period.start.year < FIRST_YEAR or period.end.year > LAST_YEAR:
        raise InvalidInput(
            "invalid_period",
            f"Kỳ '{text[:40]}' nằm ngoài các năm {FIRST_YEAR}–{LAST_YEAR}.",
            f"Period '{text[:40]}' is outside the years {FIRST_YEAR}-{LAST_YEAR}.",
        )
    return period


def _parse_period(text: str) -> Period:
    t = (text or "").strip().upper()
    try:
        if ".." in t:
            a, b = (date.fromisoformat(x) for x in t.split(".."))
            if b < a:
                raise ValueError
            return Period(text, a, b)
        year = int(t[:4])
        rest = t[4:]
        if rest == "":
            return Period(t, date(year, 1, 1), date(year, 12, 31))
        if rest in ("-H1", "-H2"):
            first = 1 if rest == "-H1" else 7
            return Period(t, date(year, first, 1), month_end(year, first + 5))
        if rest.startswith("-Q") and rest[2:] in "1234" and len(rest) == 3:
            q = int(rest[2])
            return Period(t, date(year, 3 * q - 2, 1), month_end(year, 3 * q))
        month = int(rest[1:])
        if rest[0] == "-" and 1 <= month <= 12:
            return Period(t, date(year, month, 1), month_end(year, month))
    except ValueError:
        pass
    raise InvalidInput(
        "invalid_period",
        f"Kỳ '{text}' không hợp lệ (ví dụ 2026, 2026-H1, 2026-Q3, 2026-07, 2026-01-01..2026-03-31).",
        f"Invalid period '{text}' (e.g. 2026, 2026-H1, 2026-Q3, 2026-07, 2026-01-01..2026-03-31).",
    )


def month_end(year: int, month: int) -> date:
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return nxt - timedelta(days=1)


# -- per-dossier counts ------------------------------------------------------------------------------------
OPEN = Q(index_end_at__isnull=True)  # received and not ended: judged when read
MORE_THAN_ONE_REQUEST = Q(supplement_count__gt=1)  # late whatever the time
OPEN_ONE_REQUEST = OPEN & Q(supplement_count__lte=1)  # judged against the index deadline
ENDED_ON_TIME = Q(timeliness__in=["early", "on_time"])
ENDED_LATE = Q(timeliness="late")
PAPER_RESOLVED = Q(paper_result_required=True, status__in=[9, 10])
FEE = Q(fee_bearing=True)
DISLIKED = Q(disliked=True)


def judged_at(period: Period) -> datetime:
    """The instant open dossiers are judged at: the period's end, or now while the period runs."""
    return min(clock.now(), period.bounds[1])


def within(as_of) -> Q:
    """Open dossiers still within their time at `as_of` (at most one supplement request)."""
    return OPEN_ONE_REQUEST & Q(index_due_at__gte=as_of)


def past(as_of) -> Q:
    """Open dossiers late at `as_of`: past their time, or asked to supplement more than once."""
    return OPEN & (Q(index_due_at__lt=as_of) | MORE_THAN_ONE_REQUEST)


def anytime(*, synced: Q) -> dict[str, Q]:
    """The dossier counts that do not depend on when they are judged, each as a filter on the rows
    (`synced`: how each side knows a dossier reached the national portal)."""
    return {
        "received": Q(),
        "synced": synced,
        "online": Q(counted_online=True),
        "fee_bearing": FEE,
        "paid_online": FEE & Q(paid_online=True),
        "paper_result": PAPER_RESOLVED,
        "electronic_result": PAPER_RESOLVED & Q(electronic_result=True),
        "digitized": Q(digitized=True),
        "reused": Q(reused=True),
        "from_data_store": Q(from_data_store=True),
        "disliked": DISLIKED,
        # ended dossiers late or disliked (the rollups add the open ones when they are read)
        "ended_late_or_disliked": ENDED_LATE | (DISLIKED & ~OPEN),
    }


def judged(as_of) -> dict[str, Q]:
    """The dossier counts that judge open dossiers as of `as_of`, each as a filter on the rows."""
    late = ENDED_LATE | past(as_of)
    return {
        "on_time": ENDED_ON_TIME | within(as_of),
        "late": late,
        "late_or_disliked": late | DISLIKED,
    }


def filters(as_of, *, synced: Q) -> dict[str, Q]:
    """Every dossier count of the index as a filter on the rows, open dossiers judged as of `as_of`."""
    return {**anytime(synced=synced), **judged(as_of)}


def count_each(named: dict[str, Q]) -> dict:
    """COUNT … FILTER expressions of named filters (prefixed: several share a name with a column of the rows)."""
    return {f"n_{name}": Count("pk", filter=q) if q else Count("pk") for name, q in named.items()}


def counted_anytime(*, synced: Q) -> dict:
    """The counts that do not depend on when they are judged (shared by the index and the rollups)."""
    return count_each(anytime(synced=synced))


def aggregates(as_of, *, synced: Q) -> dict:
    """Every per-dossier numerator and denominator, open dossiers judged as of `as_of`."""
    return count_each(filters(as_of, synced=synced))


def counts(rows, as_of, *, synced: Q) -> dict[str, int]:
    """The per-dossier counts of any rows with the fact columns (node facts or the monitor's store)."""
    agg = rows.aggregate(**aggregates(as_of, synced=synced))
    return {k[2:]: v for k, v in agg.items()}


# -- the formula table ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Dossiers:
    """One side of a fraction: the dossiers of a count (a filter above), less those of another count
    (a subset of them)."""

    count: str
    less: str | None = None


@dataclass(frozen=True)
class Procedures:
    """One side of a fraction: a count of procedures in force (catalog counts; no dossiers behind it)."""

    count: str


# Each formula of an indicator set → (numerator, denominator). The counts (`fraction`), the rollups (which
# keep the same counts) and the drill-down (`parts`) all read this one table; "no_data" is not in it.
FORMULAS: dict[str, tuple[Dossiers | Procedures, Dossiers | Procedures]] = {
    "catalog_complete": (Procedures("complete"), Procedures("procedures")),
    "synced": (Dossiers("synced"), Dossiers("received")),
    "on_time": (Dossiers("on_time"), Dossiers("received")),
    "online_procedures": (Procedures("online_procedures"), Procedures("procedures")),
    "online_services_used": (Procedures("online_used"), Procedures("online_procedures")),
    "online_share": (Dossiers("online"), Dossiers("received")),
    "fee_procedures_integrated": (Procedures("fee_integrated"), Procedures("fee_procedures")),
    "fee_procedures_paid_online": (Procedures("fee_paid_online"), Procedures("fee_with_dossiers")),
    "paid_online": (Dossiers("paid_online"), Dossiers("fee_bearing")),
    "electronic_result": (Dossiers("electronic_result"), Dossiers("paper_result")),
    "digitized": (Dossiers("digitized"), Dossiers("received")),
    "reused": (Dossiers("reused"), Dossiers("received")),
    "from_data_store": (Dossiers("from_data_store"), Dossiers("received")),
    # 5.4: 100 % − (late + disliked), each dossier counted once even when it is both
    "satisfaction": (Dossiers("received", less="late_or_disliked"), Dossiers("received")),
}


def fraction(formula: str, c: dict, k: dict) -> tuple[int | None, int | None]:
    """(numerator, denominator) of a formula key from the dossier counts `c` and catalog counts `k`."""
    sides = FORMULAS.get(formula)
    if sides is None:
        return None, None
    numerator, denominator = (_value(side, c, k) for side in sides)
    return numerator, denominator


def _value(side: Dossiers | Procedures, c: dict, k: dict) -> int | None:
    if isinstance(side, Procedures):
        return k[side.count]
    return c[side.count] - (c[side.less] if side.less else 0)


def parts(formula: str, as_of, *, synced: Q) -> tuple[Q, Q] | None:
    """(numerator filter, denominator filter) of a formula on the rows, open dossiers judged as of `as_of`:
    the very filters the counts use, so a figure and the dossiers behind it always agree. None when the
    formula is not counted from dossiers."""
    sides = FORMULAS.get(formula)
    if sides is None or any(isinstance(side, Procedures) for side in sides):
        return None
    named = filters(as_of, synced=synced)
    numerator, denominator = (
        named[side.count] & ~named[side.less] if side.less else named[side.count] for side in sides
    )
    return numerator, denominator


# -- scoring ------------------------------------------------------------------------------------------------
def two(x: Decimal) -> Decimal:
    return x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def score(numerator: int | None, denominator: int | None, max_points, target) -> tuple:
    """(rate %, points): max if rate ≥ target, else rate / target × max; no target: rate × max."""
    if numerator is None or not denominator:
        return None, None
    rate = Decimal(numerator) / Decimal(denominator)
    pmax = Decimal(str(max_points))
    if target is None:
        points = rate * pmax
    else:
        t = Decimal(str(target))
        points = pmax if rate >= t else rate / t * pmax
    return two(rate * 100), two(points)


NO_CATALOG = {
    "procedures": None,
    "complete": None,
    "online_procedures": None,
    "online_used": None,
    "fee_procedures": None,
    "fee_integrated": None,
    "fee_with_dossiers": None,
    "fee_paid_online": None,
}


def assemble(c: dict, k: dict, scope_label: str, period: Period, config_version: str = DEFAULT_CONFIG) -> dict:
    """Score the counts with an indicator set (the node and the national monitor alike)."""
    config = load_config(config_version)
    groups = []
    total = Decimal(0)
    for g in config["groups"]:
        items = []
        for ind in (i for i in config["indicators"] if i["group"] == g["id"]):
            numerator, denominator = fraction(ind["formula"], c, k)
            rate, points = score(numerator, denominator, ind["max_points"], ind["target"])
            items.append(
                {
                    "id": ind["id"],
                    "name": ind["name_vi"],
                    "name_en": ind["name_en"],
                    "max_points": ind["max_points"],
                    "target": ind["target"],
                    "numerator": numerator,
                    "denominator": denominator,
                    "rate": rate,
                    "points": points,
                    "has_data": ind["formula"] != "no_data",
                    "note": ind.get("note", ""),
                }
            )
        group_points = two(sum((i["points"] or Decimal(0)) for i in items))
        total += group_points
        groups.append(
            {
                "id": g["id"],
                "name": g["name_vi"],
                "name_en": g["name_en"],
                "max_points": g["max_points"],
                "points": group_points,
                "indicators": items,
            }
        )
    return {
        "config_version": config["version"],
        "scope": scope_label,
        "period": period.label,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "total": two(total),
        "max_with_data": sum(i["max_points"] for i in config["indicators"] if i["formula"] != "no_data"),
        "groups": groups,
    }


@cache
def config_names() -> tuple[str, ...]:
    """The indicator sets there are (`indicators/*.json`), newest first: the only names `load_config` may be
    given from outside (the API offers exactly these)."""
    folder = resources.files("motcua.protocol").joinpath("indicators")
    return tuple(sorted((f.name[:-5] for f in folder.iterdir() if f.name.endswith(".json")), reverse=True))
