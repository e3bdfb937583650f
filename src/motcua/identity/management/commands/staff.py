"""motcua staff token USERNAME — print a new Bearer token for a staff member or system client."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from motcua.identity.models import User
from motcua.identity.services import issue_token


class Command(BaseCommand):
    help = "Staff accounts: issue API tokens."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        token = sub.add_parser("token", help="Print a new Bearer token (shown once)")
        token.add_argument("username")
        token.add_argument("--name", default="cli")

    def handle(self, *args, action, username, name, **opts):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"Không có tài khoản '{username}' / no active account '{username}'")
        self.stdout.write(issue_token(user, name))
