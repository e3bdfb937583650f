"""The sync outbox: one row per dossier, upserted by the dossier writer in the same transaction.

`node_version` is the dossier's version after its latest change, `acked_version` the newest the
national portal accepted. A row is pending while node_version > acked_version, so several changes
to one dossier coalesce into one delivery of its latest snapshot.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.dossiers.models import Dossier


class SyncState(models.Model):
    dossier = models.OneToOneField(Dossier, models.CASCADE, primary_key=True, related_name="sync")
    node_version = models.PositiveIntegerField(_("node version"))
    acked_version = models.PositiveIntegerField(_("version held by the portal"), default=0)
    pending = models.BooleanField(_("pending"), default=True)
    changed_at = models.DateTimeField(_("changed at"))
    next_attempt_at = models.DateTimeField(_("next attempt"))
    claimed_until = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    dead = models.BooleanField(_("dead-lettered"), default=False)
    last_error = models.TextField(_("last error"), blank=True)
    acked_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    # no column: lets the index join a dossier's fact row to its sync state directly (fact.sync_state),
    # instead of probing this table once per fact
    fact = models.ForeignObject(
        "dossiers.DossierFact",
        models.DO_NOTHING,
        from_fields=["dossier"],
        to_fields=["dossier"],
        related_name="sync_state",
        null=True,
    )

    class Meta:
        verbose_name = _("sync state")
        verbose_name_plural = _("sync states")
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=models.Q(pending=True, dead=False), name="sync_due"),
            models.Index(fields=["dead"], condition=models.Q(dead=True), name="sync_dead"),
            models.Index(fields=["acked_at"], name="sync_acked"),  # rollup refresh: newly synced dossiers
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} v{self.node_version} (acked v{self.acked_version})"
