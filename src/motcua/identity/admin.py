from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from motcua.identity.models import User


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
