"""Read models of the leaders' dashboard: targets, monthly trend, late and at-risk work by unit and
official, bottleneck steps, procedures nobody used for three years. Everything reads the rollups
(metrics.rollups), so the page costs the same at 5 million dossiers as at 5 thousand."""

from __future__ import annotations

import hashlib
import math
from datetime import timedelta

from django.core.cache import cache
from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import TruncMonth

from motcua.catalog.selectors import versions_in_force
from motcua.common import clock
from motcua.dossiers.models import RUNNING, Dossier, DossierFact
from motcua.metrics import rollups, selectors
from motcua.metrics.models import DailyRollup, StepDurationRollup
from motcua.metrics.periods import parse_period
from motcua.org.models import Agency
from motcua.org.selectors import role_list

# Government targets the dashboard compares with (Resolution 76/NQ-CP, Decision 06 and 766 targets).
TARGETS = [
    ("2.1", "Hồ sơ giải quyết đúng hạn", 95),
    ("3.3", "Hồ sơ nộp trực tuyến", 50),
    ("full_process", "Hồ sơ trực tuyến toàn trình (trên hồ sơ của TTHC đủ điều kiện)", 80),
    ("3.6", "Hồ sơ thanh toán trực tuyến", 45),
    ("4.2", "Hồ sơ được số hóa", 80),
    ("1.4", "Hồ sơ đồng bộ lên Cổng DVCQG", 100),
    ("5.4", "Mức độ hài lòng", 90),
]


def targets(result: dict) -> list[dict]:
    by_id = {i["id"]: i for g in result["groups"] for i in g["indicators"]}
    full = result.get("full_process") or {"online": 0, "eligible": 0}
    rows = []
    for key, label, goal in TARGETS:
        if key == "full_process":
            n, d = full["online"], full["eligible"]
            rate = round(100 * n / d, 2) if d else None
        else:
            rate, n, d = by_id[key]["rate"], by_id[key]["numerator"], by_id[key]["denominator"]
        rows.append(
            {
                "key": key,
                "label": label,
                "goal": goal,
                "rate": rate,
                "numerator": n,
                "denominator": d,
                "met": rate is not None and float(rate) >= goal,
            }
        )
    return rows


def monthly(rows) -> list[dict]:
    months = (
        rows.annotate(month=TruncMonth("day"))
        .values("month")
        .order_by("month")
        .annotate(
            received=Sum("received"),
            online=Sum("online"),
            on_time=Sum("ended_on_time"),
            ended=Sum(F("ended_on_time") + F("ended_late")),
        )
    )
    return [
        {
            "month": r["month"].strftime("%m/%Y"),
            "received": r["received"],
            "online_rate": round(100 * r["online"] / r["received"], 1) if r["received"] else None,
            "on_time_rate": round(100 * r["on_time"] / r["ended"], 1) if r["ended"] else None,
        }
        for r in months
    ]


def _from_rollups(period_text: str, agency_ids: list[int] | None, rows) -> dict:
    """The parts of the dashboard that read only the rollups (remembered until the next refresh)."""

    def compute() -> dict:
        return {
            "monthly": monthly(rows),
            "late_by_unit": selectors.late_by_agency(period_text, agency_ids, limit=15),
            "late_by_official": selectors.late_by_official(period_text, agency_ids, limit=15),
            "bottlenecks": bottlenecks(period_text, agency_ids),
        }

    return rollups.memo("dashboard", (period_text, sorted(agency_ids or []), agency_ids is None), compute)


def at_risk_by_unit(agency_ids: list[int] | None, dossiers) -> list[dict]:
    """Running dossiers whose remaining step budgets no longer fit, by the unit holding them now.
    Read live from the dossiers and kept a minute (the rollups' own freshness): ~0.3 s at 5 M dossiers."""
    key = "dashboard:at-risk:" + hashlib.sha256(repr(sorted(agency_ids or [])).encode()).hexdigest()[:16]

    def count() -> list[dict]:
        now = clock.now()
        risky = dossiers.filter(status__in=list(RUNNING), risk_from__lte=now, due_at__gte=now)
        return list(risky.values("current_step__agency__name").annotate(n=Count("pk")).order_by("-n")[:15])

    return cache.get_or_set(key if agency_ids is not None else "dashboard:at-risk:node", count, AT_RISK_SECONDS)


AT_RISK_SECONDS = 60


def _bucket_seconds(bucket: int) -> float:
    """A bucket's representative office time: the geometric middle of its bounds."""
    edges = rollups.EDGES
    if bucket == 0:
        return edges[0] / 2
    if bucket >= len(edges):
        return float(edges[-1])
    return math.sqrt(edges[bucket - 1] * edges[bucket])


def _quantile(histogram: list[tuple[int, int]], q: float) -> float:
    """The q-quantile of a histogram [(bucket, n)] sorted by bucket."""
    total = sum(n for _, n in histogram)
    rank, seen = q * total, 0
    for bucket, n in histogram:
        seen += n
        if seen >= rank:
            return _bucket_seconds(bucket)
    return _bucket_seconds(histogram[-1][0])


def bottlenecks(period_text: str, agency_ids: list[int] | None = None) -> list[dict]:
    """Median and p90 of the office time each step took, against its budget, from the monthly
    histograms of the months the period touches (buckets 20 % wide, so within ±10 %)."""
    period = parse_period(period_text)
    rows = StepDurationRollup.objects.filter(month__gte=period.start.replace(day=1), month__lte=period.end)
    if agency_ids is not None:
        rows = rows.filter(agency_id__in=agency_ids)
    histograms: dict[tuple, dict[int, int]] = {}
    names = dict(Agency.objects.values_list("id", "name"))  # joined here: sorting wide rows spilled to disk
    for name, agency_id, budget, bucket, n in (
        rows.values_list("name", "agency_id", "budget_seconds", "bucket").order_by().annotate(n=Sum("n"))
    ):
        agency = names.get(agency_id, "")
        histogram = histograms.setdefault((name, agency, budget), {})
        histogram[bucket] = histogram.get(bucket, 0) + n
    out = []
    for (name, agency, budget), histogram in histograms.items():
        ordered = sorted(histogram.items())
        median, p90 = _quantile(ordered, 0.5), _quantile(ordered, 0.9)
        out.append(
            {
                "step": name,
                "agency": agency,
                "n": sum(histogram.values()),
                "median_h": round(median / 3600, 1),
                "p90_h": round(p90 / 3600, 1),
                "budget_h": round(budget / 3600, 1),
                "over": p90 > budget,
            }
        )
    return sorted(out, key=lambda r: (-int(r["over"]), -(r["p90_h"] - r["budget_h"])))[:20]


def unused_procedures(years: int = 3) -> list:
    """Procedures in force with no dossier submitted in `years` years (candidates to cut)."""
    since = clock.now() - timedelta(days=365 * years)
    used = DossierFact.objects.filter(procedure_id=OuterRef("procedure_id"), submitted_at__gte=since)
    return list(
        versions_in_force().filter(~Exists(used)).select_related("procedure", "field").order_by("procedure__code")[:200]
    )


def internal_procedures() -> list:
    return list(versions_in_force().filter(internal=True).select_related("procedure", "field"))


def dashboard(scope: str, period_text: str, agency_ids: list[int] | None) -> dict:
    """Everything the leaders' dashboard shows, from the rollups (as of their last refresh)."""
    rollups.ensure_built()
    result = rollups.compute(scope, period_text)
    period = parse_period(period_text)
    rows = DailyRollup.objects.filter(day__gte=period.start, day__lte=period.end)
    dossiers = Dossier.objects.all()
    if agency_ids is not None:
        rows = rows.filter(agency_id__in=agency_ids)
        dossiers = dossiers.filter(Q(competent_agency_id__in=agency_ids) | Q(receiving_agency_id__in=agency_ids))
    return {
        "index": result,
        "targets": targets(result),
        **_from_rollups(period_text, agency_ids, rows),
        "at_risk_by_unit": at_risk_by_unit(agency_ids, dossiers),
        "unused": unused_procedures(),
        "internal": internal_procedures(),
    }


def scope_of(user) -> tuple[str, list[int] | None]:
    """The dashboard a staff member sees: the whole node for provincial leaders, the service centre
    and superusers; otherwise the subtree of their first agency (a commune desk reports on its
    commune's People's Committee). Returns the scope text and the agency ids (None: all)."""
    roles = role_list(user)
    top = roles[0].agency if roles else None
    if top is not None and top.kind == Agency.Kind.COMMUNE_DESK:
        top = top.parent
    if user.is_superuser or top is None or top.kind in (Agency.Kind.PROVINCE_PC, Agency.Kind.SERVICE_CENTRE):
        return "node", None
    ids = list(Agency.objects.filter(tree_path__startswith=top.tree_path).values_list("id", flat=True))
    return f"agency:{top.code}", ids
