"""Dossier reads: scoped lists (keyset, no COUNT), detail with access logging, events, tracking."""

from __future__ import annotations

from datetime import date, datetime, time

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from pydantic import BaseModel, Field

from motcua.audit import services as audit
from motcua.common import clock
from motcua.common.errors import InvalidInput, NotFound
from motcua.common.timeutil import VN_TZ
from motcua.documents.models import StoredFile
from motcua.dossiers import authz
from motcua.dossiers.models import (
    RUNNING,
    AccessLog,
    Dossier,
    DossierComponent,
    DossierEvent,
    DossierFact,
    DossierResult,
    applicant_hashes,
)
from motcua.identity.cccd import normalize_phone
from motcua.protocol.facts import standing

MAX_PAGE = 100


class ListFilters(BaseModel):
    """Filters of a dossier list; also the query parameters of GET /api/v1/dossiers."""

    status: list[int] | None = None
    agency: str | None = None
    unit: str | None = None
    procedure: str | None = None
    assignee: str | None = None
    applicant: str | None = Field(
        default=None, max_length=20, description="The applicant's ID number (CCCD, tax code) or phone, exactly"
    )
    overdue: bool | None = None
    at_risk: bool | None = None
    received_from: date | None = None
    received_to: date | None = None
    cursor: int | None = None
    limit: int = 20


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, VN_TZ)


def list_dossiers(user, f: ListFilters) -> tuple[list[Dossier], int | None]:
    """Newest first, keyset-paginated by id; the next cursor is None on the last page."""
    if not 1 <= f.limit <= MAX_PAGE:
        raise InvalidInput("invalid_limit", f"limit phải từ 1 đến {MAX_PAGE}.", f"limit must be 1 to {MAX_PAGE}.")
    qs = _filtered(authz.visible_dossiers(user), f)
    if f.cursor:
        qs = qs.filter(id__lt=f.cursor)
    rows = list(
        qs.select_related(
            "procedure", "procedure_version", "competent_agency", "receiving_agency", "current_step"
        ).order_by("-id")[: f.limit + 1]
    )
    more = len(rows) > f.limit
    rows = rows[: f.limit]
    return rows, (rows[-1].id if more and rows else None)


def _filtered(qs: QuerySet[Dossier], f: ListFilters) -> QuerySet[Dossier]:
    now = clock.now()
    if f.status:
        qs = qs.filter(status__in=f.status)
    if f.agency:
        qs = qs.filter(competent_agency__code=f.agency) | qs.filter(receiving_agency__code=f.agency)
    if f.unit:
        qs = qs.filter(current_step__unit__code=f.unit)
    if f.procedure:
        qs = qs.filter(procedure__code=f.procedure)
    if f.assignee:
        qs = qs.filter(current_step__assignee__username=f.assignee)
    if f.applicant:
        # the values are encrypted: an exact match goes through their keyed hashes
        by_id, by_phone = applicant_hashes(f.applicant, f.applicant)
        qs = qs.filter(Q(applicant_id_hash=by_id) | Q(applicant_phone_hash=by_phone or "-"))
    running = list(RUNNING)
    if f.overdue is not None:
        overdue = {"status__in": running, "due_at__lt": now}
        qs = qs.filter(**overdue) if f.overdue else qs.exclude(**overdue)
    if f.at_risk is not None:
        risk = {"status__in": running, "risk_from__lte": now, "due_at__gte": now}
        qs = qs.filter(**risk) if f.at_risk else qs.exclude(**risk)
    if f.received_from:
        qs = qs.filter(received_at__gte=_day_start(f.received_from))
    if f.received_to:
        qs = qs.filter(received_at__lt=_day_start(f.received_to) + timezone.timedelta(days=1))
    return qs


def get_dossier(user, code: str, *, purpose: str = "view", ip: str | None = None) -> Dossier:
    """A dossier the user may see; a staff read of its personal data is logged."""
    dossier = (
        authz.visible_dossiers(user)
        .select_related("procedure", "procedure_version", "competent_agency", "receiving_agency", "current_step")
        .filter(code=code)
        .first()
    )
    if dossier is None:
        raise authz.not_found(code)
    log_staff_reads(user, [dossier], purpose, ip)
    return dossier


def log_staff_reads(user, dossiers: list[Dossier], purpose: str, ip: str | None) -> None:
    if dossiers and not authz.is_citizen(user):
        AccessLog.objects.bulk_create(AccessLog(user=user, dossier=d, purpose=purpose, ip=ip) for d in dossiers)


def events_of(user, code: str) -> list[DossierEvent]:
    dossier = get_dossier(user, code, purpose="events")
    return list(dossier.events.order_by("seq"))


def flags(d: Dossier, now: datetime | None = None) -> dict:
    now = now or clock.now()
    open_running = d.status in RUNNING and d.due_at is not None
    overdue = open_running and d.due_at < now
    return {
        "overdue": overdue,
        "at_risk": bool(open_running and not overdue and d.risk_from and d.risk_from <= now),
        "timeliness": standing(d.fact, now) if hasattr(d, "fact") else "",
        "rescheduled": d.rescheduled,
        "supplement_count": d.supplement_count,
        "flagged_late_by_supplements": d.supplement_count > 1,
    }


def track(code: str, phone: str) -> Dossier:
    """Public tracking: code + phone. Wrong phone and unknown code answer the same."""
    wanted = normalize_phone(phone)
    dossier = (
        Dossier.objects.select_related("procedure_version", "competent_agency", "receiving_agency")
        .filter(code=code.strip())
        .first()
    )
    if dossier is None or not wanted or normalize_phone(dossier.applicant_phone) != wanted:
        raise NotFound(
            "tracking_not_found",
            "Không tìm thấy hồ sơ với mã và số điện thoại đã nhập.",
            "No dossier matches this code and phone number.",
        )
    return dossier


def readable_file(user, file_id, ip: str | None = None) -> StoredFile:
    """A stored file for its uploader, or for anyone who may see a dossier that uses it (as a
    component or a result); otherwise "not found", the same answer as an unknown id. Every download
    is in the audit log; a staff download of a dossier's file is also in its access log."""
    stored = StoredFile.objects.filter(pk=file_id).first()
    holders = _visible_holders(user, str(file_id)) if stored is not None else []
    if stored is None or (stored.owner_id != getattr(user, "pk", None) and not holders):
        raise NotFound("file_not_found", "Không tìm thấy tệp.", "The file was not found.")
    audit.record("file.download", actor=user, target=str(stored.pk), payload={"name": stored.original_name}, ip=ip)
    log_staff_reads(user, holders, "download", ip)
    return stored


def _visible_holders(user, ref: str) -> list[Dossier]:
    """The dossiers the user may see that hold file `ref` (as a component or a result)."""
    held = {*DossierComponent.objects.filter(file_ref=ref).values_list("dossier_id", flat=True)}
    held |= {*DossierResult.objects.filter(file_ref=ref).values_list("dossier_id", flat=True)}
    return list(authz.visible_dossiers(user).filter(pk__in=held)) if held else []


def most_used_procedures(since: datetime, limit: int) -> list[str]:
    """Codes of the procedures with the most dossiers submitted since `since` (a GROUP BY over the
    fact rows), most used first."""
    return list(
        DossierFact.objects.filter(submitted_at__gte=since)
        .values("procedure__code")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("procedure__code", flat=True)[:limit]
    )
