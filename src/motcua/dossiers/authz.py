"""Who may do what to which dossier. Enforced by the services (writes) and selectors (reads)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from motcua.common.errors import DomainError, NotFound
from motcua.dossiers.models import Dossier, DossierStep
from motcua.dossiers.transitions import Edge, Where, edge_of
from motcua.org.models import Agency, StaffRole
from motcua.org.selectors import agencies_in_scope, in_scope, role_list

READ_ONLY_ROLES = frozenset({StaffRole.Role.INSPECTOR, StaffRole.Role.ADMINISTRATOR})


class Forbidden(DomainError):
    status = 403


def not_found(code: str) -> NotFound:
    # The same answer for "does not exist" and "not yours": codes are no existence oracle.
    return NotFound(
        "dossier_not_found",
        f"Không tìm thấy hồ sơ '{code}'.",
        f"Dossier '{code}' was not found.",
    )


def is_citizen(user) -> bool:
    return getattr(user, "kind", None) == "citizen" and not user.is_superuser


def roles_at(user, agency: Agency) -> set[str]:
    """Roles a staff member holds at `agency` or at an agency above it.

    Units route work to inboxes; they do not narrow what a role may do inside its agency.
    """
    return {r.role for r in role_list(user) if agency.tree_path.startswith(r.agency.tree_path)}


def visible_dossiers(user) -> QuerySet[Dossier]:
    """Dossiers a user may read: citizens their own; staff those of their agencies' subtrees
    (as receiving desk, competent agency or an agency handling one of its steps)."""
    if user is None or not user.is_authenticated:
        return Dossier.objects.none()
    if user.is_superuser:
        return Dossier.objects.all()
    if is_citizen(user):
        return Dossier.objects.filter(owner=user)
    ids = scope_ids(user)
    # Steps other than inter-agency legs are at the desk or the competent agency, so only legs
    # need the step table (a small partial index: step_leg_agency).
    legs = DossierStep.objects.filter(agency_id__in=ids, inter_agency=True).values("dossier_id")
    return Dossier.objects.filter(Q(receiving_agency_id__in=ids) | Q(competent_agency_id__in=ids) | Q(pk__in=legs))


def scope_ids(user) -> list[int]:
    """Ids of the agencies in the user's scope (read once per request)."""
    cached = getattr(user, "_motcua_scope_ids", None)
    if cached is None:
        cached = list(agencies_in_scope(user).values_list("id", flat=True))
        user._motcua_scope_ids = cached
    return cached


def ensure_visible(user, dossier: Dossier) -> None:
    # The desk and the competent agency are checked in memory; only a leg needs a query.
    if in_scope(user, dossier.receiving_agency) or in_scope(user, dossier.competent_agency):
        return
    if not visible_dossiers(user).filter(pk=dossier.pk).exists():
        raise not_found(dossier.code)


def ensure_may_see(user, dossier: Dossier) -> None:
    """Citizens their own dossiers, staff those in scope; otherwise "not found" (no oracle)."""
    if is_citizen(user):
        if dossier.owner_id != user.pk:
            raise not_found(dossier.code)
    elif not user.is_superuser:
        ensure_visible(user, dossier)


def agencies_for(edge: Edge, dossier: Dossier) -> list[Agency]:
    """Where the edge says a role is judged: the desk, the current step (its unit or agency; the
    desk when no step is open), or either."""
    desk = [dossier.receiving_agency]
    step = dossier.current_step
    here = [step.unit or step.agency] if step is not None else desk
    return {Where.DESK: desk, Where.STEP: here, Where.DESK_OR_STEP: desk + here}[edge.at]


def _has_right(user, edge: Edge, dossier: Dossier) -> bool:
    if user.is_superuser and not is_citizen(user):
        return True
    if is_citizen(user):
        return edge.citizen
    return any(roles_at(user, a) & edge.roles for a in agencies_for(edge, dossier))


def may(user, dossier: Dossier, action: str) -> bool:
    """May `user` take `action` on `dossier` now? The one answer for the API, the pages and the
    templates (the writer asks the same questions again under the row lock)."""
    edge = edge_of(action)
    if edge is None or dossier.status not in edge.sources or user is None or not user.is_authenticated:
        return False
    if is_citizen(user) and dossier.owner_id != user.pk:
        return False
    return _has_right(user, edge, dossier)


def ensure_role(user, edge: Edge, dossier: Dossier) -> None:
    """The owner for citizen actions; otherwise a role of the edge where the edge is judged."""
    if not _has_right(user, edge, dossier):
        raise Forbidden(
            "forbidden_action",
            f"Bạn không có quyền thực hiện thao tác '{edge.action}' với hồ sơ này.",
            f"You may not '{edge.action}' this dossier.",
            action=edge.action,
        )
