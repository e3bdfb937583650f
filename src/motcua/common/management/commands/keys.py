"""motcua keys rotate [--no-progress] — re-encrypt every personal-data field with the first key of
MOTCUA_FIELD_KEYS (after adding a new key in front); motcua keys new — print a new Fernet key.

Rotation runs a batch per transaction and can be interrupted and run again: rows already under the
first key are simply encrypted again."""

from __future__ import annotations

from cryptography.fernet import Fernet
from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from motcua.common import crypto
from motcua.common.commands import progress_bar
from motcua.common.fields import EncryptedTextField

BATCH = 1000


def encrypted_fields() -> list[tuple[type, list[str]]]:
    """Every model with encrypted fields, and those fields' names."""
    found = []
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if names:
            found.append((model, names))
    return found


class Command(BaseCommand):
    help = "Rotate the encryption of personal data (rotate), or print a new key (new)."

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["rotate", "new"])
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, what, no_progress=False, **opts):
        if what == "new":
            self.stdout.write(Fernet.generate_key().decode())
            return
        crypto.forget_keys()
        done = 0
        with progress_bar(disable=no_progress) as progress:
            for model, names in encrypted_fields():
                done += self._rotate(model, names, progress)
        self.stdout.write(f"OK: {done} dòng đã mã hóa lại / rows re-encrypted with the first key")

    def _rotate(self, model, names: list[str], progress) -> int:
        """Read each batch (any configured key decrypts) and write it back (the first key encrypts)."""
        task = progress.add_task(f"{model._meta.label}", total=model.objects.count())
        last, done = 0, 0
        while True:
            with transaction.atomic():
                rows = list(model.objects.filter(pk__gt=last).order_by("pk").only("pk", *names)[:BATCH])
                model.objects.bulk_update(rows, names)
            if not rows:
                return done
            last, done = rows[-1].pk, done + len(rows)
            progress.advance(task, len(rows))
