"""Failed logins: django-axes counts them per username and address in the database (shared by every
process) and locks the pair out for `MOTCUA_LOCKOUT_MINUTES` after `MOTCUA_LOCKOUT_FAILURES` failures;
the right password is refused while locked. Each lockout is a WARNING on the `motcua.security` log and
a mail to ADMINS; attempts and lockouts are listed in the admin (Axes), `motcua axes_reset_username
USERNAME` (or `axes_reset`) unlocks."""

from __future__ import annotations

import logging

from axes.signals import user_locked_out
from django.conf import settings
from django.core.mail import mail_admins
from django.dispatch import receiver
from django.shortcuts import render

log = logging.getLogger("motcua.security")


def lockout_response(request, original_response=None, credentials=None):
    """The login page's answer while locked out: 429 with a clear message, whichever login form."""
    minutes = settings.MOTCUA_LOCKOUT_MINUTES
    return render(request, "identity/locked_out.html", {"minutes": minutes}, status=429)


@receiver(user_locked_out)
def alert(sender, request, username, ip_address, **kwargs):
    log.warning(
        "login locked out after %s failures: username=%s ip=%s path=%s",
        settings.MOTCUA_LOCKOUT_FAILURES,
        username,
        ip_address,
        getattr(request, "path", ""),
        extra={"event": "login_lockout", "username": username, "ip": ip_address},
    )
    mail_admins(
        f"Khóa đăng nhập / login lockout: {username}",
        f"{settings.MOTCUA_LOCKOUT_FAILURES} lần đăng nhập sai / failed logins: username={username} ip={ip_address}",
        fail_silently=True,
    )
