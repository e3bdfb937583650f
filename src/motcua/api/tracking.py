"""Public tracking without login: status, steps and appointment; never personal data."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from ninja import Router, Schema
from ninja.throttling import AnonRateThrottle

from motcua.api.schemas import ErrorOut
from motcua.dossiers import selectors
from motcua.dossiers.models import Status

router = Router(tags=["public"], throttle=[AnonRateThrottle(settings.MOTCUA_TRACKING_RATE)])


class TrackStep(Schema):
    name: str
    agency: str
    started_at: datetime
    finished_at: datetime | None
    due_at: datetime


class TrackOut(Schema):
    code: str
    procedure: str
    status: int
    status_name: str
    receiving_agency: str
    competent_agency: str
    submitted_at: datetime
    received_at: datetime | None
    appointment_at: datetime | None
    returned_at: datetime | None
    steps: list[TrackStep]


@router.get("/tracking/{code}", response={200: TrackOut, 404: ErrorOut, 429: ErrorOut}, summary="Track a dossier")
def track(request, code: str, phone: str):
    d = selectors.track(code, phone)
    return {
        "code": d.code,
        "procedure": d.procedure_version.name,
        "status": d.status,
        "status_name": str(Status(d.status).label),
        "receiving_agency": d.receiving_agency.name,
        "competent_agency": d.competent_agency.name,
        "submitted_at": d.submitted_at,
        "received_at": d.received_at,
        "appointment_at": d.appointment_at,
        "returned_at": d.returned_at,
        "steps": [
            {
                "name": s.name,
                "agency": s.agency.name,
                "started_at": s.started_at,
                "finished_at": s.finished_at,
                "due_at": s.due_at,
            }
            for s in d.steps.select_related("agency")
        ],
    }
