"""A small fixed-window rate limit per client address, on the Django cache (Redis in production)."""

from __future__ import annotations

import time

from django.core.cache import cache


def allow(request, scope: str, per_minute: int) -> bool:
    window = int(time.time() // 60)
    key = f"rl:{scope}:{request.META.get('REMOTE_ADDR', '?')}:{window}"
    if cache.add(key, 1, timeout=70):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=70)
        return True
    return count <= per_minute
