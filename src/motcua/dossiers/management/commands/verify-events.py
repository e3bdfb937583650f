"""motcua verify-events [--code CODE] — check every dossier's hash chain and the audit chain;
exit 1 at the first broken link."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand

from motcua.audit import services as audit
from motcua.common.commands import progress_bar
from motcua.dossiers.events import verify_chain
from motcua.dossiers.models import Dossier, DossierEvent


class Command(BaseCommand):
    help = "Verify the tamper-evident event chains of all dossiers (or one) and the audit chain."

    def add_arguments(self, parser):
        parser.add_argument("--code")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, code=None, no_progress=False, **opts):
        dossiers = Dossier.objects.order_by("id").values_list("id", "code", "last_hash")
        if code:
            dossiers = dossiers.filter(code=code)
            if not dossiers.exists():
                self.stderr.write(f"Không có hồ sơ / no dossier {code}")
                sys.exit(2)
        total = dossiers.count()
        checked = 0
        with progress_bar(disable=no_progress) as progress:
            task = progress.add_task("Kiểm tra chuỗi sự kiện", total=total)
            for dossier_id, dossier_code, last_hash in dossiers.iterator(chunk_size=2000):
                events = DossierEvent.objects.filter(dossier_id=dossier_id).order_by("seq")
                broken = verify_chain(dossier_code, events, last_hash)
                if broken is not None:
                    self.stderr.write(
                        f"BROKEN {broken.code} event #{broken.seq}: {broken.problem} "
                        f"(chuỗi sự kiện bị sửa đổi / the event chain was altered)"
                    )
                    sys.exit(1)
                checked += 1
                progress.advance(task)
        self.stdout.write(f"OK: {checked} hồ sơ, chuỗi sự kiện nguyên vẹn / {checked} dossiers, chains intact")
        if code is None:
            self._verify_audit()

    def _verify_audit(self) -> None:
        broken = audit.verify()
        if broken is not None:
            self.stderr.write(f"BROKEN audit event #{broken[0]}: {broken[1]} (nhật ký kiểm toán bị sửa đổi)")
            sys.exit(1)
        self.stdout.write("OK: nhật ký kiểm toán nguyên vẹn / the audit chain is intact")
