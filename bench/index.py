"""Benchmark: the Decision 766 index for every agency at 5,300,000 dossiers, and the pages that show it.

    .venv/bin/python bench/index.py [--database-url …] [--dossiers 5300000] [--rounds 5] [--requests 50]

Fills `motcua_bench` (PostgreSQL) once: the demo province, variants of its procedures up to 500, and
5.3 M generated dossiers over the last 180 days (two generator processes; resumable). Then, for the
six whole months around the data:
- rebuilds the rollups from the facts (one INSERT … SELECT per table);
- the index of the province and of every department and commune from the rollups (median of rounds);
- the same from the facts (full recompute, one grouped pass);
- peak memory of a fresh process recomputing from the facts for one month and for six (must not grow);
- server time of the public transparency page and the leaders' dashboard (in-process, p50/p95).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from rich.console import Console
from rich.progress import track
from rich.table import Table

BIN = Path(sys.executable).parent
console = Console()


def pct(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def six_months(today: date) -> str:
    first = date(today.year - (today.month <= 5), (today.month - 6) % 12 + 1, 1)
    nxt = date(today.year + (today.month == 12), today.month % 12 + 1, 1)
    return f"{first.isoformat()}..{date.fromordinal(nxt.toordinal() - 1).isoformat()}"


def timed(fn, rounds: int, label: str) -> list[float]:
    times = []
    for _ in track(range(rounds), description=label, console=console, transient=True):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times


def memory_probe(kind: str, period: str) -> None:
    """Run in a fresh process: recompute every agency's index, print the peak resident memory (MB)."""
    import django

    django.setup()
    from motcua.metrics import fact_index, rollups
    from motcua.org.models import Agency

    codes = list(Agency.objects.filter(parent__kind=Agency.Kind.PROVINCE_PC).values_list("code", flat=True))
    (fact_index.compute_agencies if kind == "facts" else rollups.compute_agencies)(codes, period)
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def probe(kind: str, period: str) -> float:
    args = [sys.executable, __file__, "--probe", kind, "--period", period, "--database-url", os.environ["DATABASE_URL"]]
    out = subprocess.run(args, capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def prepare(database_url: str, dossiers: int) -> None:
    name = database_url.rsplit("/", 1)[1]
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], capture_output=True)
    steps = (
        ["migrate", "-v0"],
        ["demo", "--no-progress"],
        ["generate_dossiers", "--count", str(dossiers), "--workers", "2", "--batch", "20000", "--procedures", "500"],
    )
    for cmd in steps:
        subprocess.run([str(BIN / "motcua"), *cmd], check=True, env={**os.environ})


def pages(period: str, requests: int) -> dict[str, list[float]]:
    from django.test import Client

    from motcua.identity.models import User
    from motcua.identity.testing import verified_login

    def as_user(name):
        c = Client()
        verified_login(c, User.objects.get(username=name))  # leaders log in with a second factor
        return c

    views = {
        "public transparency page (province + every agency)": (Client(), f"/cong-khai/chi-so/?ky={period}"),
        "leaders' dashboard, province (quantri)": (as_user("quantri"), f"/mot-cua/lanh-dao/?ky={period}"),
        "leaders' dashboard, department": (as_user("tuphap.lanhdao"), f"/mot-cua/lanh-dao/?ky={period}"),
        "GET /api/v1/index (province, rollups)": (Client(), f"/api/v1/index?period={period}"),
    }
    from django.core.cache import cache

    out, cold = {}, {}
    for label, (client, path) in views.items():
        cache.clear()  # the first request after a refresh: nothing remembered yet
        t0 = time.perf_counter()
        assert client.get(path).status_code == 200, label
        cold[label] = (time.perf_counter() - t0) * 1000
        times = []
        for _ in track(range(requests), description=label, console=console, transient=True):
            t0 = time.perf_counter()
            r = client.get(path)
            times.append((time.perf_counter() - t0) * 1000)
            assert r.status_code == 200, (label, r.status_code)
        out[label] = times
    return out, cold


def main() -> None:
    parser = argparse.ArgumentParser(description="766 index for every agency at 5.3 M dossiers")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/motcua_bench")
    parser.add_argument("--dossiers", type=int, default=5_300_000)
    parser.add_argument("--period", default="")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--probe", choices=["facts", "rollups"], help=argparse.SUPPRESS)
    parser.add_argument("--pages-only", action="store_true", help="only the page timings (rollups already built)")
    args = parser.parse_args()
    os.environ.update(
        DATABASE_URL=args.database_url,
        MOTCUA_DEV="1",
        DJANGO_SETTINGS_MODULE="motcua.settings",
        LOG_LEVEL="WARNING",
        ALLOWED_HOSTS="testserver",
        MOTCUA_PUBLIC_API_RATE="1000000/m",
    )
    if args.probe:
        memory_probe(args.probe, args.period)
        return
    prepare(args.database_url, args.dossiers)
    import django

    django.setup()
    from motcua.common import clock
    from motcua.common.commands import progress_bar
    from motcua.dossiers.models import DossierFact
    from motcua.metrics import fact_index, rollups
    from motcua.metrics.periods import parse_period
    from motcua.org.models import Agency

    period = args.period or six_months(clock.now().date())
    if args.pages_only:
        page_times, cold = pages(period, args.requests)
        for label, times in page_times.items():
            p50, p95 = statistics.median(times), pct(times, 95)
            console.print(f"{label}: p50 {p50:.0f} ms, p95 {p95:.0f} ms, first {cold[label]:.0f} ms")
        return
    p = parse_period(period)
    facts = DossierFact.objects.count()
    in_period = DossierFact.objects.filter(received_at__gte=p.bounds[0], received_at__lt=p.bounds[1]).count()
    codes = list(Agency.objects.filter(parent__kind=Agency.Kind.PROVINCE_PC).values_list("code", flat=True))
    t0 = time.perf_counter()
    with progress_bar() as progress:
        written = rollups.rebuild(progress=progress)
    rebuild = time.perf_counter() - t0
    t0 = time.perf_counter()
    rollups.refresh()  # nothing changed since the rebuild
    idle = time.perf_counter() - t0
    since = clock.now() - timedelta(days=7)  # the dossiers being handled now were received lately
    recent = DossierFact.objects.filter(received_at__gte=since).values_list("dossier_id", flat=True)[:1000]
    DossierFact.objects.filter(dossier_id__in=list(recent)).update(updated_at=clock.now())
    t0 = time.perf_counter()
    touched = rollups.refresh()  # 1,000 dossiers changed: their days and months are rebuilt
    incremental = time.perf_counter() - t0

    def every_agency(source):
        source.compute_agencies(codes, period, node=True)  # the province and every agency, one pass

    from_rollups = timed(lambda: every_agency(rollups), args.rounds, "every agency from rollups")
    from_facts = timed(lambda: every_agency(fact_index), max(1, args.rounds // 2), "every agency from facts")
    from motcua.metrics import reports

    t0 = time.perf_counter()
    reports.handling_report(period)
    report = time.perf_counter() - t0
    month = f"{period[:7]}"
    mem = {
        "facts, 1 month": probe("facts", month),
        "facts, 6 months": probe("facts", period),
        "rollups, 6 months": probe("rollups", period),
    }
    page_times, cold = pages(period, args.requests)

    table = Table(
        title=f"bench/index — {facts:,} dossiers ({in_period:,} received in {period}), "
        f"{len(codes)} agencies + the province"
    )
    table.add_column("what")
    table.add_column("result", justify="right")
    table.add_column("goal", justify="right")
    table.add_row(f"rebuild every rollup from the facts ({written:,} rows)", f"{rebuild:.1f} s", "")
    table.add_row("refresh, nothing changed", f"{idle:.2f} s", "")
    table.add_row(f"refresh after 1,000 dossiers changed ({touched:,} rows rebuilt)", f"{incremental:.1f} s", "")
    table.add_row("index of every agency from rollups (median)", f"{statistics.median(from_rollups):.3f} s", "< 1 s")
    table.add_row("index of every agency from facts (median)", f"{statistics.median(from_facts):.1f} s", "< 60 s")
    table.add_row("periodic handling report of every agency (from facts, once)", f"{report:.1f} s", "")
    for label, mb in mem.items():
        table.add_row(f"peak memory of a fresh process: {label}", f"{mb:.0f} MB", "flat")
    for label, times in page_times.items():
        figures = f"{statistics.median(times):.0f} / {pct(times, 95):.0f} ms (first {cold[label]:.0f})"
        table.add_row(f"{label}: p50 / p95", figures, "p95 < 300 ms")
    console.print(table)


if __name__ == "__main__":
    main()
