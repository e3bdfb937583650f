"""Building the rollups: each table rebuilt for a span of days by one `INSERT … SELECT … GROUP BY` in the
database (the rows never pass through Python, so a rebuild's memory does not grow with the data), a full
rebuild or a refresh of the days that changed, one refresher at a time."""

from __future__ import annotations

import bisect
from contextlib import contextmanager
from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import Case, Count, DateField, F, IntegerField, Q, Sum, Value, When
from django.db.models.functions import TruncDate, TruncMonth

from motcua.common import clock
from motcua.common.timeutil import VN_TZ
from motcua.dossiers.models import DossierFact, DossierStep
from motcua.metrics import formulas
from motcua.metrics.models import (
    DailyProcedureRollup,
    DailyRollup,
    DailyStepDuration,
    MonthlyProcedureRollup,
    RollupWatermark,
    StepDurationRollup,
    StepRollup,
)
from motcua.metrics.periods import midnight, month_end
from motcua.sync.models import SyncState

ROLLUPS = (DailyRollup, DailyProcedureRollup, MonthlyProcedureRollup, StepRollup, DailyStepDuration, StepDurationRollup)
# Office-time buckets of the step histograms: 15 minutes × 1.2^k (20 % wide), up to ~110 working days.
EDGES = [round(900 * 1.2**k) for k in range(46)]


def _between(rows, field: str, first: date | None, last: date | None):
    """Rows whose `field` falls on the days [first, last] (Vietnam time; open ends when not given)."""
    if first:
        rows = rows.filter(**{f"{field}__gte": midnight(first)})
    if last:
        rows = rows.filter(**{f"{field}__lt": midnight(last + timedelta(days=1))})
    return rows


def _facts_between(first: date | None, last: date | None):
    return _between(DossierFact.objects.filter(received_at__isnull=False), "received_at", first, last)


def _steps_between(first: date | None, last: date | None):
    return _between(DossierStep.objects.filter(finished_at__isnull=False), "finished_at", first, last)


def _daily(first, last):
    due = Case(
        When(formulas.OPEN_ONE_REQUEST, then=TruncDate("index_due_at", tzinfo=VN_TZ)),
        default=None,
        output_field=DateField(),
    )
    return (
        _facts_between(first, last)
        .annotate(d=TruncDate("received_at", tzinfo=VN_TZ), due=due)
        .values("d", "agency_id", "unit_id", "channel", "due")
        .order_by()
        .annotate(**formulas.rollup_sums())
    )


def _daily_procedures(first, last):
    return (
        _facts_between(first, last)
        .annotate(d=TruncDate("received_at", tzinfo=VN_TZ))
        .values("d", "agency_id", "unit_id", "procedure_id")
        .order_by()
        .annotate(n_received=Count("pk"), **formulas.used_counts())
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
    end = month_end(last.year, last.month) if last else None
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


def ensure_built() -> None:
    """Build the rollups the first time a reader needs them (afterwards `index rollup --every` keeps them)."""
    if not RollupWatermark.objects.exists():
        refresh()
