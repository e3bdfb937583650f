"""Demo data for the monitor: a few other provinces with synthetic synced dossiers and the figures
their paper reports claimed (one of them the seeds' 99.87% claim against ~63% in the data)."""

from __future__ import annotations

import json
import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from motcua.national import services
from motcua.national.models import Node, NodeReport, SyncedDossier

OTHER_PROVINCES = [
    # code, name, suffix, dossiers, on-time share, online share, reported on-time %
    ("H26", "Thành phố Hà Nội", ".H26", 1500, 0.63, 0.55, "99.87"),
    ("H29", "Thành phố Hồ Chí Minh", ".H29", 1500, 0.91, 0.62, "95.10"),
    ("H15", "Thành phố Đà Nẵng", ".H15", 900, 0.96, 0.71, "97.00"),
]


@transaction.atomic
def seed_other_nodes(seed: int = 2026) -> int:
    rng = random.Random(seed)
    now = timezone.now()
    added = 0
    for code, name, suffix, count, on_time, online, reported in OTHER_PROVINCES:
        node, _ = services.register_node(code, name, suffix, client_id=f"{code.lower()}-demo")
        if node.dossiers.exists():
            continue
        rows = []
        for i in range(count):
            submitted = now - timedelta(days=rng.uniform(1, 170))
            ended = submitted + timedelta(days=rng.uniform(1, 20))
            timeliness = rng.choice(["early", "on_time"]) if rng.random() < on_time else "late"
            rows.append(
                SyncedDossier(
                    node=node,
                    code=f"000.00.{i % 40:02d}{suffix}-{submitted:%y%m%d}-{i:04d}",
                    version=rng.randint(3, 9),
                    status=10,
                    channel=2 if rng.random() < online else 1,
                    procedure_code="1.001193",
                    agency_code=f"000.00.{i % 40:02d}{suffix}",
                    submitted_at=submitted,
                    received_at=submitted,
                    appointment_at=submitted + timedelta(days=10),
                    ended_at=ended,
                    returned_at=ended,
                    paid_online=rng.random() < 0.4,
                    fee_bearing=rng.random() < 0.6,
                    digitized=rng.random() < 0.7,
                    timeliness=timeliness,
                    payload=json.loads('{"demo": true}'),
                    synced_at=now,
                )
            )
        SyncedDossier.objects.bulk_create(rows, batch_size=1000)
        Node.objects.filter(pk=node.pk).update(declared_total=int(count / 0.9), last_sync_at=now)
        today = timezone.localdate()
        NodeReport.objects.create(
            node=node,
            period_start=today - timedelta(days=180),
            period_end=today,
            received=int(count * 1.4),
            on_time_rate=reported,
            filed_by="demo",
        )
        added += count
    return added
