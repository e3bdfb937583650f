"""The tamper-evident event chain of a dossier, on the one chain helper (`common.chain`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from motcua.common.chain import GENESIS, chain_hash, first_break, instant

__all__ = ["GENESIS", "BrokenLink", "chain_hash", "event_body", "verify_chain"]


def event_body(code: str, seq: int, action: str, from_status, to_status, actor_id, at: datetime, payload: dict) -> dict:
    return {
        "dossier": code,
        "seq": seq,
        "action": action,
        "from": from_status,
        "to": to_status,
        "actor": actor_id,
        "at": instant(at),
        "payload": payload,
    }


@dataclass(frozen=True)
class BrokenLink:
    code: str
    seq: int
    problem: str


def verify_chain(code: str, events, last_hash: str | None = None) -> BrokenLink | None:
    """Walk one dossier's events in order; return the first broken link, if any.

    `last_hash`, when given, is the head the dossier row points to: a deleted tail shows there."""
    events = list(events)
    found = first_break(
        events,
        lambda e: event_body(code, e.seq, e.action, e.from_status, e.to_status, e.actor_id, e.at, e.payload),
        noun="event",
    )
    if found is not None:
        return BrokenLink(code, *found)
    head = events[-1].hash if events else ""
    if last_hash is not None and last_hash != head:
        return BrokenLink(code, len(events), "the dossier's head hash does not match its last event")
    return None
