"""Reads for organizations and the scope of a staff member (phạm vi được xem)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from motcua.org.models import Agency, StaffRole


def subtree(agency: Agency) -> QuerySet[Agency]:
    """The agency and every agency or unit below it."""
    return Agency.objects.filter(tree_path__startswith=agency.tree_path)


def active_roles(user) -> QuerySet[StaffRole]:
    return StaffRole.objects.filter(user=user, active=True, agency__active=True).select_related("agency", "unit")


def agencies_in_scope(user) -> QuerySet[Agency]:
    """Agencies a staff member may see: the subtrees of the agencies of their roles.

    A superuser sees all; a user without an active role sees none.
    """
    if getattr(user, "is_superuser", False):
        return Agency.objects.all()
    paths = list(active_roles(user).values_list("agency__tree_path", flat=True).distinct())
    if not paths:
        return Agency.objects.none()
    condition = Q()
    for path in paths:
        condition |= Q(tree_path__startswith=path)
    return Agency.objects.filter(condition)


def has_role(user, *roles: str) -> bool:
    return active_roles(user).filter(role__in=roles).exists()
