"""Dossier endpoints: submit, list, read, events, and one endpoint per lifecycle action.
Thin: validation of meaning and every write happen in dossiers.services."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema
from ninja import Status as Reply

from motcua.api.auth import AUTH, actor
from motcua.api.schemas import AgencyCode, BodyIn, Code, Cursor, Day, ErrorOut, Instant, Username, Version
from motcua.common import net
from motcua.dossiers import authz, selectors, services
from motcua.dossiers.models import Dossier, Status

router = Router(tags=["dossiers"], auth=AUTH)
READ_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
ERRORS = {**READ_ERRORS, 409: ErrorOut, 413: ErrorOut}


class ComponentIn(Schema):
    code: str = Field(max_length=40)
    provided: bool = True
    file_ref: str = Field(default="", max_length=500)
    digitized: bool = False
    reused: bool = False
    from_data_store: bool = False  # taken from the applicant's data store (DuocLayTuKhoDMQG)


class ApplicantIn(Schema):
    type: Literal[1, 2] = 1
    name: str = Field(max_length=255)
    phone: str = Field(max_length=20)
    id_number: str = Field(default="", max_length=20)
    email: str = Field(default="", max_length=254)
    address: str = Field(default="", max_length=500)


class SubmitIn(BodyIn):
    procedure_code: str = Field(max_length=40)
    applicant: ApplicantIn
    commune_code: str | None = Field(default=None, max_length=5)
    channel: Literal[1, 2, 3] | None = None
    receiving_agency: AgencyCode | None = None
    components: list[ComponentIn] = Field(default_factory=list, max_length=100)
    form_data: dict[str, Any] = Field(default_factory=dict)
    on_behalf: bool = False
    receive_now: bool = True


class ResultIn(Schema):
    code: str = Field(max_length=40)
    name: str = Field(max_length=500)
    number: str = Field(default="", max_length=100)
    electronic: bool = True
    file_ref: str = Field(default="", max_length=500)


class AnswerIn(Schema):
    """The answer to one requested item of a supplement request (several per item: several files)."""

    item: int = Field(ge=1, le=100, description="The requested item's number as listed (1 = the first)")
    note: str = Field(default="", max_length=4000)
    file_ref: str = Field(default="", max_length=500, description="A file you uploaded")
    component: str = Field(default="", max_length=40, description="The procedure's component the file is (optional)")


class ActionIn(BodyIn):
    """Fields used by the actions; each action reads only its own (its service function's
    parameters, listed in docs/dossiers.md)."""

    version: Version | None = Field(default=None, description="Optimistic lock: the version you saw")
    reason: str = Field(default="", max_length=4000)
    comment: str = Field(default="", max_length=4000)
    note: str = Field(default="", max_length=4000)
    items: list[Annotated[str, Field(max_length=500)]] = Field(default_factory=list, max_length=100)
    assignee: Username | None = None
    unit: AgencyCode | None = None
    agency: AgencyCode | None = None
    budget_hours: float | None = Field(default=None, gt=0, le=10000)
    step_name: str = Field(default="", max_length=255)
    amount_vnd: int | None = Field(default=None, gt=0, le=10**12)
    paid_online: bool = False
    reference: str = Field(default="", max_length=100)
    new_appointment: Instant | None = None
    results: list[ResultIn] = Field(default_factory=list, max_length=50)
    method: str = Field(default="", max_length=40)
    components: list[ComponentIn] = Field(default_factory=list, max_length=100)
    answers: list[AnswerIn] = Field(
        default_factory=list,
        max_length=200,
        description="resubmit: a file or a note for every item of the supplement request",
    )


class StepOut(Schema):
    seq: int
    name: str
    role: str
    agency: str
    agency_name: str
    unit: str | None
    assignee: str | None
    inter_agency: bool
    state: str
    started_at: datetime
    due_at: datetime
    finished_at: datetime | None
    finished_by: str | None
    outcome: str
    comment: str = Field(description="The handover comment (ý kiến xử lý) written when the step was finished")
    on_time: str | None


class DossierSummary(Schema):
    code: str
    status: int
    status_name: str
    channel: int
    procedure_code: str
    procedure_name: str
    applicant_name: str
    competent_agency: str
    receiving_agency: str
    submitted_at: datetime
    received_at: datetime | None
    appointment_at: datetime | None
    due_at: datetime | None
    current_step: str | None
    flags: dict[str, Any]
    version: int


class DeclarationItemOut(Schema):
    name: str = Field(description="The field's name in the procedure's form schema")
    label: str = Field(description="The field's title in the procedure's form schema")
    value: str = Field(description="The answer as people read it: dates dd/mm/yyyy, Có/Không, choice labels")


class DossierOut(DossierSummary):
    applicant: dict[str, Any]
    declaration: list[DeclarationItemOut] = Field(
        description="The applicant's declaration (tờ khai): the answered fields of the procedure's form, in its order"
    )
    procedure_version: int
    first_appointment_at: datetime | None
    ended_at: datetime | None
    returned_at: datetime | None
    return_method: str
    fee_total_vnd: int
    amount_due_vnd: int
    paid_online: bool
    components: list[dict[str, Any]]
    steps: list[StepOut]
    supplements: list[dict[str, Any]]
    results: list[dict[str, Any]]
    actions: list[str] = Field(description="The lifecycle actions you may take on this dossier now")


class DossierPage(Schema):
    items: list[DossierSummary]
    next_cursor: int | None


class EventOut(Schema):
    seq: int
    action: str
    from_status: int | None
    to_status: int
    actor: str | None
    at: datetime
    payload: dict[str, Any]
    prev_hash: str
    hash: str


def summary(d: Dossier) -> dict[str, Any]:
    step = d.current_step
    return {
        "code": d.code,
        "status": d.status,
        "status_name": str(Status(d.status).label),
        "channel": d.channel,
        "procedure_code": d.procedure.code,
        "procedure_name": d.procedure_version.name,
        "applicant_name": d.applicant_name,
        "competent_agency": d.competent_agency.code,
        "receiving_agency": d.receiving_agency.code,
        "submitted_at": d.submitted_at,
        "received_at": d.received_at,
        "appointment_at": d.appointment_at,
        "due_at": d.due_at,
        "current_step": step.name if step else None,
        "flags": selectors.flags(d),
        "version": d.version,
    }


def _step(s) -> dict[str, Any]:
    end = s.finished_at
    on_time = None if end is None else ("late" if end > s.due_at else "on_time")
    return {
        "seq": s.seq,
        "name": s.name,
        "role": s.role,
        "agency": s.agency.code,
        "agency_name": s.agency.name,
        "unit": s.unit.code if s.unit else None,
        "assignee": s.assignee.username if s.assignee else None,
        "inter_agency": s.inter_agency,
        "state": s.state,
        "started_at": s.started_at,
        "due_at": s.due_at,
        "finished_at": end,
        "finished_by": s.finished_by.username if s.finished_by else None,
        "outcome": s.outcome,
        "comment": s.comment,
        "on_time": on_time,
    }


def detail(d: Dossier, user) -> dict[str, Any]:
    body = summary(d)
    body.update(
        applicant={
            "type": d.applicant_type,
            "name": d.applicant_name,
            "id_number": d.applicant_id_number,
            "phone": d.applicant_phone,
            "email": d.applicant_email,
            "address": d.applicant_address,
            "on_behalf": d.on_behalf,
        },
        declaration=selectors.declaration(d),
        procedure_version=d.procedure_version.version,
        first_appointment_at=d.first_appointment_at,
        ended_at=d.ended_at,
        returned_at=d.returned_at,
        return_method=d.return_method,
        fee_total_vnd=d.fee_total_vnd,
        amount_due_vnd=d.amount_due_vnd,
        paid_online=d.paid_online,
        components=list(
            d.components.values("code", "name", "provided", "digitized", "reused", "from_data_store", "file_ref")
        ),
        steps=[_step(s) for s in d.steps.select_related("agency", "unit", "assignee", "finished_by")],
        supplements=[
            {
                "requested_at": s.requested_at,
                "items": s.items,
                "reason": s.reason,
                "during_reception": s.during_reception,
                "resubmitted_at": s.resubmitted_at,
                "answers": s.answers,  # the applicant's answer per requested item (note, files)
            }
            for s in d.supplements.all()
        ],
        results=list(d.results.values("code", "name", "number", "electronic", "file_ref")),
        actions=[a for a in services.lifecycle_actions() if authz.may(user, d, a)],
    )
    return body


def _ip(request: HttpRequest) -> str | None:
    return net.client_ip(request) or None


StatusCode = Annotated[int, Field(ge=min(Status.values), le=max(Status.values))]  # TrangThaiHoSo 1..10


class DossierQuery(selectors.ListFilters):
    """The query parameters of GET /api/v1/dossiers: `dossiers.selectors.ListFilters`, each bounded."""

    status: list[StatusCode] | None = Field(default=None, max_length=len(Status.values))
    agency: AgencyCode | None = None
    unit: AgencyCode | None = None
    procedure: Code | None = None
    assignee: Username | None = None
    applicant: str | None = Field(
        default=None,
        min_length=9,
        max_length=20,
        pattern=r"^[0-9A-Za-z +().-]+$",
        description="The applicant's ID number (CCCD, tax code) or phone, matched exactly through a keyed hash",
    )
    overdue: bool | None = None
    at_risk: bool | None = None
    received_from: Day | None = None
    received_to: Day | None = None
    cursor: Cursor | None = None
    limit: int = Field(default=20, ge=1, le=selectors.MAX_PAGE)


@router.post("", response={201: DossierOut, **ERRORS}, summary="Submit online, or take in at a desk")
def submit(request: HttpRequest, body: SubmitIn):
    """A citizen's submission gets status 1; a receptionist's counter or postal intake is received
    at once (status 2, appointment fixed) unless `receive_now` is false."""
    a = body.applicant
    dossier = services.submit(
        actor(request),
        services.Submission(
            procedure_code=body.procedure_code,
            applicant_type=a.type,
            applicant_name=a.name,
            applicant_phone=a.phone,
            applicant_id_number=a.id_number,
            applicant_email=a.email,
            applicant_address=a.address,
            commune_code=body.commune_code,
            channel=body.channel,
            receiving_agency_code=body.receiving_agency,
            components=[c.dict() for c in body.components],
            form_data=body.form_data,
            on_behalf=body.on_behalf,
            receive_now=body.receive_now,
        ),
    )
    selectors.log_staff_reads(actor(request), [dossier], "submit", _ip(request))
    return Reply(201, detail(dossier, actor(request)))


@router.get("", response={200: DossierPage, **READ_ERRORS}, summary="Dossiers you may see (keyset pages)")
def list_dossiers(request: HttpRequest, q: Query[DossierQuery]):
    user = actor(request)
    rows, cursor = selectors.list_dossiers(user, selectors.ListFilters(**q.model_dump()))
    selectors.log_staff_reads(user, rows, "list", _ip(request))
    return {"items": [summary(d) for d in rows], "next_cursor": cursor}


@router.get("/{code}", response={200: DossierOut, **READ_ERRORS}, summary="One dossier in full")
def get_dossier(request: HttpRequest, code: Code):
    user = actor(request)
    return detail(selectors.get_dossier(user, code, ip=_ip(request)), user)


@router.get("/{code}/events", response={200: list[EventOut], **READ_ERRORS}, summary="The dossier's event chain")
def events(request: HttpRequest, code: Code):
    return [
        {
            "seq": e.seq,
            "action": e.action,
            "from_status": e.from_status,
            "to_status": e.to_status,
            "actor": e.actor.username if e.actor else None,
            "at": e.at,
            "payload": e.payload,
            "prev_hash": e.prev_hash,
            "hash": e.hash,
        }
        for e in selectors.events_of(actor(request), code)
    ]


_ACTION_DOC = "One of: " + ", ".join(services.lifecycle_actions())


@router.post("/{code}/{action}", response={200: DossierOut, **ERRORS}, summary="A lifecycle action")
def act(
    request: HttpRequest,
    body: ActionIn,
    code: Code,
    action: Annotated[str, Path(max_length=40, description=_ACTION_DOC)],
):
    """`action` is an edge of the transition table (docs/dossiers.md), dispatched by
    `dossiers.services.perform`. An unknown action answers 404 `unknown_action`; invalid transitions
    409 `invalid_transition`; a stale `version` 409 `version_conflict`; a missing right 403."""
    who = actor(request)
    dossier = services.perform(action, code, who, **body.model_dump())  # authorized by the service
    selectors.log_staff_reads(who, [dossier], action, _ip(request))
    return detail(dossier, who)
