"""motcua sync-worker — deliver dossier snapshots to the national portal (run as many as you like)."""

from django.core.management.base import BaseCommand

from motcua.sync.worker import Worker, client_from_settings


class Command(BaseCommand):
    help = "Deliver pending dossier changes to the national portal (batches, retries, SKIP LOCKED)."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=1000)
        parser.add_argument("--poll", type=float, default=0.5, help="seconds to wait when nothing is due")
        parser.add_argument("--once", action="store_true", help="stop when nothing is due")

    def handle(self, *args, batch, poll, once, **opts):
        worker = Worker(client_from_settings(), batch=batch)
        self.stderr.write(f"sync-worker {worker.worker_id} → {worker.client.host}:{worker.client.port}")
        worker.run(poll=poll, once=once)
