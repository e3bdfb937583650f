"""motcua sync-worker — deliver dossier snapshots to the national portal (run as many as you like)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from motcua.sync.worker import Worker, client_from_settings


class Command(BaseCommand):
    help = "Deliver pending dossier changes to the national portal (batches, retries, SKIP LOCKED)."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=1000)
        parser.add_argument("--poll", type=float, default=0.5, help="seconds to wait when nothing is due")
        parser.add_argument("--once", action="store_true", help="stop when nothing is due")

    def handle(self, *args, batch, poll, once, **opts):
        try:
            client = client_from_settings()
        except RuntimeError as exc:  # no credentials: say so in one line, not with a traceback
            raise CommandError(f"sync-worker: {exc} (docs/sync.md)", returncode=2) from None
        worker = Worker(client, batch=batch)
        self.stderr.write(f"sync-worker {worker.worker_id} → {settings.MOTCUA_NATIONAL_URL}")
        worker.run(poll=poll, once=once)
