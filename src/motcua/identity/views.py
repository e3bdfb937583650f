"""The login's second step: verify a code, enrol a device (QR code, confirm, recovery codes once)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from motcua.identity import twofactor
from motcua.identity.forms import CodeForm, EnrolForm
from motcua.identity.redirects import safe_next


@never_cache
@login_required
def verify(request):
    owed = twofactor.pending(request.user)
    if owed == "enrol":
        return redirect(_with_next("identity:enrol", request))
    if owed is None:
        return redirect(safe_next(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        wait = twofactor.wait_seconds(twofactor.totp_device(request.user)) if code.strip().isdigit() else 0
        if wait:
            form.add_error("code", _too_fast(wait))
        elif twofactor.verify(request, code) is not None:
            return redirect(safe_next(request))
        else:
            form.add_error("code", _("The code is wrong or was already used."))
    return render(request, "identity/verify.html", {"form": form, "next": safe_next(request)})


@never_cache
@login_required
def enrol(request):
    """Set up the authenticator app. Only with no device yet, or from a verified session: a password
    alone never replaces a device."""
    user = request.user
    if not twofactor.is_staff_account(user):
        return redirect("portal:after-login")
    if twofactor.pending(user) == "verify":
        return redirect(_with_next("identity:verify", request))
    device = twofactor.start_enrolment(user)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        wait = twofactor.wait_seconds(device)
        codes = None if wait else twofactor.confirm_enrolment(request, device, form.cleaned_data["code"])
        if codes is not None:  # shown this once (never_cache: Cache-Control no-store)
            return render(request, "identity/recovery_codes.html", {"codes": codes, "next": safe_next(request)})
        form.add_error(
            "code",
            _too_fast(wait) if wait else _("The code is wrong: check the time on your phone and try the next code."),
        )
    context = {
        "form": form,
        "qr": twofactor.qr_data_uri(device),
        "secret": twofactor.secret_of(device),
        "replacing": twofactor.has_device(user),
        "next": safe_next(request),
    }
    return render(request, "identity/enrol.html", context)


def _too_fast(seconds: int) -> str:
    return _("Too many wrong codes: try again in %(seconds)s seconds.") % {"seconds": seconds}


def _with_next(name: str, request) -> str:
    return f"{reverse(name)}?{urlencode({'next': safe_next(request)})}"
