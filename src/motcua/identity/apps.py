from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    name = "motcua.identity"
    label = "identity"
    verbose_name = _("Accounts")

    def ready(self):
        from motcua.identity import lockout  # noqa: F401 — connects the lockout alert


class AdminConfig(admin_apps.AdminConfig):
    """The Django admin whose site also asks for the second factor (`identity.admin_site`)."""

    default = False  # `motcua.identity` itself is IdentityConfig
    default_site = "motcua.identity.admin_site.AdminSite"
