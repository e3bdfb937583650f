"""motcua workdays deadline|between — working-time arithmetic from the command line."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from motcua.common.commands import domain_errors
from motcua.workdays import services


class Command(BaseCommand):
    help = "Working-day arithmetic: deadlines and working time between instants (Asia/Ho_Chi_Minh)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        deadline = sub.add_parser("deadline", help="Due instant of an amount of time counted from --start")
        deadline.add_argument("--start", required=True, help="ISO 8601, e.g. 2026-02-13T09:00 (Vietnam time)")
        deadline.add_argument("--amount", required=True)
        deadline.add_argument("--unit", default="working_days", help="working_days|working_hours|days|months")
        deadline.add_argument("--json", action="store_true", dest="as_json")
        deadline.add_argument("--no-explain", action="store_true")
        between = sub.add_parser("between", help="Working time between --start and --end")
        between.add_argument("--start", required=True)
        between.add_argument("--end", required=True)
        between.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *args, action, as_json=False, **opts):
        with domain_errors(as_json):
            if action == "deadline":
                answer = services.compute_deadline(
                    opts["start"], opts["amount"], opts["unit"], explain=not opts["no_explain"]
                )
                body = {
                    "due": answer.due.isoformat(),
                    "calendar_version": answer.calendar_version,
                    "start": answer.start.isoformat(),
                    "amount": answer.amount,
                    "unit": answer.unit.value,
                    "explain": answer.explain,
                }
                if as_json:
                    self.stdout.write(json.dumps(body, ensure_ascii=False, indent=2))
                else:
                    self.stdout.write(f"Hạn / due: {answer.due:%d/%m/%Y %H:%M} ({answer.due.isoformat()})")
                    for row in answer.explain:
                        self.stdout.write(
                            f"  {row['date']} {row['weekday']:<9} {row['counted_hours']:>5}h  {row['reason']}"
                        )
                    self.stdout.write(f"Lịch / calendar: {answer.calendar_version}")
            else:
                answer = services.compute_between(opts["start"], opts["end"])
                body = {
                    "start": answer.start.isoformat(),
                    "end": answer.end.isoformat(),
                    "seconds": answer.seconds,
                    "working_hours": answer.working_hours,
                    "working_days": answer.working_days,
                    "calendar_version": answer.calendar_version,
                }
                if as_json:
                    self.stdout.write(json.dumps(body, ensure_ascii=False, indent=2))
                else:
                    self.stdout.write(f"{answer.working_hours} giờ làm việc = {answer.working_days} ngày làm việc")
