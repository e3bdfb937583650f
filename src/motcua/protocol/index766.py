"""The Decision 766 formulas shared by the node and the monitor: indicator sets (data, versioned),
periods, the per-dossier counts as aggregate expressions over rows with the fact columns, and scoring.

The counts are `COUNT … FILTER` expressions over column names that the node's fact rows and the
monitor's synced dossiers both have (`protocol.facts.derive` fills them), so either side passes its
own rows and gets the same figures for the same dossiers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from importlib import resources

from django.db.models import Count, Q

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


def parse_period(text: str) -> Period:
    """2026, 2026-H1, 2026-Q3, 2026-07, or 2026-01-01..2026-03-31."""
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
OPEN_ONE_REQUEST = OPEN & Q(supplement_count__lte=1)
ENDED_ON_TIME = Q(timeliness__in=["early", "on_time"])
ENDED_LATE = Q(timeliness="late")
PAPER_RESOLVED = Q(paper_result_required=True, status__in=[9, 10])
FEE = Q(fee_bearing=True)


def within(as_of) -> Q:
    """Open dossiers still within their time at `as_of` (at most one supplement request)."""
    return OPEN_ONE_REQUEST & Q(index_due_at__gte=as_of)


def past(as_of) -> Q:
    """Open dossiers late at `as_of`: past their time, or asked to supplement more than once."""
    return OPEN & (Q(index_due_at__lt=as_of) | Q(supplement_count__gt=1))


def counted_anytime(*, synced: Q) -> dict:
    """COUNT … FILTER expressions of the figures that do not depend on when they are judged (shared by
    the index and the rollups; prefixed: several share a name with a column of the rows)."""
    return {
        "n_received": Count("pk"),
        "n_synced": Count("pk", filter=synced),
        "n_online": Count("pk", filter=Q(counted_online=True)),
        "n_fee_bearing": Count("pk", filter=FEE),
        "n_paid_online": Count("pk", filter=FEE & Q(paid_online=True)),
        "n_paper_result": Count("pk", filter=PAPER_RESOLVED),
        "n_electronic_result": Count("pk", filter=PAPER_RESOLVED & Q(electronic_result=True)),
        "n_digitized": Count("pk", filter=Q(digitized=True)),
        "n_reused": Count("pk", filter=Q(reused=True)),
        "n_from_data_store": Count("pk", filter=Q(from_data_store=True)),
        "n_disliked": Count("pk", filter=Q(disliked=True)),
        # ended dossiers late or disliked (the rollups add the open ones when they are read)
        "n_ended_late_or_disliked": Count("pk", filter=ENDED_LATE | (Q(disliked=True) & ~OPEN)),
    }


def aggregates(as_of, *, synced: Q) -> dict:
    """Every per-dossier numerator and denominator, open dossiers judged as of `as_of`."""
    return {
        **counted_anytime(synced=synced),
        "n_on_time": Count("pk", filter=ENDED_ON_TIME | within(as_of)),
        "n_late": Count("pk", filter=ENDED_LATE | past(as_of)),
        "n_late_or_disliked": Count("pk", filter=ENDED_LATE | past(as_of) | Q(disliked=True)),
    }


def counts(rows, as_of, *, synced: Q) -> dict[str, int]:
    """The per-dossier counts of any rows with the fact columns (node facts or the monitor's store)."""
    agg = rows.aggregate(**aggregates(as_of, synced=synced))
    return {k[2:]: v for k, v in agg.items()}


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


def fraction(formula: str, c: dict, k: dict) -> tuple[int | None, int | None]:
    """(numerator, denominator) of a formula key from the dossier counts `c` and catalog counts `k`."""
    table = {
        "catalog_complete": (k["complete"], k["procedures"]),
        "synced": (c["synced"], c["received"]),
        "on_time": (c["on_time"], c["received"]),
        "online_procedures": (k["online_procedures"], k["procedures"]),
        "online_services_used": (k["online_used"], k["online_procedures"]),
        "online_share": (c["online"], c["received"]),
        "fee_procedures_integrated": (k["fee_integrated"], k["fee_procedures"]),
        "fee_procedures_paid_online": (k["fee_paid_online"], k["fee_with_dossiers"]),
        "paid_online": (c["paid_online"], c["fee_bearing"]),
        "electronic_result": (c["electronic_result"], c["paper_result"]),
        "digitized": (c["digitized"], c["received"]),
        "reused": (c["reused"], c["received"]),
        "from_data_store": (c["from_data_store"], c["received"]),
        # 5.4: 100 % − (late + disliked), each dossier counted once even when it is both
        "satisfaction": (c["received"] - c["late_or_disliked"], c["received"]),
    }
    return table.get(formula, (None, None))


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
