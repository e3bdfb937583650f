"""Public catalog endpoints: search and read published procedures."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from motcua.api.schemas import PUBLIC_ERRORS, AgencyCode, Code, ErrorOut
from motcua.catalog import selectors
from motcua.catalog.services import version_to_dict
from motcua.common.numbers import plain_decimal

router = Router(tags=["catalog"])
MAX_LIMIT = 100


class ProcedureSummary(Schema):
    code: str
    version: int
    name: str
    field: str
    field_name: str
    level: str
    online_level: str
    full_process_eligible: bool
    statutory_time: str
    statutory_time_unit: str
    competent_agency: str | None
    competent_agency_kind: str | None
    total_fee_vnd: int


class ProcedurePage(Schema):
    items: list[ProcedureSummary]
    next_cursor: str | None


class ProcedureDetail(Schema):
    code: str
    version: int
    status: str
    effective_from: datetime
    effective_to: datetime | None
    name: str
    field: str
    field_name: str
    level: str
    competent_agency: str | None
    competent_agency_name: str | None
    competent_agency_kind: str | None
    online_level: str
    full_process_eligible: bool
    statutory_time: str
    statutory_time_unit: str
    applicant_types: list[str]
    steps_description: str
    requirements: str
    legal_basis: str
    publication_decision_number: str
    publication_decision_date: date | None
    internal: bool
    paper_result_required: bool
    fees: list[dict[str, Any]]
    components: list[dict[str, Any]]
    results: list[dict[str, Any]]
    steps: list[dict[str, Any]]


class SearchFilters(Schema):
    q: str | None = Field(default=None, max_length=200)
    field: str | None = Field(default=None, max_length=40)
    level: str | None = Field(default=None, max_length=40)
    online_level: str | None = Field(default=None, max_length=40)
    agency: AgencyCode | None = None
    limit: int = Field(default=20, ge=1, le=MAX_LIMIT)
    cursor: Code | None = Field(default=None, description="`next_cursor` of the previous page")


def _summary(v) -> dict[str, Any]:
    return {
        "code": v.procedure.code,
        "version": v.version,
        "name": v.name,
        "field": v.field.code,
        "field_name": v.field.name,
        "level": v.level,
        "online_level": v.online_level,
        "full_process_eligible": v.full_process_eligible,
        "statutory_time": plain_decimal(v.statutory_time_value),
        "statutory_time_unit": v.statutory_time_unit,
        "competent_agency": v.competent_agency.code if v.competent_agency else None,
        "competent_agency_kind": v.competent_agency_kind or None,
        "total_fee_vnd": sum(f.amount_vnd for f in v.fees.all()),
    }


@router.get("", response={200: ProcedurePage, **PUBLIC_ERRORS}, summary="Search published procedures")
def search(request: HttpRequest, filters: Query[SearchFilters]):
    """Diacritic-insensitive search: `dang ky khai sinh` finds `Đăng ký khai sinh`.

    Keyset pagination by procedure code: pass `next_cursor` back as `cursor`.
    """
    qs = selectors.search_procedures(
        filters.q, field=filters.field, level=filters.level, online_level=filters.online_level, agency=filters.agency
    ).prefetch_related("fees")
    if filters.cursor:
        qs = qs.filter(procedure__code__gt=filters.cursor)
    rows = list(qs[: filters.limit + 1])
    more = len(rows) > filters.limit
    rows = rows[: filters.limit]
    return {"items": [_summary(v) for v in rows], "next_cursor": rows[-1].procedure.code if more else None}


@router.get(
    "/{code}", response={200: ProcedureDetail, 404: ErrorOut, **PUBLIC_ERRORS}, summary="A published procedure in full"
)
def detail(request: HttpRequest, code: Code):
    """The version in force now: components, fees, results, process steps, legal basis."""
    version = selectors.version_in_force(code)
    body = version_to_dict(version)
    body.update(
        code=version.procedure.code,
        effective_from=version.effective_from,
        effective_to=version.effective_to,
        field=version.field.code,
        field_name=version.field.name,
        competent_agency_name=version.competent_agency.name if version.competent_agency else None,
        statutory_time=plain_decimal(version.statutory_time_value),
    )
    return body
