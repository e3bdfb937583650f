"""Benchmark: server time of the main web pages with a million dossiers in PostgreSQL.

    .venv/bin/python bench/pages.py [--database-url …] [--requests 200]

Server time = the whole Django request (middleware, queries, template) measured in-process
with Django's test client, so the figure excludes the network and the browser. The database is
the one bench/lifecycle.py fills (1,000,000 generated dossiers); it is migrated and topped up first.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.progress import track
from rich.table import Table

BIN = Path(sys.executable).parent
console = Console()


def pct(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description="Server time of the main pages at 1M dossiers")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/motcua_bench")
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    env = {
        "DATABASE_URL": args.database_url,
        "MOTCUA_DEV": "1",
        "DJANGO_SETTINGS_MODULE": "motcua.settings",
        "LOG_LEVEL": "WARNING",
        "MOTCUA_TRACKING_RATE": "1000000/m",
        "MOTCUA_TRACKING_MISS_RATE": "1000000/m",
        "MOTCUA_TRACKING_PREFIX_MISS_RATE": "1000000/m",
        "ALLOWED_HOSTS": "testserver",
    }
    os.environ.update(env)
    subprocess.run(
        ["createdb", "-h", "127.0.0.1", "-U", "postgres", args.database_url.rsplit("/", 1)[1]], capture_output=True
    )
    for cmd in (["migrate", "-v0"], ["demo", "--no-progress"], ["generate_dossiers", "--count", str(args.dossiers)]):
        subprocess.run([str(BIN / "motcua"), *cmd], check=True, env={**os.environ})
    import django

    django.setup()
    from django.test import Client

    from motcua.dossiers.models import Dossier
    from motcua.identity.models import User

    desk = Client()
    desk.force_login(User.objects.get(username="tiepnhan.tinh"))
    visible = list(
        Dossier.objects.filter(receiving_agency__code="000.00.01.H53")
        .order_by("-id")
        .values_list("code", "applicant_phone")[:5000]
    )
    sample = random.Random(7).sample(visible, min(300, len(visible)))
    anonymous = Client()
    pages = {
        "inbox (desk, first page)": (desk, lambda i: "/mot-cua/"),
        "inbox, status = 4": (desk, lambda i: "/mot-cua/?status=4"),
        "inbox, overdue": (desk, lambda i: "/mot-cua/?qua_han=1"),
        "dossier detail (back office)": (desk, lambda i: f"/mot-cua/ho-so/{sample[i % len(sample)][0]}/"),
        "procedure search 'dang ky'": (anonymous, lambda i: "/thu-tuc/?q=dang+ky"),
        "procedure page": (anonymous, lambda i: "/thu-tuc/1.001193/"),
        "tracking (code + phone)": (anonymous, lambda i: "/tra-cuu/?code={}&phone={}".format(*sample[i % len(sample)])),
        "home (popular procedures, cached)": (anonymous, lambda i: "/"),
    }
    results = {}
    for label, (client, path) in pages.items():
        client.get(path(0))  # warm
        times = []
        for i in track(range(args.requests), description=label, console=console, transient=True):
            t0 = time.perf_counter()
            r = client.get(path(i))
            times.append((time.perf_counter() - t0) * 1000)
            assert r.status_code == 200, (label, r.status_code)
        results[label] = times
    table = Table(title=f"bench/pages — server time, {args.requests} requests each, ≥{args.dossiers:,} dossiers")
    for col in ("page", "p50 ms", "p95 ms", "max ms"):
        table.add_column(col, justify="left" if col == "page" else "right")
    for label, times in results.items():
        table.add_row(label, f"{statistics.median(times):.1f}", f"{pct(times, 95):.1f}", f"{max(times):.1f}")
    console.print(table)
    console.print("goal: p95 < 150 ms")


if __name__ == "__main__":
    main()
