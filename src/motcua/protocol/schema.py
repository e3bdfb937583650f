"""Parsing a DongBoHoSoMC item at the boundary (the monitor's ingest and the historical import).

Field types are checked by pydantic; the history must also hold together (a dossier is not handled
before it is received, nor returned before it is resolved). Every refusal is a `PayloadError` with a
stable code and a Vietnamese and an English message.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from motcua.protocol.codec import parse_ts, to_second
from motcua.protocol.record import Component, Fee, Record, Result, Supplement
from motcua.workdays.engine import Unit

UNITS = tuple(u.value for u in Unit)

# Statuses that can only follow a reception (2 received, 4 handling, 6 payment, 8 stopped, 9/10 resolved);
# 3 (refused), 5 (a supplement asked at reception) and 7 (withdrawn) may come before one.
NEEDS_RECEPTION = frozenset({2, 4, 6, 8, 9, 10})


class PayloadError(ValueError):
    def __init__(self, code: str, message_vi: str, message_en: str):
        super().__init__(message_en)
        self.code, self.message_vi, self.message_en = code, message_vi, message_en

    def __str__(self) -> str:
        return f"[{self.code}] {self.message_vi} / {self.message_en}"


def _stamp(value):
    if isinstance(value, datetime):
        return value
    return parse_ts(value)


def _text(value):
    return "" if value is None else str(value)


def _flag(value):
    return 0 if value in (None, "") else value


Stamp = Annotated[datetime | None, BeforeValidator(_stamp)]
Text = Annotated[str, BeforeValidator(_text)]
Flag = Annotated[Literal[0, 1], BeforeValidator(_flag)]


class _Item(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class ComponentIn(_Item):
    code: Text = Field("", alias="MaThanhPhanHoSo", max_length=40)
    name: Text = Field("", alias="TenTepDinhKem", max_length=500)
    digitized: Flag = Field(0, alias="DuocSoHoa")
    reuse: Annotated[Literal[0, 1, 2], BeforeValidator(_flag)] = Field(0, alias="DuocTaiSuDung")
    from_data_store: Flag = Field(0, alias="DuocLayTuKhoDMQG")
    file_link: Text = Field("", alias="DuongDanTaiTepTin", max_length=500)
    replaced_by: Text = Field("", alias="MaKetQuaThayThe", max_length=40)
    deleted: bool = Field(False, alias="IsDeleted")


class FeeIn(_Item):
    code: Text = Field("", alias="MaPhiLePhi", max_length=40)
    name: Text = Field("", alias="TenPhiLePhi", max_length=255)
    kind: Text = Field("", alias="LoaiPhiLePhi", max_length=8)
    amount: int = Field(0, alias="Gia", ge=0)


class SupplementIn(_Item):
    id: int | None = Field(None, alias="HoSoBoSungId")
    reason: Text = Field("", alias="NoiDungBoSung", max_length=2000)
    requested_at: Stamp = Field(alias="NgayBoSung")
    answered_at: Stamp = Field(None, alias="NgayTiepNhanBoSung")


class ResultIn(_Item):
    code: Text = Field("", alias="MaKetQua", max_length=40)
    component_code: Text = Field("", alias="MaThanhPhanHoSo", max_length=40)
    name: Text = Field("", alias="TenGiayTo", max_length=500)
    number: Text = Field("", alias="SoKyHieu", max_length=100)
    file_link: Text = Field("", alias="DuongDanTepTinKetQua", max_length=500)


class DossierIn(_Item):
    code: str = Field(alias="MaHoSo", min_length=5, max_length=40)
    version: int | None = Field(None, alias="PhienBan", ge=1)
    procedure_code: str = Field(alias="MaTTHC", min_length=1, max_length=40)
    procedure_name: Text = Field("", alias="TenTTHC", max_length=500)
    field_code: Text = Field("", alias="MaLinhVuc", max_length=40)
    field_name: Text = Field("", alias="TenLinhVuc", max_length=255)
    applicant_name: str = Field(alias="ChuHoSo", min_length=1, max_length=255)
    applicant_type: Literal[1, 2] = Field(1, alias="LoaiDoiTuong")
    id_number: Text = Field("", alias="SoDinhDanh", max_length=20)
    phone: Text = Field("", alias="SoDienThoai", max_length=20)
    agency_code: str = Field(alias="DonViXuLy", min_length=1, max_length=20)
    desk_code: Text = Field("", alias="NoiNopHoSo", max_length=20)
    status: int = Field(alias="TrangThaiHoSo", ge=1, le=10)
    # null or absent: at the counter, as the formula says
    channel: Annotated[Literal[1, 2, 3], BeforeValidator(lambda v: 1 if v in (None, "") else v)] = Field(
        1, alias="KenhThucHien"
    )
    submitted_at: Stamp = Field(alias="NgayNopHoSo")
    received_at: Stamp = Field(None, alias="NgayTiepNhan")
    appointment_at: Stamp = Field(None, alias="NgayHenTra")
    new_appointment_at: Stamp = Field(None, alias="NgayHenTraMoi")
    ended_at: Stamp = Field(None, alias="NgayKetThucXuLy")
    returned_at: Stamp = Field(None, alias="NgayTra")
    statutory_value: Decimal | None = Field(None, alias="ThoiGianGiaiQuyet", ge=0)
    statutory_unit: Text = Field("", alias="DonViTinh", max_length=16)
    procedure_fee_bearing: Literal[0, 1] | None = Field(None, alias="CoPhiLePhi")
    paper_result_required: Literal[0, 1] | None = Field(None, alias="KetQuaBanGiay")
    online_payment: Annotated[Literal[0, 1, 2], BeforeValidator(_flag)] = Field(0, alias="DuocThanhToanTrucTuyen")
    amount_due: Annotated[int, BeforeValidator(_flag)] = Field(0, alias="SoTienNghiaVuTaiChinh", ge=0)
    rating: Literal[1, 2, 3] | None = Field(None, alias="MucDoHaiLong")
    reuses_data: Literal[0, 1] | None = Field(None, alias="HoSoCoThanhPhanSoHoa")
    components: list[ComponentIn] = Field(default_factory=list, alias="TaiLieuNop")
    fees: list[FeeIn] = Field(default_factory=list, alias="DanhSachLePhi")
    supplements: list[SupplementIn] = Field(default_factory=list, alias="DanhSachHoSoBoSung")
    results: list[ResultIn] = Field(default_factory=list, alias="DanhSachGiayToKetQua")


def parse(item) -> Record:
    """A validated record of one payload item (raises PayloadError)."""
    if not isinstance(item, dict):
        raise PayloadError(
            "not_an_object", "Mỗi hồ sơ phải là một đối tượng JSON.", "Each dossier must be a JSON object."
        )
    try:
        d = DossierIn.model_validate(item)
    except ValidationError as exc:
        raise _field_error(exc) from None
    record = _record(d)
    check_history(record)
    return record


def _field_error(exc: ValidationError) -> PayloadError:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "?"
    message = first["msg"].removeprefix("Value error, ")
    return PayloadError(
        "invalid_field", f"Trường {where} không hợp lệ: {message}", f"Field {where} is invalid: {message}"
    )


def _record(d: DossierIn) -> Record:
    return Record(
        code=d.code,
        version=d.version,
        procedure_code=d.procedure_code,
        procedure_name=d.procedure_name,
        field_code=d.field_code,
        field_name=d.field_name,
        applicant_name=d.applicant_name.strip(),
        applicant_type=d.applicant_type,
        id_number=d.id_number,
        phone=d.phone,
        agency_code=d.agency_code,
        desk_code=d.desk_code,
        status=d.status,
        channel=d.channel,
        submitted_at=d.submitted_at,
        received_at=d.received_at,
        appointment_at=d.appointment_at,
        new_appointment_at=d.new_appointment_at,
        ended_at=d.ended_at,
        returned_at=d.returned_at,
        statutory_value=d.statutory_value,
        statutory_unit=d.statutory_unit,
        procedure_fee_bearing=None if d.procedure_fee_bearing is None else bool(d.procedure_fee_bearing),
        paper_result_required=bool(d.paper_result_required),
        online_payment=d.online_payment,
        amount_due=d.amount_due,
        rating=d.rating,
        reuses_data=None if d.reuses_data is None else bool(d.reuses_data),
        components=[
            Component(c.code, c.name, bool(c.digitized), c.reuse, bool(c.from_data_store), c.file_link, c.replaced_by)
            for c in d.components
            if not c.deleted
        ],
        fees=[Fee(f.code, f.name, f.kind, f.amount) for f in d.fees],
        supplements=[Supplement(s.requested_at, s.answered_at, s.reason, s.id) for s in d.supplements],
        results=[Result(x.code or x.component_code, x.name, x.file_link, x.number) for x in d.results],
    )


def check_history(r: Record) -> None:
    """Refuse a history that cannot have happened (nothing of such a line is written)."""
    received, ended, returned = to_second(r.received_at), to_second(r.ended_at), to_second(r.returned_at)
    if r.submitted_at is None:
        raise PayloadError("submitted_required", "Thiếu NgayNopHoSo.", "NgayNopHoSo is required.")
    if r.status in NEEDS_RECEPTION and received is None:
        raise PayloadError(
            "reception_required",
            f"Hồ sơ ở trạng thái {r.status} phải có NgayTiepNhan.",
            f"A dossier in status {r.status} must have NgayTiepNhan.",
        )
    if r.status == 3 and received is not None:
        raise PayloadError(
            "refused_but_received",
            "Hồ sơ không được tiếp nhận (3) không thể có NgayTiepNhan.",
            "A refused dossier (3) cannot have NgayTiepNhan.",
        )
    if received and ended and ended < received:
        raise PayloadError(
            "ended_before_reception",
            "NgayKetThucXuLy trước NgayTiepNhan.",
            "NgayKetThucXuLy is before NgayTiepNhan.",
        )
    if r.status == 9 and ended is None:
        raise PayloadError(
            "end_required",
            "Hồ sơ đã xử lý xong (9) phải có NgayKetThucXuLy.",
            "A resolved dossier (9) needs NgayKetThucXuLy.",
        )
    if r.status == 10 and ended is None and returned is None:
        raise PayloadError(
            "end_required",
            "Hồ sơ đã trả kết quả (10) phải có NgayKetThucXuLy hoặc NgayTra.",
            "A returned dossier (10) needs NgayKetThucXuLy or NgayTra.",
        )
    if r.status in (7, 8) and received is not None and ended is None and not _open_request(r):
        raise PayloadError(
            "end_required",
            f"Hồ sơ dừng hoặc rút sau khi tiếp nhận ({r.status}) phải có NgayKetThucXuLy.",
            f"A dossier stopped or withdrawn after reception ({r.status}) needs NgayKetThucXuLy.",
        )
    if returned and ended and returned < ended:
        raise PayloadError(
            "returned_before_end", "NgayTra trước NgayKetThucXuLy.", "NgayTra is before NgayKetThucXuLy."
        )
    if returned is not None and r.status != 10:
        raise PayloadError(
            "returned_status",
            "Chỉ hồ sơ đã trả kết quả (10) mới có NgayTra.",
            "Only a returned dossier (10) has NgayTra.",
        )
    for s in r.supplements or []:
        if s.answered_at is not None and to_second(s.answered_at) < to_second(s.requested_at):
            raise PayloadError(
                "supplement_answered_before_request",
                "NgayTiepNhanBoSung trước NgayBoSung.",
                "A supplement was answered (NgayTiepNhanBoSung) before it was requested (NgayBoSung).",
            )
    if r.statutory_unit and r.statutory_unit not in UNITS:
        raise PayloadError(
            "unknown_unit",
            f"DonViTinh '{r.statutory_unit}' không hợp lệ ({', '.join(UNITS)}).",
            f"Unknown DonViTinh '{r.statutory_unit}' ({', '.join(UNITS)}).",
        )
    if received is not None and r.appointment_at is None and (r.statutory_value is None or not r.statutory_unit):
        raise PayloadError(
            "deadline_required",
            "Hồ sơ đã tiếp nhận phải có NgayHenTra hoặc ThoiGianGiaiQuyet và DonViTinh.",
            "A received dossier needs NgayHenTra, or ThoiGianGiaiQuyet with DonViTinh.",
        )


class StepIn(_Item):
    """One CapNhatTienDoHoSoMC step (TienDo[])."""

    seq: int = Field(alias="BuocXuLy", ge=1, le=500)
    name: Text = Field("", alias="NoiDungXuLy", max_length=255)
    agency_code: Text = Field("", alias="PhongBanXuLy", max_length=20)
    handler: Text = Field("", alias="NguoiXuLy", max_length=255)
    started_at: Stamp = Field(alias="NgayBatDau")
    due_at: Stamp = Field(alias="NgayKetThucTheoQuyDinh")
    finished_at: Stamp = Field(None, alias="ThoiDiemXuLy")


def parse_steps(items) -> list[StepIn]:
    """The steps of a progress item, validated, in order (raises PayloadError)."""
    if not isinstance(items, list):
        raise PayloadError("invalid_field", "TienDo phải là danh sách.", "TienDo must be a list.")
    try:
        steps = sorted((StepIn.model_validate(i) for i in items), key=lambda s: s.seq)
    except ValidationError as exc:
        raise _field_error(exc) from None
    for s in steps:
        if s.started_at is None or s.due_at is None:
            raise PayloadError(
                "invalid_field", "Bước xử lý thiếu NgayBatDau hoặc hạn.", "A step lacks NgayBatDau or its due time."
            )
        if s.finished_at is not None and s.finished_at < s.started_at:
            raise PayloadError(
                "step_finished_before_start",
                "Bước xử lý kết thúc trước khi bắt đầu.",
                "A step finished before it started.",
            )
    if len({s.seq for s in steps}) != len(steps):
        raise PayloadError("duplicate_step", "Trùng số thứ tự bước xử lý.", "Two steps have the same BuocXuLy.")
    return steps


def _open_request(r: Record) -> bool:
    return any(s.answered_at is None for s in r.supplements or [])
