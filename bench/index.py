"""Benchmark: the Decision 766 index for every agency, from the daily rollups and from the facts.

    .venv/bin/python bench/index.py [--database-url …] [--period 2026]

Uses the database bench/lifecycle.py fills (1,000,000 dossiers). Reports the rollup build time, the
time for the index of every department and commune from rollups and from facts, and the peak
memory of the process (which must not grow with the data: every figure is an aggregate).
"""

from __future__ import annotations

import argparse
import os
import resource
import time

from rich.console import Console
from rich.table import Table

console = Console()


def main() -> None:
    parser = argparse.ArgumentParser(description="766 index for every agency")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/motcua_bench")
    parser.add_argument("--period", default="2026")
    args = parser.parse_args()
    os.environ.update(
        DATABASE_URL=args.database_url, MOTCUA_DEV="1", DJANGO_SETTINGS_MODULE="motcua.settings", LOG_LEVEL="WARNING"
    )
    import django

    django.setup()
    from django.core.management import call_command

    from motcua.dossiers.models import DossierFact
    from motcua.metrics import engine, rollups
    from motcua.org.models import Agency

    call_command("migrate", verbosity=0)
    facts = DossierFact.objects.count()
    t0 = time.perf_counter()
    rows = rollups.rebuild()
    build = time.perf_counter() - t0
    agencies = list(Agency.objects.filter(parent__kind=Agency.Kind.PROVINCE_PC).values_list("code", flat=True))
    timings = {}
    for label, fn in (("from rollups", rollups.compute), ("from facts (full recompute)", engine.compute)):
        t0 = time.perf_counter()
        fn("node", args.period)
        for code in agencies:
            fn(f"agency:{code}", args.period)
        timings[label] = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    table = Table(
        title=f"bench/index — {facts:,} fact rows, {len(agencies)} agencies + the province, period {args.period}"
    )
    for col in ("what", "seconds"):
        table.add_column(col, justify="left" if col == "what" else "right")
    table.add_row(f"rebuild daily rollups ({rows:,} rows)", f"{build:.1f}")
    for label, seconds in timings.items():
        table.add_row(f"index of every agency {label}", f"{seconds:.2f}")
    table.add_row("peak memory of the process (MB)", f"{peak:.0f}")
    console.print(table)
    console.print("goals at 5.3 M dossiers: < 1 s from rollups, < 60 s from facts, flat memory")


if __name__ == "__main__":
    main()
