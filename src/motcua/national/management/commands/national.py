"""motcua national register-node|seed-demo — manage the national monitor's nodes."""

from django.core.management.base import BaseCommand

from motcua.national import services
from motcua.national.demo import seed_other_nodes


class Command(BaseCommand):
    help = "National monitor: register a node (prints its credentials) or seed demo provinces."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        reg = sub.add_parser("register-node")
        reg.add_argument("--code", required=True)
        reg.add_argument("--name", required=True)
        reg.add_argument("--suffix", required=True, help="agency-code suffix of its dossiers, e.g. .H53")
        reg.add_argument("--kind", default="province", choices=["province", "ministry"])
        reg.add_argument("--client-id")
        sub.add_parser("seed-demo")

    def handle(self, *args, action, **o):
        if action == "seed-demo":
            self.stdout.write(f"seeded {seed_other_nodes()} synced dossiers")
            return
        node, secret = services.register_node(o["code"], o["name"], o["suffix"], o["kind"], o.get("client_id"))
        self.stdout.write(f"MOTCUA_NATIONAL_CLIENT_ID={node.client_id}\nMOTCUA_NATIONAL_CLIENT_SECRET={secret}")
