"""motcua sync-reconcile — compare per-day digests with the portal and re-queue what differs."""

import json
from datetime import date, timedelta

from django.core.management.base import BaseCommand

from motcua.common.commands import progress_bar
from motcua.sync.status import reconcile
from motcua.sync.worker import client_from_settings


class Command(BaseCommand):
    help = "Reconcile with the national portal by per-day digests; re-queue every differing dossier."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="first", type=date.fromisoformat)
        parser.add_argument("--to", dest="last", type=date.fromisoformat)
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, first=None, last=None, no_progress=False, **opts):
        last = last or date.today()
        first = first or last - timedelta(days=180)
        with progress_bar(disable=no_progress) as progress:
            result = reconcile(client_from_settings(), first, last, progress)
        self.stdout.write(json.dumps(result))
