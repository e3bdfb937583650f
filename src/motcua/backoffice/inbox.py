"""Inbox helpers: capped counts per state, deadline colours, the actions a user may take now."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils.translation import gettext as _

from motcua.dossiers import authz
from motcua.dossiers.models import RUNNING, Dossier, Status
from motcua.dossiers.services import lifecycle_actions
from motcua.dossiers.transitions import edge_of

COUNT_CAP = 1000
INBOX_STATUSES = [
    Status.SUBMITTED,
    Status.RECEIVED,
    Status.PROCESSING,
    Status.SUPPLEMENT,
    Status.PAYMENT,
    Status.RESOLVED,
]


def status_counts(user) -> list[dict]:
    """Dossiers per state in the user's scope, counted up to a cap ("1000+"): never a full COUNT."""
    visible = authz.visible_dossiers(user)
    out = []
    for status in INBOX_STATUSES:
        n = visible.filter(status=status).order_by()[:COUNT_CAP].count()
        out.append({"status": int(status), "label": status.label, "count": f"{n}+" if n >= COUNT_CAP else str(n)})
    return out


def deadline_badge(d: Dossier, now: datetime) -> dict | None:
    """Colour and words (never colour alone) for where a dossier stands against its deadline."""
    if d.status not in RUNNING or d.due_at is None:
        return None
    if d.due_at < now:
        return {"css": "bad", "text": _("Overdue")}
    if (d.risk_from and d.risk_from <= now) or d.due_at - now < timedelta(hours=24):
        return {"css": "warn", "text": _("Due soon")}
    return {"css": "ok", "text": _("On time")}


def allowed_actions(user, d: Dossier) -> list[str]:
    """The actions this user can take on this dossier now (the service re-checks everything)."""
    return [a for a in lifecycle_actions() if authz.may(user, d, a)]


def label_of(action: str) -> str:
    edge = edge_of(action)
    return str(edge.label or action)


# actions that end a dossier's handling against the applicant's wish: they must not look like the others
DANGER_ACTIONS = frozenset({"refuse", "stop"})


def action_panels(actions: list[dict], expected: str | None) -> tuple[dict | None, list[dict]]:
    """The dossier page's action panels: the one the process expects next (`selectors.expected_action`),
    when this user may take it, shown first; the others after it ("Thao tác khác"). Each panel gets
    its button's look: primary for the expected action, danger for refusing or stopping, else secondary."""
    lead = next((a for a in actions if a["name"] == expected), None)
    for a in actions:
        a["css"] = "primary" if a is lead else "danger" if a["name"] in DANGER_ACTIONS else "secondary"
    return lead, [a for a in actions if a is not lead]
