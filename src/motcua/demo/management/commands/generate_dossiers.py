"""motcua generate_dossiers --count N — bulk realistic dossiers (resumable: "at least N")."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from motcua.common.commands import progress_bar
from motcua.demo.catalog_variants import add_variants
from motcua.demo.generator import generate


class Command(BaseCommand):
    help = "Generate realistic historical dossiers in bulk (COPY on PostgreSQL). Safe to interrupt and rerun."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, required=True, help="make sure at least this many dossiers exist")
        parser.add_argument("--batch", type=int, default=10_000)
        parser.add_argument("--seed", type=int, default=766)
        parser.add_argument("--workers", type=int, default=1, help="parallel generator processes (PostgreSQL)")
        parser.add_argument(
            "--procedures", type=int, default=0, help="first add variants of the demo procedures up to this many"
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, count, batch, seed, workers, procedures, no_progress, **opts):
        started = time.perf_counter()
        with progress_bar(disable=no_progress) as progress:
            if procedures:
                added = add_variants(procedures)
                self.stdout.write(f"Đã thêm / added {added} biến thể thủ tục / procedure variants")
            added = generate(count, batch_size=batch, seed=seed, workers=workers, progress=progress)
        elapsed = time.perf_counter() - started
        rate = added / elapsed if elapsed and added else 0
        self.stdout.write(f"Đã sinh / generated {added} hồ sơ in {elapsed:.1f}s ({rate:,.0f}/s)")
