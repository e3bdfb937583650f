"""Demo data for the monitor: a few other provinces with synthetic synced dossiers and the figures
their paper reports claimed (one of them the seeds' 99.87% claim against ~63% in the data)."""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from motcua.national import services
from motcua.national.models import NodeReport
from motcua.protocol import signing
from motcua.protocol.codec import ts

OTHER_PROVINCES = [
    # code, name, suffix, dossiers, on-time share, online share, reported on-time %
    ("H26", "Thành phố Hà Nội", ".H26", 1500, 0.63, 0.55, "99.87"),
    ("H29", "Thành phố Hồ Chí Minh", ".H29", 1500, 0.91, 0.62, "95.10"),
    ("H15", "Thành phố Đà Nẵng", ".H15", 900, 0.96, 0.71, "97.00"),
]


@transaction.atomic
def seed_other_nodes(seed: int = 2026) -> int:
    """Synthetic dossiers in the national format, stored through the monitor's own ingest (parsed,
    validated and counted exactly as a node's synced dossiers are)."""
    rng = random.Random(seed)
    now = timezone.now()
    added = 0
    for code, name, suffix, count, on_time, online, reported in OTHER_PROVINCES:
        node, _ = services.register_node(code, name, suffix, client_id=f"{code.lower()}-demo")
        if node.dossiers.exists():
            continue
        items = [_item(rng, now, suffix, i, on_time, online) for i in range(count)]
        results = services.ingest_dossiers(node, items)
        services.declare_total(node, int(count / 0.9), signing.now_ms())
        added += sum(1 for r in results if r["KetQua"] == "accepted")
        today = timezone.localdate()
        NodeReport.objects.create(
            node=node,
            period_start=today - timedelta(days=180),
            period_end=today,
            received=int(count * 1.4),
            on_time_rate=reported,
            filed_by="demo",
        )
    return added


def _item(rng: random.Random, now, suffix: str, i: int, on_time: float, online: float) -> dict:
    received = now - timedelta(days=rng.uniform(12, 170))
    appointment = received + timedelta(days=10)
    ended = (
        appointment - timedelta(days=rng.uniform(0.1, 8))
        if rng.random() < on_time
        else appointment + timedelta(days=rng.uniform(0.1, 6))
    )
    agency = f"000.00.{i % 40:02d}{suffix}"
    fee = 50_000 if rng.random() < 0.6 else 0
    electronic = rng.random() < 0.7
    return {
        "MaHoSo": f"{agency}-{received:%y%m%d}-{i:04d}",
        "PhienBan": rng.randint(3, 9),
        "MaTTHC": "1.001193",
        "ChuHoSo": "Công dân (dữ liệu mẫu)",
        "DonViXuLy": agency,
        "TrangThaiHoSo": 10,
        "KenhThucHien": 2 if rng.random() < online else 1,
        "NgayNopHoSo": ts(received),
        "NgayTiepNhan": ts(received),
        "NgayHenTra": ts(appointment),
        "NgayKetThucXuLy": ts(ended),
        "NgayTra": ts(ended + timedelta(hours=2)),
        "ThoiGianGiaiQuyet": "8",
        "DonViTinh": "working_days",
        "TaiLieuNop": [{"MaThanhPhanHoSo": "TK", "DuocSoHoa": int(rng.random() < 0.7)}],
        "DanhSachLePhi": [{"MaPhiLePhi": "LP", "Gia": fee}] if fee else [],
        "DuocThanhToanTrucTuyen": 2 if fee and rng.random() < 0.4 else 0,
        "DanhSachGiayToKetQua": [
            {"MaKetQua": "KQ", "TenGiayTo": "Kết quả", "DuongDanTepTinKetQua": "https://example.invalid/kq.pdf"}
        ]
        if electronic
        else [{"MaKetQua": "KQ", "TenGiayTo": "Kết quả"}],
    }
