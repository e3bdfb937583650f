"""Reads for the public transparency page: each agency's index and who caused late dossiers."""

from __future__ import annotations

from django.db.models import Count, F

from motcua.dossiers.models import DossierStep
from motcua.metrics import engine, services
from motcua.org.models import Agency, StaffRole


def agency_rows(period_text: str) -> list[dict]:
    """The province's departments and communes, each with its index and band."""
    top = (
        Agency.objects.filter(parent__kind=Agency.Kind.PROVINCE_PC, active=True)
        .exclude(kind__in=[Agency.Kind.SERVICE_CENTRE])
        .order_by("kind", "name")
    )
    rows = []
    for agency in top:
        result = engine.compute(f"agency:{agency.code}", period_text)
        on_time = next(i for g in result["groups"] for i in g["indicators"] if i["id"] == "2.1")
        if on_time["denominator"]:
            rows.append(
                {
                    "agency": agency,
                    "total": result["total"],
                    "band": services.band(result["total"]),
                    "received": on_time["denominator"],
                    "on_time": on_time["rate"],
                }
            )
    return sorted(rows, key=lambda r: -r["total"])


def late_steps(period_text: str):
    period = engine.parse_period(period_text)
    start, end = period.bounds
    return DossierStep.objects.filter(finished_at__gte=start, finished_at__lt=end, finished_at__gt=F("due_at"))


def late_by_agency(period_text: str) -> list[dict]:
    return list(late_steps(period_text).values("agency__name").annotate(n=Count("pk")).order_by("-n")[:30])


def late_by_official(period_text: str) -> list[dict]:
    """Names, roles and counts only: never citizen data."""
    rows = list(
        late_steps(period_text)
        .exclude(finished_by=None)
        .values("finished_by_id", "finished_by__full_name", "agency__name")
        .annotate(n=Count("pk"))
        .order_by("-n")[:30]
    )
    roles = dict(
        StaffRole.objects.filter(user_id__in=[r["finished_by_id"] for r in rows]).values_list("user_id", "role")
    )
    labels = dict(StaffRole.Role.choices)
    return [
        {
            "name": r["finished_by__full_name"],
            "role": labels.get(roles.get(r["finished_by_id"]), ""),
            "agency": r["agency__name"],
            "n": r["n"],
        }
        for r in rows
    ]
