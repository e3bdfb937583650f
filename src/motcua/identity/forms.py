"""Forms of the login's second step, and the throttled password reset."""

from __future__ import annotations

import logging

from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.utils.translation import gettext_lazy as _

from motcua.common import ratelimit
from motcua.common.ratelimit import Rate

log = logging.getLogger("motcua.security")


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        help_text=_("The 6-digit code from your authenticator app, or one of your recovery codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}),
    )


class EnrolForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the app"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


class ThrottledPasswordResetForm(PasswordResetForm):
    """Django's reset form (the same answer whether the address has an account or not), with at most
    `MOTCUA_PASSWORD_RESET_PER_HOUR` mails an hour per address and ten times that per client address.
    Over budget nothing is sent and the answer is unchanged, so the budget tells nothing either."""

    def save(self, *args, request=None, **kwargs):
        per_hour = settings.MOTCUA_PASSWORD_RESET_PER_HOUR
        email = self.cleaned_data["email"].strip().lower()  # hashed by the rate limiter, never stored
        client = ratelimit.client_key(request) if request is not None else "-"
        if not (
            ratelimit.hit("pwreset-mail", email, Rate(per_hour, 3600))
            and ratelimit.hit("pwreset-client", client, Rate(per_hour * 10, 3600))
        ):
            log.warning("password reset throttled: ip=%s", client, extra={"event": "password_reset_throttled"})
            return
        return super().save(*args, request=request, **kwargs)
