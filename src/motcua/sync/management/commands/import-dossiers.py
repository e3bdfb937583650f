"""motcua import-dossiers FILE.jsonl — load dossiers from an older system (national payload format)."""

import json

from django.core.management.base import BaseCommand

from motcua.common.commands import domain_errors, progress_bar
from motcua.common.errors import InvalidInput
from motcua.common.files import open_input
from motcua.sync.importer import import_lines


class Command(BaseCommand):
    help = (
        "Import dossiers (one DongBoHoSoMC snapshot per line); bad lines are refused one by one with a stable "
        "code, valid lines load; exit 2 when a line was refused or the file cannot be read."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--batch", type=int, default=5000)
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, file, batch, no_progress, **opts):
        with domain_errors():
            if batch < 1:
                raise InvalidInput("invalid_batch", "--batch phải từ 1 trở lên.", "--batch must be at least 1.")
            with open_input(file) as fh:
                total = sum(1 for _ in fh)
            with open_input(file) as fh, progress_bar(disable=no_progress) as progress:
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
            if report.errors:
                n = len(report.errors)
                raise InvalidInput(
                    "lines_refused",
                    f"{n} dòng bị từ chối (xem trên); các dòng hợp lệ đã được nhập.",
                    f"{n} line(s) refused (see above); the valid lines were imported.",
                )
