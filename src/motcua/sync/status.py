"""sync-status figures and reconciliation against the portal's per-day digests."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from django.db.models import Count, F, Min, Q
from django.utils import timezone

from motcua.common import clock
from motcua.common.timeutil import VN_TZ
from motcua.dossiers.models import Dossier
from motcua.protocol.signing import digest_of
from motcua.sync import outbox
from motcua.sync.client import NationalClient
from motcua.sync.models import SyncState


def status() -> dict:
    now = clock.now()
    agg = SyncState.objects.aggregate(
        n_pending=Count("pk", filter=Q(pending=True, dead=False)),
        n_in_flight=Count("pk", filter=Q(pending=True, dead=False, claimed_until__gt=now)),
        n_dead=Count("pk", filter=Q(dead=True)),
        n_held=Count("pk", filter=Q(acked_version=F("node_version"))),
        oldest=Min("changed_at", filter=Q(pending=True, dead=False)),
    )
    total = Dossier.objects.count()
    return {
        "dossiers": total,
        "pending": agg["n_pending"],
        "in_flight": agg["n_in_flight"],
        "dead_lettered": agg["n_dead"],
        "oldest_lag_seconds": round((now - agg["oldest"]).total_seconds(), 1) if agg["oldest"] else 0,
        "sync_rate": round(100 * agg["n_held"] / total, 2) if total else None,
    }


def _local_versions(first: date, last: date) -> dict[str, dict[str, int]]:
    start = datetime(first.year, first.month, first.day, tzinfo=VN_TZ)
    end = datetime(last.year, last.month, last.day, tzinfo=VN_TZ) + timedelta(days=1)
    days: dict[str, dict[str, int]] = defaultdict(dict)
    rows = Dossier.objects.filter(submitted_at__gte=start, submitted_at__lt=end).values_list(
        "code", "version", "submitted_at"
    )
    for code, version, submitted in rows.iterator(chunk_size=5000):
        days[timezone.localtime(submitted).date().isoformat()][code] = version
    return days


def reconcile(client: NationalClient, first: date, last: date, progress=None) -> dict:
    """Compare per-day digests with the portal; re-queue every dossier whose version differs."""
    local = _local_versions(first, last)
    remote = client.get("/digests", {"from": first.isoformat(), "to": last.isoformat()})["days"]
    differing = [d for d, versions in local.items() if remote.get(d, {}).get("digest") != digest_of(versions)]
    task = progress.add_task("Đối soát theo ngày", total=len(differing)) if progress else None
    requeued = 0
    for day in differing:
        held = client.get("/versions", {"date": day})["versions"]
        stale = [code for code, v in local[day].items() if held.get(code) != v]
        ids = list(Dossier.objects.filter(code__in=stale).values_list("id", flat=True))
        requeued += outbox.resend(ids)
        if progress:
            progress.advance(task)
    return {"days_checked": len(local), "days_differing": len(differing), "requeued": requeued}
