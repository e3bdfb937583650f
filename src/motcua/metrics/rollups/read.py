"""Reading the rollups: the index of a scope or of many agencies at once, judged as of the period's end or
now, stamped with the time the rollups are as of; and answers remembered until the next refresh."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q, Sum

from motcua.common import clock
from motcua.common.timeutil import VN_TZ
from motcua.dossiers.models import DossierFact
from motcua.metrics import fact_index, formulas
from motcua.metrics.models import DailyRollup, MonthlyProcedureRollup, RollupWatermark
from motcua.metrics.periods import Period, judged_at, midnight, parse_period, whole_months
from motcua.metrics.procedures import catalog_counts, usage_of, used_of
from motcua.metrics.scopes import parse_scope
from motcua.metrics.scoring import DEFAULT_CONFIG, assemble

SUMS, JUDGED = formulas.SUMS, formulas.JUDGED
ROLLUP_SCOPES = ("node", "agency", "commune", "unit")
MEMO_SECONDS = 3600


def as_of() -> datetime | None:
    """When the rollups were last brought up to date (None: never built)."""
    mark = RollupWatermark.objects.first()
    return mark.refreshed_at if mark else None


def freshness(stamp: datetime | None) -> dict:
    """How old figures read at `stamp` are: `stale` once older than MOTCUA_ROLLUP_STALE_SECONDS (twice the
    refresher's minute by default: `motcua index rollup --every 60` is not running), with their age."""
    if stamp is None:
        return {"as_of": None, "stale": False, "minutes": None}
    age = (clock.now() - stamp).total_seconds()
    return {"as_of": stamp, "stale": age > settings.MOTCUA_ROLLUP_STALE_SECONDS, "minutes": max(0, int(age // 60))}


def memo(name: str, args: tuple, compute):
    """`compute()` remembered until the next refresh: figures that read only the rollups are a pure
    function of (arguments, watermark), so the answer is exact, not a stale copy."""
    stamp = as_of()
    key = "rollups:" + hashlib.sha256(repr((name, args, stamp)).encode()).hexdigest()
    return compute() if stamp is None else cache.get_or_set(key, compute, MEMO_SECONDS)


def _counts_by_agency(period: Period, key: str = "agency_id") -> dict[int, dict]:
    """Every count of the index per agency (or unit), judged as of the period's end or now."""
    moment = judged_at(period)
    today = moment.astimezone(VN_TZ).date()
    rows = (
        DailyRollup.objects.filter(day__gte=period.start, day__lte=period.end)
        .values(key)
        .order_by()
        .annotate(
            **{f"s_{k}": Sum(k) for k in SUMS},
            s_within=Sum("open_one_request", filter=Q(due_day__gt=today)),
            s_within_disliked=Sum("open_one_request_disliked", filter=Q(due_day__gt=today)),
            s_past=Sum("open_one_request", filter=Q(due_day__lt=today)),
        )
    )
    out = {r[key]: {k[2:]: v or 0 for k, v in r.items() if k != key} for r in rows}
    for c in out.values():  # more than one supplement request: late whatever the time
        c["past"] += c["open_more_requests"]
    start, stop = period.bounds
    boundary = (
        DossierFact.objects.filter(
            formulas.OPEN_ONE_REQUEST,
            received_at__gte=start,
            received_at__lt=stop,
            index_due_at__gte=midnight(today),
            index_due_at__lt=midnight(today + timedelta(days=1)),
        )
        .values(key.removesuffix("_id"))
        .order_by()
        .annotate(
            within=Count("pk", filter=Q(index_due_at__gte=moment)),
            within_disliked=Count("pk", filter=Q(index_due_at__gte=moment, disliked=True)),
            past=Count("pk", filter=Q(index_due_at__lt=moment)),
        )
    )
    for r in boundary:  # the open dossiers due on the day asked about, judged to the second
        c = out.setdefault(r[key.removesuffix("_id")], {k: 0 for k in [*SUMS, *JUDGED]})
        for k in JUDGED:
            c[k] += r[k]
    return out


def _total(per_agency: dict[int, dict], ids: set[int] | None) -> dict:
    total = {k: 0 for k in [*SUMS, *JUDGED]}
    for agency_id, c in per_agency.items():
        if ids is None or agency_id in ids:
            for k in total:
                total[k] += c.get(k, 0)
    return formulas.index_counts(total)


def _usage(period: Period, key: str = "agency_id") -> list[tuple]:
    """(agency or unit, procedure, online, fee-bearing, paid online) of the period."""
    if whole_months(period):
        rows = MonthlyProcedureRollup.objects.filter(month__gte=period.start, month__lte=period.end)
        sums = {"o": Sum("online"), "f": Sum("fee_bearing"), "p": Sum("paid_online")}
        return list(rows.values_list(key, "procedure_id").order_by().annotate(**sums))
    start, end = period.bounds  # a custom range that cuts months: read the facts
    return usage_of(DossierFact.objects.filter(received_at__gte=start, received_at__lt=end), key)


def compute(scope_text: str, period_text: str, config: str = DEFAULT_CONFIG) -> dict:
    """The index of one scope from the rollups (scopes they do not hold are computed from the facts)."""
    scope = parse_scope(scope_text)
    if scope.kind not in ROLLUP_SCOPES:
        return fact_index.compute(scope_text, period_text, config)
    period = parse_period(period_text)
    key = "unit_id" if scope.kind == "unit" else "agency_id"
    ids = None if scope.ids is None else set(scope.ids)
    counts = _total(_counts_by_agency(period, key), ids)
    catalog = catalog_counts(scope, period, used=used_of(_usage(period, key), ids))
    result = _stamped(assemble(counts, catalog, scope.label, period, config))
    result["full_process"] = {"eligible": counts["full_process_eligible"], "online": counts["full_process_online"]}
    return result


def compute_agencies(
    codes: list[str], period_text: str, config: str = DEFAULT_CONFIG, *, node: bool = False
) -> dict[str, dict]:
    """The index of many agencies (each with its subtree) at once, one pass over each rollup table;
    with `node`, the province's own index too (key "node") from the same pass."""
    period = parse_period(period_text)
    per_agency = _counts_by_agency(period)
    usage = _usage(period)
    stamp = as_of()
    out = fact_index.each_agency(
        codes, period, config, node=node, counts_of=lambda ids: _total(per_agency, ids), usage=usage
    )
    return {label: _stamped(result, stamp) for label, result in out.items()}


def _stamped(result: dict, stamp: datetime | None = None) -> dict:
    result["source"] = "rollups"
    result["as_of"] = stamp or as_of()
    return result
