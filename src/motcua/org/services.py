"""Writes for organizations: administrative divisions, role groups and staff roles."""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from motcua.audit import services as audit
from motcua.common.errors import InvalidInput
from motcua.common.text import fold
from motcua.org.legacy import LEGACY_PROVINCES
from motcua.org.models import Agency, Commune, LegacyProvince, Province, StaffRole

# Django-admin permissions per role group. Administrators manage their province's
# organization, catalog and calendar and read the national division lists; inspectors
# read everything there. Other roles work in the back office and need none here.
MANAGED_MODELS = {
    "org": ["agency", "staffrole"],
    "catalog": [
        "field",
        "procedure",
        "procedureversion",
        "procedurefee",
        "procedurecomponent",
        "resultdocument",
        "processstep",
    ],
    "workdays": ["calendaroverride", "calendaraudit"],
    "identity": ["user"],
}
NATIONAL_MODELS = {"org": ["province", "commune", "legacyprovince"]}


def _codenames(models: dict[str, list[str]], actions: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(app, f"{action}_{model}") for app, names in models.items() for model in names for action in actions]


ROLE_PERMISSIONS = {
    StaffRole.Role.ADMINISTRATOR: _codenames(MANAGED_MODELS, ("add", "change", "delete", "view"))
    + _codenames(NATIONAL_MODELS, ("view",)),
    StaffRole.Role.INSPECTOR: _codenames(MANAGED_MODELS, ("view",)) + _codenames(NATIONAL_MODELS, ("view",)),
}
ADMIN_ROLES = set(ROLE_PERMISSIONS)


def group_name(role: str) -> str:
    return f"motcua:{role}"


def ensure_role_groups() -> None:
    """Create one permission group per admin-capable role (idempotent, run after migrate)."""
    for label in {*MANAGED_MODELS, *NATIONAL_MODELS}:
        # post_migrate reaches apps in order: make sure later apps' permissions exist already.
        create_permissions(apps.get_app_config(label), verbosity=0)
    for role, wanted in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name(role))
        perms = [
            p
            for p in Permission.objects.filter(codename__in={c for _, c in wanted}).select_related("content_type")
            if (p.content_type.app_label, p.codename) in set(wanted)
        ]
        group.permissions.set(perms)


@transaction.atomic
def assign_role(user, role: str, agency: Agency, unit: Agency | None = None, granted_by=None) -> StaffRole:
    """Give a staff member a role in an agency (and unit); admin roles open the admin site."""
    if role not in StaffRole.Role.values:
        raise InvalidInput("unknown_role", f"Vai trò '{role}' không tồn tại.", f"Unknown role '{role}'.")
    if unit is not None and not unit.tree_path.startswith(agency.tree_path):
        raise InvalidInput(
            "unit_outside_agency",
            "Đơn vị không thuộc cơ quan đã chọn.",
            "The unit does not belong to the agency.",
        )
    staff_role, created = StaffRole.objects.get_or_create(user=user, role=role, agency=agency, unit=unit)
    sync_user_access(user)
    if created:
        audit.record(
            "role.grant",
            actor=granted_by,
            target=user.username,
            payload={"role": role, "agency": agency.code, "unit": unit.code if unit else None},
        )
    return staff_role


def sync_user_access(user) -> None:
    """Admin-site access and permission groups follow the user's active roles."""
    roles = set(StaffRole.objects.filter(user=user, active=True).values_list("role", flat=True))
    user.kind = user.Kind.STAFF if roles else user.kind
    user.is_staff = user.is_superuser or bool(roles & ADMIN_ROLES)
    user.save(update_fields=["kind", "is_staff"])
    wanted = {group_name(r) for r in roles & ADMIN_ROLES}
    current = set(user.groups.filter(name__startswith="motcua:").values_list("name", flat=True))
    user.groups.remove(*Group.objects.filter(name__in=current - wanted))
    user.groups.add(*Group.objects.filter(name__in=wanted - current))


@transaction.atomic
def load_divisions(progress=None) -> dict[str, int]:
    """Load the 34 provinces, 3,321 communes and the 63 former provinces (idempotent)."""
    from vietnam_provinces import Province as VNProvince
    from vietnam_provinces import Ward

    provinces = list(VNProvince.iter_all())
    wards = list(Ward.iter_all())
    task = progress.add_task("Đơn vị hành chính", total=len(provinces) + len(wards)) if progress else None
    for p in provinces:
        Province.objects.update_or_create(
            code=f"{int(p.code):02d}",
            defaults={"name": p.name, "division_type": str(p.division_type.value)},
        )
        if progress:
            progress.advance(task)
    existing = set(Commune.objects.values_list("code", flat=True))
    new = []
    for w in wards:
        code = f"{int(w.code):05d}"
        if code not in existing:
            new.append(
                Commune(
                    code=code,
                    name=w.name,
                    name_folded=fold(w.name),  # bulk_create skips save()
                    division_type=str(w.division_type.value),
                    province_id=f"{int(w.province_code):02d}",
                )
            )
        if progress:
            progress.advance(task)
    Commune.objects.bulk_create(new, batch_size=1000)
    for code, name, successor in LEGACY_PROVINCES:
        LegacyProvince.objects.update_or_create(code=code, defaults={"name": name, "successor_id": successor})
    return {
        "provinces": Province.objects.count(),
        "communes": Commune.objects.count(),
        "legacy_provinces": LegacyProvince.objects.count(),
    }
