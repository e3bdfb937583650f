"""motcua audit export [--since 2026-11-01] [--output audit.jsonl] | motcua audit verify"""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand

from motcua.audit import services
from motcua.common.errors import InvalidInput
from motcua.common.files import write_output
from motcua.common.timeutil import parse_instant


class Command(BaseCommand):
    help = "Export the audit log as JSON lines, or verify its hash chain."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True)
        export = sub.add_parser("export", help="JSON lines, oldest first, with their hashes")
        export.add_argument("--since", help="ISO date or date-time (Vietnam time)")
        export.add_argument("--output", "-o", help="file (default: standard output)")
        sub.add_parser("verify", help="walk the chain; exit 1 at the first broken link")

    def handle(self, *args, what, since=None, output=None, **opts):
        if what == "verify":
            broken = services.verify()
            if broken is not None:
                self.stderr.write(f"BROKEN audit event #{broken[0]}: {broken[1]}")
                sys.exit(1)
            self.stdout.write("OK: nhật ký kiểm toán nguyên vẹn / the audit chain is intact")
            return
        try:
            start = parse_instant(since, "since") if since else None
        except InvalidInput as exc:
            self.stderr.write(f"{exc.code}: {exc.message_vi} / {exc.message_en}")
            sys.exit(2)
        rows = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in services.export(start))
        if output:
            try:
                write_output(output, rows)
            except InvalidInput as exc:
                self.stderr.write(f"{exc.code}: {exc.message_vi} / {exc.message_en}")
                sys.exit(2)
        else:
            self.stdout.write(rows, ending="")
