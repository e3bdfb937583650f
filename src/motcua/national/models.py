"""The national monitor's store: registered nodes, the dossiers they synced, their own reports."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.common.bounds import INT64_MAX

PERCENT = [MinValueValidator(0), MaxValueValidator(100)]


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
    # when the node sent the request that declared it (ms since 1970): an older or replayed request
    # never replaces a newer total
    declared_total_sent_at = models.BigIntegerField(_("total declared at (ms)"), null=True, blank=True)
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
    received = models.PositiveBigIntegerField(_("dossiers received"), validators=[MaxValueValidator(INT64_MAX)])
    on_time_rate = models.DecimalField(_("on time (%)"), max_digits=5, decimal_places=2, validators=PERCENT)
    online_rate = models.DecimalField(
        _("online (%)"), max_digits=5, decimal_places=2, null=True, blank=True, validators=PERCENT
    )
    filed_by = models.CharField(_("filed by"), max_length=150, blank=True)
    filed_at = models.DateTimeField(_("filed at"), auto_now_add=True)

    class Meta:
        ordering = ["-period_end"]
        verbose_name = _("reported figures")
        verbose_name_plural = _("reported figures")
        constraints = [
            models.CheckConstraint(
                condition=Q(on_time_rate__gte=0, on_time_rate__lte=100), name="report_on_time_rate_percent"
            ),
            models.CheckConstraint(
                condition=Q(online_rate__isnull=True) | Q(online_rate__gte=0, online_rate__lte=100),
                name="report_online_rate_percent",
            ),
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="report_period"),
        ]

    def __str__(self) -> str:
        return f"{self.node} {self.period_start}–{self.period_end}"


class MonitorRole(models.Model):
    """Who may act on the monitor. An administrator manages it and files figures for any node; a
    node's reporting officer files figures for that node only. Viewing the monitor needs a staff
    login; every write needs one of these roles (superusers hold them all)."""

    class Role(models.TextChoices):
        ADMINISTRATOR = "administrator", _("Monitor administrator")
        REPORTER = "reporter", _("Node reporting officer")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="monitor_roles", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    node = models.ForeignKey(
        Node,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="roles",
        verbose_name=_("node"),
        help_text=_("The reporting officer's node (empty for an administrator)"),
    )
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("monitor role")
        verbose_name_plural = _("monitor roles")
        constraints = [
            models.CheckConstraint(
                condition=Q(role="administrator", node__isnull=True) | Q(role="reporter", node__isnull=False),
                name="monitor_role_scope",
            ),
            models.UniqueConstraint(fields=["user", "role", "node"], name="uniq_monitor_role"),
            models.UniqueConstraint(fields=["user", "role"], condition=Q(node__isnull=True), name="uniq_monitor_admin"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}" + (f" · {self.node}" if self.node_id else "")
