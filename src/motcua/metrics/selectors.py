"""Reads of the index pages: the public transparency page (each agency's index and who caused late steps,
from the rollups) and the dossiers behind a figure (drill-down)."""

from __future__ import annotations

from django.db.models import QuerySet, Sum

from motcua.dossiers import authz
from motcua.metrics import fact_index, rollups
from motcua.metrics.models import StepRollup
from motcua.metrics.periods import parse_period, this_year
from motcua.metrics.scopes import check_viewer
from motcua.metrics.scoring import band, load_config
from motcua.org.models import Agency, StaffRole


def province_and_agencies(period_text: str) -> tuple[dict, list[dict]]:
    """The province's index, and its departments and communes each with its index and band, from
    one pass over the rollups."""
    top = list(
        Agency.objects.filter(parent__kind=Agency.Kind.PROVINCE_PC, active=True)
        .exclude(kind__in=[Agency.Kind.SERVICE_CENTRE])
        .order_by("kind", "name")
    )
    results = rollups.compute_agencies([a.code for a in top], period_text, node=True)
    rows = []
    for agency in top:
        result = results[agency.code]
        on_time = next(i for g in result["groups"] for i in g["indicators"] if i["id"] == "2.1")
        if on_time["denominator"]:
            rows.append(
                {
                    "agency": agency,
                    "total": result["total"],
                    "band": band(result["total"]),
                    "received": on_time["denominator"],
                    "on_time": on_time["rate"],
                }
            )
    return results["node"], sorted(rows, key=lambda r: -r["total"])


def transparency(period_text: str) -> dict:
    """Everything the public transparency page shows for a period: the province's index and band, the
    bands of the indicator set, each department and commune, and the late steps by agency and official."""
    rollups.ensure_built()
    result, agencies = province_and_agencies(period_text)
    return {
        "r": result,
        "band": band(result["total"]),
        "bands": load_config(result["config_version"])["bands"],
        "agencies": agencies,
        **rollups.memo(
            "public-late",
            (period_text,),
            lambda: {"late_agencies": late_by_agency(period_text), "late_officials": late_by_official(period_text)},
        ),
    }


def late_steps(period_text: str, agency_ids: list[int] | None = None) -> QuerySet[StepRollup]:
    """Step rollups of the steps finished in the period (optionally at some agencies) with late ones."""
    period = parse_period(period_text)
    rows = StepRollup.objects.filter(day__gte=period.start, day__lte=period.end, late__gt=0)
    return rows if agency_ids is None else rows.filter(agency_id__in=agency_ids)


def late_by_agency(period_text: str, agency_ids: list[int] | None = None, limit: int = 30) -> list[dict]:
    rows = late_steps(period_text, agency_ids).values("agency__name").annotate(n=Sum("late")).order_by("-n")
    return list(rows[:limit])


def late_by_official(period_text: str, agency_ids: list[int] | None = None, limit: int = 30) -> list[dict]:
    """Names, roles and counts only: never citizen data."""
    rows = list(
        late_steps(period_text, agency_ids)
        .exclude(official=None)
        .values("official_id", "official__full_name", "agency__name")
        .annotate(n=Sum("late"))
        .order_by("-n")[:limit]
    )
    roles = dict(StaffRole.objects.filter(user_id__in=[r["official_id"] for r in rows]).values_list("user_id", "role"))
    labels = dict(StaffRole.Role.choices)
    return [
        {
            "name": r["official__full_name"],
            "role": labels.get(roles.get(r["official_id"]), ""),
            "agency": r["agency__name"],
            "n": r["n"],
        }
        for r in rows
    ]


def drill_page(user, indicator: str, part: str, scope: str, period: str, cursor: int | None, limit: int = 50):
    """One keyset page of the dossiers behind a figure, limited to those `user` may see:
    (rows, next cursor). Rows carry the code, status, timeliness and received time only."""
    limit = max(1, min(limit, 200))
    check_viewer(scope, user)
    facts = fact_index.drill(indicator, part, scope, period or this_year())
    qs = facts.filter(dossier_id__in=authz.visible_dossiers(user).values("pk")).order_by("-dossier_id")
    if cursor:
        qs = qs.filter(dossier_id__lt=cursor)
    rows = list(qs.values("dossier_id", "dossier__code", "status", "timeliness", "received_at")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    items = [
        {
            "code": r["dossier__code"],
            "status": r["status"],
            "timeliness": r["timeliness"],
            "received_at": r["received_at"],
        }
        for r in rows
    ]
    return items, (rows[-1]["dossier_id"] if more else None)
