"""The Decision 766 index, public (it is published by law)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ninja import Query, Router, Schema

from motcua.api.auth import AUTH, actor, optional_actor
from motcua.api.schemas import PUBLIC_ERRORS, Cursor, ErrorOut, OptionalPeriod, Period, Scope
from motcua.dossiers import authz
from motcua.metrics import fact_index, rollups, scopes, selectors
from motcua.metrics.periods import this_year
from motcua.metrics.scoring import DEFAULT_CONFIG
from motcua.protocol.index766 import config_names

router = Router(tags=["index"])


class IndexOut(Schema):
    config_version: str
    scope: str
    period: str
    start: str
    end: str
    total: float
    max_with_data: float
    groups: list[dict[str, Any]]
    source: str
    as_of: datetime | None


Source = Literal["auto", "facts", "rollups"]
Config = Literal[config_names()]  # chosen by name from `protocol/indicators/`, never a path


@router.get(
    "",
    response={200: IndexOut, 401: ErrorOut, **PUBLIC_ERRORS},
    summary="Decision 766 index for a scope and a period",
)
def index(
    request,
    scope: Scope = "node",
    period: OptionalPeriod = "",
    config: Config = DEFAULT_CONFIG,
    source: Source = "auto",
):
    """`scope`: node, agency:CODE, commune:CODE, unit:CODE, procedure:CODE, official:USERNAME. `period`: 2026,
    2026-H1, 2026-Q3, 2026-07 or 2026-01-01..2026-03-31. Each indicator carries numerator, denominator, rate (%),
    points and whether data exists for it yet; `config` selects the indicator set (766-2024, 766-2022).
    `source`: `rollups` reads the daily rollups (fast; `as_of` tells when they were last refreshed), `facts`
    recomputes from every dossier's fact row (exact to the second); `auto` uses the rollups once they exist.
    `official:` scopes need a staff login whose scope covers that official."""
    scopes.check_viewer(scope, optional_actor(request))
    if source == "facts" or (source == "auto" and rollups.as_of() is None):
        return fact_index.compute(scope, period, config)
    rollups.ensure_built()
    return rollups.compute(scope, period or this_year(), config)


class DrillPage(Schema):
    indicator: str
    part: str
    items: list[dict[str, Any]]
    next_cursor: int | None


@router.get(
    "/dossiers",
    auth=AUTH,
    response={200: DrillPage, 400: ErrorOut, 401: ErrorOut},
    summary="The dossiers behind a figure (drill-down)",
)
def drill(
    request,
    indicator: str = Query(..., pattern=r"^[0-9]{1,3}(\.[0-9]{1,3}){0,3}$", description="e.g. 2.1"),
    part: Literal["numerator", "denominator"] = "numerator",
    scope: Scope = "node",
    period: OptionalPeriod = "",
    cursor: Cursor | None = None,
    limit: int = Query(50, ge=1, le=200),
):
    """Dossiers counted in an indicator's numerator or denominator, limited to those the caller may see."""
    items, next_cursor = selectors.drill_page(actor(request), indicator, part, scope, period, cursor, limit)
    return {"indicator": indicator, "part": part, "items": items, "next_cursor": next_cursor}


reports_router = Router(tags=["reports"], auth=AUTH)
FILES = ("text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@reports_router.get(
    "/handling",
    response={200: dict, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    summary="Periodic report of handling results per agency (JSON, CSV or XLSX)",
    openapi_extra={"responses": {200: {"content": {t: {"schema": {"type": "string"}} for t in FILES}}}},
)
def handling(request, period: Period, format: Literal["json", "csv", "xlsx"] = "json"):
    """Received (carried over / online / at the desk or by post), handled (early / on time / late), in progress
    (within / overdue) per department and commune, for the caller's agencies; `format` json, csv or xlsx."""
    from django.conf import settings
    from django.http import HttpResponse

    from motcua.metrics import reports

    user = actor(request)
    if authz.is_citizen(user):
        raise authz.Forbidden("forbidden", "Chỉ cán bộ xem được báo cáo.", "Staff only.")
    ids = None if user.is_superuser else authz.scope_ids(user)
    report = reports.handling_report(period, ids)
    name = f"bao-cao-giai-quyet-tthc-{report['period']}"
    if format == "csv":
        response = HttpResponse(reports.to_csv(report), content_type=f"{FILES[0]}; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    if format == "xlsx":
        data = reports.to_xlsx(report, f"Tỉnh {settings.MOTCUA_SITE_NAME}")
        response = HttpResponse(data, content_type=FILES[1])
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    return report
