"""motcua staff — API tokens and two-factor resets for staff members and system clients.

motcua staff token USERNAME [--expires 30d] [--scope read|write] [--name NAME]   print a new token (once)
motcua staff token --list USERNAME                                             the user's tokens
motcua staff token --revoke ID                                                 revoke a token
motcua staff reset-2fa USERNAME                                                forget a lost authenticator
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone

from motcua.common.commands import domain_errors
from motcua.common.errors import InvalidInput
from motcua.identity import twofactor
from motcua.identity.models import ApiToken, User
from motcua.identity.services import issue_token, parse_lifetime, revoke_token, tokens_of


class Command(BaseCommand):
    help = "Staff accounts: issue, list and revoke API tokens; reset two-factor login."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        token = sub.add_parser("token", help="Issue (printed once), list or revoke Bearer tokens")
        token.add_argument("username", nargs="?")
        token.add_argument("--expires", default="30d", help="lifetime: 30d, 12h, 90m (default 30d)")
        token.add_argument("--scope", choices=ApiToken.Scope.values, default=ApiToken.Scope.READ)
        token.add_argument("--name", default="cli")
        what = token.add_mutually_exclusive_group()
        what.add_argument("--list", dest="list_of", metavar="USERNAME", help="list the user's tokens")
        what.add_argument("--revoke", type=int, metavar="ID", help="revoke the token with this id")
        reset = sub.add_parser("reset-2fa", help="Forget the user's authenticator and recovery codes")
        reset.add_argument("username")

    def handle(self, *args, action, **opts):
        with domain_errors():
            if action == "reset-2fa":
                count = twofactor.reset(_user(opts["username"]))
                self.stdout.write(f"Đã xóa {count} thiết bị / {count} devices removed")
            elif opts["revoke"] is not None:
                token = revoke_token(opts["revoke"])
                self.stdout.write(f"Đã thu hồi / revoked: {token.pk} {token.prefix}… ({token.user.username})")
            elif opts["list_of"]:
                self._list(_user(opts["list_of"], active=False).username)
            elif opts["username"]:
                user = _user(opts["username"])
                lifetime = parse_lifetime(opts["expires"])
                self.stdout.write(issue_token(user, opts["name"], scope=opts["scope"], lifetime=lifetime))
            else:
                raise InvalidInput(
                    "missing_username",
                    "Cần tên tài khoản, --list TÊN hoặc --revoke SỐ.",
                    "Give a username, --list USERNAME or --revoke ID.",
                )

    def _list(self, username: str) -> None:
        now = timezone.now()
        self.stdout.write(f"{'id':>6}  {'prefix':<11} {'scope':<6} {'state':<8} {'expires':<17} {'last used':<17} name")
        for t in tokens_of(username):
            state = "revoked" if t.revoked else ("expired" if t.expires_at <= now else "active")
            used = timezone.localtime(t.last_used_at).strftime("%Y-%m-%d %H:%M") if t.last_used_at else "—"
            expires = timezone.localtime(t.expires_at).strftime("%Y-%m-%d %H:%M")
            self.stdout.write(f"{t.pk:>6}  {t.prefix:<11} {t.scope:<6} {state:<8} {expires:<17} {used:<17} {t.name}")


def _user(username: str, active: bool = True) -> User:
    qs = User.objects.filter(username=username, **({"is_active": True} if active else {}))
    user = qs.first()
    if user is None:
        raise InvalidInput("unknown_user", f"Không có tài khoản '{username}'.", f"No account '{username}'.")
    return user
