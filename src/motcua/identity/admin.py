"""User admin. A provincial administrator manages staff accounts of their own scope, and can
never grant themselves or anyone else superuser rights, groups or raw permissions. API tokens are
listed (with their state) and revoked here."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.identity.models import ApiToken, User
from motcua.identity.services import revoke_token
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


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued by `motcua staff token` (the key is shown once there); here they are listed
    and revoked."""

    list_display = ("prefix", "user", "name", "scope", "created_at", "expires_at", "last_used_at", "state")
    list_filter = ("scope", "revoked")
    search_fields = ("user__username", "name", "prefix")
    readonly_fields = (
        "user",
        "name",
        "prefix",
        "scope",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked",
        "revoked_at",
    )
    actions = ["revoke"]

    def get_queryset(self, request):
        qs = super().get_queryset(request).select_related("user")
        if request.user.is_superuser:
            return qs
        return qs.filter(user__staff_roles__agency__in=selectors.agencies_in_scope(request.user)).distinct()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("state"))
    def state(self, token):
        if token.revoked:
            return _("revoked")
        return _("expired") if token.expires_at <= timezone.now() else _("active")

    @admin.action(description=_("Revoke the selected tokens"), permissions=["delete"])
    def revoke(self, request, queryset):
        for token in queryset:
            revoke_token(token.pk, by=request.user)
        self.message_user(request, _("%(count)s tokens revoked.") % {"count": queryset.count()}, messages.SUCCESS)
