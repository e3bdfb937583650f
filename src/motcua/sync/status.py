"""sync-status figures and warnings (portal unreachable, sync stale, dossiers refused), and reconciliation
against the portal's per-day digests."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Count, F, Max, Min, Q
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
        n_failing=Count("pk", filter=Q(pending=True, dead=False, attempts__gt=0)),
        oldest=Min("changed_at", filter=Q(pending=True, dead=False)),
        last_accepted=Max("acked_at"),
    )
    total = Dossier.objects.count()
    figures = {
        "dossiers": total,
        "pending": agg["n_pending"],
        "in_flight": agg["n_in_flight"],
        "dead_lettered": agg["n_dead"],
        "oldest_lag_seconds": round((now - agg["oldest"]).total_seconds(), 1) if agg["oldest"] else 0,
        "sync_rate": round(100 * agg["n_held"] / total, 2) if total else None,
        "failing": agg["n_failing"],
        "last_accepted_at": agg["last_accepted"].isoformat() if agg["last_accepted"] else None,
        "national_url": settings.MOTCUA_NATIONAL_URL,
    }
    figures["warnings"] = warnings(figures)
    return figures


def warnings(figures: dict) -> list[dict]:
    """What a reader of `sync-status` must not miss, each with a stable code and Vietnamese and English words:
    the portal unreachable (the last deliveries failed), the sync stale (a change waits longer than
    MOTCUA_SYNC_STALE_MINUTES: no worker, or none getting through), dossiers the portal refused."""
    out = []
    url, limit = figures["national_url"], settings.MOTCUA_SYNC_STALE_MINUTES
    if figures["failing"]:
        worst = (
            SyncState.objects.filter(pending=True, dead=False, attempts__gt=0)
            .order_by("-attempts", "-next_attempt_at")
            .values_list("attempts", "last_error")
            .first()
        )
        attempts, error = worst or (0, "")
        out.append(
            {
                "code": "unreachable",
                "message": f"Gửi tới Cổng quốc gia thất bại: {figures['failing']} hồ sơ chờ gửi lại (tới {attempts} "
                f"lần), lỗi gần nhất: {error or '—'}. Kiểm tra MOTCUA_NATIONAL_URL ({url}) và kết nối mạng.",
                "message_en": f"Deliveries to the national portal fail: {figures['failing']} dossiers wait to be "
                f"retried (up to {attempts} attempts), last error: {error or '—'}. Check MOTCUA_NATIONAL_URL ({url}) "
                "and the network.",
            }
        )
    lag_minutes = figures["oldest_lag_seconds"] / 60
    if figures["pending"] and lag_minutes > limit:
        last = _local(figures["last_accepted_at"])
        out.append(
            {
                "code": "stale",
                "message": f"Chưa đồng bộ: có hồ sơ chờ đã {lag_minutes:.0f} phút (ngưỡng {limit:g} phút); Cổng nhận "
                f"hồ sơ lần cuối: {last or 'chưa bao giờ'}. sync-worker có chạy không? (`motcua sync-worker`; "
                "`make serve` và `make demo` chạy nó, máy chủ chạy dịch vụ motcua-sync)",
                "message_en": f"Not syncing: a change has waited {lag_minutes:.0f} minutes (threshold {limit:g}); the "
                f"portal last accepted a dossier: {last or 'never'}. Is the sync worker running? (`motcua "
                "sync-worker`; `make serve` and `make demo` start it, a server runs the motcua-sync service)",
            }
        )
    if figures["dead_lettered"]:
        n = figures["dead_lettered"]
        out.append(
            {
                "code": "dead_lettered",
                "message": f"{n} hồ sơ bị Cổng quốc gia từ chối, chờ xử lý (trang quản trị › Đồng bộ, gửi lại).",
                "message_en": f"{n} dossiers were refused by the national portal and wait (admin › sync, Resend).",
            }
        )
    return out


def _local(iso: str | None) -> str | None:
    return timezone.localtime(datetime.fromisoformat(iso)).strftime("%H:%M %d/%m/%Y") if iso else None


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
