"""The public transparency page (Decision 766 requires publishing the index): no login."""

from __future__ import annotations

from django.shortcuts import render

from motcua.common import clock
from motcua.common.errors import DomainError
from motcua.metrics import engine, rollups, selectors, services


def _default_period() -> str:
    today = clock.now()
    return f"{today.year}-Q{(today.month - 1) // 3 + 1}"


def transparency(request):
    period = request.GET.get("ky") or _default_period()
    rollups.ensure_built()
    try:
        result, agencies = selectors.province_and_agencies(period)
    except DomainError as exc:
        return render(request, "metrics/transparency.html", {"error": exc.message_vi, "period": period}, status=400)
    config = engine.load_config(result["config_version"])
    return render(
        request,
        "metrics/transparency.html",
        {
            "period": period,
            "r": result,
            "band": services.band(result["total"]),
            "bands": config["bands"],
            "agencies": agencies,
            **rollups.memo(
                "public-late",
                (period,),
                lambda: {
                    "late_agencies": selectors.late_by_agency(period),
                    "late_officials": selectors.late_by_official(period),
                },
            ),
        },
    )
