"""Template context: whether the leaders' dashboard link is shown (the same rule as the page itself)."""

from __future__ import annotations

from motcua.metrics.dashboard import may_view


def dashboard_link(request) -> dict:
    """`may_view_dashboard`, asked only when a template reads it (most pages never do)."""
    return {"may_view_dashboard": lambda: may_view(getattr(request, "user", None))}
