from django.contrib import admin

from motcua.common.admin import ReadOnlyAdmin
from motcua.national.models import MonitorRole, Node, NodeReport, SyncedDossier


@admin.register(Node)
class NodeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "client_id", "code_suffix", "declared_total", "last_sync_at", "active")
    readonly_fields = ("client_id", "declared_total", "declared_total_sent_at", "last_sync_at")


@admin.register(MonitorRole)
class MonitorRoleAdmin(admin.ModelAdmin):
    """Monitor roles (administrators, node reporting officers): superusers grant them."""

    list_display = ("user", "role", "node", "granted_at")
    list_filter = ("role", "node")
    raw_id_fields = ("user",)


@admin.register(NodeReport)
class NodeReportAdmin(admin.ModelAdmin):
    list_display = ("node", "period_start", "period_end", "received", "on_time_rate", "filed_by", "filed_at")


@admin.register(SyncedDossier)
class SyncedDossierAdmin(ReadOnlyAdmin):
    list_display = ("code", "node", "version", "status", "timeliness", "synced_at")
    list_filter = ("node", "status")
    search_fields = ("code",)
    show_full_result_count = False
