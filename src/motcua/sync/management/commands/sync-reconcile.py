"""motcua sync-reconcile — compare per-day digests with the portal and re-queue what differs."""

import json
from datetime import date, timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from motcua.common.commands import progress_bar
from motcua.sync.client import Refused, TransportError
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
        try:
            with progress_bar(disable=no_progress) as progress:
                result = reconcile(client_from_settings(), first, last, progress)
        except (RuntimeError, TransportError, Refused) as exc:  # one line naming the fix, no traceback
            where = f"MOTCUA_NATIONAL_URL={settings.MOTCUA_NATIONAL_URL}"
            raise CommandError(f"sync-reconcile: {exc} ({where}; docs/sync.md)", returncode=2) from None
        self.stdout.write(json.dumps(result))
