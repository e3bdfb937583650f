"""motcua index show|close|rollup|facts — compute the Decision 766 index, or close a period into a frozen snapshot."""

import json
import time
from datetime import date

from django.core.management.base import BaseCommand
from django.core.serializers.json import DjangoJSONEncoder

from motcua.common.commands import domain_errors, progress_bar
from motcua.metrics import fact_index, services
from motcua.metrics.scoring import DEFAULT_CONFIG


class Command(BaseCommand):
    help = "Decision 766 index: show figures, or close a period (a new snapshot version only if inputs changed)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        for name in ("show", "close"):
            p = sub.add_parser(name)
            p.add_argument("--scope", default="node")
            p.add_argument("--period", required=True)
            p.add_argument("--config", default=DEFAULT_CONFIG)
        rollup = sub.add_parser("rollup", help="refresh the daily rollups (changed days; --full, or --from/--to)")
        rollup.add_argument("--full", action="store_true")
        rollup.add_argument("--from", dest="first", type=date.fromisoformat)
        rollup.add_argument("--to", dest="last", type=date.fromisoformat)
        rollup.add_argument("--every", type=float, help="keep refreshing every N seconds (Ctrl-C stops between runs)")
        rollup.add_argument("--no-progress", action="store_true")
        facts = sub.add_parser("facts", help="derive every fact row again from its dossier (--check: only report)")
        facts.add_argument("--check", action="store_true", help="exit 1 if a stored fact differs, change nothing")
        facts.add_argument("--batch", type=int, default=2000)
        facts.add_argument("--no-progress", action="store_true")

    def handle(self, *args, action, scope=None, period=None, config=None, **opts):
        if action == "rollup":
            self._rollup(opts)
            return
        if action == "facts":
            self._facts(opts)
            return
        with domain_errors():
            if action == "show":
                self.stdout.write(
                    json.dumps(
                        fact_index.compute(scope, period, config), cls=DjangoJSONEncoder, ensure_ascii=False, indent=1
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

    def _facts(self, opts) -> None:
        """Each batch is its own transaction: an interrupted run keeps whole batches and can be rerun."""
        from django.db import transaction

        from motcua.dossiers.facts import recompute
        from motcua.dossiers.models import Dossier

        ids = list(Dossier.objects.order_by("id").values_list("id", flat=True))
        differing = []
        with progress_bar(disable=opts["no_progress"]) as progress:
            task = progress.add_task("Sự kiện chỉ số / facts", total=len(ids))
            for start in range(0, len(ids), opts["batch"]):
                chunk = ids[start : start + opts["batch"]]
                with transaction.atomic():
                    differing += recompute(chunk, write=not opts["check"])
                progress.advance(task, len(chunk))
        verb = "khác / differ" if opts["check"] else "được tính lại / rewritten"
        self.stdout.write(f"{len(ids)} hồ sơ / dossiers; {len(differing)} {verb}")
        if opts["check"] and differing:
            codes = Dossier.objects.filter(id__in=differing[:20]).values_list("code", flat=True)
            self.stderr.write("; ".join(codes))
            raise SystemExit(1)
