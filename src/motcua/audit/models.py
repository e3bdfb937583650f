"""The audit log (nhật ký kiểm toán): writes outside the dossier chain — admin changes, role grants,
calendar and catalog changes, token issue and revocation, file downloads. Append-only and
hash-chained (one chain for the node, `common.chain`), so a removed or altered row shows."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    seq = models.PositiveBigIntegerField(_("sequence"), unique=True)
    at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("actor")
    )
    action = models.CharField(_("action"), max_length=60, db_index=True)
    target = models.CharField(_("target"), max_length=200, blank=True)
    payload = models.JSONField(_("details"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["seq"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["at"], name="audit_at")]

    def __str__(self):
        return f"#{self.seq} {self.action} {self.target}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("audit events are append-only")


class AuditHead(models.Model):
    """The chain's head (one row): locked while a row is appended, so the chain never forks."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, blank=True)

    def __str__(self):
        return f"#{self.seq}"
