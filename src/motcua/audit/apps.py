from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "motcua.audit"
    label = "audit"
    verbose_name = _("Audit log")

    def ready(self):
        from django.contrib.admin.models import LogEntry
        from django.db.models.signals import post_save

        from motcua.audit.services import record_admin_entry

        # every change made through the admin site is in the audit chain
        post_save.connect(record_admin_entry, sender=LogEntry, dispatch_uid="audit-admin-log")
