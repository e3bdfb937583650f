"""The public transparency page (Decision 766 requires publishing the index): no login."""

from __future__ import annotations

from django.shortcuts import render

from motcua.common.errors import DomainError
from motcua.metrics import rollups, selectors
from motcua.metrics.periods import period_from, picker


def transparency(request):
    """The province's index for a period picked by year and part of it (or a typed `ky`: "Q3/2026" works),
    opening on the same period as the leaders' dashboard."""
    period = period_from(request.GET)
    try:
        page = selectors.transparency(period)
        context = {"period": period, "picker": picker(period), **page}
    except DomainError as exc:
        context = {"error": exc.message_vi, "period": period, "picker": picker(period)}
        return render(request, "metrics/transparency.html", context, status=400)
    context["freshness"] = rollups.freshness(page["r"].get("as_of"))
    return render(request, "metrics/transparency.html", context)
