"""Frozen index snapshots: a closed period's figures with the digest of their inputs."""

from __future__ import annotations

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


class DailyRollup(models.Model):
    """Fact counts per received day × competent agency × procedure × channel (for fast index reads).

    Open dossiers are not judged here (their on-time status depends on the day you ask): the engine
    adds them live from the fact rows."""

    day = models.DateField()
    agency = models.ForeignKey("org.Agency", models.CASCADE, related_name="+")
    procedure = models.ForeignKey("catalog.Procedure", models.CASCADE, related_name="+")
    channel = models.PositiveSmallIntegerField()
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
    disliked = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["day", "agency"], name="rollup_day_agency")]

    def __str__(self) -> str:
        return f"{self.day} {self.agency_id} {self.procedure_id} {self.channel}"


class RollupWatermark(models.Model):
    """When the rollups were last brought up to date (one row)."""

    refreshed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.refreshed_at:%H:%M:%S %d/%m/%Y}"
