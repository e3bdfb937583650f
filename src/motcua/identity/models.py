"""User accounts: one model for staff (cán bộ) and citizens (công dân, doanh nghiệp).

Staff roles and scopes live in `org.StaffRole`; citizen identity (CCCD, VNeID)
is added by the identity issue on top of these fields.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    class Kind(models.TextChoices):
        STAFF = "staff", _("Staff")
        CITIZEN = "citizen", _("Citizen or business")

    kind = models.CharField(_("account type"), max_length=16, choices=Kind.choices, default=Kind.CITIZEN)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    national_id = models.CharField(_("personal ID number"), max_length=12, blank=True, db_index=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username


class ApiToken(models.Model):
    """A Bearer token for a staff member or a system client; only its SHA-256 is stored. Every token
    expires, carries a scope (read: safe methods only; write: everything its user may do) and can be
    revoked (the row stays, for the record)."""

    class Scope(models.TextChoices):
        READ = "read", _("Read only")
        WRITE = "write", _("Read and write")

    user = models.ForeignKey(User, models.CASCADE, related_name="api_tokens", verbose_name=_("user"))
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(_("prefix"), max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    scope = models.CharField(_("scope"), max_length=8, choices=Scope.choices, default=Scope.READ)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked = models.BooleanField(_("revoked"), default=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
