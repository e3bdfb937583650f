"""Benchmarks of the national sync (PostgreSQL, the database bench/lifecycle.py fills).

    .venv/bin/python bench/sync.py drain  [--changes 1000000] [--workers 2] [--receivers 2]
    .venv/bin/python bench/sync.py lag    [--rate 200] [--seconds 30]
    .venv/bin/python bench/sync.py import [--dossiers 200000]

drain:  every dossier gets a pending change; sync-worker processes deliver them over HTTP to the
        monitor (gunicorn) until nothing is pending → changes/s.
lag:    a writer commits changes at a steady rate (version bump + outbox row in one transaction)
        while one worker runs → p50/p95/p99 from commit to accepted.
import: a JSONL file in the national payload format → `motcua import-dossiers` into a fresh
        database with the demo catalog → dossiers/s.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
console = Console()
PORT = 8766


def setup_django(url: str) -> None:
    os.environ.update(DATABASE_URL=url, MOTCUA_DEV="1", DJANGO_SETTINGS_MODULE="motcua.settings", LOG_LEVEL="WARNING")
    import django

    django.setup()


def env_for(url: str, **extra) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "MOTCUA_DEV": "1",
        "LOG_LEVEL": "WARNING",
        "CONN_MAX_AGE": "600",
        "DJANGO_SETTINGS_MODULE": "motcua.settings",
        **extra,
    }


def start_receivers(url: str, workers: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "motcua.wsgi",
            "-b",
            f"127.0.0.1:{PORT}",
            "-w",
            str(workers),
            "--log-level",
            "warning",
            "--timeout",
            "120",
        ],
        env=env_for(url),
        cwd=ROOT,
    )
    import socket

    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", PORT), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.2)
    return server


def node_env(url: str) -> dict:
    from motcua.national.services import register_node

    node, secret = register_node("H53", "Tỉnh Tây Ninh", ".H53", client_id="h53-demo")
    return env_for(
        url,
        MOTCUA_NATIONAL_URL=f"http://127.0.0.1:{PORT}/national/api",
        MOTCUA_NATIONAL_CLIENT_ID=node.client_id,
        MOTCUA_NATIONAL_CLIENT_SECRET=secret,
        MOTCUA_NATIONAL_TIMEOUT="120",
    )


def queue_everything(limit: int) -> int:
    from django.db import connection

    with connection.cursor() as c:
        c.execute("DELETE FROM national_synceddossier WHERE node_id = (SELECT id FROM national_node WHERE code='H53')")
        c.execute("UPDATE sync_syncstate SET pending = false, claimed_until = NULL")
        c.execute(
            "INSERT INTO sync_syncstate (dossier_id, node_version, acked_version, pending, changed_at, "
            "next_attempt_at, attempts, dead, last_error, claimed_by) "
            "SELECT id, version, 0, true, now(), now(), 0, false, '', '' FROM dossiers_dossier ORDER BY id LIMIT %s "
            "ON CONFLICT (dossier_id) DO UPDATE SET acked_version = 0, pending = true, dead = false, "
            "claimed_until = NULL, next_attempt_at = now(), attempts = 0",
            [limit],
        )
        c.execute("ANALYZE sync_syncstate")
        c.execute("SELECT count(*) FROM sync_syncstate WHERE pending")
        return c.fetchone()[0]


def pending() -> int:
    from motcua.sync.models import SyncState

    return SyncState.objects.filter(pending=True, dead=False).count()


def drain(args) -> None:
    setup_django(args.database_url)
    total = queue_everything(args.changes)
    wenv = node_env(args.database_url)
    server = start_receivers(args.database_url, args.receivers)
    workers = []
    try:
        t0 = time.perf_counter()
        workers = [
            subprocess.Popen(
                [str(BIN / "motcua"), "sync-worker", "--batch", str(args.batch), "--once"],
                env=wenv,
                stderr=subprocess.DEVNULL,
            )
            for _ in range(args.workers)
        ]
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("drain", total=total)
            left = total
            while any(w.poll() is None for w in workers) and left:
                time.sleep(2)
                left = pending()
                progress.update(task, completed=total - left)
        elapsed = time.perf_counter() - t0
        left = pending()
    finally:
        for w in workers:
            w.terminate()
        server.terminate()
        server.wait()
    from motcua.national.models import SyncedDossier

    held = SyncedDossier.objects.filter(node__code="H53").count()
    table = Table(
        title=f"bench/sync drain — {total:,} pending changes, {args.workers} workers × batch "
        f"{args.batch}, gunicorn ×{args.receivers}"
    )
    for col in ("delivered", "left", "held by monitor", "seconds", "changes/s"):
        table.add_column(col, justify="right")
    table.add_row(f"{total - left:,}", f"{left:,}", f"{held:,}", f"{elapsed:.1f}", f"{(total - left) / elapsed:,.0f}")
    console.print(table)
    console.print("goal ≥ 10,000 changes/s")


def lag(args) -> None:
    setup_django(args.database_url)
    from django.db import connection, transaction

    from motcua.common import clock
    from motcua.dossiers.models import Dossier
    from motcua.sync import outbox
    from motcua.sync.models import SyncState

    queue_everything(0)
    SyncState.objects.filter(pending=True).update(pending=False)
    wenv = node_env(args.database_url)
    server = start_receivers(args.database_url, args.receivers)
    worker = subprocess.Popen(
        [str(BIN / "motcua"), "sync-worker", "--batch", "500", "--poll", "0.05"], env=wenv, stderr=subprocess.DEVNULL
    )
    ids = list(Dossier.objects.order_by("?").values_list("id", flat=True)[: args.rate * args.seconds])
    committed: dict[int, float] = {}
    try:
        time.sleep(2)
        interval = 1.0 / args.rate
        t0 = time.perf_counter()
        for n, dossier_id in enumerate(ids):
            target = t0 + n * interval
            delay = target - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            with transaction.atomic():
                with connection.cursor() as c:
                    c.execute(
                        "UPDATE dossiers_dossier SET version = version + 1 WHERE id = %s RETURNING version",
                        [dossier_id],
                    )
                    version = c.fetchone()[0]
                outbox.record_change(dossier_id, version, clock.now())
            committed[dossier_id] = time.time()
        achieved = len(ids) / (time.perf_counter() - t0)
        deadline = time.monotonic() + 60
        while SyncState.objects.filter(dossier_id__in=ids, pending=True).exists() and time.monotonic() < deadline:
            time.sleep(0.5)
    finally:
        worker.terminate()
        server.terminate()
        server.wait()
    acked = dict(SyncState.objects.filter(dossier_id__in=ids).values_list("dossier_id", "acked_at"))
    lags = [acked[i].timestamp() - committed[i] for i in ids if acked.get(i)]
    ordered = sorted(lags)

    def pct(p):
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

    table = Table(title=f"bench/sync lag — {len(ids):,} changes at {achieved:,.0f}/s, 1 worker")
    for col in ("accepted", "p50 s", "p95 s", "p99 s", "max s"):
        table.add_column(col, justify="right")
    table.add_row(
        f"{len(lags):,}", f"{statistics.median(lags):.2f}", f"{pct(95):.2f}", f"{pct(99):.2f}", f"{max(lags):.2f}"
    )
    console.print(table)
    console.print("goal: p95 < 2 s from commit to accepted")


def import_bench(args) -> None:
    setup_django(args.database_url)
    from motcua.dossiers.models import Dossier
    from motcua.sync import payload

    path = Path(tempfile.mkdtemp()) / "import.jsonl"
    ids = list(Dossier.objects.order_by("id").values_list("id", flat=True)[: args.dossiers])
    rng = random.Random(1)
    with open(path, "w", encoding="utf-8") as fh, Progress(console=console, transient=True) as progress:
        task = progress.add_task("writing JSONL", total=len(ids))
        for start in range(0, len(ids), 5000):
            for n, (_, snap) in enumerate(payload.snapshots(ids[start : start + 5000])):
                agency, _, _ = snap["MaHoSo"].split("-")
                snap["MaHoSo"] = f"{agency}-{rng.randint(100101, 241231)}-{start + n:07d}"
                fh.write(json.dumps(snap, ensure_ascii=False) + "\n")
            progress.advance(task, 5000)
    target = args.database_url.rsplit("/", 1)[0] + "/motcua_bench_import"
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "motcua_bench_import"], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", "motcua_bench_import"], check=True)
    env = env_for(target)
    for cmd in (["migrate", "-v0"], ["demo", "--no-progress"]):
        subprocess.run([str(BIN / "motcua"), *cmd], env=env, check=True, stdout=subprocess.DEVNULL)
    t0 = time.perf_counter()
    out = subprocess.run(
        [str(BIN / "motcua"), "import-dossiers", str(path), "--no-progress"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    elapsed = time.perf_counter() - t0
    result = json.loads(out.strip().splitlines()[-1])
    table = Table(title=f"bench/sync import — {result['lines']:,} lines into an empty PostgreSQL database")
    for col in ("imported", "errors", "seconds", "dossiers/s"):
        table.add_column(col, justify="right")
    table.add_row(
        f"{result['imported']:,}", str(result["errors"]), f"{elapsed:.1f}", f"{result['imported'] / elapsed:,.0f}"
    )
    console.print(table)
    console.print("goal ≥ 20,000 dossiers/s (includes process start-up and reading the file)")


def main() -> None:
    parser = argparse.ArgumentParser(description="National sync benchmarks")
    parser.add_argument("what", choices=["drain", "lag", "import"])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/motcua_bench")
    parser.add_argument("--changes", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--receivers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=2000)
    parser.add_argument("--rate", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--dossiers", type=int, default=200_000)
    args = parser.parse_args()
    {"drain": drain, "lag": lag, "import": import_bench}[args.what](args)


if __name__ == "__main__":
    main()
