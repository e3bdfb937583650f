"""Read-only inspection of dossiers in the admin (all writes go through dossiers.services)."""

from django.contrib import admin

from motcua.common.admin import ReadOnlyAdmin
from motcua.dossiers import authz
from motcua.dossiers.models import AccessLog, Dossier, DossierEvent, DossierStep


class StepInline(admin.TabularInline):
    model = DossierStep
    fields = ("seq", "name", "role", "agency", "unit", "assignee", "state", "started_at", "due_at", "finished_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class EventInline(admin.TabularInline):
    model = DossierEvent
    fields = ("seq", "action", "from_status", "to_status", "actor", "at", "hash")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Dossier)
class DossierAdmin(ReadOnlyAdmin):
    list_display = ("code", "status", "channel", "competent_agency", "received_at", "appointment_at", "due_at")
    list_filter = ("status", "channel")
    search_fields = ("code",)
    list_select_related = ("competent_agency",)
    inlines = [StepInline, EventInline]
    show_full_result_count = False  # no COUNT(*) over millions of rows

    def get_queryset(self, request):
        return authz.visible_dossiers(request.user)

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is not None:
            AccessLog.objects.create(
                user=request.user, dossier=obj, purpose="admin", ip=request.META.get("REMOTE_ADDR")
            )
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    list_display = ("at", "user", "dossier", "purpose", "ip")
    list_filter = ("purpose",)
    search_fields = ("dossier__code", "user__username")
    list_select_related = ("user", "dossier")
    show_full_result_count = False

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser or request.user.groups.filter(name="motcua:inspector").exists()
