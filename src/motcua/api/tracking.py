"""Public tracking without login: status, steps and appointment; never personal data.

One lookup for the API (`GET /api/v1/public/tracking/{code}`) and the page (`/tra-cuu/`), with the same
budgets, shared by every process (`common.ratelimit`, Redis in production):
- `MOTCUA_TRACKING_RATE` lookups per client address;
- `MOTCUA_TRACKING_MISS_RATE` failed lookups per client address and per phone number: whoever knows a phone
  number cannot walk the sequential codes of its dossiers;
- `MOTCUA_TRACKING_PREFIX_MISS_RATE` failed lookups per code prefix (a desk's day, `…-YYMMDD-`), whatever
  the address or the phone: a spread-out guess at one desk's day stops too.
While a budget is spent the answer is 429 `rate_limited`, whether the guess was right or not. A wrong phone
and an unknown code answer the same 404, no sooner than `MISS_FLOOR_SECONDS`. Codes are matched in any case
and with stray spaces (`dossiers.codes.normalize_code`), and counted against their prefix's budget in that one
form, so changing the case of a guess buys no new budget.
"""

from __future__ import annotations

import time
from datetime import datetime

from django.conf import settings
from ninja import Path, Query, Router, Schema

from motcua.api.schemas import ErrorOut
from motcua.common import ratelimit
from motcua.common.errors import NotFound
from motcua.dossiers import selectors
from motcua.dossiers.codes import normalize_code
from motcua.dossiers.models import Dossier, Status
from motcua.identity.cccd import normalize_phone

router = Router(tags=["public"])
MISS_FLOOR_SECONDS = 0.05
CODE_MAX = 40  # Dossier.code
PHONE_MAX = 20


def _prefix(code: str) -> str:
    """The code less its trailing sequence number: the desk and day of `000.01.31.H53-260302-0007`."""
    code = normalize_code(code)
    return code.rstrip("0123456789") or code[:-4]


def lookup(request, code: str, phone: str) -> Dossier:
    """The dossier with this code and phone, within the caller's tracking budgets (see the module);
    `NotFound` (tracking_not_found) or `ratelimit.RateLimited`."""
    misses = ratelimit.rate_of(settings.MOTCUA_TRACKING_MISS_RATE)
    prefix_misses = ratelimit.rate_of(settings.MOTCUA_TRACKING_PREFIX_MISS_RATE)
    client = ratelimit.client_key(request)
    wanted = normalize_phone(phone)
    keys = [("track-miss:addr", client, misses), ("track-miss:code", _prefix(code), prefix_misses)]
    if wanted:
        keys.append(("track-miss:phone", wanted, misses))
    spent = [key[2].seconds for key in keys if ratelimit.spent(*key)]
    if spent:
        raise ratelimit.RateLimited(max(spent))
    ratelimit.check(request, "track", settings.MOTCUA_TRACKING_RATE)
    started = time.monotonic()
    try:
        return selectors.track(code, phone)
    except NotFound:
        for key in keys:
            ratelimit.hit(*key)
        time.sleep(max(0.0, started + MISS_FLOOR_SECONDS - time.monotonic()))
        raise


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


@router.get(
    "/tracking/{code}",
    response={200: TrackOut, 400: ErrorOut, 404: ErrorOut, 429: ErrorOut},
    summary="Track a dossier",
)
def track(
    request,
    code: str = Path(..., min_length=1, max_length=CODE_MAX),
    phone: str = Query(..., min_length=1, max_length=PHONE_MAX),
):
    """The dossier with this code and applicant phone number: 404 `tracking_not_found` for a wrong phone
    and for an unknown code alike; 429 `rate_limited` once a tracking budget is spent (per address, per
    phone number and per code prefix, shared with the `/tra-cuu/` page)."""
    d = lookup(request, code, phone)
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
