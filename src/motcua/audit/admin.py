from django.contrib import admin

from motcua.audit.models import AuditEvent
from motcua.common.admin import ReadOnlyAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read-only: the audit log is written by the services only."""

    list_display = ("seq", "at", "actor", "action", "target", "ip")
    list_filter = ("action",)
    search_fields = ("target", "actor__username")
    readonly_fields = [f.name for f in AuditEvent._meta.fields]
