"""motcua import-dossiers FILE.jsonl — load dossiers from an older system (national payload format)."""

import json

from django.core.management.base import BaseCommand

from motcua.common.commands import progress_bar
from motcua.sync.importer import import_lines


class Command(BaseCommand):
    help = "Import dossiers (one DongBoHoSoMC snapshot per line); errors are reported per line, valid lines load."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--batch", type=int, default=5000)
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, file, batch, no_progress, **opts):
        with open(file, encoding="utf-8") as fh:
            total = sum(1 for _ in fh)
        with open(file, encoding="utf-8") as fh, progress_bar(disable=no_progress) as progress:
            report = import_lines(fh, progress, batch=batch, total=total)
        for error in report.errors[:100]:
            self.stderr.write(f"dòng / line {error['line']}: {error['problem']}")
        if len(report.errors) > 100:
            self.stderr.write(f"… {len(report.errors) - 100} more")
        self.stdout.write(
            json.dumps(
                {
                    "lines": report.lines,
                    "imported": report.imported,
                    "skipped": report.skipped,
                    "errors": len(report.errors),
                }
            )
        )
