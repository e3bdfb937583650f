"""motcua catalog export|import — the whole procedure catalog as JSON (motcua.catalog/1)."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from motcua.catalog import services
from motcua.common.commands import domain_errors, progress_bar
from motcua.common.files import read_input, write_output


class Command(BaseCommand):
    help = "Export or import the procedure catalog (all versions) as JSON; imports are all-or-nothing."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="Write the catalog as JSON")
        export.add_argument("--output", "-o", help="File to write (default: standard output)")
        imp = sub.add_parser("import", help="Validate and load a catalog file")
        imp.add_argument("file")
        imp.add_argument("--dry-run", action="store_true", help="Validate and report, write nothing")
        imp.add_argument("--no-progress", action="store_true")

    def handle(self, *args, action, **opts):
        with domain_errors():
            if action == "export":
                text = json.dumps(services.export_catalog(), ensure_ascii=False, indent=1)
                if opts["output"]:
                    write_output(opts["output"], text + "\n")
                    self.stderr.write(f"Đã xuất danh mục / catalog written to {opts['output']}")
                else:
                    self.stdout.write(text)
                return
            raw = read_input(opts["file"])
            with progress_bar(disable=opts["no_progress"]) as progress:
                report = services.import_catalog(raw, progress=progress, dry_run=opts["dry_run"])
            verb = "Kiểm tra xong (không ghi) / validated, nothing written" if opts["dry_run"] else "Đã nhập / imported"
            self.stdout.write(f"{verb}: {json.dumps(report.as_dict(), ensure_ascii=False)}")
