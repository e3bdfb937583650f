"""Staff two-factor login: TOTP (django-otp) with single-use recovery codes.

Who must use it (`required`): superusers, anyone with admin-site access, administrators, agency
leaders, division heads and inspectors; every other staff member too when `MOTCUA_2FA_FOR_ALL_STAFF`
is on. A staff member who enrolled a device is always asked for it. Citizens are never asked.

A password login opens the session; until the second factor is given (`pending`), the session
reaches only the verification and enrolment pages (`identity.middleware`)."""

from __future__ import annotations

import logging
from base64 import b32encode
from binascii import unhexlify

import segno
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.audit import services as audit
from motcua.org.selectors import role_list

ROLES_REQUIRING_2FA = frozenset({"administrator", "agency_leader", "division_head", "inspector"})
RECOVERY_CODES = 10
RECOVERY_NAME = "recovery"
log = logging.getLogger("motcua.security")


def is_staff_account(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (
        user.kind == "staff" or user.is_staff or user.is_superuser
    )


def required(user) -> bool:
    """Must this account log in with a second factor?"""
    if not is_staff_account(user):
        return False
    if user.is_superuser or user.is_staff or settings.MOTCUA_2FA_FOR_ALL_STAFF:
        return True
    return any(r.role in ROLES_REQUIRING_2FA for r in role_list(user))


def totp_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def has_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def is_verified(user) -> bool:
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def pending(user) -> str | None:
    """What a logged-in user still owes before the session counts: "verify" (a code), "enrol" (set up
    a device first) or None (nothing: verified, or not asked)."""
    if not is_staff_account(user) or is_verified(user):
        return None
    if has_device(user):
        return "verify"
    return "enrol" if required(user) else None


# -- enrolment ----------------------------------------------------------------------------------
def start_enrolment(user) -> TOTPDevice:
    """The user's unconfirmed device (one at most: its secret stays the same until it is confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="TOTP", confirmed=False)
    return device


def secret_of(device: TOTPDevice) -> str:
    """The secret in base32, grouped by four, for typing into an authenticator app."""
    text = b32encode(unhexlify(device.key)).decode()
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// URI as an SVG QR code (a data: URI, allowed by the site's CSP)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


@transaction.atomic
def confirm_enrolment(request, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the device with a code from the app; the session is verified and the recovery codes
    are returned (to be shown once). None if the code is wrong."""
    device = TOTPDevice.objects.select_for_update().filter(pk=device.pk, user=request.user, confirmed=False).first()
    if device is None or not device.verify_token(_compact(token)):
        return None
    TOTPDevice.objects.filter(user=request.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = new_recovery_codes(request.user)
    _verified(request, device)
    audit.record("2fa.enrol", actor=request.user, target=request.user.username)
    log.info("two-factor device enrolled for %s", request.user.username)
    return codes


@transaction.atomic
def new_recovery_codes(user) -> list[str]:
    """Replace the user's recovery codes with RECOVERY_CODES new ones (each works once)."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


# -- verification -------------------------------------------------------------------------------
def _compact(token: str) -> str:
    return "".join(ch for ch in token or "" if not ch.isspace())


def verify(request, token: str):
    """Check a code from the app, or a recovery code (used up on success), against the user's
    devices; on success the session is verified. Returns the device or None."""
    user = request.user
    token = _compact(token).replace("-", "").lower()
    app = totp_device(user)
    if app is not None and token.isdigit() and len(token) == app.digits:
        devices = [app]
    else:
        devices = list(StaticDevice.objects.filter(user=user, confirmed=True))
    for device in devices:
        if verify_token(user, device.persistent_id, token):
            _verified(request, device)
            return device
    log.warning("two-factor code refused for %s", user.username)
    return None


def wait_seconds(device) -> int:
    """Seconds until `device` accepts another code (0: now); django-otp backs off exponentially after
    each wrong code."""
    if device is None:
        return 0
    allowed, data = device.verify_is_allowed()
    if allowed or not data or not data.get("locked_until"):
        return 0
    return max(1, int((data["locked_until"] - timezone.now()).total_seconds()) + 1)


def _verified(request, device) -> None:
    request.session.cycle_key()  # a new session id once the second factor is given
    otp_login(request, device)


def reset(user, by=None) -> int:
    """Forget every device of the user (lost phone): they enrol again at their next login."""
    count = TOTPDevice.objects.filter(user=user).delete()[0] + StaticDevice.objects.filter(user=user).delete()[0]
    audit.record("2fa.reset", actor=by, target=user.username)
    log.warning("two-factor devices of %s reset", user.username)
    return count


def provision(user, key_hex: str, name: str = "TOTP") -> TOTPDevice:
    """A confirmed device with a given secret (the demo's documented key; tests)."""
    device, _ = TOTPDevice.objects.update_or_create(user=user, name=name, defaults={"key": key_hex, "confirmed": True})
    return device
