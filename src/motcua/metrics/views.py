"""The public transparency page (Decision 766 requires publishing the index): no login."""

from __future__ import annotations

from django.shortcuts import render

from motcua.common.errors import DomainError
from motcua.metrics import selectors
from motcua.metrics.periods import this_quarter


def transparency(request):
    period = request.GET.get("ky") or this_quarter()
    try:
        page = selectors.transparency(period)
    except DomainError as exc:
        return render(request, "metrics/transparency.html", {"error": exc.message_vi, "period": period}, status=400)
    return render(request, "metrics/transparency.html", {"period": period, **page})
