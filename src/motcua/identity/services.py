"""Account services: API tokens (Bearer) for staff and system clients.

A token is shown once and stored as its SHA-256. Every token expires (`MOTCUA_TOKEN_MAX_DAYS` at
most), has a scope (`read`: GET, HEAD and OPTIONS only; `write`: whatever its user may do) and can
be revoked; a rejected token answers with a stable code (`TokenRejected.code`)."""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from motcua.audit import services as audit
from motcua.common.errors import DomainError, InvalidInput
from motcua.identity.models import ApiToken, User

TOKEN_PREFIX = "mc_"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
log = logging.getLogger("motcua.security")


class TokenRejected(DomainError):
    """401: the token is unknown, expired or revoked (or its user is inactive)."""

    status = 401


class ScopeInsufficient(DomainError):
    status = 403


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def parse_lifetime(text: str) -> timedelta:
    """`30d`, `12h` or `90m` (days by default) → a lifetime within `MOTCUA_TOKEN_MAX_DAYS`."""
    match = re.fullmatch(r"\s*(\d{1,6})\s*([dhm]?)\s*", text or "")
    if not match:
        raise InvalidInput(
            "invalid_lifetime",
            f"Thời hạn '{text}' không hợp lệ (ví dụ 30d, 12h).",
            f"Invalid lifetime '{text}' (e.g. 30d, 12h).",
        )
    units = {"d": "days", "h": "hours", "m": "minutes"}
    lifetime = timedelta(**{units[match[2] or "d"]: int(match[1])})
    most = timedelta(days=settings.MOTCUA_TOKEN_MAX_DAYS)
    if not timedelta(minutes=1) <= lifetime <= most:
        raise InvalidInput(
            "invalid_lifetime",
            f"Thời hạn phải từ 1 phút đến {most.days} ngày.",
            f"The lifetime must be between 1 minute and {most.days} days.",
        )
    return lifetime


def issue_token(
    user: User,
    name: str = "",
    *,
    scope: str = ApiToken.Scope.WRITE,
    lifetime: timedelta | None = None,
    by: User | None = None,
) -> str:
    """Create a token and return its clear text (shown once, never stored)."""
    if scope not in ApiToken.Scope.values:
        raise InvalidInput(
            "invalid_scope", "Phạm vi mã truy cập phải là read hoặc write.", "The token scope must be read or write."
        )
    lifetime = lifetime or timedelta(days=settings.MOTCUA_TOKEN_DAYS)
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=key[:10],
            key_hash=_digest(key),
            scope=scope,
            expires_at=timezone.now() + lifetime,
        )
        _audit("token.issue", by, token)
    log.info("API token %s issued to %s (scope %s, expires %s)", token.pk, user.username, scope, token.expires_at)
    return key


def revoke_token(token_id: int, by: User | None = None) -> ApiToken:
    """Revoke a token (idempotent); the row stays for the record."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().select_related("user").filter(pk=token_id).first()
        if token is None:
            raise InvalidInput(
                "token_not_found", f"Không có mã truy cập số {token_id}.", f"No API token with id {token_id}."
            )
        if not token.revoked:
            token.revoked, token.revoked_at = True, timezone.now()
            token.save(update_fields=["revoked", "revoked_at"])
            _audit("token.revoke", by, token)
            log.info("API token %s of %s revoked", token.pk, token.user.username)
    return token


def tokens_of(username: str):
    return ApiToken.objects.filter(user__username=username).select_related("user").order_by("-created_at")


def _audit(action: str, by, token: ApiToken) -> None:
    audit.record(
        action,
        actor=by,
        target=f"apitoken:{token.pk}",
        payload={"user": token.user.username, "prefix": token.prefix, "scope": token.scope},
    )


def token_for_key(key: str) -> ApiToken:
    """The live token for a Bearer key, or TokenRejected with `invalid_token`, `token_expired` or
    `token_revoked` (an unknown key and an inactive user's key are both `invalid_token`)."""
    token = None
    if key.startswith(TOKEN_PREFIX):
        token = ApiToken.objects.select_related("user").filter(key_hash=_digest(key)).first()
    if token is None or not token.user.is_active:
        raise TokenRejected("invalid_token", "Mã truy cập không hợp lệ.", "The API token is not valid.")
    if token.revoked:
        raise TokenRejected("token_revoked", "Mã truy cập đã bị thu hồi.", "The API token has been revoked.")
    now = timezone.now()
    if token.expires_at <= now:
        raise TokenRejected("token_expired", "Mã truy cập đã hết hạn.", "The API token has expired.")
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 300:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)  # cheap, at most every 5 min
    return token


def ensure_scope(token: ApiToken, method: str) -> None:
    """A read-only token may only read (GET, HEAD, OPTIONS)."""
    if token.scope != ApiToken.Scope.WRITE and method.upper() not in SAFE_METHODS:
        raise ScopeInsufficient(
            "insufficient_scope",
            "Mã truy cập chỉ có quyền đọc.",
            "This API token is read-only.",
        )


def user_for_token(key: str) -> User | None:
    """The user of a live token, or None."""
    try:
        return token_for_key(key).user
    except TokenRejected:
        return None
