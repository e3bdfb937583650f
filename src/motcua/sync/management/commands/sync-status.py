"""motcua sync-status — pending, in flight, dead-lettered, oldest lag and the sync rate, then a warning for
each problem: the portal unreachable, the sync stale (MOTCUA_SYNC_STALE_MINUTES), dossiers refused."""

import json

from django.core.management.base import BaseCommand

from motcua.sync.status import status


class Command(BaseCommand):
    help = "Show the state of the national sync, with a warning when it is unreachable or stale."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *args, as_json=False, **opts):
        figures = status()
        if as_json:
            self.stdout.write(json.dumps(figures, ensure_ascii=False))
            return
        labels = {
            "dossiers": "Hồ sơ / dossiers",
            "pending": "Chờ đồng bộ / pending",
            "in_flight": "Đang gửi / in flight",
            "dead_lettered": "Lỗi, chờ xử lý / dead-lettered",
            "oldest_lag_seconds": "Độ trễ lớn nhất (s) / oldest lag",
            "sync_rate": "Tỷ lệ đồng bộ (%) / sync rate",
            "failing": "Gửi lỗi, chờ gửi lại / failing",
            "last_accepted_at": "Cổng nhận lần cuối / last accepted",
            "national_url": "Cổng quốc gia / national portal",
        }
        for key, label in labels.items():
            value = figures[key]
            self.stdout.write(f"{label:<40} {'—' if value is None else value}")
        for warning in figures["warnings"]:
            self.stdout.write(self.style.WARNING(f"CẢNH BÁO [{warning['code']}]: {warning['message']}"))
            self.stdout.write(self.style.WARNING(f"WARNING [{warning['code']}]: {warning['message_en']}"))
