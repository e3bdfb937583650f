"""Fast bulk generator of realistic historical dossiers (for demos and benchmarks).

It simulates each dossier's life with the real calendar and process templates — reception,
appointment, steps with their budgets (some late), supplements, refusals, withdrawals,
returns, components with their digitization flags, own fees (a few exempt), results (most with
an electronic file), ratings — and writes them with the dossiers bulk writer (`dossiers.bulk`), which
derives each fact row as the services do, in batches with COPY (PostgreSQL) or executemany (SQLite).
Every batch is its own transaction, so an interrupted run keeps whole batches and `--count N` resumes
up to N ("at least N dossiers").

plan      what is drawn from: procedures in force, places, staff, shares
simulate  one dossier's life (`Generator`)
rows      that life as rows for the bulk writer
write     batches, code counters, sequences, planner statistics
parallel  several worker processes (PostgreSQL)
"""

from __future__ import annotations

from django.db import connection

from motcua.demo.generator.parallel import run_parallel
from motcua.demo.generator.plan import Plan
from motcua.demo.generator.simulate import Generator
from motcua.demo.generator.write import analyze, max_ids, reset_sequences, run
from motcua.dossiers.models import Dossier

__all__ = ["Generator", "Plan", "generate", "max_ids"]


def generate(count: int, *, batch_size: int = 10_000, seed: int = 766, workers: int = 1, progress=None) -> int:
    """Make sure at least `count` dossiers exist; returns how many were added.

    With `workers` > 1 (PostgreSQL) the submission window is cut into whole days, one slice per
    worker process, so dossier codes (per desk per day) never collide; each worker owns a disjoint
    id range. Every batch is one transaction: an interrupted run keeps whole batches and resumes."""
    existing = Dossier.objects.count()
    missing = max(0, count - existing)
    if not missing:
        return 0
    task = progress.add_task("Sinh hồ sơ", total=missing) if progress else None

    def report(n: int) -> None:
        if progress:
            progress.advance(task, n)

    if workers <= 1 or connection.vendor != "postgresql":
        done = run(Generator(seed=seed + existing), missing, batch_size, report)
    else:
        try:
            done = run_parallel(missing, workers, seed + existing, batch_size, report)
        finally:
            reset_sequences()
    analyze()
    return done
