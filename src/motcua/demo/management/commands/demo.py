"""motcua demo — load the demo province and print the demo logins."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from motcua.common.commands import domain_errors, progress_bar
from motcua.demo.services import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load the demo province of Tây Ninh (idempotent): divisions, agencies, staff, procedure catalog."

    def add_arguments(self, parser):
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **opts):
        with domain_errors(), progress_bar(disable=opts["no_progress"]) as progress:
            result = load_demo(progress)
        self.stdout.write(f"Cơ quan / agencies: {result['agencies']}; danh mục / catalog: {result['catalog']}")
        self.stdout.write(f"Tài khoản demo (mật khẩu / password: {DEMO_PASSWORD}):")
        for username, role, agency in result["logins"]:
            self.stdout.write(f"  {username:<22} {role:<15} {agency}")
