"""motcua index show|close — compute the Decision 766 index, or close a period into a frozen snapshot."""

import json
import time
from datetime import date

from django.core.management.base import BaseCommand
from django.core.serializers.json import DjangoJSONEncoder

from motcua.common.commands import domain_errors, progress_bar
from motcua.metrics import engine, services


class Command(BaseCommand):
    help = "Decision 766 index: show figures, or close a period (a new snapshot version only if inputs changed)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        for name in ("show", "close"):
            p = sub.add_parser(name)
            p.add_argument("--scope", default="node")
            p.add_argument("--period", required=True)
            p.add_argument("--config", default=engine.DEFAULT_CONFIG)
        rollup = sub.add_parser("rollup", help="refresh the daily rollups (changed days; --full, or --from/--to)")
        rollup.add_argument("--full", action="store_true")
        rollup.add_argument("--from", dest="first", type=date.fromisoformat)
        rollup.add_argument("--to", dest="last", type=date.fromisoformat)
        rollup.add_argument("--every", type=float, help="keep refreshing every N seconds (Ctrl-C stops between runs)")
        rollup.add_argument("--no-progress", action="store_true")

    def handle(self, *args, action, scope=None, period=None, config=None, **opts):
        if action == "rollup":
            self._rollup(opts)
            return
        with domain_errors():
            if action == "show":
                self.stdout.write(
                    json.dumps(
                        engine.compute(scope, period, config), cls=DjangoJSONEncoder, ensure_ascii=False, indent=1
                    )
                )
                return
            snap = services.close_period(scope, period, config, by="cli")
            self.stdout.write(
                f"{snap.scope} {snap.period} v{snap.version}: {snap.reason} "
                f"({snap.dossiers} hồ sơ, tổng điểm {snap.figures['total']})"
            )

    def _rollup(self, opts) -> None:
        from motcua.metrics import rollups

        with progress_bar(disable=opts["no_progress"] or bool(opts.get("every"))) as progress:
            if opts.get("full") or opts.get("first") or opts.get("last"):
                written = rollups.rebuild(opts.get("first"), opts.get("last"), progress=progress)
            else:
                written = rollups.refresh(progress=progress)
        self.stdout.write(f"{written} dòng tổng hợp / rollup rows")
        while opts.get("every"):  # each refresh is its own transactions: stopping between or inside loses nothing
            time.sleep(opts["every"])
            started = time.perf_counter()
            written = rollups.refresh()
            if written:
                self.stdout.write(f"{written} dòng tổng hợp / rollup rows ({time.perf_counter() - started:.1f} s)")
