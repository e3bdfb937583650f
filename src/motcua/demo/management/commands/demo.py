"""motcua demo — load the demo province and print the demo logins."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.common.commands import domain_errors, progress_bar
from motcua.demo.services import DEMO_PASSWORD, DEMO_TOTP_SECRET, demo_totp_code, load_demo


class Command(BaseCommand):
    help = "Load the demo province of Tây Ninh (idempotent): divisions, agencies, staff, procedure catalog."

    def add_arguments(self, parser):
        parser.add_argument("--no-progress", action="store_true")
        parser.add_argument("--totp", action="store_true", help="only print the current code of the demo TOTP secret")

    def handle(self, *args, **opts):
        if opts["totp"]:
            self.stdout.write(demo_totp_code())
            return
        with domain_errors(), progress_bar(disable=opts["no_progress"]) as progress:
            result = load_demo(progress)
        self.stdout.write(f"Cơ quan / agencies: {result['agencies']}; danh mục / catalog: {result['catalog']}")
        self.stdout.write(f"Tài khoản demo (mật khẩu / password: {DEMO_PASSWORD}):")
        with_2fa = set(TOTPDevice.objects.filter(confirmed=True).values_list("user__username", flat=True))
        for username, role, agency in result["logins"]:
            self.stdout.write(f"  {username:<22} {role:<15} {agency}{'  [2FA]' if username in with_2fa else ''}")
        self.stdout.write(
            f"[2FA] xác thực hai lớp / two-factor login: khóa TOTP / TOTP secret {DEMO_TOTP_SECRET} "
            "(ứng dụng xác thực / authenticator app; mã hiện tại / current code: motcua demo --totp)"
        )
