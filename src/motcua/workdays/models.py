"""Admin overrides on top of the national holiday calendar (ngày nghỉ / làm việc bổ sung)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarOverride(models.Model):
    """One day declared a holiday or a working day by the province, with who and why."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Extra day off")
        WORKING_DAY = "working_day", _("Extra working day")

    day = models.DateField(_("day"), unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    note = models.CharField(
        _("note"), max_length=500, help_text=_("Legal basis or reason, e.g. the notice that set the swap.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("updated by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-day"]
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y} — {self.get_kind_display()}"


class CalendarAudit(models.Model):
    """Append-only record of every override change (what the calendar was told, by whom)."""

    day = models.DateField(_("day"))
    action = models.CharField(_("action"), max_length=10)  # created / changed / deleted
    kind = models.CharField(_("kind"), max_length=12)
    note = models.CharField(_("note"), max_length=500)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    calendar_version = models.CharField(_("calendar version after the change"), max_length=80)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("calendar change log")
        verbose_name_plural = _("calendar change log")

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.action} {self.day:%d/%m/%Y}"
