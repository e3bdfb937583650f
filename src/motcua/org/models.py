"""Administrative divisions, agencies (cơ quan, đơn vị) and staff roles."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.common.models import FoldedNameModel

# Mã định danh điện tử của cơ quan (QCVN 102:2016/BTTTT), e.g. 000.00.31.H29.
AGENCY_CODE_RE = r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$"
agency_code_validator = RegexValidator(
    AGENCY_CODE_RE, _("Agency code must look like 000.00.31.H29 (national electronic ID code).")
)


class Province(FoldedNameModel):
    """Tỉnh / thành phố trực thuộc trung ương (the 34 units since 01/07/2025)."""

    code = models.CharField(_("code"), max_length=2, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    division_type = models.CharField(_("division type"), max_length=40)

    class Meta:
        ordering = ["code"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")

    def __str__(self) -> str:
        return self.name


class Commune(FoldedNameModel):
    """Xã / phường / đặc khu (3,321 units since 01/07/2025; no district level)."""

    code = models.CharField(_("code"), max_length=5, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    division_type = models.CharField(_("division type"), max_length=20)
    province = models.ForeignKey(Province, models.PROTECT, related_name="communes", verbose_name=_("province"))

    class Meta:
        ordering = ["province_id", "code"]
        verbose_name = _("commune")
        verbose_name_plural = _("communes")

    def __str__(self) -> str:
        return self.name


class LegacyProvince(models.Model):
    """One of the 63 provinces before 07/2025: kept for old dossiers and CCCD prefixes."""

    code = models.CharField(_("old code"), max_length=2, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    successor = models.ForeignKey(Province, models.PROTECT, related_name="predecessors", verbose_name=_("merged into"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("former province (before 07/2025)")
        verbose_name_plural = _("former provinces (before 07/2025)")

    @property
    def citizen_id_prefix(self) -> str:
        """The first three digits of a CCCD number of someone whose birth was registered here."""
        return f"0{self.code}"

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Agency(FoldedNameModel):
    """A state agency or unit, identified by its national electronic ID code.

    The tree is province People's Committee → departments → divisions, and commune
    People's Committees with their one-stop desks. `tree_path` (codes joined by '/')
    makes "this agency and everything under it" a single indexed prefix query.
    """

    class Kind(models.TextChoices):
        PROVINCE_PC = "province_pc", _("Provincial People's Committee")
        DEPARTMENT = "department", _("Department or provincial agency")
        DIVISION = "division", _("Division or unit")
        SERVICE_CENTRE = "service_centre", _("Provincial public-administration service centre")
        COMMUNE_PC = "commune_pc", _("Commune People's Committee")
        COMMUNE_DESK = "commune_desk", _("Commune one-stop desk")
        POLICE = "police", _("Police")
        TAX = "tax", _("Tax office")
        SOCIAL_INSURANCE = "social_insurance", _("Social insurance")
        MILITARY = "military", _("Military command")
        OTHER = "other", _("Other agency")

    code = models.CharField(_("electronic ID code"), max_length=20, unique=True, validators=[agency_code_validator])
    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent agency")
    )
    tree_path = models.CharField(max_length=500, editable=False, db_index=True)
    province = models.ForeignKey(Province, models.PROTECT, related_name="agencies", verbose_name=_("province"))
    commune = models.ForeignKey(
        Commune, models.PROTECT, null=True, blank=True, related_name="agencies", verbose_name=_("commune")
    )
    is_one_stop_desk = models.BooleanField(_("one-stop desk"), default=False)
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["tree_path"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    def clean(self) -> None:
        if self.parent_id and self.pk:
            node = self.parent
            while node is not None:
                if node.pk == self.pk:
                    raise ValidationError({"parent": _("An agency cannot be placed under itself.")})
                node = node.parent
        if self.commune_id and self.province_id and self.commune.province_id != self.province_id:
            raise ValidationError({"commune": _("The commune is not in the agency's province.")})

    def save(self, *args, **kwargs):
        old_path = self.tree_path
        self.tree_path = (self.parent.tree_path if self.parent_id else "/") + self.code + "/"
        super().save(*args, **kwargs)
        if old_path and old_path != self.tree_path:
            for child in self.children.all():
                child.save()

    def __str__(self) -> str:
        return self.name


class StaffRole(models.Model):
    """A staff member's role in an agency (and optionally one unit of it)."""

    class Role(models.TextChoices):
        RECEPTIONIST = "receptionist", _("One-stop receptionist")
        SPECIALIST = "specialist", _("Specialist")
        DIVISION_HEAD = "division_head", _("Division head")
        AGENCY_LEADER = "agency_leader", _("Agency leader")
        ADMINISTRATOR = "administrator", _("Administrator")
        INSPECTOR = "inspector", _("Inspector (read-only)")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="staff_roles", verbose_name=_("staff member")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    agency = models.ForeignKey(Agency, models.PROTECT, related_name="staff_roles", verbose_name=_("agency"))
    unit = models.ForeignKey(
        Agency,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="unit_staff_roles",
        verbose_name=_("unit"),
        help_text=_("Optional: a division or unit inside the agency."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("staff role")
        verbose_name_plural = _("staff roles")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "agency"], condition=models.Q(unit=None), name="uniq_staff_role_agency"
            ),
            models.UniqueConstraint(
                fields=["user", "role", "agency", "unit"],
                condition=~models.Q(unit=None),
                name="uniq_staff_role_unit",
            ),
        ]

    def clean(self) -> None:
        if self.unit_id and self.agency_id and not self.unit.tree_path.startswith(self.agency.tree_path):
            raise ValidationError({"unit": _("The unit must belong to the agency.")})

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.agency.short_name or self.agency.name}"
