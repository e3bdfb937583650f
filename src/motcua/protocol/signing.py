"""Node credentials, request signatures and reconciliation digests (both sides compute the same)."""

from __future__ import annotations

import hashlib
import hmac
import time


def node_secret(key: str, client_id: str) -> str:
    """A node's secret, derived from the monitor's key: the monitor stores no secret."""
    derived = hashlib.sha256(f"{key}:national-node".encode()).digest()
    return hmac.new(derived, client_id.encode(), hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, signature: str) -> bool:
    return hmac.compare_digest(sign(secret, body), signature or "")


def now_ms() -> int:
    """A request's sending time (`thoiDiemGui`): milliseconds since 1970 (UTC). It is signed with the
    body, so the monitor can order a node's requests and take a declared total only from a newer one."""
    return time.time_ns() // 1_000_000


def digest_of(versions: dict[str, int]) -> str:
    """sha256 of the sorted `code:version` lines of one day (reconciliation)."""
    text = "\n".join(f"{code}:{v}" for code, v in sorted(versions.items()))
    return hashlib.sha256(text.encode()).hexdigest()
