"""Parsing a DongBoHoSoMC item at the boundary (the monitor's ingest and the historical import).

Field types are checked by pydantic; the history must also hold together (a dossier is not handled
before it is received, nor returned before it is resolved). Every refusal is a `PayloadError` with a
stable code and a Vietnamese and an English message.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from motcua.common import bounds
from motcua.protocol.codec import YEARS, parse_ts, to_second
from motcua.protocol.record import Component, Fee, Record, Result, Supplement
from motcua.workdays.engine import Unit

UNITS = tuple(u.value for u in Unit)

# Statuses that can only follow a reception (2 received, 4 handling, 6 payment, 8 stopped, 9/10 resolved);
# 3 (refused), 5 (a supplement asked at reception) and 7 (withdrawn) may come before one.
NEEDS_RECEPTION = frozenset({2, 4, 6, 8, 9, 10})

# Bounds of what a node may send, from the columns that store it on either side (PostgreSQL integer
# for versions, bigint for money) and from what a dossier can plausibly hold.
MAX_VERSION = bounds.INT32_MAX
MAX_AMOUNT = 10**15  # VND; a sum of MAX_FEES such amounts still fits a bigint
MAX_STATUTORY = 100000  # the catalog's own bound on a statutory time
MAX_COMPONENTS, MAX_FEES, MAX_SUPPLEMENTS, MAX_RESULTS, MAX_STEPS = 500, 100, 200, 200, 500
MAX_ITEM_DEPTH = 8  # an item nests 3 deep (item › list › entry); extra fields get a little room


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


def _number(value):
    """Counts and versions are numbers, not booleans (JSON true is not 1)."""
    if isinstance(value, bool):
        raise ValueError("a number is expected, not true/false")
    return value


Stamp = Annotated[datetime | None, BeforeValidator(_stamp)]
Number = Annotated[int, BeforeValidator(_number)]
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
    amount: Number = Field(0, alias="Gia", ge=0, le=MAX_AMOUNT)


class SupplementIn(_Item):
    id: Number | None = Field(None, alias="HoSoBoSungId", ge=-bounds.INT64_MAX, le=bounds.INT64_MAX)
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
    version: Number | None = Field(None, alias="PhienBan", ge=1, le=MAX_VERSION)
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
    statutory_value: Decimal | None = Field(None, alias="ThoiGianGiaiQuyet", ge=0, le=MAX_STATUTORY)
    statutory_unit: Text = Field("", alias="DonViTinh", max_length=16)
    procedure_fee_bearing: Literal[0, 1] | None = Field(None, alias="CoPhiLePhi")
    paper_result_required: Literal[0, 1] | None = Field(None, alias="KetQuaBanGiay")
    online_payment: Annotated[Literal[0, 1, 2], BeforeValidator(_flag)] = Field(0, alias="DuocThanhToanTrucTuyen")
    amount_due: Annotated[Number, BeforeValidator(_flag)] = Field(0, alias="SoTienNghiaVuTaiChinh", ge=0, le=MAX_AMOUNT)
    rating: Literal[1, 2, 3] | None = Field(None, alias="MucDoHaiLong")
    reuses_data: Literal[0, 1] | None = Field(None, alias="HoSoCoThanhPhanSoHoa")
    components: list[ComponentIn] = Field(default_factory=list, alias="TaiLieuNop", max_length=MAX_COMPONENTS)
    fees: list[FeeIn] = Field(default_factory=list, alias="DanhSachLePhi", max_length=MAX_FEES)
    supplements: list[SupplementIn] = Field(
        default_factory=list, alias="DanhSachHoSoBoSung", max_length=MAX_SUPPLEMENTS
    )
    results: list[ResultIn] = Field(default_factory=list, alias="DanhSachGiayToKetQua", max_length=MAX_RESULTS)


def check_raw(item) -> None:
    """What no column can hold, anywhere in the item (extra fields too: the monitor stores the whole
    item): control characters (tab and line breaks allowed), lone surrogates, non-finite numbers,
    integers beyond bigint, deep nesting. A NUL accepted by a SQLite node never reaches a
    PostgreSQL monitor."""
    if not isinstance(item, dict):
        raise PayloadError(
            "not_an_object", "Mỗi hồ sơ phải là một đối tượng JSON.", "Each dossier must be a JSON object."
        )
    problem = bounds.json_problem(item, MAX_ITEM_DEPTH)
    if problem:
        code, where = problem
        vi, en = bounds.PROBLEMS[code]
        raise PayloadError(code, f"{vi} ({where}).", f"The item {en} ({where}).")


def parse(item) -> Record:
    """A validated record of one payload item (raises PayloadError)."""
    check_raw(item)
    try:
        d = DossierIn.model_validate(item)
    except ValidationError as exc:
        raise _field_error(exc) from None
    record = _record(d)
    check_history(record)
    return record


_ERROR_CODES = {
    "string_too_long": "too_long",
    "too_long": "too_long",
    "greater_than": "out_of_range",
    "greater_than_equal": "out_of_range",
    "less_than": "out_of_range",
    "less_than_equal": "out_of_range",
}


def _field_error(exc: ValidationError) -> PayloadError:
    """The first problem, with a stable code: too_long (text or list), out_of_range (numbers),
    invalid_field (anything else); the messages name the field."""
    first = exc.errors(include_input=False, include_url=False)[0]
    where = ".".join(str(p) for p in first["loc"])[:200] or "?"
    message = first["msg"].removeprefix("Value error, ")
    return PayloadError(
        _ERROR_CODES.get(first["type"], "invalid_field"),
        f"Trường {where} không hợp lệ: {message}",
        f"Field {where} is invalid: {message}",
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

    seq: Number = Field(alias="BuocXuLy", ge=1, le=MAX_STEPS)
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
    if len(items) > MAX_STEPS:
        raise PayloadError("too_long", f"TienDo có quá {MAX_STEPS} bước.", f"TienDo has more than {MAX_STEPS} steps.")
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


class ProgressIn(_Item):
    """One CapNhatTienDoHoSoMC item: a dossier's code and version (its steps are parsed by
    `parse_steps`)."""

    code: str = Field(alias="MaHoSo", min_length=5, max_length=40)
    version: Number = Field(alias="PhienBan", ge=1, le=MAX_VERSION)


def parse_progress(item) -> tuple[ProgressIn, list[StepIn]]:
    """A validated progress item: (code and version, steps in order) — raises PayloadError."""
    check_raw(item)
    try:
        head = ProgressIn.model_validate(item)
    except ValidationError as exc:
        raise _field_error(exc) from None
    return head, parse_steps(item.get("TienDo"))


def _open_request(r: Record) -> bool:
    return any(s.answered_at is None for s in r.supplements or [])


# -- the request around the items ------------------------------------------------------------------
SERVICES = ("DongBoHoSoMC", "CapNhatTienDoHoSoMC")
MAX_BATCH = 5000


class Envelope(BaseModel):
    """`{"service", "isUpdating", "data", "tongSoHoSo", "thoiDiemGui"}`: the items stay raw here, each
    is parsed on its own so that one bad item is refused alone. `thoiDiemGui` is when the node sent
    the request (milliseconds since 1970, UTC): a declared total only replaces one sent earlier."""

    model_config = ConfigDict(extra="ignore")
    service: str
    data: list[Any] = Field(max_length=MAX_BATCH)
    total: Number | None = Field(None, alias="tongSoHoSo", ge=0, le=bounds.INT64_MAX)
    sent_at: Number | None = Field(None, alias="thoiDiemGui", ge=0, le=bounds.INT64_MAX)


def parse_envelope(body) -> Envelope:
    """The request's shape (raises PayloadError: invalid_body, unknown_service, invalid_batch,
    invalid_total, invalid_sent_at)."""
    if not isinstance(body, dict):
        raise PayloadError(
            "invalid_body",
            "Nội dung yêu cầu phải là một đối tượng JSON {service, data, …}.",
            "The body must be a JSON object {service, data, …}.",
        )
    if body.get("service") not in SERVICES:
        raise PayloadError(
            "unknown_service",
            f"Dịch vụ không hỗ trợ ({', '.join(SERVICES)}).",
            f"Unknown service ({', '.join(SERVICES)}).",
        )
    try:
        return Envelope.model_validate(body)
    except ValidationError as exc:
        field = str(exc.errors()[0]["loc"][0])
        code = {"tongSoHoSo": "invalid_total", "thoiDiemGui": "invalid_sent_at"}.get(field, "invalid_batch")
        if code == "invalid_batch":
            raise PayloadError(
                code,
                f"'data' phải là danh sách tối đa {MAX_BATCH} hồ sơ.",
                f"'data' must be a list of at most {MAX_BATCH} items.",
            ) from None
        raise PayloadError(
            code,
            f"{field} phải là số nguyên từ 0 đến {bounds.INT64_MAX}.",
            f"{field} must be a whole number from 0 to {bounds.INT64_MAX}.",
        ) from None


def _day(value):
    if isinstance(value, str) and not value.isascii():
        raise ValueError("a date is YYYY-MM-DD")
    return value


Day = Annotated[date, BeforeValidator(_day), Field(ge=date(YEARS[0], 1, 1), le=date(YEARS[1], 12, 31))]
Rate = Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2)]


class ReportIn(BaseModel):
    """Figures a node filed from its own periodic report: what the monitor compares with the synced
    data. Rates are percentages (0–100, two decimals), as the columns hold them."""

    model_config = ConfigDict(extra="ignore")
    period_start: Day = Field(alias="from")
    period_end: Day = Field(alias="to")
    received: Number = Field(ge=0, le=bounds.INT64_MAX)
    on_time_rate: Rate
    online_rate: Rate | None = None

    @model_validator(mode="after")
    def _period(self):
        if self.period_end < self.period_start:
            raise ValueError("the period ends before it starts")
        return self


def parse_report(data) -> ReportIn:
    """Validated report figures (raises PayloadError with code invalid_report and the field)."""
    if not isinstance(data, dict):
        raise PayloadError("invalid_report", "Báo cáo phải là một đối tượng JSON.", "The report must be a JSON object.")
    if "online_rate" in data and data["online_rate"] in ("", None):
        data = {**data, "online_rate": None}
    try:
        return ReportIn.model_validate(data)
    except ValidationError as exc:
        error = _field_error(exc)
        raise PayloadError("invalid_report", error.message_vi, error.message_en) from None
