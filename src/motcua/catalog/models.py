"""The procedure catalog (danh mục thủ tục hành chính), versioned with effective dates.

A `Procedure` is the stable identity (national code); each `ProcedureVersion` is
one published text of it. A dossier keeps the version in force when it was
received, so a version that was ever published is never edited, only superseded.
"""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.common.models import FoldedNameModel
from motcua.common.numbers import format_vnd
from motcua.common.text import fold
from motcua.org.models import Agency, StaffRole
from motcua.workdays.engine import Unit


class TimeUnit(models.TextChoices):
    WORKING_DAYS = Unit.WORKING_DAYS.value, _("working days")
    WORKING_HOURS = Unit.WORKING_HOURS.value, _("working hours")
    DAYS = Unit.DAYS.value, _("calendar days")
    MONTHS = Unit.MONTHS.value, _("months")


class StepTimeUnit(models.TextChoices):
    WORKING_DAYS = Unit.WORKING_DAYS.value, _("working days")
    WORKING_HOURS = Unit.WORKING_HOURS.value, _("working hours")


class Field(FoldedNameModel):
    """Lĩnh vực: the subject area of a procedure (e.g. Hộ tịch, Đất đai)."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=255)

    class Meta:
        ordering = ["name"]
        verbose_name = _("field")
        verbose_name_plural = _("fields")

    def __str__(self) -> str:
        return self.name


class Procedure(models.Model):
    """Thủ tục hành chính: identity across versions (mã TTHC quốc gia)."""

    code = models.CharField(_("national procedure code"), max_length=40, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")

    def __str__(self) -> str:
        latest = self.versions.order_by("-version").first()
        return f"{self.code} — {latest.name}" if latest else self.code


class ProcedureVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        SUSPENDED = "suspended", _("Suspended")
        ABOLISHED = "abolished", _("Abolished")

    class Level(models.TextChoices):
        MINISTRY = "ministry", _("Ministry level")
        PROVINCE = "province", _("Provincial level")
        COMMUNE = "commune", _("Commune level")
        MULTI = "multi", _("Several levels")

    class OnlineLevel(models.TextChoices):
        FULL = "full", _("Full-process online")
        PARTIAL = "partial", _("Partly online")
        NONE = "none", _("Not online")

    procedure = models.ForeignKey(Procedure, models.CASCADE, related_name="versions", verbose_name=_("procedure"))
    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    effective_from = models.DateTimeField(_("effective from"))
    effective_to = models.DateTimeField(_("effective until"), null=True, blank=True)
    name = models.CharField(_("name"), max_length=500)
    search_text = models.TextField(editable=False, default="")
    field = models.ForeignKey(Field, models.PROTECT, related_name="procedure_versions", verbose_name=_("field"))
    level = models.CharField(_("implementing level"), max_length=12, choices=Level.choices)
    competent_agency_kind = models.CharField(
        _("competent agency type"), max_length=20, choices=Agency.Kind.choices, blank=True
    )
    competent_agency = models.ForeignKey(
        Agency,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="competent_for",
        verbose_name=_("competent agency"),
        help_text=_("Empty when every agency of the type is competent (e.g. each commune)."),
    )
    online_level = models.CharField(_("online level"), max_length=10, choices=OnlineLevel.choices)
    full_process_eligible = models.BooleanField(_("eligible for full-process online"), default=False)
    statutory_time_value = models.DecimalField(
        _("statutory time"), max_digits=8, decimal_places=2, validators=[MinValueValidator(0)]
    )
    statutory_time_unit = models.CharField(_("time unit"), max_length=16, choices=TimeUnit.choices)
    applicant_types = models.JSONField(_("applicant types"), default=list, blank=True)
    steps_description = models.TextField(_("how to carry it out"), blank=True)
    requirements = models.TextField(_("requirements and conditions"), blank=True)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    publication_decision_number = models.CharField(_("publication decision number"), max_length=100, blank=True)
    publication_decision_date = models.DateField(_("publication decision date"), null=True, blank=True)
    form_schema = models.JSONField(
        _("form fields (JSON schema)"),
        default=dict,
        blank=True,
        help_text=_("The procedure's own fields for the online form: a JSON schema of type object."),
    )
    internal = models.BooleanField(_("internal procedure"), default=False)
    paper_result_required = models.BooleanField(_("paper result required"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["procedure__code", "-version"]
        verbose_name = _("procedure version")
        verbose_name_plural = _("procedure versions")
        constraints = [models.UniqueConstraint(fields=["procedure", "version"], name="uniq_procedure_version")]
        indexes = [models.Index(fields=["status", "effective_from"], name="catalog_pv_force_idx")]

    def refresh_search_text(self) -> None:
        self.search_text = " ".join([self.procedure.code.lower(), fold(self.name), self.field.name_folded])

    def save(self, *args, **kwargs):
        self.refresh_search_text()
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return f"{self.procedure.code} v{self.version} — {self.name}"


class ProcedureFee(models.Model):
    class Kind(models.TextChoices):
        FEE = "phi", _("Fee (phí)")
        CHARGE = "le_phi", _("Charge (lệ phí)")

    version = models.ForeignKey(ProcedureVersion, models.CASCADE, related_name="fees")
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    amount_vnd = models.PositiveBigIntegerField(_("amount (VND)"))
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("fee")
        verbose_name_plural = _("fees")

    def __str__(self) -> str:
        return f"{self.name}: {format_vnd(self.amount_vnd)}"


class ProcedureComponent(models.Model):
    """Thành phần hồ sơ."""

    version = models.ForeignKey(ProcedureVersion, models.CASCADE, related_name="components")
    order = models.PositiveSmallIntegerField(_("order"))
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=500)
    originals = models.PositiveSmallIntegerField(_("originals"), default=1)
    copies = models.PositiveSmallIntegerField(_("copies"), default=0)
    form_template = models.CharField(_("form template"), max_length=255, blank=True)
    required = models.BooleanField(_("required"), default=True)
    reusable = models.BooleanField(_("reusable from the citizen's data store"), default=False)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["order"]
        verbose_name = _("dossier component")
        verbose_name_plural = _("dossier components")

    def __str__(self) -> str:
        return self.name


class ResultDocument(models.Model):
    """Kết quả giải quyết: the document(s) the procedure produces."""

    version = models.ForeignKey(ProcedureVersion, models.CASCADE, related_name="results")
    order = models.PositiveSmallIntegerField(_("order"))
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=500)
    electronic = models.BooleanField(_("issued electronically"), default=True)

    class Meta:
        ordering = ["order"]
        verbose_name = _("result document")
        verbose_name_plural = _("result documents")

    def __str__(self) -> str:
        return self.name


class ProcessStep(models.Model):
    """One step of the internal process (quy trình nội bộ), with its time budget.

    `agency` empty means the dossier's competent agency; a set agency different from
    it is an inter-agency leg (liên thông).
    """

    version = models.ForeignKey(ProcedureVersion, models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("name"), max_length=255)
    role = models.CharField(_("performed by"), max_length=20, choices=StaffRole.Role.choices)
    agency = models.ForeignKey(
        Agency, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("agency")
    )
    agency_kind = models.CharField(
        _("agency type"),
        max_length=20,
        choices=Agency.Kind.choices,
        blank=True,
        help_text=_("Relative agency: the agency of this type in the dossier's commune, else the province."),
    )
    unit = models.ForeignKey(Agency, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("unit"))
    inter_agency = models.BooleanField(_("inter-agency step (liên thông)"), default=False)
    budget_value = models.DecimalField(
        _("time budget"), max_digits=8, decimal_places=2, validators=[MinValueValidator(0)]
    )
    budget_unit = models.CharField(_("budget unit"), max_length=16, choices=StepTimeUnit.choices)

    class Meta:
        ordering = ["order"]
        verbose_name = _("process step")
        verbose_name_plural = _("process steps")

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"
