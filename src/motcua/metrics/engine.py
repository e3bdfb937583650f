"""The Decision 766 index engine: versioned indicator configuration applied to the fact rows.

Every figure is an aggregate computed in the database (COUNT … FILTER), so memory stays flat
whatever the number of dossiers. Indicators whose data a later feature brings answer "no data"
(points None) instead of a made-up value. Formulas and caveats: shared/reference/vietnam-domain.md §1.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from importlib import resources

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from motcua.catalog.selectors import versions_in_force
from motcua.common import clock
from motcua.common.errors import InvalidInput
from motcua.common.timeutil import VN_TZ
from motcua.dossiers.models import DossierFact
from motcua.org.models import Agency
from motcua.sync.models import SyncState

DEFAULT_CONFIG = "766-2024"


@cache
def load_config(version: str = DEFAULT_CONFIG) -> dict:
    try:
        text = resources.files("motcua.metrics").joinpath(f"indicators/{version}.json").read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidInput(
            "unknown_config", f"Không có bộ chỉ số '{version}'.", f"No indicator set '{version}'."
        ) from None
    return json.loads(text)


# -- periods and scopes ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Period:
    label: str
    start: date
    end: date  # inclusive

    @property
    def bounds(self) -> tuple[datetime, datetime]:
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
            return Period(t, date(year, first, 1), _month_end(year, first + 5))
        if rest.startswith("-Q") and rest[2:] in "1234" and len(rest) == 3:
            q = int(rest[2])
            return Period(t, date(year, 3 * q - 2, 1), _month_end(year, 3 * q))
        month = int(rest[1:])
        if rest[0] == "-" and 1 <= month <= 12:
            return Period(t, date(year, month, 1), _month_end(year, month))
    except ValueError:
        pass
    raise InvalidInput(
        "invalid_period",
        f"Kỳ '{text}' không hợp lệ (ví dụ 2026, 2026-H1, 2026-Q3, 2026-07, 2026-01-01..2026-03-31).",
        f"Invalid period '{text}' (e.g. 2026, 2026-H1, 2026-Q3, 2026-07, 2026-01-01..2026-03-31).",
    )


def _month_end(year: int, month: int) -> date:
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return nxt - timedelta(days=1)


@dataclass(frozen=True)
class Scope:
    label: str
    facts: Q
    procedures: Q


def parse_scope(text: str) -> Scope:
    """node (everything), agency:CODE (its subtree), unit:CODE, procedure:CODE."""
    kind, _, value = (text or "node").partition(":")
    if kind == "node":
        return Scope("node", Q(), Q())
    if kind in ("agency", "unit"):
        agency = Agency.objects.filter(code=value).first()
        if agency is None:
            raise InvalidInput("unknown_agency", f"Không có cơ quan '{value}'.", f"Unknown agency '{value}'.")
        ids = list(Agency.objects.filter(tree_path__startswith=agency.tree_path).values_list("id", flat=True))
        field = "agency_id__in" if kind == "agency" else "unit_id__in"
        return Scope(text, Q(**{field: ids}), Q(competent_agency_id__in=ids) if kind == "agency" else Q())
    if kind == "procedure":
        return Scope(text, Q(procedure__code=value), Q(procedure__code=value))
    raise InvalidInput(
        "invalid_scope",
        "Phạm vi không hợp lệ (node, agency:MÃ, unit:MÃ, procedure:MÃ).",
        "Invalid scope (node, agency:CODE, unit:CODE, procedure:CODE).",
    )


# -- scoring ----------------------------------------------------------------------------------------
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


# -- the figures -------------------------------------------------------------------------------------
def _facts(scope: Scope, period: Period) -> QuerySet[DossierFact]:
    start, end = period.bounds
    return DossierFact.objects.filter(scope.facts, received_at__gte=start, received_at__lt=end)


def counts(scope: Scope, period: Period) -> dict[str, int]:
    """Every fact-based numerator and denominator of the node, in one aggregate query."""
    _, end = period.bounds
    synced = SyncState.objects.filter(dossier_id=OuterRef("dossier_id"), acked_version__gte=1)
    facts = _facts(scope, period).annotate(is_synced=Exists(synced))
    return fact_counts(facts, min(clock.now(), end), synced=Q(is_synced=True), disliked=Q(dossier__rating__score=1))


def fact_counts(rows: QuerySet, as_of, *, synced: Q, disliked: Q, appointment: str = "first_appointment_at") -> dict:
    """The same counts over any rows with the fact fields: the node's facts or the monitor's synced dossiers."""
    running = Q(ended_at__isnull=True, status__in=[2, 4, 6])
    running_within = running & Q(**{f"{appointment}__gte": as_of}, supplement_count__lte=1)
    fee = Q(fee_bearing=True)
    paper = Q(paper_result_required=True, status__in=[9, 10])
    # aliases carry a prefix: several share a name with a field of the rows
    agg = rows.aggregate(
        n_received=Count("pk"),
        n_synced=Count("pk", filter=synced),
        n_on_time=Count("pk", filter=Q(timeliness__in=["early", "on_time"]) | running_within),
        n_online=Count("pk", filter=Q(channel=2)),
        n_fee_bearing=Count("pk", filter=fee),
        n_paid_online=Count("pk", filter=fee & Q(paid_online=True)),
        n_paper_result=Count("pk", filter=paper),
        n_electronic_result=Count("pk", filter=paper & Q(electronic_result=True)),
        n_digitized=Count("pk", filter=Q(digitized=True)),
        n_reused=Count("pk", filter=Q(reused=True)),
        n_late=Count("pk", filter=Q(timeliness="late") | running & Q(**{f"{appointment}__lt": as_of})),
        n_disliked=Count("pk", filter=disliked),
    )
    return {k[2:]: v for k, v in agg.items()}


def used_procedures(facts: QuerySet) -> dict[str, set[int]]:
    """Procedures with online, fee-bearing and paid-online dossiers among the rows."""
    return {
        "online": set(facts.filter(channel=2).values_list("procedure_id", flat=True).distinct()),
        "fee": set(facts.filter(fee_bearing=True).values_list("procedure_id", flat=True).distinct()),
        "paid": set(facts.filter(fee_bearing=True, paid_online=True).values_list("procedure_id", flat=True).distinct()),
    }


def catalog_counts(scope: Scope, period: Period, facts: QuerySet | None = None, used: dict | None = None) -> dict:
    used = used if used is not None else used_procedures(facts)
    _, end = period.bounds
    procedures = versions_in_force(min(clock.now(), end)).filter(scope.procedures, internal=False)
    with_fee = procedures.filter(fees__amount_vnd__gt=0).values("procedure_id").distinct()
    has_agency = Q(competent_agency__isnull=False) | ~Q(competent_agency_kind="")
    complete = (
        procedures.exclude(steps_description="")
        .exclude(applicant_types=[])
        .filter(has_agency, components__isnull=False)
        .values("procedure_id")
        .distinct()
    )
    online_codes = set(procedures.exclude(online_level="none").values_list("procedure_id", flat=True))
    used_online, fee_with_dossiers, paid = used["online"], used["fee"], used["paid"]
    fee_ids = set(with_fee.values_list("procedure_id", flat=True))
    return {
        "procedures": procedures.count(),
        "complete": complete.count(),
        "online_procedures": len(online_codes),
        "online_used": len(online_codes & used_online),
        "fee_procedures": len(fee_ids),
        "fee_integrated": len(fee_ids & fee_with_dossiers),
        "fee_with_dossiers": len(fee_with_dossiers),
        "fee_paid_online": len(paid),
    }


def _fraction(formula: str, c: dict, k: dict) -> tuple[int | None, int | None]:
    satisfied = None
    if formula == "satisfaction":
        satisfied = max(0, c["received"] - c["late"] - c["disliked"])
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
        "satisfaction": (satisfied, c["received"]),
    }
    return table.get(formula, (None, None))


def compute(scope_text: str = "node", period_text: str = "", config_version: str = DEFAULT_CONFIG) -> dict:
    period = parse_period(period_text or str(clock.now().year))
    scope = parse_scope(scope_text)
    c = counts(scope, period)
    k = catalog_counts(scope, period, _facts(scope, period))
    return assemble(c, k, scope.label, period, config_version)


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
    """Score the counts with an indicator set (shared by the node and the national monitor)."""
    config = load_config(config_version)
    groups = []
    total = Decimal(0)
    for g in config["groups"]:
        items = []
        for ind in (i for i in config["indicators"] if i["group"] == g["id"]):
            numerator, denominator = _fraction(ind["formula"], c, k)
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


# -- drill-down: the dossiers behind a figure ---------------------------------------------------------
def _parts(formula: str, as_of) -> tuple[Q, Q] | None:
    """(numerator filter, denominator filter) on the fact rows of the scope and period."""
    late_open = Q(ended_at__isnull=True, status__in=[2, 4, 6], first_appointment_at__lt=as_of)
    within = Q(ended_at__isnull=True, status__in=[2, 4, 6], first_appointment_at__gte=as_of, supplement_count__lte=1)
    paper = Q(paper_result_required=True, status__in=[9, 10])
    table = {
        "synced": (Q(dossier__sync__acked_version__gte=1), Q()),
        "on_time": (Q(timeliness__in=["early", "on_time"]) | within, Q()),
        "online_share": (Q(channel=2), Q()),
        "paid_online": (Q(fee_bearing=True, paid_online=True), Q(fee_bearing=True)),
        "electronic_result": (paper & Q(electronic_result=True), paper),
        "digitized": (Q(digitized=True), Q()),
        "reused": (Q(reused=True), Q()),
        "satisfaction": (~(Q(timeliness="late") | late_open | Q(dossier__rating__score=1)), Q()),
    }
    return table.get(formula)


def drill(indicator: str, part: str, scope_text: str, period_text: str, config_version: str = DEFAULT_CONFIG):
    """The fact rows counted in an indicator's numerator or denominator."""
    config = load_config(config_version)
    found = next((i for i in config["indicators"] if i["id"] == indicator), None)
    period, scope = parse_period(period_text), parse_scope(scope_text)
    _, end = period.bounds
    parts = _parts(found["formula"], min(clock.now(), end)) if found else None
    if parts is None or part not in ("numerator", "denominator"):
        raise InvalidInput(
            "no_drill_down",
            "Chỉ số này không tính từ hồ sơ hoặc phần yêu cầu không hợp lệ (numerator/denominator).",
            "This indicator is not computed from dossiers, or the part is invalid (numerator/denominator).",
        )
    return _facts(scope, period).filter(parts[0] if part == "numerator" else parts[1])
