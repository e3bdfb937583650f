"""Rate limits shared by every process: counters in the Django cache (Redis at `REDIS_URL` in production;
local memory only in the single-process demo and tests, settings.py).

A budget is "N per period" (`Rate.parse("30/m")`), counted per key in a window that starts at the key's
first hit and lasts the period (no window edge shared by every client). Counting is one atomic `add` or
`incr` on the shared cache, so every gunicorn worker and every server draws on the same budget. Keys are
keyed hashes: callers may count by anything (an address, a phone number, a code prefix) without it
reaching the cache in clear.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

from motcua.common.errors import DomainError
from motcua.common.net import client_ip

_UNITS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}


@dataclass(frozen=True)
class Rate:
    """At most `limit` hits per `seconds`."""

    limit: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Rate:
        """'30/m', '10/h', '100/5m', '1000/d' (units s, m, h, d; also sec, min, hour, day)."""
        try:
            count, _, period = str(text).strip().partition("/")
            digits = period.rstrip("abcdefghijklmnopqrstuvwxyz")
            unit = period[len(digits) :]
            rate = cls(int(count), int(digits or 1) * _UNITS[unit])
        except (ValueError, KeyError):
            raise ValueError(f"invalid rate {text!r}: use N/s, N/m, N/h or N/d, e.g. 30/m") from None
        if rate.limit < 1 or rate.seconds < 1:
            raise ValueError(f"invalid rate {text!r}: both numbers must be positive")
        return rate

    def __str__(self) -> str:
        return f"{self.limit}/{self.seconds}s"


def caches(redis_url: str, dev: bool) -> dict:
    """The CACHES setting: Redis (Django's own backend) when `redis_url` is set; local memory, one process's
    only, for the demo and the tests (`dev`); production without Redis refuses to start, because limits and
    lockouts kept in each worker's memory are multiplied by the number of workers."""
    if redis_url:
        backend = "django.core.cache.backends.redis.RedisCache"
        return {"default": {"BACKEND": backend, "LOCATION": redis_url, "KEY_PREFIX": "motcua"}}
    if dev:
        return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    raise ImproperlyConfigured(
        "motcua refuses to run in production without REDIS_URL (e.g. redis://127.0.0.1:6379/0): rate limits and "
        "lockouts kept in each worker's memory are multiplied by the number of workers (docs/deployment.md)."
    )


def rate_of(value: str | Rate) -> Rate:
    return value if isinstance(value, Rate) else Rate.parse(value)


class RateLimited(DomainError):
    """A budget is spent: 429, `retry_after` seconds at most."""

    status = 429

    def __init__(self, retry_after: int):
        super().__init__(
            "rate_limited",
            "Quá nhiều yêu cầu, vui lòng thử lại sau.",
            "Too many requests, please try again later.",
            retry_after=retry_after,
        )
        self.retry_after = retry_after


def _key(scope: str, ident: str, rate: Rate) -> str:
    """A keyed hash: the cache holds no phone number or address, not even one found by trying them all."""
    message = f"{scope}\x1f{ident}".encode(errors="surrogatepass")
    digest = hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[:40]
    return f"rl:{scope}:{rate.seconds}:{digest}"


def hit(scope: str, ident: str, rate: str | Rate) -> bool:
    """Count one hit on (scope, ident); True while the budget is not exceeded (this hit included)."""
    rate = rate_of(rate)
    key = _key(scope, ident, rate)
    if cache.add(key, 1, timeout=rate.seconds):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr: a new window
        cache.add(key, 1, timeout=rate.seconds)
        return True
    if count == 1:  # expired between the backend's existence check and its increment: give it a lifetime
        cache.touch(key, timeout=rate.seconds)
    return count <= rate.limit


def spent(scope: str, ident: str, rate: str | Rate) -> bool:
    """Whether (scope, ident) has used its whole budget in the current window (nothing is counted)."""
    rate = rate_of(rate)
    return (cache.get(_key(scope, ident, rate)) or 0) >= rate.limit


def client_key(request) -> str:
    """The client address a budget is kept for: IPv4 as is, IPv6 by its /64 (one subscriber's network)."""
    address = client_ip(request)
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address or "?"
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def allow(request, scope: str, rate: str | Rate) -> bool:
    """Count one request of this client on `scope`; False once the client is over its budget."""
    return hit(scope, client_key(request), rate)


def check(request, scope: str, rate: str | Rate) -> None:
    """`allow`, raising `RateLimited` when over the budget."""
    if not allow(request, scope, rate):
        raise RateLimited(rate_of(rate).seconds)
