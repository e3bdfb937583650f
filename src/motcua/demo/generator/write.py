"""Writing generated dossiers: each batch in its own transaction with the dossier code counters it
advanced (so an interrupted run keeps whole batches), then the id sequences and the planner
statistics brought up to date (PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from motcua.dossiers import bulk
from motcua.dossiers.models import Dossier, DossierCodeCounter, DossierEvent, DossierFact, DossierStep
from motcua.org.models import Agency
from motcua.sync.models import SyncState

ID_MODELS = (Dossier, DossierStep, DossierEvent)


def max_ids() -> dict:
    return {m: (m.objects.order_by("-id").values_list("id", flat=True).first() or 0) for m in ID_MODELS}


class CodeCounters:
    """The per-desk, per-day dossier code counters: all loaded at once (one query instead of one per
    desk and day); those advanced are saved with the batch that used them."""

    def __init__(self):
        self.last: dict[tuple[int, str], int] = {
            (agency_id, day.isoformat()): last
            for agency_id, day, last in DossierCodeCounter.objects.values_list("agency_id", "day", "last")
        }
        self.dirty: set[tuple[int, str]] = set()

    def next_code(self, desk: Agency, at: datetime) -> str:
        day = timezone.localdate(at)
        key = (desk.pk, day.isoformat())
        self.last[key] = self.last.get(key, 0) + 1
        self.dirty.add(key)
        return f"{desk.code}-{day:%y%m%d}-{self.last[key]:04d}"

    def save(self) -> None:
        rows = [DossierCodeCounter(agency_id=a, day=d, last=self.last[(a, d)]) for a, d in self.dirty]
        DossierCodeCounter.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["agency", "day"], update_fields=["last"]
        )
        self.dirty.clear()


def run(gen, count: int, batch_size: int, report: Callable[[int], object]) -> int:
    """Let `gen` (a simulate.Generator) make `count` dossiers, written `batch_size` at a time."""
    done = 0
    while done < count:
        batch = bulk.Batch()
        for _ in range(min(batch_size, count - done)):
            gen.dossier(batch)
        write_batch(batch, gen.now, gen.codes)
        done += len(batch.dossiers)
        report(len(batch.dossiers))
    return done


def write_batch(batch: bulk.Batch, now: datetime, codes: CodeCounters) -> None:
    with transaction.atomic():
        bulk.write(batch, now, own_codes=True)
        codes.save()
    reset_sequences()


def reset_sequences() -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in ID_MODELS:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 1))"
            )


def analyze() -> None:
    """Fresh planner statistics after a bulk load (PostgreSQL): with the old ones it picked a
    5-million-row index range for a query that touches a few thousand rows."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in (*ID_MODELS, DossierFact, SyncState):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
