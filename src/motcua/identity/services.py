"""Account services: API tokens (Bearer) for staff and system clients."""

from __future__ import annotations

import hashlib
import secrets

from django.utils import timezone

from motcua.identity.models import ApiToken, User

TOKEN_PREFIX = "mc_"


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue_token(user: User, name: str = "") -> str:
    """Create a token and return its clear text (shown once, never stored)."""
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name=name, prefix=key[:10], key_hash=_digest(key))
    return key


def user_for_token(key: str) -> User | None:
    if not key.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=_digest(key), revoked=False).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 300:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)  # cheap, at most every 5 min
    return token.user
