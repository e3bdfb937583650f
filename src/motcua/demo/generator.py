"""Fast bulk generator of realistic historical dossiers (for demos and benchmarks).

It simulates each dossier's life with the real calendar and process templates — reception,
appointment, steps with their budgets (some late), supplements, refusals, withdrawals,
returns, components with their digitization flags, own fees (a few exempt), results (most with
an electronic file), ratings — and writes them with the dossiers bulk writer (`dossiers.bulk`), which
derives each fact row as the services do, in batches with COPY (PostgreSQL) or executemany (SQLite).
Every batch is its own transaction, so an interrupted run keeps whole batches and `--count N` resumes
up to N ("at least N dossiers").
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from queue import Empty
from types import SimpleNamespace

from django.db import connection, transaction
from django.utils import timezone

from motcua.catalog.selectors import versions_in_force
from motcua.dossiers import bulk, timing
from motcua.dossiers.events import GENESIS, chain_hash, event_body
from motcua.dossiers.models import Dossier, DossierCodeCounter, DossierEvent, DossierFact, DossierStep
from motcua.org import selectors as org
from motcua.org.models import Agency, StaffRole
from motcua.sync.models import SyncState
from motcua.workdays.services import get_calendar

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Hoàng", "Võ", "Phan", "Trương", "Bùi", "Đặng", "Đỗ"]
MIDDLE = ["Văn", "Thị", "Minh", "Ngọc", "Thanh", "Hữu", "Đức", "Thu", "Quốc", "Gia"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hùng", "Lan", "Long", "Mai", "Nam", "Phúc", "Tâm", "Tuấn"]


@dataclass
class Plan:
    """One procedure as the generator uses it: where it is handled and its template."""

    version: object
    weight: float
    fee: int
    templates: list = field(default_factory=list)
    components: list = field(default_factory=list)
    fees: list = field(default_factory=list)
    results: list = field(default_factory=list)


class Generator:
    """Dossiers submitted in [window_start, window_end) (default: the last `days` days up to now),
    judged as of `now`; ids continue from `id_base` (default: the largest stored ids)."""

    def __init__(
        self,
        seed: int = 766,
        days: int = 180,
        now: datetime | None = None,
        window: tuple[datetime, datetime] | None = None,
        id_base: dict | None = None,
    ):
        self.rng = random.Random(seed)
        self.cal = get_calendar()
        self.now = now or timezone.now()
        self.window_start, self.window_end = window or (self.now - timedelta(days=days), self.now)
        self.plans = self._plans()
        self.communes = list(Agency.objects.filter(kind=Agency.Kind.COMMUNE_PC, active=True).select_related("commune"))
        self.desk_cache: dict[int, Agency] = {}
        self.kind_cache: dict[tuple, Agency] = {}
        # every stored counter at once: one query instead of one per desk and day
        self.counters: dict[tuple[int, str], int] = {
            (agency_id, day.isoformat()): last
            for agency_id, day, last in DossierCodeCounter.objects.values_list("agency_id", "day", "last")
        }
        self.dirty: set[tuple[int, str]] = set()
        self.ids = dict(id_base or max_ids())
        self.day_seconds = self.cal.office_hours.day_seconds
        self.staff: dict[tuple[int, str], list[int]] = {}
        roles = StaffRole.objects.filter(active=True).values_list("user_id", "agency_id", "role")
        for user_id, agency_id, role in roles:
            self.staff.setdefault((agency_id, role), []).append(user_id)

    def _plans(self) -> list[Plan]:
        plans = []
        qs = versions_in_force(self.now).select_related("competent_agency")
        qs = qs.prefetch_related("fees", "steps__agency", "components", "results")
        for v in qs.filter(internal=False):
            weight = 6.0 if v.level == "commune" else 1.0
            fees = list(v.fees.all())
            plans.append(
                Plan(
                    v,
                    weight,
                    sum(f.amount_vnd for f in fees),
                    list(v.steps.all()),
                    [c for c in v.components.all() if c.required],
                    fees,
                    list(v.results.all()),
                )
            )
        if not plans:
            raise RuntimeError("no procedure in force: load the demo first (motcua demo)")
        return plans

    # -- one dossier ----------------------------------------------------------------------
    def _code(self, desk: Agency, at: datetime) -> str:
        day = timezone.localdate(at)
        key = (desk.pk, day.isoformat())
        self.counters[key] = self.counters.get(key, 0) + 1
        self.dirty.add(key)
        return f"{desk.code}-{day:%y%m%d}-{self.counters[key]:04d}"

    def _place(self, plan: Plan) -> tuple[Agency, Agency, str | None]:
        v = plan.version
        if v.competent_agency_id:
            competent = v.competent_agency
        else:
            commune_pc = self.rng.choice(self.communes)
            competent = commune_pc
            if v.competent_agency_kind not in ("", "commune_pc"):
                key = (v.competent_agency_kind, commune_pc.pk)
                if key not in self.kind_cache:
                    found = org.agency_of_kind(key[0], commune=commune_pc.commune_id, province=commune_pc.province_id)
                    self.kind_cache[key] = found or commune_pc
                competent = self.kind_cache[key]
        if competent.pk not in self.desk_cache:
            self.desk_cache[competent.pk] = org.desk_for(competent)
        return competent, self.desk_cache[competent.pk], competent.commune_id

    def _instant(self) -> datetime:
        lo, hi = self.cal.offset(self.window_start), self.cal.offset(self.window_end)
        return self.cal.instant_at(self.rng.randint(lo + 1, hi))

    def dossier(self, batch: bulk.Batch) -> None:
        rng = self.rng
        plan = rng.choices(self.plans, weights=[p.weight for p in self.plans])[0]
        v = plan.version
        competent, desk, commune = self._place(plan)
        self.ids[Dossier] += 1
        did = self.ids[Dossier]
        submitted = self._instant()
        channel = rng.choices([1, 2, 3], weights=[50, 45, 5])[0] if v.online_level != "none" else rng.choice([1, 1, 3])
        d = SimpleNamespace(
            id=did,
            code=self._code(desk, submitted),
            status=1,
            submitted_at=submitted,
            received_at=None,
            appointment_at=None,
            first_appointment_at=None,
            due_at=None,
            risk_from=None,
            ended_at=None,
            returned_at=None,
            return_method="",
            supplement_count=0,
            supplement_seconds=0,
            rescheduled=False,
            paid_online=False,
            current_step_id=None,
            paused_at=None,
            supplements=[],
        )
        events: list[tuple] = []

        def event(action, frm, to, at, payload=None):
            events.append((action, frm, to, at, payload or {"generated": True}))

        event("submit", None, 1, submitted)
        fate = rng.random()
        if fate < 0.03:  # refused at reception
            d.status, d.ended_at = 3, submitted + timedelta(hours=rng.randint(1, 30))
            event("refuse", 1, 3, d.ended_at)
        else:
            self._handle(plan, d, competent, desk, batch, event, fate)
        self._emit(plan, d, competent, desk, commune, channel, events, batch)

    def _handle(self, plan, d, competent, desk, batch, event, fate) -> None:
        rng, cal, v = self.rng, self.cal, plan.version

        def budget_of(t) -> int:
            return timing.step_budget_seconds(cal, t.budget_value, t.budget_unit)

        received = submitted = d.submitted_at
        if rng.random() < 0.5:
            received = timing.add_working(cal, submitted, rng.randint(600, 4 * 3600))
        if received >= self.now:
            return
        d.received_at, d.status = received, 2
        d.appointment_at = d.first_appointment_at = d.due_at = cal.deadline(
            received, v.statutory_time_value, v.statutory_time_unit
        )
        event("receive", 1, 2, received, {"appointment_at": timezone.localtime(d.appointment_at).isoformat()})
        clock = received
        late_dossier = rng.random() < 0.12
        processing = [t for i, t in enumerate(plan.templates) if i == 0 or t.role != "receptionist"]
        for seq, tpl in enumerate(processing, 1):
            budget = timing.step_budget_seconds(cal, tpl.budget_value, tpl.budget_unit)
            factor = rng.uniform(0.9, 2.2) if late_dossier else rng.uniform(0.2, 0.95)
            due = timing.add_working(cal, clock, budget)
            spent = max(60, int(budget * factor))
            finish = timing.add_working(cal, clock, spent)
            agency = tpl.agency or (desk if tpl.role == "receptionist" else competent)
            self.ids[DossierStep] += 1
            open_now = finish >= self.now or (fate < 0.05 and seq > 1)
            officials = self.staff.get((agency.pk, tpl.role))
            official = None if open_now or not officials else rng.choice(officials)
            batch.steps.append(
                {
                    "id": self.ids[DossierStep],
                    "dossier_id": d.id,
                    "seq": seq,
                    "template_order": tpl.order,
                    "name": tpl.name,
                    "role": tpl.role,
                    "agency_id": agency.pk,
                    "unit_id": tpl.unit_id,
                    "inter_agency": tpl.inter_agency,
                    "budget_seconds": budget,
                    "state": "active" if open_now else "done",
                    "started_at": clock,
                    "due_at": due,
                    "finished_at": None if open_now else finish,
                    "outcome": "" if open_now else "forwarded",
                    "finished_by_id": official,
                    "office_seconds": None if open_now else spent,
                }
            )
            if open_now:
                d.status, d.current_step_id = (4 if seq > 1 else 2), self.ids[DossierStep]
                later = sum(budget_of(t) for t in processing[seq:])
                d.risk_from = timing.risk_from(cal, d.due_at, clock, due, later)
                return
            clock = finish
            if seq < len(processing):
                event("forward", 2 if seq == 1 else 4, 4, finish)
            if seq == 2 and rng.random() < 0.06:  # a supplement request during handling
                asked, back = clock, clock + timedelta(days=rng.randint(1, 12))
                event("request-supplement", 4, 5, asked, {"items": ["Bổ sung giấy tờ"], "generated": True})
                d.supplement_count += 1
                answered = back if back < self.now else None
                d.supplements.append({"requested_at": asked, "resubmitted_at": answered, "requested_by_id": official})
                if answered is None:
                    d.status, d.paused_at = 5, asked
                    return
                event("resubmit", 5, 4, back)
                d.supplement_seconds += int((back - asked).total_seconds())
                d.due_at = timing.shift_by_pause(cal, d.due_at, asked, back)
                clock = back
        if fate > 0.985:
            d.status, d.ended_at = 7, clock
            event("withdraw", 4, 7, clock)
            return
        d.status, d.ended_at = 9, clock
        event("resolve", 4, 9, clock, {"results": ["KQ"], "generated": True})
        returned = timing.add_working(cal, clock, rng.randint(1800, 3 * self.day_seconds))
        if returned < self.now:
            d.status, d.returned_at, d.return_method = 10, returned, "online" if rng.random() < 0.3 else "counter"
            event("return", 9, 10, returned, {"method": d.return_method})

    def _emit(self, plan, d, competent, desk, commune, channel, events, batch) -> None:
        rng, v = self.rng, plan.version
        prev = GENESIS
        for seq, (action, frm, to, at, payload) in enumerate(events, 1):
            digest = chain_hash(prev, event_body(d.code, seq, action, frm, to, None, at, payload))
            self.ids[DossierEvent] += 1
            batch.events.append(
                {
                    "id": self.ids[DossierEvent],
                    "dossier_id": d.id,
                    "seq": seq,
                    "action": action,
                    "from_status": frm,
                    "to_status": to,
                    "at": at,
                    "payload": payload,
                    "prev_hash": prev,
                    "hash": digest,
                }
            )
            prev = digest
        online = channel == 2
        paid = plan.fee > 0 and online and rng.random() < 0.5
        batch.dossiers.append(
            {
                "id": d.id,
                "code": d.code,
                "procedure_id": v.procedure_id,
                "procedure_version_id": v.pk,
                "status": d.status,
                "channel": channel,
                "applicant_type": 1,
                "applicant_name": f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
                "applicant_phone": f"09{rng.randint(10000000, 99999999)}",
                "receiving_agency_id": desk.pk,
                "competent_agency_id": competent.pk,
                "commune_id": commune,
                "submitted_at": d.submitted_at,
                "received_at": d.received_at,
                "appointment_at": d.appointment_at,
                "first_appointment_at": d.first_appointment_at,
                "due_at": d.due_at,
                "risk_from": d.risk_from,
                "ended_at": d.ended_at,
                "returned_at": d.returned_at,
                "return_method": d.return_method,
                "paused_at": d.paused_at,
                "resume_status": 4 if d.status == 5 else None,
                "supplement_count": d.supplement_count,
                "supplement_seconds": d.supplement_seconds,
                "fee_total_vnd": plan.fee,
                "paid_online": paid,
                "payment_platform": 2 if paid else None,
                "satisfaction": rng.choices([1, 2, 3], weights=[1, 5, 4])[0]
                if d.status == 10 and rng.random() < 0.3
                else None,
                "current_step_id": d.current_step_id,
                "version": len(events),
                "last_hash": prev,
            }
        )
        self._children(plan, d, online, batch)

    def _children(self, plan, d, online: bool, batch) -> None:
        """Components with their digitization flags, the dossier's own fees (a few exempt), supplement
        requests, and results (most with an electronic file)."""
        rng = self.rng
        for c in plan.components:
            batch.components.append(
                {
                    "dossier_id": d.id,
                    "code": c.code,
                    "name": c.name,
                    "digitized": online or rng.random() < 0.6,
                    "reused": c.reusable and rng.random() < 0.5,
                    "from_data_store": online and c.reusable and rng.random() < 0.3,
                }
            )
        exempt = rng.random() < 0.05
        for f in plan.fees:
            batch.fees.append(
                {
                    "dossier_id": d.id,
                    "code": f.code,
                    "name": f.name,
                    "kind": f.kind,
                    "amount_vnd": 0 if exempt else f.amount_vnd,
                }
            )
        batch.supplements += [
            {
                "dossier_id": d.id,
                "during_reception": False,
                "items": ["Bổ sung giấy tờ"],
                "reason": "Bổ sung giấy tờ",
                **s,
            }
            for s in d.supplements
        ]
        if d.status in (9, 10):
            electronic = rng.random() < 0.7
            for r in plan.results or [SimpleNamespace(code="KQ", name="Kết quả giải quyết")]:
                ref = f"{rng.getrandbits(128):032x}" if electronic else ""
                batch.results.append({"dossier_id": d.id, "code": r.code, "name": r.name, "file_ref": ref})

    # -- writing ------------------------------------------------------------------------------
    def write(self, batch: bulk.Batch) -> None:
        with transaction.atomic():
            bulk.write(batch, self.now)
            self._save_counters()
        _reset_sequences()

    def _save_counters(self) -> None:
        rows = [DossierCodeCounter(agency_id=a, day=d, last=self.counters[(a, d)]) for a, d in self.dirty]
        DossierCodeCounter.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["agency", "day"], update_fields=["last"]
        )
        self.dirty.clear()


def _reset_sequences() -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in (Dossier, DossierStep, DossierEvent):
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 1))"
            )


def max_ids() -> dict:
    return {m: (m.objects.order_by("-id").values_list("id", flat=True).first() or 0) for m in ID_MODELS}


ID_MODELS = (Dossier, DossierStep, DossierEvent)
# Ids a worker may use per dossier it generates (steps ≤ the longest template, events ≤ steps + 6).
ID_STRIDE = {Dossier: 1, DossierStep: 16, DossierEvent: 24}


def _run(gen: Generator, count: int, batch_size: int, report) -> int:
    done = 0
    while done < count:
        batch = bulk.Batch()
        for _ in range(min(batch_size, count - done)):
            gen.dossier(batch)
        gen.write(batch)
        done += len(batch.dossiers)
        report(len(batch.dossiers))
    return done


def generate(count: int, *, batch_size: int = 10_000, seed: int = 766, workers: int = 1, progress=None) -> int:
    """Make sure at least `count` dossiers exist; returns how many were added.

    With `workers` > 1 (PostgreSQL) the submission window is cut into whole days, one slice per
    worker process, so dossier codes (per desk per day) never collide; each worker owns a disjoint
    id range. Every batch is one transaction: an interrupted run keeps whole batches and resumes."""
    existing = Dossier.objects.count()
    missing = max(0, count - existing)
    if not missing:
        return 0
    task = progress.add_task("Sinh hồ sơ", total=missing) if progress else None

    def report(n: int) -> None:
        if progress:
            progress.advance(task, n)

    if workers <= 1 or connection.vendor != "postgresql":
        done = _run(Generator(seed=seed + existing), missing, batch_size, report)
    else:
        try:
            done = _parallel(missing, workers, seed + existing, batch_size, report)
        finally:
            _reset_sequences()
    _analyze()
    return done


def _analyze() -> None:
    """Fresh planner statistics after a bulk load (PostgreSQL): with the old ones it picked a
    5-million-row index range for a query that touches a few thousand rows."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in (*ID_MODELS, DossierFact, SyncState):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _parallel(missing: int, workers: int, seed: int, batch_size: int, report) -> int:
    import multiprocessing

    from django.db import connections

    now = timezone.now()
    first_day = timezone.localdate(now) - timedelta(days=180)
    bounds = [first_day + timedelta(days=round(180 * k / workers)) for k in range(workers + 1)]
    midnight = [timezone.make_aware(datetime(d.year, d.month, d.day)) for d in bounds]
    parts = [missing // workers + (k < missing % workers) for k in range(workers)]
    base = max_ids()
    connections.close_all()  # children open their own connections
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    procs = []
    for k in range(workers):
        ids = {m: base[m] + k * ID_STRIDE[m] * parts[0] for m in ID_MODELS}
        window = (midnight[k], now if k == workers - 1 else midnight[k + 1])
        args = (seed + 1000 * k, now, window, ids, parts[k], batch_size, queue)
        procs.append(ctx.Process(target=_worker, args=args, daemon=True))
    for proc in procs:
        proc.start()
    done = 0
    try:
        while any(p.is_alive() for p in procs) or not queue.empty():
            try:
                n = queue.get(timeout=0.5)
            except Empty:  # nothing reported in the last half second
                continue
            done += n
            report(n)
    finally:  # normally all have ended; on Ctrl-C stop them (their open batch rolls back)
        for proc in procs:
            if proc.is_alive():
                proc.terminate()
            proc.join()
    if any(p.exitcode for p in procs):
        raise RuntimeError("a generator worker failed: rerun the command to resume")
    return done


def _worker(seed, now, window, ids, count, batch_size, queue) -> None:
    gen = Generator(seed=seed, now=now, window=window, id_base=ids)
    _run(gen, count, batch_size, queue.put)
