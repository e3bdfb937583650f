"""National payloads (DongBoHoSoMC / CapNhatTienDoHoSoMC) built in bulk for a batch.

Each dossier is described by `dossiers.records.record_of` and written out by
`protocol.record.to_payload` — the same record the node derives its own fact row from. A handful of
queries per batch, whatever its size.
"""

from __future__ import annotations

from motcua.dossiers.models import DossierStep
from motcua.dossiers.records import grouped, records_for
from motcua.protocol.codec import ts
from motcua.protocol.record import to_payload


def snapshots(ids: list[int]) -> list[tuple[int, dict]]:
    """(dossier id, latest snapshot) for each dossier; the snapshot carries its version (`PhienBan`)."""
    return [(i, to_payload(record)) for i, record in records_for(ids)]


def progress(ids: list[int], versions: dict[int, int], codes: dict[int, str]) -> list[dict]:
    """CapNhatTienDoHoSoMC: each dossier's steps (who, where, when, due)."""
    steps = grouped(
        DossierStep.objects.filter(dossier_id__in=ids)
        .order_by("dossier_id", "seq")
        .values(
            "dossier_id",
            "seq",
            "name",
            "agency__code",
            "started_at",
            "due_at",
            "finished_at",
            "state",
            "handler_name",
            "finished_by__full_name",
        )
    )
    return [
        {
            "MaHoSo": codes[i],
            "PhienBan": versions[i],
            "TienDo": [
                {
                    "BuocXuLy": s.seq,
                    "NoiDungXuLy": s.name,
                    "PhongBanXuLy": s.agency__code,
                    "NguoiXuLy": s.finished_by__full_name or s.handler_name or "",
                    "NgayBatDau": ts(s.started_at),
                    "NgayKetThucTheoQuyDinh": ts(s.due_at),
                    "ThoiDiemXuLy": ts(s.finished_at),
                    "TrangThai": s.state,
                }
                for s in steps[i]
            ],
        }
        for i in ids
        if i in codes
    ]
