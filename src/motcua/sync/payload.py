"""National payload format (DongBoHoSoMC / CapNhatTienDoHoSoMC) built in bulk for a batch.

Dates are `yyyyMMddHHmmss` in Asia/Ho_Chi_Minh. A handful of queries per batch, whatever its size.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from motcua.catalog.models import ProcedureFee
from motcua.common.timeutil import VN_TZ
from motcua.dossiers.models import Dossier, DossierComponent, DossierResult, DossierStep, DossierSupplement

FIELDS = [
    "id",
    "code",
    "version",
    "status",
    "channel",
    "applicant_type",
    "applicant_name",
    "applicant_id_number",
    "submitted_at",
    "received_at",
    "appointment_at",
    "first_appointment_at",
    "ended_at",
    "returned_at",
    "paid_online",
    "fee_total_vnd",
    "procedure__code",
    "procedure_version_id",
    "procedure_version__name",
    "procedure_version__field__code",
    "procedure_version__field__name",
    "procedure_version__statutory_time_value",
    "procedure_version__statutory_time_unit",
    "competent_agency__code",
    "receiving_agency__code",
    "procedure_version__paper_result_required",
    "amount_due_vnd",
]
STATUS_OF_SUPPLEMENT = {True: 2, False: 1}  # 1 = waiting, 2 = supplemented


def ts(value: datetime | None) -> str | None:
    return value.astimezone(VN_TZ).strftime("%Y%m%d%H%M%S") if value else None


def _group(rows, key="dossier_id") -> dict[int, list[dict]]:
    out: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        out[row[key]].append(row)
    return out


def snapshots(ids: list[int]) -> list[tuple[int, dict]]:
    """(dossier id, latest snapshot) for each dossier; the snapshot carries its version (`PhienBan`)."""
    rows = list(Dossier.objects.filter(id__in=ids).values(*FIELDS))
    components = _group(
        DossierComponent.objects.filter(dossier_id__in=ids).values(
            "dossier_id", "code", "name", "digitized", "reused", "provided"
        )
    )
    supplements = _group(
        DossierSupplement.objects.filter(dossier_id__in=ids, during_reception=False).values(
            "dossier_id", "id", "requested_at", "resubmitted_at", "reason"
        )
    )
    results = _group(
        DossierResult.objects.filter(dossier_id__in=ids).values("dossier_id", "code", "name", "electronic")
    )
    fees = _group(
        ProcedureFee.objects.filter(version_id__in={r["procedure_version_id"] for r in rows}).values(
            "version_id", "code", "name", "amount_vnd", "kind"
        ),
        key="version_id",
    )
    return [
        (
            r["id"],
            _snapshot(r, components[r["id"]], supplements[r["id"]], results[r["id"]], fees[r["procedure_version_id"]]),
        )
        for r in rows
    ]


def _snapshot(r: dict, components, supplements, results, fees) -> dict:
    provided = [c for c in components if c["provided"]]
    return {
        "MaHoSo": r["code"],
        "PhienBan": r["version"],
        "MaTTHC": r["procedure__code"],
        "TenTTHC": r["procedure_version__name"],
        "MaLinhVuc": r["procedure_version__field__code"],
        "TenLinhVuc": r["procedure_version__field__name"],
        "ChuHoSo": r["applicant_name"],
        "LoaiDoiTuong": r["applicant_type"],
        "SoDinhDanh": r["applicant_id_number"],
        "LoaiDinhDanh": 1 if len(r["applicant_id_number"] or "") == 12 else None,
        "DonViXuLy": r["competent_agency__code"],
        "NoiNopHoSo": r["receiving_agency__code"],
        "NgayNopHoSo": ts(r["submitted_at"]),
        "NgayTiepNhan": ts(r["received_at"]),
        "NgayHenTra": ts(r["first_appointment_at"]),
        "NgayHenTraMoi": ts(r["appointment_at"]) if r["appointment_at"] != r["first_appointment_at"] else None,
        "NgayKetThucXuLy": ts(r["ended_at"]),
        "NgayTra": ts(r["returned_at"]),
        "TrangThaiHoSo": r["status"],
        "KenhThucHien": r["channel"],
        "ThoiGianGiaiQuyet": str(r["procedure_version__statutory_time_value"]),
        "DonViTinh": r["procedure_version__statutory_time_unit"],
        "HoSoCoThanhPhanSoHoa": 1 if provided and all(c["digitized"] for c in provided) else 0,
        "TaiLieuNop": [
            {
                "MaThanhPhanHoSo": c["code"],
                "TenTepDinhKem": c["name"],
                "DuocSoHoa": int(c["digitized"]),
                "DuocTaiSuDung": int(c["reused"]),
                "DuocLayTuKhoDMQG": int(c["reused"]),
            }
            for c in provided
        ],
        "DanhSachLePhi": [
            {"MaPhiLePhi": f["code"], "TenPhiLePhi": f["name"], "Gia": f["amount_vnd"], "LoaiPhiLePhi": f["kind"]}
            for f in fees
        ],
        "DuocThanhToanTrucTuyen": 2 if r["paid_online"] else 0,
        "SoTienNghiaVuTaiChinh": r["amount_due_vnd"],
        "KetQuaBanGiay": int(r["procedure_version__paper_result_required"]),
        "DanhSachHoSoBoSung": [
            {
                "HoSoBoSungId": s["id"],
                "NoiDungBoSung": s["reason"],
                "NgayBoSung": ts(s["requested_at"]),
                "NgayTiepNhanBoSung": ts(s["resubmitted_at"]),
                "TrangThaiBoSung": STATUS_OF_SUPPLEMENT[s["resubmitted_at"] is not None],
            }
            for s in supplements
        ],
        "DanhSachGiayToKetQua": [
            {"MaThanhPhanHoSo": x["code"], "TenGiayTo": x["name"], "DienTu": int(x["electronic"])} for x in results
        ],
    }


def progress(ids: list[int], versions: dict[int, int], codes: dict[int, str]) -> list[dict]:
    """CapNhatTienDoHoSoMC: each dossier's steps (who, where, when, due)."""
    steps = _group(
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
            "finished_by__full_name",
        )
    )
    return [
        {
            "MaHoSo": codes[i],
            "PhienBan": versions[i],
            "TienDo": [
                {
                    "BuocXuLy": s["seq"],
                    "NoiDungXuLy": s["name"],
                    "PhongBanXuLy": s["agency__code"],
                    "NguoiXuLy": s["finished_by__full_name"] or "",
                    "NgayBatDau": ts(s["started_at"]),
                    "NgayKetThucTheoQuyDinh": ts(s["due_at"]),
                    "ThoiDiemXuLy": ts(s["finished_at"]),
                    "TrangThai": s["state"],
                }
                for s in steps[i]
            ],
        }
        for i in ids
        if i in codes
    ]
