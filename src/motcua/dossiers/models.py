"""The dossier aggregate (hồ sơ): state, steps, supplements, events, facts, access log.

Only `dossiers.services` writes these tables; everything else reads them through
`dossiers.selectors`. Status and channel codes are the national ones (DVCQG).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import Procedure, ProcedureVersion
from motcua.common import crypto
from motcua.common.fields import EncryptedTextField
from motcua.identity.cccd import normalize_phone
from motcua.org.models import Agency, Commune


class Status(models.IntegerChoices):
    """TrangThaiHoSo."""

    SUBMITTED = 1, _("Newly submitted")
    RECEIVED = 2, _("Received")
    REFUSED = 3, _("Not received (refused)")
    PROCESSING = 4, _("Being processed")
    SUPPLEMENT = 5, _("Supplement requested")
    PAYMENT = 6, _("Financial obligation requested")
    WITHDRAWN = 7, _("Withdrawn by the applicant")
    STOPPED = 8, _("Processing stopped")
    RESOLVED = 9, _("Processed")
    RETURNED = 10, _("Result returned")


TERMINAL = frozenset({Status.REFUSED, Status.WITHDRAWN, Status.STOPPED, Status.RETURNED})
OPEN = frozenset(set(Status) - TERMINAL - {Status.RESOLVED})
RUNNING = OPEN - {Status.SUPPLEMENT}  # open with the clock running
_RUNNING_CODES = [1, 2, 4, 6]


class Channel(models.IntegerChoices):
    """KenhThucHien."""

    COUNTER = 1, _("At the counter")
    ONLINE = 2, _("Online")
    POST = 3, _("By post")


class ApplicantType(models.IntegerChoices):
    """LoaiDoiTuong."""

    CITIZEN = 1, _("Citizen")
    ORGANIZATION = 2, _("Business or organization")


class ReturnMethod(models.TextChoices):
    COUNTER = "counter", _("At the counter")
    POST = "post", _("By post")
    ONLINE = "online", _("Online")


class DossierCodeCounter(models.Model):
    """Last sequence number used per agency per day (allocated with an atomic upsert)."""

    agency = models.ForeignKey(Agency, models.CASCADE, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "day"], name="uniq_code_counter")]


class Dossier(models.Model):
    code = models.CharField(_("dossier code"), max_length=40, unique=True)
    procedure = models.ForeignKey(Procedure, models.PROTECT, related_name="dossiers", verbose_name=_("procedure"))
    procedure_version = models.ForeignKey(
        ProcedureVersion, models.PROTECT, related_name="dossiers", verbose_name=_("procedure version")
    )
    status = models.PositiveSmallIntegerField(_("status"), choices=Status.choices, db_index=True)
    channel = models.PositiveSmallIntegerField(_("channel"), choices=Channel.choices)
    # Applicant (chủ hồ sơ): personal data, every staff read of it is logged.
    applicant_type = models.PositiveSmallIntegerField(_("applicant type"), choices=ApplicantType.choices)
    applicant_name = models.CharField(_("applicant name"), max_length=255)
    # encrypted at rest (common.crypto); found by the keyed hashes below, never by the value
    applicant_id_number = EncryptedTextField(_("ID number"), blank=True)
    applicant_phone = EncryptedTextField(_("phone"), blank=True)
    applicant_email = EncryptedTextField(_("email"), blank=True)
    applicant_address = EncryptedTextField(_("address"), blank=True)
    applicant_id_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    applicant_phone_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    on_behalf = models.BooleanField(_("submitted on the applicant's behalf"), default=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="dossiers",
        verbose_name=_("citizen account"),
    )
    receiving_agency = models.ForeignKey(
        Agency, models.PROTECT, related_name="received_dossiers", verbose_name=_("receiving desk")
    )
    competent_agency = models.ForeignKey(
        Agency, models.PROTECT, related_name="competent_dossiers", verbose_name=_("competent agency")
    )
    commune = models.ForeignKey(Commune, models.PROTECT, null=True, blank=True, related_name="+")
    form_data = models.JSONField(_("form data"), default=dict, blank=True)
    # Timeline (NgayNopHoSo, NgayTiepNhan, NgayHenTra, NgayKetThucXuLy, NgayTra).
    submitted_at = models.DateTimeField(_("submitted at"))
    received_at = models.DateTimeField(_("received at"), null=True, blank=True, db_index=True)
    appointment_at = models.DateTimeField(_("appointment"), null=True, blank=True)
    first_appointment_at = models.DateTimeField(_("first appointment"), null=True, blank=True)
    due_at = models.DateTimeField(_("operational deadline"), null=True, blank=True, db_index=True)
    risk_from = models.DateTimeField(null=True, blank=True, db_index=True)
    ended_at = models.DateTimeField(_("processing ended at"), null=True, blank=True)
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    return_method = models.CharField(_("return method"), max_length=10, choices=ReturnMethod.choices, blank=True)
    # Clock pauses (supplement requests during handling).
    paused_at = models.DateTimeField(null=True, blank=True)
    resume_status = models.PositiveSmallIntegerField(null=True, blank=True)
    supplement_count = models.PositiveSmallIntegerField(default=0)
    supplement_seconds = models.BigIntegerField(_("time waiting for supplements (s)"), default=0)
    rescheduled = models.BooleanField(_("rescheduled"), default=False)
    fee_total_vnd = models.PositiveBigIntegerField(_("fees (VND)"), default=0)
    amount_due_vnd = models.PositiveBigIntegerField(_("financial obligation (VND)"), default=0)
    paid_at = models.DateTimeField(null=True, blank=True)
    paid_online = models.BooleanField(default=False)
    # DuocThanhToanTrucTuyen as received (1 DVCQG, 2 the province's gateway); empty: 2 when paid online
    payment_platform = models.PositiveSmallIntegerField(null=True, blank=True)
    # the applicant's rating (MucDoHaiLong: 1 not satisfied, 2 satisfied, 3 very satisfied), synced
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction"), null=True, blank=True)
    current_step = models.ForeignKey("DossierStep", models.SET_NULL, null=True, blank=True, related_name="+")
    version = models.PositiveIntegerField(_("version"), default=0)
    last_hash = models.CharField(max_length=64, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        indexes = [
            models.Index(fields=["competent_agency", "status", "-id"], name="dossier_agency_status"),
            models.Index(fields=["receiving_agency", "status", "-id"], name="dossier_desk_status"),
            # overdue / at-risk lists only look at running dossiers: small partial indexes
            models.Index(fields=["due_at"], condition=models.Q(status__in=_RUNNING_CODES), name="dossier_running_due"),
            models.Index(
                fields=["risk_from"], condition=models.Q(status__in=_RUNNING_CODES), name="dossier_running_risk"
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def save(self, *args, **kwargs):
        self.applicant_id_hash, self.applicant_phone_hash = applicant_hashes(
            self.applicant_id_number, self.applicant_phone
        )
        super().save(*args, **kwargs)


def applicant_hashes(id_number: str, phone: str) -> tuple[str, str]:
    """The keyed search hashes of an applicant's ID number and phone (normalized first)."""
    id_key = "".join((id_number or "").split()).upper()
    return crypto.search_hash(id_key), crypto.search_hash(normalize_phone(phone or "") or "")


class DossierComponent(models.Model):
    dossier = models.ForeignKey(Dossier, models.CASCADE, related_name="components")
    code = models.CharField(max_length=40)
    name = models.CharField(max_length=500)
    provided = models.BooleanField(default=True)
    file_ref = models.CharField(max_length=500, blank=True)
    digitized = models.BooleanField(default=False)  # DuocSoHoa
    reused = models.BooleanField(default=False)  # DuocTaiSuDung 1
    replaced_by = models.CharField(max_length=40, blank=True)  # MaKetQuaThayThe (DuocTaiSuDung 2)
    from_data_store = models.BooleanField(default=False)  # DuocLayTuKhoDMQG

    class Meta:
        ordering = ["id"]

    @property
    def file_id(self):
        """The stored file behind `file_ref` (None for an imported link or a malformed value)."""
        from motcua.dossiers.files import file_id_of

        return file_id_of(self.file_ref)


class DossierFee(models.Model):
    """The dossier's own fee list (DanhSachLePhi): the procedure's fees at submission, or as imported;
    an exemption lists 0."""

    dossier = models.ForeignKey(Dossier, models.CASCADE, related_name="fees")
    code = models.CharField(max_length=40)
    name = models.CharField(max_length=255)
    kind = models.CharField(max_length=8, blank=True)
    amount_vnd = models.PositiveBigIntegerField()

    class Meta:
        ordering = ["id"]


class DossierStep(models.Model):
    """One task of the process (control slip row): who, where, budget, due, outcome."""

    class State(models.TextChoices):
        ACTIVE = "active", _("In progress")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    dossier = models.ForeignKey(Dossier, models.CASCADE, related_name="steps")
    seq = models.PositiveSmallIntegerField()
    template_order = models.PositiveSmallIntegerField(null=True, blank=True)
    name = models.CharField(max_length=255)
    role = models.CharField(max_length=20)
    agency = models.ForeignKey(Agency, models.PROTECT, related_name="dossier_steps")
    unit = models.ForeignKey(Agency, models.PROTECT, null=True, blank=True, related_name="+")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    inter_agency = models.BooleanField(default=False)
    budget_seconds = models.PositiveIntegerField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.ACTIVE)
    started_at = models.DateTimeField()
    due_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    finished_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    # office time the step took, supplement pauses excluded (= budget + office time past the due instant)
    office_seconds = models.PositiveIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=20, blank=True)
    comment = models.TextField(blank=True)
    handler_name = models.CharField(max_length=255, blank=True)  # NguoiXuLy of an imported step

    class Meta:
        ordering = ["seq"]
        constraints = [models.UniqueConstraint(fields=["dossier", "seq"], name="uniq_dossier_step_seq")]
        indexes = [
            models.Index(fields=["agency", "state"], name="step_agency_state"),
            models.Index(fields=["agency"], condition=models.Q(inter_agency=True), name="step_leg_agency"),
            models.Index(fields=["finished_at"], name="step_finished"),  # step rollups of a day
        ]


class DossierSupplement(models.Model):
    """A supplement request (Form 02): every missing item at once, and when it was answered.

    `answers`, written once by the resubmission: one entry per requested item, in the order of `items`,
    `{"number": 1, "item": "…", "note": "…", "files": [{"file_ref", "file_id", "component", "name", "file_name"}]}`
    (`component`: the dossier component row the file became); a last entry with `"number": null` holds
    the files that name no item and a note given for the whole answer."""

    dossier = models.ForeignKey(Dossier, models.CASCADE, related_name="supplements")
    requested_at = models.DateTimeField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+")
    during_reception = models.BooleanField()
    items = models.JSONField()
    reason = models.TextField()
    resubmitted_at = models.DateTimeField(null=True, blank=True)
    answers = models.JSONField(_("answers"), default=list, blank=True)

    class Meta:
        ordering = ["id"]


class DossierResult(models.Model):
    dossier = models.ForeignKey(Dossier, models.CASCADE, related_name="results")
    code = models.CharField(max_length=40)
    name = models.CharField(max_length=500)
    number = models.CharField(max_length=100, blank=True)
    electronic = models.BooleanField(default=True)
    file_ref = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["id"]

    file_id = DossierComponent.file_id


class DossierEvent(models.Model):
    """Append-only, hash-chained record of every change (tamper-evident)."""

    dossier = models.ForeignKey(Dossier, models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField()
    action = models.CharField(max_length=30)
    from_status = models.PositiveSmallIntegerField(null=True)
    to_status = models.PositiveSmallIntegerField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField()
    payload = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["dossier_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["dossier", "seq"], name="uniq_dossier_event_seq")]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("dossier events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("dossier events are append-only")


class DossierFact(models.Model):
    """One row per dossier with what the Decision 766 index needs (kept in the same transaction).

    Its values come from `protocol.facts.derive`, the definition the national monitor uses too;
    timestamps are to the second, as the national format carries them."""

    dossier = models.OneToOneField(Dossier, models.CASCADE, primary_key=True, related_name="fact")
    procedure = models.ForeignKey(Procedure, models.PROTECT, related_name="+")
    procedure_version = models.ForeignKey(ProcedureVersion, models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, models.PROTECT, related_name="+")
    receiving_agency = models.ForeignKey(Agency, models.PROTECT, related_name="+")
    unit = models.ForeignKey(Agency, models.PROTECT, null=True, related_name="+")
    status = models.PositiveSmallIntegerField()
    channel = models.PositiveSmallIntegerField()
    online_level = models.CharField(max_length=10)
    submitted_at = models.DateTimeField()
    received_at = models.DateTimeField(null=True)
    appointment_at = models.DateTimeField(null=True)
    first_appointment_at = models.DateTimeField(null=True)
    ended_at = models.DateTimeField(null=True)
    returned_at = models.DateTimeField(null=True)
    supplement_count = models.PositiveSmallIntegerField(default=0)
    supplement_seconds = models.BigIntegerField(default=0)
    rescheduled = models.BooleanField(default=False)
    # 2.1: end of processing as the index takes it (None: open) and the deadline it is judged against
    # (first appointment or statutory deadline, plus the time waited for supplements)
    index_end_at = models.DateTimeField(null=True)
    index_due_at = models.DateTimeField(null=True)
    fee_bearing = models.BooleanField(default=False)
    paid_online = models.BooleanField(default=False)
    counted_online = models.BooleanField(default=False)  # 3.3
    digitized = models.BooleanField(default=False)  # 4.2
    reused = models.BooleanField(default=False)  # 4.3
    from_data_store = models.BooleanField(default=False)  # 4.4
    electronic_result = models.BooleanField(default=False)  # 4.1
    paper_result_required = models.BooleanField(default=False)
    disliked = models.BooleanField(default=False)  # 5.4
    timeliness = models.CharField(max_length=10, blank=True)  # early / on_time / late for ended dossiers
    officials = models.JSONField(default=list)  # [{"step": seq, "agency": id, "user": id}]
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["agency", "received_at"], name="fact_agency_received"),
            models.Index(fields=["updated_at"], name="fact_updated"),  # rollup refresh: what changed
            models.Index(fields=["received_at"], name="fact_received"),  # rollup rebuild of a day
            # running dossiers by first appointment: the index judges those due on the day it asks about
            models.Index(fields=["index_due_at"], condition=models.Q(index_end_at__isnull=True), name="fact_open"),
        ]


class AccessLog(models.Model):
    """Every read of a dossier's personal data by staff (who, what, when, from where)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    dossier = models.ForeignKey(Dossier, models.CASCADE, related_name="access_logs")
    at = models.DateTimeField(auto_now_add=True)
    purpose = models.CharField(max_length=100)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
