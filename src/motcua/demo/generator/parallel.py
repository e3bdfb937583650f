"""Several generator processes at once (PostgreSQL). The submission window is cut into whole days,
one slice per worker, so dossier codes (per desk per day) never collide; each worker owns a disjoint
id range and reports every batch it wrote through a queue."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from datetime import date, datetime, timedelta
from queue import Empty

from django.db import connections
from django.utils import timezone

from motcua.demo.generator.simulate import Generator
from motcua.demo.generator.write import ID_MODELS, max_ids, run
from motcua.dossiers.models import Dossier, DossierEvent, DossierStep

DAYS = 180
# Ids a worker may use per dossier it generates (steps ≤ the longest template, events ≤ steps + 6).
ID_STRIDE = {Dossier: 1, DossierStep: 16, DossierEvent: 24}


def run_parallel(missing: int, workers: int, seed: int, batch_size: int, report: Callable[[int], object]) -> int:
    now = timezone.now()
    windows = day_slices(now, workers)
    parts = [missing // workers + (k < missing % workers) for k in range(workers)]
    base = max_ids()
    connections.close_all()  # children open their own connections
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    procs = []
    for k in range(workers):
        ids = {m: base[m] + k * ID_STRIDE[m] * parts[0] for m in ID_MODELS}
        args = (seed + 1000 * k, now, windows[k], ids, parts[k], batch_size, queue)
        procs.append(ctx.Process(target=_worker, args=args, daemon=True))
    for proc in procs:
        proc.start()
    try:
        done = _collect(procs, queue, report)
    finally:  # normally all have ended; on Ctrl-C stop them (their open batch rolls back)
        for proc in procs:
            if proc.is_alive():
                proc.terminate()
            proc.join()
    if any(p.exitcode for p in procs):
        raise RuntimeError("a generator worker failed: rerun the command to resume")
    return done


def day_slices(now: datetime, workers: int) -> list[tuple[datetime, datetime]]:
    """The last DAYS days up to `now`, cut at midnights into one window per worker."""
    first_day = timezone.localdate(now) - timedelta(days=DAYS)
    bounds = [first_day + timedelta(days=round(DAYS * k / workers)) for k in range(workers + 1)]
    midnight = [_midnight(d) for d in bounds]
    return [(midnight[k], now if k == workers - 1 else midnight[k + 1]) for k in range(workers)]


def _midnight(d: date) -> datetime:
    return timezone.make_aware(datetime(d.year, d.month, d.day))


def _collect(procs, queue, report: Callable[[int], object]) -> int:
    """Pass on what the workers report until all have ended and the queue is drained."""
    done = 0
    while any(p.is_alive() for p in procs) or not queue.empty():
        try:
            n = queue.get(timeout=0.5)
        except Empty:  # nothing reported in the last half second
            continue
        done += n
        report(n)
    return done


def _worker(seed, now, window, ids, count, batch_size, queue) -> None:
    gen = Generator(seed=seed, now=now, window=window, id_base=ids)
    run(gen, count, batch_size, queue.put)
