"""User admin. A provincial administrator manages staff accounts of their own scope, and can
never grant themselves or anyone else superuser rights, groups or raw permissions."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.identity.models import User
from motcua.org import selectors

PRIVILEGED_FIELDS = ("is_superuser", "is_staff", "groups", "user_permissions", "last_login", "date_joined")


@admin.register(User)
class MotcuaUserAdmin(UserAdmin):
    list_display = ("username", "full_name", "kind", "email", "phone", "is_active", "is_staff")
    list_filter = ("kind", "is_staff", "is_active")
    search_fields = ("username", "full_name", "email", "phone")
    fieldsets = (
        *UserAdmin.fieldsets,
        (_("motcua"), {"fields": ("kind", "full_name", "phone", "national_id")}),
    )
    add_fieldsets = (
        *UserAdmin.add_fieldsets,
        (_("motcua"), {"fields": ("kind", "full_name", "phone", "email")}),
    )

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        # Staff with a role in the administrator's scope, and accounts not yet given a role.
        in_scope = Q(staff_roles__agency__in=selectors.agencies_in_scope(request.user))
        return qs.filter(in_scope | Q(staff_roles__isnull=True, kind=User.Kind.STAFF), is_superuser=False).distinct()

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        return readonly if request.user.is_superuser else (*readonly, *PRIVILEGED_FIELDS)
