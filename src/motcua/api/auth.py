"""API authentication: Bearer tokens (staff and system clients) or the web session (with CSRF)."""

from __future__ import annotations

from ninja.security import HttpBearer, django_auth

from motcua.identity.services import user_for_token


class BearerToken(HttpBearer):
    def authenticate(self, request, token: str):
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


AUTH = [BearerToken(), django_auth]


def actor(request):
    """The authenticated user, whichever way they authenticated."""
    return request.auth
