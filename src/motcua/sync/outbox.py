"""Writes to the outbox: dossier changes make rows pending; the worker claims, acks, backs off."""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, F, Q, When
from django.db.models.functions import Greatest

from motcua.common import bulk, clock
from motcua.sync.models import SyncState

_UPSERT = (
    "INSERT INTO {t} (dossier_id, node_version, acked_version, pending, changed_at, next_attempt_at, "
    "attempts, dead, last_error, claimed_by) VALUES (%s, %s, 0, %s, %s, %s, 0, %s, '', '') "
    "ON CONFLICT (dossier_id) DO UPDATE SET node_version = excluded.node_version, "
    "pending = excluded.node_version > {t}.acked_version, changed_at = excluded.changed_at, "
    "next_attempt_at = excluded.next_attempt_at, attempts = 0, dead = %s, last_error = ''"
)


def _lease() -> float:
    return settings.MOTCUA_SYNC_LEASE_SECONDS


def _backoff_base() -> float:
    return settings.MOTCUA_SYNC_BACKOFF_BASE_SECONDS


BACKOFF_CAP_SECONDS = 300.0


def record_change(dossier_id: int, version: int, at: datetime) -> None:
    """Inside the dossier writer's transaction: the dossier now has `version`."""
    table = connection.ops.quote_name(SyncState._meta.db_table)
    [[stamp]] = bulk.adapted(SyncState, ["changed_at"], [[at]])  # stored as the ORM stores it
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT.format(t=table), [dossier_id, version, True, stamp, stamp, False, False])


def on_changes(changes) -> None:
    """Subscribed to `dossiers.changes` (apps.py): every change makes the dossier pending."""
    new = [c for c in changes if c.new]
    if new:
        record_new({c.dossier_id: c.version for c in new}, new[0].at)
    for c in changes:
        if not c.new:
            record_change(c.dossier_id, c.version, c.at)


NEW_COLUMNS = ["dossier_id", "node_version", "acked_version", "pending", "changed_at", "next_attempt_at"]
NEW_COLUMNS += ["attempts", "dead", "last_error", "claimed_by"]


def record_new(versions: dict[int, int], at: datetime) -> None:
    """Bulk-written dossiers (import, generator): one pending row each, in the writer's transaction."""
    rows = [[i, v, 0, True, at, at, 0, False, "", ""] for i, v in versions.items()]
    bulk.insert(SyncState, NEW_COLUMNS, rows)


def claim(batch: int, worker: str, now: datetime | None = None) -> list[int]:
    """Lease up to `batch` due dossiers to this worker (SKIP LOCKED: workers never wait on each other)."""
    now = now or clock.now()
    with transaction.atomic():
        due = (
            SyncState.objects.select_for_update(skip_locked=True)
            .filter(pending=True, dead=False, next_attempt_at__lte=now)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
            .order_by("next_attempt_at")
            .values_list("dossier_id", flat=True)[:batch]
        )
        ids = list(due)
        if ids:
            SyncState.objects.filter(dossier_id__in=ids).update(
                claimed_until=now + timedelta(seconds=_lease()), claimed_by=worker
            )
    return ids


def ack(versions: dict[int, int], now: datetime | None = None) -> None:
    """The portal holds these versions: never go back, stay pending if the dossier moved on."""
    now = now or clock.now()
    for version, ids in _by_version(versions).items():
        SyncState.objects.filter(dossier_id__in=ids).update(
            acked_version=Greatest(F("acked_version"), version),
            pending=Case(When(node_version__gt=Greatest(F("acked_version"), version), then=True), default=False),
            claimed_until=None,
            attempts=0,
            last_error="",
            acked_at=now,
        )


def _by_version(versions: dict[int, int]) -> dict[int, list[int]]:
    grouped: dict[int, list[int]] = {}
    for dossier_id, version in versions.items():
        grouped.setdefault(version, []).append(dossier_id)
    return grouped


def reject(reasons: dict[int, str]) -> None:
    """The portal refused these snapshots: they wait in the dead-letter list until fixed or resent."""
    for dossier_id, reason in reasons.items():
        SyncState.objects.filter(dossier_id=dossier_id).update(dead=True, claimed_until=None, last_error=reason[:2000])


def back_off(ids: list[int], error: str, now: datetime | None = None) -> None:
    """Transport failure: release the lease and retry later (exponential backoff with jitter)."""
    now = now or clock.now()
    states = SyncState.objects.filter(dossier_id__in=ids).values_list("dossier_id", "attempts")
    for dossier_id, attempts in states:
        delay = min(BACKOFF_CAP_SECONDS, _backoff_base() * 2 ** min(attempts, 16)) * random.uniform(0.5, 1.5)
        SyncState.objects.filter(dossier_id=dossier_id).update(
            claimed_until=None,
            attempts=F("attempts") + 1,
            last_error=error[:2000],
            next_attempt_at=now + timedelta(seconds=delay),
        )


def resend(ids: list[int]) -> int:
    """Put dead-lettered (or any) dossiers back in the queue now."""
    return SyncState.objects.filter(dossier_id__in=ids).update(
        dead=False, pending=True, acked_version=0, attempts=0, next_attempt_at=clock.now(), claimed_until=None
    )


def new_worker_id() -> str:
    return f"w-{uuid.uuid4().hex[:10]}"
