"""Where to go after a form: a `next` is followed only if it stays on this site (no open redirect)."""

from __future__ import annotations

from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request, default: str = "portal:after-login") -> str:
    """The request's `next` (POST, then GET) when it is a path or URL of this site, else `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(default)
