from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "motcua.org"
    label = "org"
    verbose_name = _("Organization")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from motcua.org.services import ensure_role_groups

        post_migrate.connect(lambda **kw: ensure_role_groups(), sender=self, weak=False)
