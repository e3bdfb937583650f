from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SyncConfig(AppConfig):
    name = "motcua.sync"
    label = "sync"
    verbose_name = _("National portal sync")

    def ready(self):
        from motcua.dossiers import changes
        from motcua.sync import outbox

        changes.subscribe(outbox.on_changes)
