"""The dead-letter list (and every dossier's sync state), with a resend action."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from motcua.common.admin import ReadOnlyAdmin
from motcua.sync import outbox
from motcua.sync.models import SyncState


@admin.register(SyncState)
class SyncStateAdmin(ReadOnlyAdmin):
    list_display = (
        "dossier",
        "node_version",
        "acked_version",
        "pending",
        "dead",
        "attempts",
        "next_attempt_at",
        "last_error",
    )
    list_filter = ("dead", "pending")
    search_fields = ("dossier__code",)
    list_select_related = ("dossier",)
    show_full_result_count = False
    actions = ["resend"]

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser  # needed for actions; the form stays read-only

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    @admin.action(description=_("Resend the selected dossiers now"))
    def resend(self, request, queryset):
        count = outbox.resend(list(queryset.values_list("dossier_id", flat=True)))
        self.message_user(request, _("%(count)d dossier(s) queued again.") % {"count": count})
