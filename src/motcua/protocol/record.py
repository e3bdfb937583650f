"""A dossier as the national format carries it (DongBoHoSoMC), and its payload.

`Record` is what both sides reason about: the node builds it from its tables, the monitor and the
importer parse it from a payload (`schema.parse`). `to_payload` is the only place that names the
national fields on the way out. Timestamps are carried to the second (the format's precision), so
the node judges its own dossiers exactly as the monitor will.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from motcua.protocol.codec import ts

SUPPLEMENT_WAITING, SUPPLEMENT_ANSWERED = 1, 2  # TrangThaiBoSung


@dataclass
class Component:
    """TaiLieuNop: one listed component and its digitization flags."""

    code: str
    name: str = ""
    digitized: bool = False  # DuocSoHoa
    reuse: int = 0  # DuocTaiSuDung: 0 no, 1 reused, 2 reused and replaced by an earlier result
    from_data_store: bool = False  # DuocLayTuKhoDMQG
    file_link: str = ""  # DuongDanTaiTepTin
    replaced_by: str = ""  # MaKetQuaThayThe


@dataclass
class Fee:
    """DanhSachLePhi: the dossier's own fee list (an exemption lists 0)."""

    code: str
    name: str = ""
    kind: str = ""
    amount: int = 0


@dataclass
class Supplement:
    """DanhSachHoSoBoSung: a supplement request during handling and when it was answered."""

    requested_at: datetime
    answered_at: datetime | None = None
    reason: str = ""
    id: int | None = None


@dataclass
class Result:
    """DanhSachGiayToKetQua: a result document; electronic only with a file link."""

    code: str
    name: str = ""
    file_link: str = ""  # DuongDanTepTinKetQua
    number: str = ""


@dataclass
class Record:
    code: str
    procedure_code: str
    agency_code: str
    status: int
    channel: int
    submitted_at: datetime
    version: int | None = None
    procedure_name: str = ""
    field_code: str = ""
    field_name: str = ""
    applicant_name: str = ""
    applicant_type: int = 1
    id_number: str = ""
    phone: str = ""
    desk_code: str = ""
    received_at: datetime | None = None
    appointment_at: datetime | None = None  # NgayHenTra: the first appointment
    new_appointment_at: datetime | None = None  # NgayHenTraMoi: after a reschedule
    ended_at: datetime | None = None  # NgayKetThucXuLy
    returned_at: datetime | None = None  # NgayTra
    statutory_value: Decimal | None = None  # ThoiGianGiaiQuyet
    statutory_unit: str = ""  # DonViTinh
    procedure_fee_bearing: bool | None = None  # CoPhiLePhi: the procedure charges fees (None: from the fee list)
    paper_result_required: bool = False  # KetQuaBanGiay
    online_payment: int = 0  # DuocThanhToanTrucTuyen: 1 on DVCQG, 2 on the province's gateway
    amount_due: int = 0  # SoTienNghiaVuTaiChinh
    rating: int | None = None  # MucDoHaiLong: 1 not satisfied, 2 satisfied, 3 very satisfied
    reuses_data: bool | None = None  # HoSoCoThanhPhanSoHoa as the 766 formula reads it (None: from components)
    # None: not read (a partial record refreshes only what it holds)
    components: list[Component] | None = field(default=None)
    fees: list[Fee] | None = field(default=None)
    supplements: list[Supplement] | None = field(default=None)
    results: list[Result] | None = field(default=None)


def reuses(record: Record) -> bool | None:
    """4.3: the dossier reuses digitized data (the flag, else any component flagged reused)."""
    if record.reuses_data is not None:
        return record.reuses_data
    if record.components is None:
        return None
    return any(c.reuse for c in record.components)


def to_payload(r: Record) -> dict:
    """The DongBoHoSoMC item of a complete record."""
    return {
        "MaHoSo": r.code,
        "PhienBan": r.version,
        "MaTTHC": r.procedure_code,
        "TenTTHC": r.procedure_name,
        "MaLinhVuc": r.field_code,
        "TenLinhVuc": r.field_name,
        "ChuHoSo": r.applicant_name,
        "LoaiDoiTuong": r.applicant_type,
        "SoDinhDanh": r.id_number,
        "LoaiDinhDanh": 1 if len(r.id_number or "") == 12 else None,
        "SoDienThoai": r.phone,
        "DonViXuLy": r.agency_code,
        "NoiNopHoSo": r.desk_code,
        "NgayNopHoSo": ts(r.submitted_at),
        "NgayTiepNhan": ts(r.received_at),
        "NgayHenTra": ts(r.appointment_at),
        "NgayHenTraMoi": ts(r.new_appointment_at),
        "NgayKetThucXuLy": ts(r.ended_at),
        "NgayTra": ts(r.returned_at),
        "TrangThaiHoSo": r.status,
        "KenhThucHien": r.channel,
        "ThoiGianGiaiQuyet": None if r.statutory_value is None else str(r.statutory_value),
        "DonViTinh": r.statutory_unit,
        # the 766 formula reads this flag as "reuses digitized data" for province-synced dossiers
        "HoSoCoThanhPhanSoHoa": int(bool(reuses(r))),
        "TaiLieuNop": [
            {
                "MaThanhPhanHoSo": c.code,
                "TenTepDinhKem": c.name,
                "DuocSoHoa": int(c.digitized),
                "DuocTaiSuDung": c.reuse,
                "DuocLayTuKhoDMQG": int(c.from_data_store),
                "DuongDanTaiTepTin": c.file_link,
                "MaKetQuaThayThe": c.replaced_by,
            }
            for c in r.components or []
        ],
        "DanhSachLePhi": [
            {"MaPhiLePhi": f.code, "TenPhiLePhi": f.name, "LoaiPhiLePhi": f.kind, "Gia": f.amount} for f in r.fees or []
        ],
        "CoPhiLePhi": None if r.procedure_fee_bearing is None else int(r.procedure_fee_bearing),
        "DuocThanhToanTrucTuyen": r.online_payment,
        "SoTienNghiaVuTaiChinh": r.amount_due,
        "KetQuaBanGiay": int(r.paper_result_required),
        "MucDoHaiLong": r.rating,
        "DanhSachHoSoBoSung": [
            {
                "HoSoBoSungId": s.id,
                "NoiDungBoSung": s.reason,
                "NgayBoSung": ts(s.requested_at),
                "NgayTiepNhanBoSung": ts(s.answered_at),
                "TrangThaiBoSung": SUPPLEMENT_ANSWERED if s.answered_at else SUPPLEMENT_WAITING,
            }
            for s in r.supplements or []
        ],
        "DanhSachGiayToKetQua": [
            {
                "MaKetQua": x.code,
                "MaThanhPhanHoSo": x.code,
                "TenGiayTo": x.name,
                "SoKyHieu": x.number,
                "DuongDanTepTinKetQua": x.file_link,
            }
            for x in r.results or []
        ],
    }
