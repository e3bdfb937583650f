"""Reads for organizations and the scope of a staff member (phạm vi được xem)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from motcua.org.models import Agency, StaffRole


def subtree(agency: Agency) -> QuerySet[Agency]:
    """The agency and every agency or unit below it."""
    return Agency.objects.filter(tree_path__startswith=agency.tree_path)


def active_roles(user) -> QuerySet[StaffRole]:
    return StaffRole.objects.filter(user=user, active=True, agency__active=True).select_related("agency", "unit")


def role_list(user) -> list[StaffRole]:
    """The user's active roles, read once per request (memoized on the user object)."""
    cached = getattr(user, "_motcua_roles", None)
    if cached is None:
        cached = list(active_roles(user)) if getattr(user, "pk", None) else []
        user._motcua_roles = cached
    return cached


def scope_paths(user) -> list[str]:
    """Tree paths of the agencies whose subtrees the user may see."""
    return sorted({r.agency.tree_path for r in role_list(user)})


def in_scope(user, agency: Agency) -> bool:
    return any(agency.tree_path.startswith(path) for path in scope_paths(user))


def agencies_in_scope(user) -> QuerySet[Agency]:
    """Agencies a staff member may see: the subtrees of the agencies of their roles.

    A superuser sees all; a user without an active role sees none.
    """
    if getattr(user, "is_superuser", False):
        return Agency.objects.all()
    paths = scope_paths(user)
    if not paths:
        return Agency.objects.none()
    condition = Q()
    for path in paths:
        condition |= Q(tree_path__startswith=path)
    return Agency.objects.filter(condition)


def has_role(user, *roles: str) -> bool:
    return active_roles(user).filter(role__in=roles).exists()


def agency_of_kind(kind: str, *, commune: str | None, province: str) -> Agency | None:
    """The active agency of `kind` in the commune if there is one, else in the province."""
    qs = Agency.objects.filter(kind=kind, active=True, province_id=province)
    if commune:
        found = qs.filter(commune_id=commune).first()
        if found is not None:
            return found
    return qs.filter(commune__isnull=True).first()


def desk_for(agency: Agency) -> Agency | None:
    """The one-stop desk that receives dossiers for `agency`: its commune's desk, else the
    provincial service centre."""
    if agency.is_one_stop_desk:
        return agency
    qs = Agency.objects.filter(is_one_stop_desk=True, active=True, province_id=agency.province_id)
    if agency.commune_id:
        found = qs.filter(commune_id=agency.commune_id).first()
        if found is not None:
            return found
    return qs.filter(kind=Agency.Kind.SERVICE_CENTRE).first()


def staff_at(username: str, agency: Agency):
    """The active staff member `username` if they hold a role at `agency` or above it."""
    for role in active_roles_by_username(username):
        if agency.tree_path.startswith(role.agency.tree_path):
            return role.user
    return None


def active_roles_by_username(username: str):
    return StaffRole.objects.filter(user__username=username, user__is_active=True, active=True).select_related(
        "agency", "user"
    )


def unit_of(agency: Agency, code: str) -> Agency | None:
    return Agency.objects.filter(code=code, tree_path__startswith=agency.tree_path).first()


def desks_of(user) -> list[Agency]:
    """One-stop desks where the user is a receptionist."""
    return [r.agency for r in active_roles(user).filter(role=StaffRole.Role.RECEPTIONIST) if r.agency.is_one_stop_desk]
