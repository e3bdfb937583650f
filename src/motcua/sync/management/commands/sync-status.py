"""motcua sync-status — pending, in flight, dead-lettered, oldest lag and the sync rate."""

import json

from django.core.management.base import BaseCommand

from motcua.sync.status import status


class Command(BaseCommand):
    help = "Show the state of the national sync."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *args, as_json=False, **opts):
        figures = status()
        if as_json:
            self.stdout.write(json.dumps(figures))
            return
        labels = {
            "dossiers": "Hồ sơ / dossiers",
            "pending": "Chờ đồng bộ / pending",
            "in_flight": "Đang gửi / in flight",
            "dead_lettered": "Lỗi, chờ xử lý / dead-lettered",
            "oldest_lag_seconds": "Độ trễ lớn nhất (s) / oldest lag",
            "sync_rate": "Tỷ lệ đồng bộ (%) / sync rate",
        }
        for key, label in labels.items():
            self.stdout.write(f"{label:<40} {figures[key]}")
