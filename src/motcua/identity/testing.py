"""For tests and benchmarks only: a client logged in as a staff member whose session has passed the
second factor, as `force_login` is for the password (never used by the site itself)."""

from __future__ import annotations

import time

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.identity import twofactor


def verified_login(client, user) -> None:
    """`client.force_login(user)`, and the session verified with the user's device (created when they
    must have one and have none) — what the login page and the verification page do together."""
    client.force_login(user)
    device = twofactor.totp_device(user)
    if device is None and not twofactor.required(user):
        return
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def current_code(device: TOTPDevice) -> str:
    """The code an authenticator app shows now for `device`; the next step's when the current one was
    used already (a code is accepted once, and up to one step ahead)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if totp.t() <= device.last_t:
        totp.time += device.step * (device.last_t + 1 - totp.t())
    return f"{totp.token():0{device.digits}d}"
