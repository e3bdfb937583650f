"""Scopes of the index: the whole node, an agency's or a commune's subtree, a unit, a procedure, an
official; each names its fact rows and the procedures of its catalog indicators."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from motcua.catalog.models import ProcedureVersion
from motcua.common.errors import InvalidInput
from motcua.dossiers import authz
from motcua.dossiers.models import DossierFact, DossierStep
from motcua.identity.models import User
from motcua.metrics.periods import Period
from motcua.org.models import Agency


@dataclass(frozen=True)
class Scope:
    label: str
    facts: Q
    procedures: Q
    kind: str = "node"
    ids: tuple[int, ...] | None = None  # the agencies (or units) of the scope; None: all
    catalog: bool = True  # catalog indicators make sense for this scope


NODE = Scope("node", Q(), Q())

SCOPE_HELP = (
    "node, agency:MÃ, commune:MÃ, unit:MÃ, procedure:MÃ, official:TÊN",
    "node, agency:CODE, commune:CODE, unit:CODE, procedure:CODE, official:USERNAME",
)


def parse_scope(text: str) -> Scope:
    """node (everything), agency:CODE (its subtree), commune:CODE (its People's Committee's subtree),
    unit:CODE, procedure:CODE, official:USERNAME (the dossiers whose steps the official finished)."""
    kind, _, value = (text or "node").partition(":")
    if kind == "node":
        return NODE
    if kind == "commune":
        ids = _commune_agencies(value)
        return Scope(text, Q(agency_id__in=ids), Q(competent_agency_id__in=ids), kind, ids)
    if kind in ("agency", "unit"):
        agency = _scope_agency(value)
        ids = tuple(Agency.objects.filter(tree_path__startswith=agency.tree_path).values_list("id", flat=True))
        if kind == "unit":
            return Scope(text, Q(unit_id__in=ids), Q(), kind, ids)
        return Scope(text, Q(agency_id__in=ids), Q(competent_agency_id__in=ids), kind, ids)
    if kind == "procedure":
        return Scope(text, Q(procedure__code=value), Q(procedure__code=value), kind)
    if kind == "official":
        if not User.objects.filter(username=value, staff_roles__isnull=False).exists():
            raise _unknown_official(value)
        handled = DossierStep.objects.filter(finished_by__username=value).values("dossier_id")
        return Scope(text, Q(dossier_id__in=handled), Q(pk__in=[]), kind, catalog=False)
    raise InvalidInput("invalid_scope", f"Phạm vi không hợp lệ ({SCOPE_HELP[0]}).", f"Invalid scope ({SCOPE_HELP[1]}).")


def describe(text: str) -> str:
    """A scope in words for the pages: the province, or the agency's, commune's, procedure's or official's
    name instead of its code ("Sở Xây dựng", not "agency:000.00.05.H53"); an unknown code as it was."""
    kind, _, value = (text or "node").partition(":")
    if kind == "node":
        return gettext("The whole province of %(name)s") % {"name": settings.MOTCUA_SITE_NAME}
    name = None
    if kind in ("agency", "unit"):
        name = Agency.objects.filter(code=value).values_list("name", flat=True).first()
    elif kind == "commune":
        name = (
            Agency.objects.filter(Q(commune_id=value) | Q(code=value))
            .exclude(commune=None)
            .values_list("commune__name", flat=True)
            .first()
        )
    elif kind == "procedure":
        found = ProcedureVersion.objects.filter(procedure__code=value).order_by("-version").values_list("name")
        name = f"{value} — {found[0][0]}" if found else None
    elif kind == "official":
        name = User.objects.filter(username=value).values_list("full_name", flat=True).first()
    return name or text


def check_viewer(text: str, viewer) -> None:
    """May `viewer` (a user, or None for an anonymous caller) ask for this scope? Only an official's
    scope is personal: it is open to superusers and to staff whose scope covers an agency where that
    official holds a role. Anyone else, and an unknown name, get the same answer, so the index tells
    nobody which accounts exist."""
    kind, _, value = (text or "").partition(":")
    if kind != "official":
        return
    if viewer is None or not viewer.is_authenticated or authz.is_citizen(viewer):
        raise _unknown_official(value)
    officials = User.objects.filter(username=value, staff_roles__isnull=False)
    if not viewer.is_superuser:
        officials = officials.filter(staff_roles__agency_id__in=authz.scope_ids(viewer))
    if not officials.exists():
        raise _unknown_official(value)


def _unknown_official(value: str) -> InvalidInput:
    return InvalidInput(
        "unknown_official",
        f"Không có cán bộ '{value}' trong phạm vi bạn được xem.",
        f"No official '{value}' within your scope.",
    )


def _scope_agency(value: str) -> Agency:
    agency = Agency.objects.filter(code=value).first()
    if agency is None:
        raise InvalidInput("unknown_agency", f"Không có cơ quan '{value}'.", f"Unknown agency '{value}'.")
    return agency


def _commune_agencies(value: str) -> tuple[int, ...]:
    """Every agency of a commune (People's Committee, its desk, the commune police, and their units),
    named by the commune's code or by any of its agencies' codes."""
    commune = value if Agency.objects.filter(commune_id=value).exists() else None
    if commune is None:
        commune = Agency.objects.filter(code=value).exclude(commune=None).values_list("commune_id", flat=True).first()
    if commune is None:
        raise InvalidInput("unknown_agency", f"Không có xã, phường '{value}'.", f"Unknown commune '{value}'.")
    paths = list(Agency.objects.filter(commune_id=commune).values_list("tree_path", flat=True))
    under = Q()
    for path in paths:
        under |= Q(tree_path__startswith=path)
    return tuple(Agency.objects.filter(under).values_list("id", flat=True))


def subtrees(codes: list[str]) -> dict[str, set[int]]:
    """Each agency's subtree (its own id and every agency under it), from one query."""
    agencies = list(Agency.objects.values_list("id", "code", "tree_path"))
    paths = {code: path for _, code, path in agencies if code in set(codes)}
    return {code: {i for i, _, p in agencies if p.startswith(paths[code])} for code in codes if code in paths}


def facts_in(scope: Scope, period: Period) -> QuerySet[DossierFact]:
    """The fact rows of the scope received in the period."""
    start, end = period.bounds
    return DossierFact.objects.filter(scope.facts, received_at__gte=start, received_at__lt=end)
