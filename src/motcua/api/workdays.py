"""Working-time endpoints (thin: parsing and arithmetic live in workdays.services)."""

from __future__ import annotations

from datetime import datetime

from ninja import Query, Router, Schema

from motcua.api.schemas import PUBLIC_ERRORS
from motcua.workdays import services
from motcua.workdays.engine import Unit

router = Router(tags=["workdays"])


class ExplainRow(Schema):
    date: str
    weekday: str
    kind: str
    counted: bool
    counted_seconds: int
    counted_hours: float
    reason: str
    reason_en: str


class DeadlineOut(Schema):
    start: datetime
    amount: str
    unit: str
    due: datetime
    calendar_version: str
    explain: list[ExplainRow]


class BetweenOut(Schema):
    start: datetime
    end: datetime
    seconds: int
    working_hours: float
    working_days: float
    calendar_version: str


@router.get(
    "/deadline",
    response={200: DeadlineOut, **PUBLIC_ERRORS},
    summary="Due instant of an amount of working time (hạn xử lý)",
)
def deadline(
    request,
    start: str = Query(..., max_length=40),
    amount: str = Query(..., max_length=20),
    unit: Unit = Unit.WORKING_DAYS,
    explain: bool = True,
):
    """`start` is ISO 8601 (naive = Vietnam time); `unit` is working_days, working_hours, days or months."""
    answer = services.compute_deadline(start, amount, unit, explain=explain)
    return {**answer.__dict__, "unit": answer.unit.value}


@router.get(
    "/between",
    response={200: BetweenOut, **PUBLIC_ERRORS},
    summary="Working time between two instants",
)
def between(request, start: str = Query(..., max_length=40), end: str = Query(..., max_length=40)):
    return services.compute_between(start, end).__dict__
