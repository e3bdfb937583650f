from django.contrib import admin

from motcua.common.admin import ReadOnlyAdmin
from motcua.workdays import services
from motcua.workdays.models import CalendarAudit, CalendarOverride


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ("day", "kind", "note", "updated_by", "updated_at")
    list_filter = ("kind",)
    date_hierarchy = "day"
    search_fields = ("note",)
    fields = ("day", "kind", "note")

    def get_readonly_fields(self, request, obj=None):
        return ("day",) if obj else ()

    def save_model(self, request, obj, form, change):
        # Through the service so the change is audited and validated like any other write.
        saved = services.set_override(obj.day, obj.kind, obj.note, actor=request.user)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.delete_override(obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            services.delete_override(obj, actor=request.user)


@admin.register(CalendarAudit)
class CalendarAuditAdmin(ReadOnlyAdmin):
    list_display = ("at", "day", "action", "kind", "note", "actor", "calendar_version")
    list_filter = ("action", "kind")
