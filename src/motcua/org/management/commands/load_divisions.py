"""motcua load_divisions — the 34 provinces, 3,321 communes and 63 former provinces."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from motcua.common.commands import progress_bar
from motcua.org.services import load_divisions


class Command(BaseCommand):
    help = "Load Vietnam's administrative divisions from vietnam-provinces (idempotent, one transaction)."

    def add_arguments(self, parser):
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **opts):
        with progress_bar(disable=opts["no_progress"]) as progress:
            counts = load_divisions(progress)
        self.stdout.write(f"Đơn vị hành chính / divisions: {counts}")
