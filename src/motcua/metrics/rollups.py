"""Daily rollups of the fact rows and the index read from them (with open dossiers added live)."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import TruncDate

from motcua.common import clock
from motcua.common.timeutil import VN_TZ
from motcua.dossiers.models import DossierFact
from motcua.metrics import engine
from motcua.metrics.models import DailyRollup, RollupWatermark
from motcua.sync.models import SyncState

SUMS = [
    "received",
    "synced",
    "ended_on_time",
    "ended_late",
    "fee_bearing",
    "paid_online",
    "paper_result",
    "electronic_result",
    "digitized",
    "reused",
    "disliked",
]


def _aggregate(facts):
    synced = SyncState.objects.filter(dossier_id=OuterRef("dossier_id"), acked_version__gte=1)
    paper = Q(paper_result_required=True, status__in=[9, 10])
    return (
        facts.annotate(is_synced=Exists(synced), d=TruncDate("received_at", tzinfo=VN_TZ))
        .values("d", "agency_id", "procedure_id", "channel")
        .order_by()
        .annotate(
            n_received=Count("pk"),
            n_synced=Count("pk", filter=Q(is_synced=True)),
            n_ended_on_time=Count("pk", filter=Q(timeliness__in=["early", "on_time"])),
            n_ended_late=Count("pk", filter=Q(timeliness="late")),
            n_fee_bearing=Count("pk", filter=Q(fee_bearing=True)),
            n_paid_online=Count("pk", filter=Q(fee_bearing=True, paid_online=True)),
            n_paper_result=Count("pk", filter=paper),
            n_electronic_result=Count("pk", filter=paper & Q(electronic_result=True)),
            n_digitized=Count("pk", filter=Q(digitized=True)),
            n_reused=Count("pk", filter=Q(reused=True)),
            n_disliked=Count("pk", filter=Q(dossier__rating__score=1)),
        )
    )


@transaction.atomic
def rebuild(first: date | None = None, last: date | None = None, progress=None) -> int:
    """Recompute the rollups of the received days in [first, last] (all days when not given)."""
    facts = DossierFact.objects.filter(received_at__isnull=False)
    old = DailyRollup.objects.all()
    if first:
        facts = facts.filter(received_at__gte=engine.Period("", first, first).bounds[0])
        old = old.filter(day__gte=first)
    if last:
        facts = facts.filter(received_at__lt=engine.Period("", last, last).bounds[1])
        old = old.filter(day__lte=last)
    old.delete()
    batch, written = [], 0
    for row in _aggregate(facts).iterator(chunk_size=10_000):
        batch.append(
            DailyRollup(
                day=row["d"],
                agency_id=row["agency_id"],
                procedure_id=row["procedure_id"],
                channel=row["channel"],
                **{k: row[f"n_{k}"] for k in SUMS},
            )
        )
        if len(batch) >= 10_000:
            written += len(DailyRollup.objects.bulk_create(batch))
            batch = []
            if progress:
                progress.advance(progress.task_ids[0], 10_000)
    written += len(DailyRollup.objects.bulk_create(batch))
    return written


def refresh() -> int:
    """Rebuild only the days whose facts (or sync acknowledgements) changed since the last refresh."""
    now = clock.now()
    mark = RollupWatermark.objects.first()
    if mark is None:
        written = rebuild()
        RollupWatermark.objects.create(refreshed_at=now)
        return written
    changed = DossierFact.objects.filter(received_at__isnull=False).filter(
        Q(updated_at__gte=mark.refreshed_at) | Q(dossier__sync__acked_at__gte=mark.refreshed_at)
    )
    days = sorted(
        {d for d in changed.annotate(d=TruncDate("received_at", tzinfo=VN_TZ)).values_list("d", flat=True).distinct()}
    )
    written = 0
    for day in days:  # one transaction per day: an interruption leaves whole days
        written += rebuild(day, day)
    RollupWatermark.objects.filter(pk=mark.pk).update(refreshed_at=now)
    return written


def compute(scope_text: str, period_text: str, config: str = engine.DEFAULT_CONFIG) -> dict:
    """The index from the rollups, plus open dossiers judged live (as of the period's end or now)."""
    period, scope = engine.parse_period(period_text), engine.parse_scope(scope_text)
    _, end = period.bounds
    as_of = min(clock.now(), end)
    rows = DailyRollup.objects.filter(day__gte=period.start, day__lte=period.end)
    if scope.label != "node":
        rows = rows.filter(**_rollup_scope(scope))
    sums = rows.aggregate(**{f"s_{k}": Sum(k) for k in SUMS}, s_online=Sum("received", filter=Q(channel=2)))
    c = {k[2:]: v or 0 for k, v in sums.items()}
    live = (
        engine._facts(scope, period)
        .filter(ended_at__isnull=True, status__in=[2, 4, 6])
        .aggregate(
            within=Count("pk", filter=Q(first_appointment_at__gte=as_of, supplement_count__lte=1)),
            past=Count("pk", filter=Q(first_appointment_at__lt=as_of)),
        )
    )
    counts = {
        "received": c["received"],
        "synced": c["synced"],
        "on_time": c["ended_on_time"] + live["within"],
        "online": c["online"],
        "fee_bearing": c["fee_bearing"],
        "paid_online": c["paid_online"],
        "paper_result": c["paper_result"],
        "electronic_result": c["electronic_result"],
        "digitized": c["digitized"],
        "reused": c["reused"],
        "late": c["ended_late"] + live["past"],
        "disliked": c["disliked"],
    }
    used = {
        "online": set(rows.filter(channel=2).values_list("procedure_id", flat=True).distinct()),
        "fee": set(rows.filter(fee_bearing__gt=0).values_list("procedure_id", flat=True).distinct()),
        "paid": set(rows.filter(paid_online__gt=0).values_list("procedure_id", flat=True).distinct()),
    }
    catalog = engine.catalog_counts(scope, period, used=used)
    return engine.assemble(counts, catalog, scope.label, period, config)


def _rollup_scope(scope: engine.Scope) -> dict:
    """Rollups are keyed by competent agency and procedure: translate the scope's fact filter."""
    children = dict(scope.facts.children)
    if "agency_id__in" in children:
        return {"agency_id__in": children["agency_id__in"]}
    if "procedure__code" in children:
        return {"procedure__code": children["procedure__code"]}
    raise engine.InvalidInput(
        "scope_not_in_rollups", "Phạm vi này chưa có trong số liệu tổng hợp.", "This scope is not in the rollups."
    )
