"""The tamper-evident event chain: hash = sha256(prev_hash ‖ canonical JSON of the event)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

GENESIS = "0" * 64


def canonical(body: dict) -> str:
    """Deterministic JSON: sorted keys, no spaces, UTF-8 text."""
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_body(code: str, seq: int, action: str, from_status, to_status, actor_id, at: datetime, payload: dict) -> dict:
    return {
        "dossier": code,
        "seq": seq,
        "action": action,
        "from": from_status,
        "to": to_status,
        "actor": actor_id,
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "payload": payload,
    }


def chain_hash(prev_hash: str, body: dict) -> str:
    return hashlib.sha256((prev_hash + canonical(body)).encode()).hexdigest()


@dataclass(frozen=True)
class BrokenLink:
    code: str
    seq: int
    problem: str


def verify_chain(code: str, events, last_hash: str | None = None) -> BrokenLink | None:
    """Walk one dossier's events in order; return the first broken link, if any.

    `last_hash`, when given, is the head the dossier row points to: a deleted tail shows there."""
    prev = GENESIS
    expected_seq = 1
    for e in events:
        if e.seq != expected_seq:
            return BrokenLink(code, e.seq, f"sequence gap: expected {expected_seq}")
        if e.prev_hash != prev:
            return BrokenLink(code, e.seq, "prev_hash does not match the previous event's hash")
        body = event_body(code, e.seq, e.action, e.from_status, e.to_status, e.actor_id, e.at, e.payload)
        if chain_hash(prev, body) != e.hash:
            return BrokenLink(code, e.seq, "hash does not match the event's content")
        prev = e.hash
        expected_seq += 1
    if last_hash is not None and last_hash != (prev if expected_seq > 1 else ""):
        return BrokenLink(code, expected_seq - 1, "the dossier's head hash does not match its last event")
    return None
