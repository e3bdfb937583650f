"""Read models of the leaders' dashboard: targets, monthly trend, late and at-risk work by unit and
official, bottleneck steps, procedures nobody used for three years. Aggregates run in the database;
the step timings are streamed."""

from __future__ import annotations

import statistics
from datetime import timedelta

from django.db.models import Count, F, Q
from django.db.models.functions import TruncMonth

from motcua.catalog.selectors import versions_in_force
from motcua.common import clock
from motcua.dossiers.models import RUNNING, DossierFact, DossierStep
from motcua.metrics import engine
from motcua.workdays.services import get_calendar

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


def targets(result: dict, facts) -> list[dict]:
    by_id = {i["id"]: i for g in result["groups"] for i in g["indicators"]}
    eligible = facts.filter(procedure_version__full_process_eligible=True)
    agg = eligible.aggregate(n=Count("pk"), online=Count("pk", filter=Q(channel=2)))
    rows = []
    for key, label, goal in TARGETS:
        if key == "full_process":
            rate = round(100 * agg["online"] / agg["n"], 2) if agg["n"] else None
            n, d = agg["online"], agg["n"]
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


def monthly(facts) -> list[dict]:
    rows = (
        facts.annotate(month=TruncMonth("received_at"))
        .values("month")
        .order_by("month")
        .annotate(
            received=Count("pk"),
            online=Count("pk", filter=Q(channel=2)),
            ended=Count("pk", filter=~Q(timeliness="")),
            on_time=Count("pk", filter=Q(timeliness__in=["early", "on_time"])),
        )
    )
    return [
        {
            "month": r["month"].strftime("%m/%Y"),
            "received": r["received"],
            "online_rate": round(100 * r["online"] / r["received"], 1) if r["received"] else None,
            "on_time_rate": round(100 * r["on_time"] / r["ended"], 1) if r["ended"] else None,
        }
        for r in rows
    ]


def late_and_at_risk(steps, dossiers) -> dict:
    late = steps.filter(finished_at__gt=F("due_at"))
    now = clock.now()
    risky = dossiers.filter(status__in=list(RUNNING), risk_from__lte=now, due_at__gte=now)
    return {
        "late_by_unit": list(late.values("agency__name").annotate(n=Count("pk")).order_by("-n")[:15]),
        "late_by_official": list(
            late.exclude(finished_by=None)
            .values("finished_by__full_name", "agency__name")
            .annotate(n=Count("pk"))
            .order_by("-n")[:15]
        ),
        "at_risk_by_unit": list(risky.values("current_step__agency__name").annotate(n=Count("pk")).order_by("-n")[:15]),
    }


def bottlenecks(steps, limit: int = 200_000) -> list[dict]:
    """Median and p90 of the office time each step took, against its budget (streamed, capped)."""
    cal = get_calendar()
    spans: dict[tuple, list[int]] = {}
    budgets: dict[tuple, int] = {}
    rows = steps.values_list("name", "agency__name", "started_at", "finished_at", "budget_seconds")
    for name, agency, started, finished, budget in rows[:limit].iterator(chunk_size=5000):
        key = (name, agency)
        spans.setdefault(key, []).append(cal.working_seconds_between(started, finished))
        budgets[key] = budget
    out = []
    for key, values in spans.items():
        values.sort()
        p90 = values[min(len(values) - 1, int(0.9 * (len(values) - 1) + 0.5))]
        out.append(
            {
                "step": key[0],
                "agency": key[1],
                "n": len(values),
                "median_h": round(statistics.median(values) / 3600, 1),
                "p90_h": round(p90 / 3600, 1),
                "budget_h": round(budgets[key] / 3600, 1),
                "over": p90 > budgets[key],
            }
        )
    return sorted(out, key=lambda r: (-int(r["over"]), -(r["p90_h"] - r["budget_h"])))[:20]


def unused_procedures(years: int = 3) -> list:
    since = clock.now() - timedelta(days=365 * years)
    used = DossierFact.objects.filter(submitted_at__gte=since).values("procedure_id").distinct()
    return list(
        versions_in_force()
        .exclude(procedure_id__in=used)
        .select_related("procedure", "field")
        .order_by("procedure__code")[:200]
    )


def internal_procedures() -> list:
    return list(versions_in_force().filter(internal=True).select_related("procedure", "field"))


def dashboard(scope: str, period_text: str, agency_ids: list[int] | None) -> dict:
    result = engine.compute(scope, period_text)
    period = engine.parse_period(period_text)
    start, end = period.bounds
    facts = DossierFact.objects.filter(received_at__gte=start, received_at__lt=end)
    steps = DossierStep.objects.filter(finished_at__gte=start, finished_at__lt=end)
    from motcua.dossiers.models import Dossier

    dossiers = Dossier.objects.all()
    if agency_ids is not None:
        facts = facts.filter(Q(agency_id__in=agency_ids) | Q(receiving_agency_id__in=agency_ids))
        steps = steps.filter(agency_id__in=agency_ids)
        dossiers = dossiers.filter(Q(competent_agency_id__in=agency_ids) | Q(receiving_agency_id__in=agency_ids))
    return {
        "index": result,
        "targets": targets(result, facts),
        "monthly": monthly(facts),
        **late_and_at_risk(steps, dossiers),
        "bottlenecks": bottlenecks(steps),
        "unused": unused_procedures(),
        "internal": internal_procedures(),
    }
