"""Rollups of the fact and step rows, and the Decision 766 index read from them.

Small tables, each rebuilt by one `INSERT … SELECT … GROUP BY` in the database (the rows never pass
through Python, so a rebuild's memory does not grow with the data):
- `DailyRollup`: received day × competent agency × unit × channel (running dossiers also by the day
  of their first appointment) — every count the index needs;
- `MonthlyProcedureRollup` (summed from `DailyProcedureRollup`): month × agency × unit × procedure —
  which procedures had online, fee-bearing and paid-online dossiers (catalog indicators);
- `StepRollup`: finished day × agency × unit × official × step — steps, late steps, office time;
- `StepDurationRollup` (summed from `DailyStepDuration`): month × agency × step × log bucket of
  office time — medians and p90.

`refresh()` rebuilds only the days whose facts, sync acknowledgements or steps changed since the last
refresh, then sums their months; `motcua index rollup --every 60` keeps them current, and every reader shows
the time its figures are as of.
"""

from __future__ import annotations

import bisect
import hashlib
from contextlib import contextmanager
from datetime import date, datetime, timedelta

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Case, Count, DateField, F, IntegerField, Q, Sum, Value, When
from django.db.models.functions import TruncDate, TruncMonth

from motcua.common import clock
from motcua.common.timeutil import VN_TZ
from motcua.dossiers.models import DossierFact, DossierStep
from motcua.metrics import engine
from motcua.metrics.models import (
    DailyProcedureRollup,
    DailyRollup,
    DailyStepDuration,
    MonthlyProcedureRollup,
    RollupWatermark,
    StepDurationRollup,
    StepRollup,
)
from motcua.protocol import index766
from motcua.sync.models import SyncState

SUMS = [
    "received",
    "synced",
    "ended_on_time",
    "ended_late",
    "fee_bearing",
    "paid_online",
    "paper_result",
    "electronic_result",
    "digitized",
    "reused",
    "from_data_store",
    "disliked",
    "ended_late_or_disliked",
    "online",
    "running",
    "running_disliked",
    "running_multi_supplement",
    "full_process_eligible",
    "full_process_online",
]
OPEN_ONE_REQUEST, ENDED_ON_TIME, ENDED_LATE = index766.OPEN_ONE_REQUEST, index766.ENDED_ON_TIME, index766.ENDED_LATE
ROLLUPS = (DailyRollup, DailyProcedureRollup, MonthlyProcedureRollup, StepRollup, DailyStepDuration, StepDurationRollup)
# Office-time buckets of the step histograms: 15 minutes × 1.2^k (20 % wide), up to ~110 working days.
EDGES = [round(900 * 1.2**k) for k in range(46)]


# -- building -----------------------------------------------------------------------------------------
def _fact_sums() -> dict:
    eligible = Q(procedure_version__full_process_eligible=True)
    return {
        **index766.counted_anytime(synced=engine.SYNCED),
        "n_ended_on_time": Count("pk", filter=ENDED_ON_TIME),
        "n_ended_late": Count("pk", filter=ENDED_LATE),
        "n_running": Count("pk", filter=OPEN_ONE_REQUEST),
        "n_running_disliked": Count("pk", filter=OPEN_ONE_REQUEST & Q(disliked=True)),
        "n_running_multi_supplement": Count("pk", filter=index766.OPEN & Q(supplement_count__gt=1)),
        "n_full_process_eligible": Count("pk", filter=eligible),
        "n_full_process_online": Count("pk", filter=eligible & Q(channel=2)),
    }


def _between(rows, field: str, first: date | None, last: date | None):
    """Rows whose `field` falls on the days [first, last] (Vietnam time; open ends when not given)."""
    if first:
        rows = rows.filter(**{f"{field}__gte": _midnight(first)})
    if last:
        rows = rows.filter(**{f"{field}__lt": _midnight(last + timedelta(days=1))})
    return rows


def _facts_between(first: date | None, last: date | None):
    return _between(DossierFact.objects.filter(received_at__isnull=False), "received_at", first, last)


def _steps_between(first: date | None, last: date | None):
    return _between(DossierStep.objects.filter(finished_at__isnull=False), "finished_at", first, last)


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=VN_TZ)


def _daily(first, last):
    due = Case(
        When(OPEN_ONE_REQUEST, then=TruncDate("index_due_at", tzinfo=VN_TZ)), default=None, output_field=DateField()
    )
    return (
        _facts_between(first, last)
        .annotate(d=TruncDate("received_at", tzinfo=VN_TZ), due=due)
        .values("d", "agency_id", "unit_id", "channel", "due")
        .order_by()
        .annotate(**_fact_sums())
    )


def _daily_procedures(first, last):
    return (
        _facts_between(first, last)
        .annotate(d=TruncDate("received_at", tzinfo=VN_TZ))
        .values("d", "agency_id", "unit_id", "procedure_id")
        .order_by()
        .annotate(
            n_received=Count("pk"),
            n_online=Count("pk", filter=Q(channel=2)),
            n_fee_bearing=Count("pk", filter=Q(fee_bearing=True)),
            n_paid_online=Count("pk", filter=Q(fee_bearing=True, paid_online=True)),
        )
    )


def _monthly_procedures(first, last):
    """A month's procedure usage summed from its days (the daily table is current for every day)."""
    return (
        _days_of(DailyProcedureRollup.objects.all(), first, last)
        .annotate(m=TruncMonth("day", output_field=DateField()))
        .values("m", "agency_id", "unit_id", "procedure_id")
        .order_by()
        .annotate(
            n_received=Sum("received"),
            n_online=Sum("online"),
            n_fee_bearing=Sum("fee_bearing"),
            n_paid_online=Sum("paid_online"),
        )
    )


def _days_of(rows, first: date | None, last: date | None, key: str = "day"):
    """Rollup rows whose `key` date is in [first, last] (open ends when not given)."""
    if first:
        rows = rows.filter(**{f"{key}__gte": first})
    if last:
        rows = rows.filter(**{f"{key}__lte": last})
    return rows


def _steps(first, last):
    return (
        _steps_between(first, last)
        .annotate(d=TruncDate("finished_at", tzinfo=VN_TZ))
        .values("d", "agency_id", "unit_id", "finished_by_id", "name", "budget_seconds")
        .order_by()
        .annotate(
            n_n=Count("pk"),
            n_late=Count("pk", filter=Q(finished_at__gt=F("due_at"))),
            n_office_seconds=Sum("office_seconds", default=0),
        )
    )


def bucket_of(seconds: int) -> int:
    """The histogram bucket of an office time (the same as `bucket_expression` in the database)."""
    return bisect.bisect_right(EDGES, seconds)


def bucket_expression() -> Case:
    whens = [When(office_seconds__lt=edge, then=Value(k)) for k, edge in enumerate(EDGES)]
    return Case(*whens, default=Value(len(EDGES)), output_field=IntegerField())


def _daily_durations(first, last):
    return (
        _steps_between(first, last)
        .filter(office_seconds__isnull=False)
        .annotate(d=TruncDate("finished_at", tzinfo=VN_TZ), b=bucket_expression())
        .values("d", "agency_id", "name", "budget_seconds", "b")
        .order_by()
        .annotate(n_n=Count("pk"))
    )


def _durations(first, last):
    """A month's step histograms summed from its days."""
    return (
        _days_of(DailyStepDuration.objects.all(), first, last)
        .annotate(m=TruncMonth("day", output_field=DateField()))
        .values("m", "agency_id", "name", "budget_seconds", "bucket")
        .order_by()
        .annotate(n_n=Sum("n"))
    )


def _insert_select(model, qs, renames: dict[str, str]) -> int:
    """INSERT INTO the rollup table SELECT … GROUP BY: the aggregate rows never pass through Python."""
    sql, params = qs.query.sql_with_params()
    names = list(qs.query.selected or [*qs.query.values_select, *qs.query.annotation_select])  # SELECT order
    columns = []
    for name in names:
        target = renames.get(name) or (name[2:] if name.startswith("n_") else name)
        columns.append(connection.ops.quote_name(model._meta.get_field(target.removesuffix("_id")).column))
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({', '.join(columns)}) {sql}", params)
        return max(cursor.rowcount, 0)


def _months(first: date | None, last: date | None) -> tuple[date | None, date | None]:
    """Whole months around [first, last] (monthly tables are rebuilt a month at a time)."""
    start = first.replace(day=1) if first else None
    end = index766.month_end(last.year, last.month) if last else None
    return start, end


def _replace(model, key: str, first: date | None, last: date | None, rows, renames: dict) -> int:
    """Delete the rollup rows of [first, last] and insert them again from `rows`."""
    _days_of(model.objects.all(), first, last, key).delete()
    return _insert_select(model, rows, renames)


MONTH = {"m": "month"}


def _rebuild_facts(first: date | None, last: date | None) -> int:
    """The days [first, last] of the daily tables, then their whole months summed from the days."""
    m_first, m_last = _months(first, last)
    return (
        _replace(DailyRollup, "day", first, last, _daily(first, last), {"d": "day", "due": "due_day"})
        + _replace(DailyProcedureRollup, "day", first, last, _daily_procedures(first, last), {"d": "day"})
        + _replace(
            MonthlyProcedureRollup, "month", m_first, m_last, _monthly_procedures(m_first, m_last), {"m": "month"}
        )
    )


def _rebuild_steps(first: date | None, last: date | None) -> int:
    m_first, m_last = _months(first, last)
    return (
        _replace(StepRollup, "day", first, last, _steps(first, last), {"d": "day", "finished_by_id": "official"})
        + _replace(DailyStepDuration, "day", first, last, _daily_durations(first, last), {"d": "day", "b": "bucket"})
        + _replace(StepDurationRollup, "month", m_first, m_last, _durations(m_first, m_last), MONTH)
    )


def rebuild(first: date | None = None, last: date | None = None, progress=None) -> int:
    """Recompute the rollups of the days in [first, last] (everything when not given), in one
    transaction: an interruption leaves the previous rollups as they were. A full rebuild also
    moves the refresh watermark to the moment it started."""
    started = clock.now()
    task = progress.add_task("Tổng hợp / rollups", total=2) if progress else None
    with _only_one() as mine, transaction.atomic():
        if not mine:
            return 0
        written = _rebuild_facts(first, last)
        if progress:
            progress.advance(task)
        written += _rebuild_steps(first, last)
        if progress:
            progress.advance(task)
        if first is None and last is None:
            RollupWatermark.objects.all().delete()
            RollupWatermark.objects.create(refreshed_at=started)
    _analyze()
    return written


def _analyze() -> None:
    """Fresh planner statistics after a rebuild (PostgreSQL plans the small rollup tables badly without)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in ROLLUPS:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def refresh(progress=None) -> int:
    """Rebuild only what changed since the last refresh: the received days of changed facts (and
    their months), the days newly synced dossiers were received, and the finished days of their steps."""
    with _only_one() as mine:
        return _refresh(progress) if mine else 0


def _refresh(progress) -> int:
    now = clock.now()
    mark = RollupWatermark.objects.first()
    if mark is None:
        return rebuild(progress=progress)
    since = mark.refreshed_at
    # what changed, as id lists: a minute's changes are few, and the lists keep the day lookups on indexes
    changed = set(DossierFact.objects.filter(updated_at__gte=since).values_list("dossier_id", flat=True)[:BULK])
    acked = set(SyncState.objects.filter(acked_at__gte=since).values_list("dossier_id", flat=True)[:BULK])
    if len(changed) >= BULK or len(acked) >= BULK:  # a bulk load or import: rebuild everything
        return rebuild(progress=progress)
    fact_days, step_days = set(), set()
    ids, step_ids = sorted(changed | acked), sorted(changed)
    for i in range(0, len(ids), 10_000):
        facts = DossierFact.objects.filter(dossier_id__in=ids[i : i + 10_000], received_at__isnull=False)
        fact_days |= set(facts.annotate(d=TruncDate("received_at", tzinfo=VN_TZ)).values_list("d", flat=True))
    for i in range(0, len(step_ids), 10_000):
        steps = DossierStep.objects.filter(dossier_id__in=step_ids[i : i + 10_000], finished_at__isnull=False)
        step_days |= set(steps.annotate(d=TruncDate("finished_at", tzinfo=VN_TZ)).values_list("d", flat=True))
    written = 0
    for first, last in _spans(fact_days):  # one transaction per span: an interruption leaves whole spans
        with transaction.atomic():
            written += _rebuild_facts(first, last)
    for first, last in _spans(step_days):
        with transaction.atomic():
            written += _rebuild_steps(first, last)
    RollupWatermark.objects.filter(pk=mark.pk).update(refreshed_at=now)
    return written


@contextmanager
def _only_one():
    """One refresher at a time (PostgreSQL advisory lock; SQLite serializes writers itself): two
    rebuilding the same days at once would both delete, then both insert. Yields False when another
    process holds it, and the caller skips this round."""
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
        mine = cursor.fetchone()[0]
    try:
        yield mine
    finally:
        if mine:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])


LOCK_KEY = 766_0001
BULK = 200_000  # more changed dossiers than this since the last refresh: a full rebuild is cheaper


def _spans(days: set[date]):
    """The changed days of each month as one (first, last) span (monthly tables rebuild whole months)."""
    by_month: dict[tuple[int, int], list[date]] = {}
    for d in sorted(days):
        by_month.setdefault((d.year, d.month), []).append(d)
    for month_days in by_month.values():
        yield month_days[0], month_days[-1]


def as_of() -> datetime | None:
    mark = RollupWatermark.objects.first()
    return mark.refreshed_at if mark else None


def memo(name: str, args: tuple, compute):
    """`compute()` remembered until the next refresh: figures that read only the rollups are a pure
    function of (arguments, watermark), so the answer is exact, not a stale copy."""
    stamp = as_of()
    key = "rollups:" + hashlib.sha256(repr((name, args, stamp)).encode()).hexdigest()
    return compute() if stamp is None else cache.get_or_set(key, compute, MEMO_SECONDS)


MEMO_SECONDS = 3600


def ensure_built() -> None:
    """Build the rollups the first time a reader needs them (afterwards `index rollup --every` keeps them)."""
    if not RollupWatermark.objects.exists():
        refresh()


# -- reading --------------------------------------------------------------------------------------------
def _counts_by_agency(period: engine.Period, key: str = "agency_id") -> dict[int, dict]:
    """Every count of the index per agency (or unit), judged as of the period's end or now."""
    _, end = period.bounds
    moment = min(clock.now(), end)
    today = moment.astimezone(VN_TZ).date()
    rows = (
        DailyRollup.objects.filter(day__gte=period.start, day__lte=period.end)
        .values(key)
        .order_by()
        .annotate(
            **{f"s_{k}": Sum(k) for k in SUMS},
            s_within=Sum("running", filter=Q(due_day__gt=today)),
            s_within_disliked=Sum("running_disliked", filter=Q(due_day__gt=today)),
            s_past=Sum("running", filter=Q(due_day__lt=today)),
        )
    )
    out = {r[key]: {k[2:]: v or 0 for k, v in r.items() if k != key} for r in rows}
    for c in out.values():  # more than one supplement request: late whatever the time
        c["past"] += c["running_multi_supplement"]
    start, stop = period.bounds
    boundary = (
        DossierFact.objects.filter(
            OPEN_ONE_REQUEST,
            received_at__gte=start,
            received_at__lt=stop,
            index_due_at__gte=_midnight(today),
            index_due_at__lt=_midnight(today + timedelta(days=1)),
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


JUDGED = ("within", "within_disliked", "past")


def _index_counts(c: dict) -> dict:
    return {
        "received": c["received"],
        "synced": c["synced"],
        "on_time": c["ended_on_time"] + c["within"],
        "online": c["online"],
        "fee_bearing": c["fee_bearing"],
        "paid_online": c["paid_online"],
        "paper_result": c["paper_result"],
        "electronic_result": c["electronic_result"],
        "digitized": c["digitized"],
        "reused": c["reused"],
        "from_data_store": c["from_data_store"],
        "late": c["ended_late"] + c["past"],
        "disliked": c["disliked"],
        "late_or_disliked": c["ended_late_or_disliked"] + c["past"] + c["within_disliked"],
        "full_process_eligible": c["full_process_eligible"],
        "full_process_online": c["full_process_online"],
    }


def _total(per_agency: dict[int, dict], ids: set[int] | None) -> dict:
    total = {k: 0 for k in [*SUMS, *JUDGED]}
    for agency_id, c in per_agency.items():
        if ids is None or agency_id in ids:
            for k in total:
                total[k] += c.get(k, 0)
    return _index_counts(total)


def _usage(period: engine.Period, key: str = "agency_id") -> list[tuple]:
    """(agency or unit, procedure, online, fee-bearing, paid online) of the period."""
    if period.start.day == 1 and period.end == index766.month_end(period.end.year, period.end.month):
        rows = MonthlyProcedureRollup.objects.filter(month__gte=period.start, month__lte=period.end)
        sums = {"o": Sum("online"), "f": Sum("fee_bearing"), "p": Sum("paid_online")}
        return list(rows.values_list(key, "procedure_id").order_by().annotate(**sums))
    start, end = period.bounds  # a custom range that cuts months: read the facts
    return engine.usage_of(DossierFact.objects.filter(received_at__gte=start, received_at__lt=end), key)


ROLLUP_SCOPES = ("node", "agency", "commune", "unit")


def compute(scope_text: str, period_text: str, config: str = engine.DEFAULT_CONFIG) -> dict:
    """The index of one scope from the rollups (scopes they do not hold are computed from the facts)."""
    scope = engine.parse_scope(scope_text)
    if scope.kind not in ROLLUP_SCOPES:
        return engine.compute(scope_text, period_text, config)
    period = engine.parse_period(period_text)
    key = "unit_id" if scope.kind == "unit" else "agency_id"
    ids = None if scope.ids is None else set(scope.ids)
    counts = _total(_counts_by_agency(period, key), ids)
    catalog = engine.catalog_counts(scope, period, used=engine.used_of(_usage(period, key), ids))
    result = _stamped(engine.assemble(counts, catalog, scope.label, period, config))
    result["full_process"] = {"eligible": counts["full_process_eligible"], "online": counts["full_process_online"]}
    return result


def compute_agencies(
    codes: list[str], period_text: str, config: str = engine.DEFAULT_CONFIG, *, node: bool = False
) -> dict[str, dict]:
    """The index of many agencies (each with its subtree) at once, one pass over each rollup table;
    with `node`, the province's own index too (key "node") from the same pass."""
    period = engine.parse_period(period_text)
    per_agency = _counts_by_agency(period)
    usage = _usage(period)
    catalog = engine.CatalogRows(period)
    stamp = as_of()
    scopes = {f"agency:{code}": ids for code, ids in engine.subtrees(codes).items()}
    if node:
        scopes["node"] = None
    out = {}
    for label, ids in scopes.items():
        counts = _total(per_agency, ids)
        result = engine.assemble(counts, catalog.counts(ids, engine.used_of(usage, ids)), label, period, config)
        out[label.removeprefix("agency:")] = _stamped(result, stamp)
    return out


def _stamped(result: dict, stamp: datetime | None = None) -> dict:
    result["source"] = "rollups"
    result["as_of"] = stamp or as_of()
    return result
