"""The papers a one-stop desk hands out (Thông tư 01/2018/TT-VPCP, now 03/2025/TT-VPCP; reference notes
§3.2): Form 01 the receipt and appointment slip, Form 02 the supplement request, Form 03 the refusal.

A read module: each function takes a dossier the caller may see (`selectors.get_dossier`) and returns
plain values (no model) for the templates under `papers/`; instants are Vietnam time, written
dd/mm/yyyy HH:MM. A paper that does not exist (yet) for the dossier raises `NotFound`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Q

from motcua.common.errors import NotFound
from motcua.common.timeutil import to_local
from motcua.dossiers.models import Channel, Dossier, DossierStep, ReturnMethod, Status
from motcua.org.models import Agency

PAPERS = ("01", "02", "03")
_PLACE_PREFIXES = ("Thành phố ", "Tỉnh ", "Phường ", "Xã ", "Đặc khu ", "Thị trấn ")


@dataclass(frozen=True)
class Heading:
    """The top of every paper: the governing body and the issuing one (upper case), place and date."""

    authority: str
    issuer: str
    place: str
    day: str
    month: str
    year: str


@dataclass(frozen=True)
class Applicant:
    name: str
    address: str
    phone: str
    email: str


@dataclass(frozen=True)
class Line:
    """A component received: its name, the originals and copies the procedure asks for (None: unknown)."""

    number: int
    name: str
    originals: int | None
    copies: int | None
    electronic: bool
    reused: bool


@dataclass(frozen=True)
class Common:
    heading: Heading
    code: str
    applicant: Applicant
    procedure: str
    procedure_code: str
    desk: str
    desk_address: str
    desk_phone: str
    submitted: str


@dataclass(frozen=True)
class Form01(Common):
    lines: list[Line]
    sets: int
    received: str
    appointment: str
    first_appointment: str  # the appointment first given, when it was moved (Form 04); else ""
    statutory_value: Decimal
    statutory_unit: str
    return_method: str  # a ReturnMethod label, or "" (not chosen yet)
    online: bool
    officer: str


@dataclass(frozen=True)
class Form02(Common):
    number: int  # the how-manieth request of the dossier (lần)
    requested: str
    agency: str
    items: list[str]
    reason: str
    legal_basis: str
    officer: str
    during_reception: bool
    answered: str


@dataclass(frozen=True)
class Form03(Common):
    refused: str
    reason: str
    officer: str


def when(value: datetime | None) -> str:
    return to_local(value).strftime("%d/%m/%Y %H:%M") if value else ""


def available(d: Dossier) -> dict:
    """Which papers the dossier has: Form 01 once received, Form 02 per request (numbers), Form 03 if refused."""
    return {
        "01": d.received_at is not None,
        "02": list(range(1, d.supplements.count() + 1)),
        "03": d.status == Status.REFUSED and d.events.filter(action="refuse").exists(),
    }


def form_01(d: Dossier) -> Form01:
    if d.received_at is None:
        raise _absent("01", "Hồ sơ chưa được tiếp nhận.", "The dossier has not been received yet.")
    v = d.procedure_version
    catalog = {c.code: c for c in v.components.all()}
    later = _files_of_handling_supplements(d)
    lines = []
    for c in d.components.filter(provided=True):
        if c.file_ref and c.file_ref in later:
            continue  # supplemented during handling: not part of what the desk received
        known = catalog.get(c.code)
        lines.append(
            Line(
                number=len(lines) + 1,
                name=c.name,
                originals=known.originals if known else None,
                copies=known.copies if known else None,
                electronic=bool(c.file_ref) or c.digitized,
                reused=c.reused or c.from_data_store,
            )
        )
    receive = d.events.filter(action="receive").select_related("actor").order_by("-seq").first()
    moved = d.first_appointment_at is not None and d.appointment_at != d.first_appointment_at
    return Form01(
        **_common(d, d.receiving_agency, d.received_at),
        lines=lines,
        sets=1,
        received=when(d.received_at),
        appointment=when(d.appointment_at),
        first_appointment=when(d.first_appointment_at) if moved else "",
        statutory_value=v.statutory_time_value,
        statutory_unit=str(v.get_statutory_time_unit_display()),
        return_method=str(ReturnMethod(d.return_method).label) if d.return_method else "",
        online=d.channel == Channel.ONLINE,
        officer=_name(receive.actor) if receive else "",
    )


def form_02(d: Dossier, number: int | None = None) -> Form02:
    requests = list(d.supplements.select_related("requested_by").order_by("id"))
    if not requests or (number is not None and not 1 <= number <= len(requests)):
        raise _absent("02", "Hồ sơ không có yêu cầu bổ sung này.", "The dossier has no such supplement request.")
    number = number or len(requests)
    s = requests[number - 1]
    agency = d.receiving_agency if s.during_reception else _agency_at(d, s.requested_at)
    return Form02(
        **_common(d, agency, s.requested_at),
        number=number,
        requested=when(s.requested_at),
        agency=agency.name,
        items=list(s.items),
        reason=s.reason,
        legal_basis=d.procedure_version.legal_basis,
        officer=_name(s.requested_by),
        during_reception=s.during_reception,
        answered=when(s.resubmitted_at),
    )


def form_03(d: Dossier) -> Form03:
    refusal = d.events.filter(action="refuse").select_related("actor").order_by("-seq").first()
    if d.status != Status.REFUSED or refusal is None:
        raise _absent("03", "Hồ sơ không bị từ chối tiếp nhận.", "The dossier was not refused.")
    return Form03(
        **_common(d, d.receiving_agency, refusal.at),
        refused=when(refusal.at),
        reason=str(refusal.payload.get("reason", "")),
        officer=_name(refusal.actor),
    )


def _common(d: Dossier, issuer: Agency, at: datetime) -> dict:
    desk = d.receiving_agency
    local = to_local(at)
    return {
        "heading": Heading(
            authority=issuer.parent.name.upper() if issuer.parent_id else "",
            issuer=issuer.name.upper(),
            place=_place(issuer),
            day=f"{local.day:02d}",
            month=f"{local.month:02d}",
            year=str(local.year),
        ),
        "code": d.code,
        "applicant": Applicant(d.applicant_name, d.applicant_address, d.applicant_phone, d.applicant_email),
        "procedure": d.procedure_version.name,
        "procedure_code": d.procedure.code,
        "desk": desk.name,
        "desk_address": desk.address,
        "desk_phone": desk.phone,
        "submitted": when(d.submitted_at),
    }


def _place(agency: Agency) -> str:
    name = agency.commune.name if agency.commune_id else agency.province.name
    for prefix in _PLACE_PREFIXES:
        if name.startswith(prefix):
            return name.removeprefix(prefix)
    return name


def _agency_at(d: Dossier, at: datetime) -> Agency:
    """Where the dossier was being handled at `at` (the step then open; its unit if it has one)."""
    step = (
        d.steps.select_related("agency__parent", "unit__parent")
        .filter(started_at__lte=at)
        .filter(Q(finished_at__isnull=True) | Q(finished_at__gte=at))
        .exclude(state=DossierStep.State.CANCELLED)
        .order_by("-seq")
        .first()
    )
    if step is None:
        return d.competent_agency
    return step.unit or step.agency


def _files_of_handling_supplements(d: Dossier) -> set[str]:
    refs = set()
    for answers in d.supplements.filter(during_reception=False).values_list("answers", flat=True):
        for a in answers or []:
            refs.update(f.get("file_ref", "") for f in a.get("files", []))
    return refs


def _name(user) -> str:
    if user is None:
        return ""
    return user.full_name or user.get_username()


def _absent(form: str, vi: str, en: str) -> NotFound:
    return NotFound("paper_not_available", vi, en, form=form)
