"""motcua national register-node|grant-role|seed-demo — manage the national monitor's nodes and roles."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from motcua.common.commands import domain_errors
from motcua.common.errors import NotFound
from motcua.national import services
from motcua.national.demo import seed_other_nodes
from motcua.national.models import MonitorRole, Node


class Command(BaseCommand):
    help = "National monitor: register a node (prints its credentials), grant a monitor role, seed demo provinces."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        reg = sub.add_parser("register-node")
        reg.add_argument("--code", required=True)
        reg.add_argument("--name", required=True)
        reg.add_argument("--suffix", required=True, help="agency-code suffix of its dossiers, e.g. .H53")
        reg.add_argument("--kind", default="province", choices=["province", "ministry"])
        reg.add_argument("--client-id")
        grant = sub.add_parser("grant-role", help="monitor administrator, or a node's reporting officer")
        grant.add_argument("--user", required=True, help="username")
        grant.add_argument("--role", required=True, choices=MonitorRole.Role.values)
        grant.add_argument("--node", help="node code (reporting officers only)")
        sub.add_parser("seed-demo")

    def handle(self, *args, action, **o):
        with domain_errors():
            if action == "seed-demo":
                self.stdout.write(f"seeded {seed_other_nodes()} synced dossiers")
            elif action == "grant-role":
                self._grant(o["user"], o["role"], o.get("node"))
            else:
                node, secret = services.register_node(o["code"], o["name"], o["suffix"], o["kind"], o.get("client_id"))
                self.stdout.write(f"MOTCUA_NATIONAL_CLIENT_ID={node.client_id}\nMOTCUA_NATIONAL_CLIENT_SECRET={secret}")

    def _grant(self, username: str, role: str, node_code: str | None) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise NotFound("unknown_user", f"Không có người dùng {username}.", f"No user {username}.")
        node = None
        if node_code:
            node = Node.objects.filter(code=node_code).first()
            if node is None:
                raise NotFound("unknown_node", f"Không có nút {node_code}.", f"No node {node_code}.")
        grant = services.grant_role(user, role, node)
        self.stdout.write(f"{grant}")
