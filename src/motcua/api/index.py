"""The Decision 766 index, public (it is published by law)."""

from __future__ import annotations

from typing import Any

from ninja import Router, Schema

from motcua.api.schemas import ErrorOut
from motcua.metrics import engine

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


@router.get("", response={200: IndexOut, 400: ErrorOut}, summary="Decision 766 index for a scope and a period")
def index(request, scope: str = "node", period: str = "", config: str = engine.DEFAULT_CONFIG):
    """`scope`: node, agency:CODE, unit:CODE, procedure:CODE. `period`: 2026, 2026-H1, 2026-Q3, 2026-07 or
    2026-01-01..2026-03-31. Each indicator carries numerator, denominator, rate (%), points and whether data
    exists for it yet; `config` selects the indicator set (766-2024, 766-2022)."""
    return engine.compute(scope, period, config)
