"""Admin for the procedure catalog. Published versions are read-only: add a new version."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import (
    Field,
    Procedure,
    ProcedureComponent,
    ProcedureFee,
    ProcedureVersion,
    ProcessStep,
    ResultDocument,
)
from motcua.common.admin import FoldedSearchAdmin


@admin.register(Field)
class FieldAdmin(FoldedSearchAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name_folded")


class VersionInline(admin.TabularInline):
    model = ProcedureVersion
    fields = ("version", "status", "name", "effective_from", "effective_to")
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Procedure)
class ProcedureAdmin(FoldedSearchAdmin):
    list_display = ("code", "created_at")
    search_fields = ("code", "versions__search_text")
    inlines = [VersionInline]


class DraftOnlyInline(admin.TabularInline):
    extra = 0

    def _editable(self, obj) -> bool:
        return obj is None or obj.status == ProcedureVersion.Status.DRAFT

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)


class FeeInline(DraftOnlyInline):
    model = ProcedureFee


class ComponentInline(DraftOnlyInline):
    model = ProcedureComponent


class ResultInline(DraftOnlyInline):
    model = ResultDocument


class StepInline(DraftOnlyInline):
    model = ProcessStep
    autocomplete_fields = ("agency", "unit")


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(FoldedSearchAdmin):
    list_display = (
        "procedure_code",
        "version",
        "name",
        "field",
        "level",
        "online_level",
        "status",
        "effective_from",
    )
    list_filter = ("status", "level", "online_level", "internal", "field")
    search_fields = ("procedure__code", "search_text")
    list_select_related = ("procedure", "field")
    autocomplete_fields = ("procedure", "field", "competent_agency")
    inlines = [ComponentInline, FeeInline, ResultInline, StepInline]
    actions = ["publish"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != ProcedureVersion.Status.DRAFT:
            # A published text is what dossiers were received under: it may only be
            # suspended, abolished or closed with an end date, never rewritten.
            return [f.name for f in obj._meta.fields if f.name not in ("status", "effective_to")]
        return ()

    @admin.display(description=_("national procedure code"), ordering="procedure__code")
    def procedure_code(self, obj):
        return obj.procedure.code

    @admin.action(description=_("Publish the selected draft versions"))
    def publish(self, request, queryset):
        count = queryset.filter(status=ProcedureVersion.Status.DRAFT).update(status=ProcedureVersion.Status.PUBLISHED)
        self.message_user(request, _("%(count)d version(s) published.") % {"count": count})
