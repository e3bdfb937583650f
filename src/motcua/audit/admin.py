from django.contrib import admin

from motcua.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit log is written by the services only."""

    list_display = ("seq", "at", "actor", "action", "target", "ip")
    list_filter = ("action",)
    search_fields = ("target", "actor__username")
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
