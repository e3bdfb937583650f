"""Submission drafts: the wizard saves every step, so an expired session loses nothing."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SubmissionDraft(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="drafts")
    procedure_code = models.CharField(max_length=40)
    data = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "procedure_code"], name="uniq_draft")]

    def __str__(self) -> str:
        return f"{self.user} — {self.procedure_code}"
