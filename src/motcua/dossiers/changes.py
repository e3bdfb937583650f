"""The one writer announces every dossier change here, inside its transaction.

Subscribers (the sync outbox today; notifications, document exchange and audit later) register in
their `AppConfig.ready`, so `dossiers` never imports them: a subscriber's write joins the writer's
transaction and is rolled back with it, so no change is ever lost or announced twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Change:
    dossier_id: int
    version: int  # the dossier's version after the change
    action: str  # the transition or recording ("import" for bulk-written dossiers)
    at: datetime
    new: bool = False  # the dossier row was bulk-inserted with this change


Subscriber = Callable[[list[Change]], None]
_subscribers: list[Subscriber] = []


def subscribe(subscriber: Subscriber) -> None:
    if subscriber not in _subscribers:
        _subscribers.append(subscriber)


def subscribers() -> tuple[Subscriber, ...]:
    return tuple(_subscribers)


def announce(changes: list[Change]) -> None:
    """Tell every subscriber; call inside the transaction that made the changes."""
    if changes:
        for subscriber in _subscribers:
            subscriber(changes)
