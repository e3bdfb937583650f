"""Admin for the province's organization, scoped: an administrator sees their subtree only."""

from __future__ import annotations

from django.contrib import admin

from motcua.common.admin import FoldedSearchAdmin, ReadOnlyAdmin
from motcua.org import selectors, services
from motcua.org.models import Agency, Commune, LegacyProvince, Province, StaffRole


class ScopedToAgencies(FoldedSearchAdmin):
    """Non-superusers see and pick only agencies inside their own scope."""

    agency_lookup = "pk"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(**{f"{self.agency_lookup}__in": selectors.agencies_in_scope(request.user)})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Agency and not request.user.is_superuser:
            kwargs["queryset"] = selectors.agencies_in_scope(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Agency)
class AgencyAdmin(ScopedToAgencies):
    list_display = ("code", "name", "kind", "parent", "is_one_stop_desk", "active")
    list_filter = ("kind", "is_one_stop_desk", "active")
    search_fields = ("code", "name_folded")
    autocomplete_fields = ("parent", "commune")
    list_select_related = ("parent",)


class StaffRoleInline(admin.TabularInline):
    model = StaffRole
    extra = 0
    autocomplete_fields = ("agency", "unit")


@admin.register(StaffRole)
class StaffRoleAdmin(ScopedToAgencies):
    agency_lookup = "agency"
    list_display = ("user", "role", "agency", "unit", "active")
    list_filter = ("role", "active")
    search_fields = ("user__username", "agency__name_folded")
    autocomplete_fields = ("user", "agency", "unit")
    list_select_related = ("user", "agency", "unit")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.sync_user_access(obj.user)

    def delete_model(self, request, obj):
        user = obj.user
        super().delete_model(request, obj)
        services.sync_user_access(user)


class NationalListAdmin(ReadOnlyAdmin, FoldedSearchAdmin):
    """National reference lists: loaded by `motcua load_divisions`, never edited by hand."""


@admin.register(Province)
class ProvinceAdmin(NationalListAdmin):
    list_display = ("code", "name", "division_type")
    search_fields = ("code", "name_folded")


@admin.register(Commune)
class CommuneAdmin(NationalListAdmin):
    list_display = ("code", "name", "division_type", "province")
    list_filter = ("division_type", "province")
    search_fields = ("code", "name_folded")


@admin.register(LegacyProvince)
class LegacyProvinceAdmin(NationalListAdmin):
    list_display = ("code", "name", "successor", "citizen_id_prefix")
    search_fields = ("code", "successor__name_folded")
