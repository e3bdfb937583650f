"""The national monitor's store: registered nodes, the dossiers they synced, their own reports."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Node(models.Model):
    """A province or ministry system that syncs its dossiers here."""

    class Kind(models.TextChoices):
        PROVINCE = "province", _("Province")
        MINISTRY = "ministry", _("Ministry")

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PROVINCE)
    client_id = models.CharField(_("client id"), max_length=64, unique=True)
    code_suffix = models.CharField(
        _("dossier code suffix"), max_length=20, help_text=_("Its agencies' codes end with this, e.g. .H53")
    )
    declared_total = models.PositiveBigIntegerField(_("dossiers the node says it holds"), default=0)
    last_sync_at = models.DateTimeField(_("last sync"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    registered_at = models.DateTimeField(_("registered at"), auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("node")
        verbose_name_plural = _("nodes")

    def __str__(self) -> str:
        return self.name


class SyncedDossier(models.Model):
    """The newest version of one dossier that its node delivered (older versions never overwrite).

    The index columns come from `protocol.facts.derive`, as on the node."""

    node = models.ForeignKey(Node, models.PROTECT, related_name="dossiers")
    code = models.CharField(max_length=40)
    version = models.PositiveIntegerField()
    status = models.PositiveSmallIntegerField()
    channel = models.PositiveSmallIntegerField()
    procedure_code = models.CharField(max_length=40)
    agency_code = models.CharField(max_length=20)
    submitted_at = models.DateTimeField()
    received_at = models.DateTimeField(null=True)
    first_appointment_at = models.DateTimeField(null=True)
    ended_at = models.DateTimeField(null=True)
    returned_at = models.DateTimeField(null=True)
    supplement_count = models.PositiveSmallIntegerField(default=0)
    supplement_seconds = models.BigIntegerField(default=0)
    index_end_at = models.DateTimeField(null=True)
    index_due_at = models.DateTimeField(null=True)
    paid_online = models.BooleanField(default=False)
    fee_bearing = models.BooleanField(default=False)
    counted_online = models.BooleanField(default=False)
    digitized = models.BooleanField(default=False)
    reused = models.BooleanField(default=False)
    from_data_store = models.BooleanField(default=False)
    electronic_result = models.BooleanField(default=False)
    paper_result_required = models.BooleanField(default=False)
    disliked = models.BooleanField(default=False)
    timeliness = models.CharField(max_length=10, blank=True)
    payload = models.JSONField()
    synced_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["node", "code"], name="uniq_synced_dossier")]
        indexes = [
            models.Index(fields=["node", "submitted_at"], name="synced_node_day"),
            models.Index(fields=["node", "received_at"], name="synced_node_received"),
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"


class SyncedProgress(models.Model):
    """The newest processing steps (CapNhatTienDoHoSoMC) a node delivered for one dossier."""

    node = models.ForeignKey(Node, models.PROTECT, related_name="+")
    code = models.CharField(max_length=40)
    version = models.PositiveIntegerField()
    steps = models.JSONField()
    synced_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["node", "code"], name="uniq_synced_progress")]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"


class NodeReport(models.Model):
    """Figures a node published in its own periodic report, filed to compare with the synced data."""

    node = models.ForeignKey(Node, models.CASCADE, related_name="reports", verbose_name=_("node"))
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    received = models.PositiveBigIntegerField(_("dossiers received"))
    on_time_rate = models.DecimalField(_("on time (%)"), max_digits=5, decimal_places=2)
    online_rate = models.DecimalField(_("online (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    filed_by = models.CharField(_("filed by"), max_length=150, blank=True)
    filed_at = models.DateTimeField(_("filed at"), auto_now_add=True)

    class Meta:
        ordering = ["-period_end"]
        verbose_name = _("reported figures")
        verbose_name_plural = _("reported figures")

    def __str__(self) -> str:
        return f"{self.node} {self.period_start}–{self.period_end}"
