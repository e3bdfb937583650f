"""Frozen index snapshots: a closed period's figures with the digest of their inputs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class IndexSnapshot(models.Model):
    config_version = models.CharField(_("indicator set"), max_length=20)
    scope = models.CharField(_("scope"), max_length=60)
    period = models.CharField(_("period"), max_length=40)
    version = models.PositiveIntegerField(_("version"))
    figures = models.JSONField(_("figures"))
    inputs_digest = models.CharField(_("digest of the inputs"), max_length=64)
    dossiers = models.PositiveIntegerField(_("dossiers counted"))
    reason = models.CharField(_("reason"), max_length=200)
    created_by = models.CharField(_("closed by"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("closed at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("index snapshot")
        verbose_name_plural = _("index snapshots")
        constraints = [
            models.UniqueConstraint(fields=["config_version", "scope", "period", "version"], name="uniq_index_snapshot")
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.period} v{self.version}"


class Sums(models.Model):
    """The fact counts every rollup keeps (abstract)."""

    received = models.PositiveIntegerField(default=0)
    synced = models.PositiveIntegerField(default=0)
    ended_on_time = models.PositiveIntegerField(default=0)
    ended_late = models.PositiveIntegerField(default=0)
    fee_bearing = models.PositiveIntegerField(default=0)
    paid_online = models.PositiveIntegerField(default=0)
    paper_result = models.PositiveIntegerField(default=0)
    electronic_result = models.PositiveIntegerField(default=0)
    digitized = models.PositiveIntegerField(default=0)
    reused = models.PositiveIntegerField(default=0)
    from_data_store = models.PositiveIntegerField(default=0)
    disliked = models.PositiveIntegerField(default=0)
    ended_late_or_disliked = models.PositiveIntegerField(default=0)
    online = models.PositiveIntegerField(default=0)  # counted for 3.3
    # open dossiers (received, not ended; not `dossiers.models.RUNNING`, a set of statuses): those with at
    # most one supplement request are judged when read, against their index deadline (`due_day`)
    open_one_request = models.PositiveIntegerField(default=0)
    open_one_request_disliked = models.PositiveIntegerField(default=0)
    open_more_requests = models.PositiveIntegerField(default=0)  # late whatever the time
    full_process_eligible = models.PositiveIntegerField(default=0)
    full_process_online = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class DailyRollup(Sums):
    """Fact counts per received day × competent agency × unit × channel (for fast index reads).

    Open dossiers are also keyed by the day of their index deadline (`due_day`), so a reader
    judges them as of any instant from the rollups plus the few due on that instant's own day."""

    day = models.DateField()
    agency = models.ForeignKey("org.Agency", models.CASCADE, related_name="+")
    unit = models.ForeignKey("org.Agency", models.CASCADE, null=True, related_name="+")
    channel = models.PositiveSmallIntegerField()
    due_day = models.DateField(null=True)

    class Meta:
        indexes = [models.Index(fields=["day", "agency"], name="rollup_day_agency")]

    def __str__(self) -> str:
        return f"{self.day} {self.agency_id} {self.unit_id} {self.channel}"


class ProcedureUsage(models.Model):
    """Dossier counts per competent agency × unit × procedure (abstract)."""

    agency = models.ForeignKey("org.Agency", models.CASCADE, related_name="+")
    unit = models.ForeignKey("org.Agency", models.CASCADE, null=True, related_name="+")
    procedure = models.ForeignKey("catalog.Procedure", models.CASCADE, related_name="+")
    received = models.PositiveIntegerField(default=0)
    online = models.PositiveIntegerField(default=0)
    fee_bearing = models.PositiveIntegerField(default=0)
    paid_online = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class MonthlyProcedureRollup(ProcedureUsage):
    """Per received month × competent agency × unit × procedure: which procedures had online, fee-bearing and
    paid-online dossiers (the catalog indicators 3.2, 3.5a and 3.5b)."""

    month = models.DateField()  # the first day of the month

    class Meta:
        indexes = [models.Index(fields=["month", "agency"], name="proc_rollup_month_agency")]

    def __str__(self) -> str:
        return f"{self.month:%m/%Y} {self.agency_id} {self.procedure_id}"


class DailyProcedureRollup(ProcedureUsage):
    """The daily grain of `MonthlyProcedureRollup`: a refresh rebuilds only the changed days here, then
    sums the month from them (rebuilding a month from the facts took ~2 s at 5 M dossiers)."""

    day = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["day"], name="daily_proc_rollup_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.agency_id} {self.procedure_id}"


class StepRollup(models.Model):
    """Finished handling steps per finished day × agency × unit × official × step × budget:
    how many, how many late, and their office time (late steps by unit and official)."""

    day = models.DateField()
    agency = models.ForeignKey("org.Agency", models.CASCADE, related_name="+")
    unit = models.ForeignKey("org.Agency", models.CASCADE, null=True, related_name="+")
    official = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, null=True, related_name="+")
    name = models.CharField(max_length=255)
    budget_seconds = models.PositiveIntegerField()
    n = models.PositiveIntegerField(default=0)
    late = models.PositiveIntegerField(default=0)
    office_seconds = models.BigIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["day", "agency"], name="step_rollup_day_agency")]

    def __str__(self) -> str:
        return f"{self.day} {self.agency_id} {self.name}"


class StepDurations(models.Model):
    """How many finished steps per agency × step × budget took an office time in each bucket (abstract)."""

    agency = models.ForeignKey("org.Agency", models.CASCADE, related_name="+")
    name = models.CharField(max_length=255)
    budget_seconds = models.PositiveIntegerField()
    bucket = models.PositiveSmallIntegerField()
    n = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class StepDurationRollup(StepDurations):
    """Histogram of the office time of finished steps per finished month × agency × step × budget
    (log buckets 20 % wide), for the median and p90 of each step without reading every step."""

    month = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["month", "agency"], name="duration_rollup_month_agency")]

    def __str__(self) -> str:
        return f"{self.month:%m/%Y} {self.agency_id} {self.name} #{self.bucket}"


class DailyStepDuration(StepDurations):
    """The daily grain of `StepDurationRollup` (a refresh rebuilds the changed days, then sums the
    month: rebuilding a month from 2.7 M steps took 12–19 s)."""

    day = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["day"], name="daily_duration_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.agency_id} {self.name} #{self.bucket}"


class RollupWatermark(models.Model):
    """When the rollups were last brought up to date (one row)."""

    refreshed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.refreshed_at:%H:%M:%S %d/%m/%Y}"
