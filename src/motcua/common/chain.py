"""The one hash-chain helper: `hash = sha256(prev_hash ‖ canonical JSON of the body)`.

Dossier events (per dossier), the audit log (one chain for the node) and, later, petitions chain
their rows with it, so one verifier logic serves them all.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

GENESIS = "0" * 64


def canonical(body: dict) -> str:
    """Deterministic JSON: sorted keys, no spaces, UTF-8 text."""
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chain_hash(prev_hash: str, body: dict) -> str:
    return hashlib.sha256((prev_hash + canonical(body)).encode()).hexdigest()


def instant(at: datetime) -> str:
    """An instant as chained: UTC, microseconds (the database keeps microseconds on both engines)."""
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def first_break(rows, body_of, noun: str = "row") -> tuple[int, str] | None:
    """Walk chained rows (each with `seq`, `prev_hash`, `hash`) in order; the first broken link as
    (seq, problem), or None. `body_of(row)` rebuilds the hashed body from the row's content."""
    prev, expected = GENESIS, 1
    for row in rows:
        if row.seq != expected:
            return row.seq, f"sequence gap: expected {expected}"
        if row.prev_hash != prev:
            return row.seq, f"prev_hash does not match the previous {noun}'s hash"
        if chain_hash(prev, body_of(row)) != row.hash:
            return row.seq, f"hash does not match the {noun}'s content"
        prev, expected = row.hash, expected + 1
    return None
