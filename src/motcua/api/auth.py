"""API authentication: Bearer tokens (staff and system clients) or the web session (with CSRF).

A Bearer token that is unknown, expired or revoked answers 401 with its stable code (`invalid_token`,
`token_expired`, `token_revoked`) and never falls back to the session; a read-only token answers 403
`insufficient_scope` to anything but GET, HEAD and OPTIONS. Two-factor verification concerns web
sessions only: a session still waiting for its second factor is no session for the API
(`identity.middleware`)."""

from __future__ import annotations

from ninja.security import HttpBearer, django_auth

from motcua.identity.services import ensure_scope, token_for_key


class BearerToken(HttpBearer):
    def authenticate(self, request, token: str):
        api_token = token_for_key(token)  # raises TokenRejected (401) with a stable code
        ensure_scope(api_token, request.method)  # raises ScopeInsufficient (403)
        request.user = api_token.user
        return api_token.user


AUTH = [BearerToken(), django_auth]


def actor(request):
    """The authenticated user, whichever way they authenticated."""
    return request.auth


def optional_actor(request):
    """On an endpoint open to everyone: the caller if they sent a Bearer token or have a session
    (None when anonymous); a bad token still answers 401."""
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == BearerToken.openapi_scheme:  # as HttpBearer reads it
        return token_for_key(key).user
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None
