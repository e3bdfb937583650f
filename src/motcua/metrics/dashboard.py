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
from django.utils.translation import gettext_lazy as _

from motcua.catalog.selectors import versions_in_force
from motcua.common import clock
from motcua.dossiers.models import RUNNING, Dossier, DossierFact
from motcua.metrics import rollups, selectors
from motcua.metrics.models import DailyRollup, StepDurationRollup
from motcua.metrics.periods import parse_period
from motcua.org.models import Agency, StaffRole
from motcua.org.selectors import role_list

# Government targets the dashboard compares with (Resolution 76/NQ-CP, Decision 06 and 766 targets).
TARGETS = [
    ("2.1", _("Dossiers handled on time"), 95),
    ("3.3", _("Dossiers submitted online"), 50),
    ("full_process", _("Fully online dossiers (of the dossiers of eligible procedures)"), 80),
    ("3.6", _("Dossiers paid online"), 45),
    ("4.2", _("Dossiers digitized"), 80),
    ("1.4", _("Dossiers synced to the national portal"), 100),
    ("5.4", _("Satisfaction"), 90),
]

# Who may read the dashboard and the dossiers behind its figures (colleagues' late steps included): leaders,
# division heads, inspectors and administrators, and superusers; never desk receptionists or specialists.
DASHBOARD_ROLES = (
    StaffRole.Role.AGENCY_LEADER,
    StaffRole.Role.DIVISION_HEAD,
    StaffRole.Role.INSPECTOR,
    StaffRole.Role.ADMINISTRATOR,
)


def may_view(user) -> bool:
    """The one rule of the leaders' dashboard and its drill-down (pages and the menu link alike)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or any(r.role in DASHBOARD_ROLES for r in role_list(user))


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


def chart(monthly: list[dict], height: int = 150) -> dict:
    """The bars of the monthly chart (SVG), each with its value written above it; wider than the default
    600 units when a range holds more than twelve months."""
    peak = max([m["received"] for m in monthly] or [1]) or 1
    bars = []
    for i, m in enumerate(monthly):
        tall = round(height * m["received"] / peak)
        x, top = 10 + i * 48, 20 + height - tall
        bars.append({**m, "height": tall, "x": x, "y": top, "middle": x + 18, "value_y": top - 4})
    return {"bars": bars, "width": max(600, 20 + 48 * len(monthly))}


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
        ratio = round(100 * p90 / budget) if budget else None
        out.append(
            {
                "step": name,
                "agency": agency,
                "n": sum(histogram.values()),
                "median_h": round(median / 3600, 1),
                "p90_h": round(p90 / 3600, 1),
                "budget_h": round(budget / 3600, 1),
                "over": p90 > budget,
                "ratio": ratio,  # p90 as a percentage of the budget
                "level": budget_level(ratio),
            }
        )
    return sorted(out, key=lambda r: (-int(r["over"]), -(r["p90_h"] - r["budget_h"])))[:20]


# How far over its budget a step's p90 is: within it, up to half as much again, more than that.
OVER_BUDGET_WARN, OVER_BUDGET_BAD = 100, 150


def budget_level(ratio: int | None) -> str:
    """The level of a ratio: "ok" (p90 ≤ 100 % of the budget), "warn" (≤ 150 %), "bad" (more); "" without one."""
    if ratio is None:
        return ""
    return "ok" if ratio <= OVER_BUDGET_WARN else "warn" if ratio <= OVER_BUDGET_BAD else "bad"


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
        "freshness": rollups.freshness(result.get("as_of")),
        "targets": targets(result),
        **_from_rollups(period_text, agency_ids, rows),
        "at_risk_by_unit": at_risk_by_unit(agency_ids, dossiers),
        "unused": unused_procedures(),
        "internal": internal_procedures(),
    }


def scope_of(user) -> tuple[str, list[int] | None]:
    """The dashboard a staff member sees: the whole node for provincial leaders, the service centre
    and superusers; otherwise the subtree of the agency of their first dashboard role (`DASHBOARD_ROLES`; a
    commune desk reports on its commune's People's Committee). Returns the scope text and the agency ids
    (None: all)."""
    roles = [r for r in role_list(user) if r.role in DASHBOARD_ROLES] or role_list(user)
    top = roles[0].agency if roles else None
    if top is not None and top.kind == Agency.Kind.COMMUNE_DESK:
        top = top.parent
    if user.is_superuser or top is None or top.kind in (Agency.Kind.PROVINCE_PC, Agency.Kind.SERVICE_CENTRE):
        return "node", None
    ids = list(Agency.objects.filter(tree_path__startswith=top.tree_path).values_list("id", flat=True))
    return f"agency:{top.code}", ids
