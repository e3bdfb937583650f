"""Staff sessions: an idle timeout, and the two-factor gate.

Placed after AuthenticationMiddleware and django-otp's OTPMiddleware, for every request of a logged-in
staff member:
- idle for more than `MOTCUA_STAFF_IDLE_MINUTES` (web requests only; a Bearer token carries no
  session): the session ends and the page asks for the login again (citizens keep the session age);
- logged in with the password but not yet with the second factor (`twofactor.pending`): pages lead
  to the verification (or enrolment) page and nowhere else; for the API the session does not count,
  so Bearer tokens and public endpoints work as before and nothing is reachable with the password alone.
"""

from __future__ import annotations

import time
from functools import cache
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.translation import gettext as _

from motcua.identity import twofactor

SEEN_KEY = "motcua_seen"
TOUCH_EVERY = 60  # seconds: the session is written at most once a minute for the idle clock


@cache
def _open_paths() -> tuple[str, ...]:
    """What a session waiting for its second factor may still reach."""
    return (
        reverse("identity:verify"),  # the verification, enrolment and recovery pages live under it
        resolve_url(settings.LOGIN_URL),
        reverse("portal:logout"),
        reverse("admin:login"),
        reverse("admin:logout"),
        reverse("set_language"),
        reverse("healthz"),
        settings.STATIC_URL,
    )


def _go(request, url: str) -> HttpResponse:
    if request.headers.get("HX-Request"):  # htmx swaps a fragment: make the browser navigate instead
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


class StaffSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and twofactor.is_staff_account(user):
            response = self._idle(request) or self._gate(request)
            if response is not None:
                return response
        return self.get_response(request)

    def _idle(self, request) -> HttpResponse | None:
        limit = settings.MOTCUA_STAFF_IDLE_MINUTES * 60
        if not limit:
            return None
        now, seen = int(time.time()), request.session.get(SEEN_KEY)
        if seen is not None and now - seen > limit:
            path = request.get_full_path()
            logout(request)
            if _is_api(request):
                return None  # continues as anonymous
            messages.info(
                request,
                _("Your session ended after %(minutes)s minutes without activity. Please log in again.")
                % {"minutes": settings.MOTCUA_STAFF_IDLE_MINUTES},
            )
            return _go(request, f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': path})}")
        if seen is None or now - seen >= TOUCH_EVERY:
            request.session[SEEN_KEY] = now
        return None

    def _gate(self, request) -> HttpResponse | None:
        owed = twofactor.pending(request.user)
        if owed is None:
            return None
        if _is_api(request):
            request.user = AnonymousUser()  # the API sees no session until the second factor
            return None
        if request.path.startswith(_open_paths()):
            return None
        target = reverse("identity:verify" if owed == "verify" else "identity:enrol")
        next_path = request.get_full_path() if request.method == "GET" else resolve_url("portal:after-login")
        return _go(request, f"{target}?{urlencode({'next': next_path})}")


def _is_api(request) -> bool:
    return request.path.startswith("/api/")
