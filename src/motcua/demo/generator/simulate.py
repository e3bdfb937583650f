"""One dossier's simulated life with the real calendar and its process template: reception and
appointment, the steps with their budgets (some late), supplements, refusals, withdrawals, returns."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone

from motcua.demo.generator import plan as P
from motcua.demo.generator.rows import emit
from motcua.demo.generator.write import CodeCounters, max_ids
from motcua.dossiers import bulk, timing
from motcua.dossiers.models import Dossier, DossierStep, Status
from motcua.org.models import Agency
from motcua.workdays.services import get_calendar


@dataclass
class Life:
    """A dossier as its simulated life leaves it: its columns and the events that led there."""

    id: int
    plan: P.Plan
    competent: Agency
    desk: Agency
    commune_id: int | None
    submitted_at: datetime
    channel: int
    code: str
    status: int = Status.SUBMITTED
    received_at: datetime | None = None
    appointment_at: datetime | None = None
    first_appointment_at: datetime | None = None
    due_at: datetime | None = None
    risk_from: datetime | None = None
    ended_at: datetime | None = None
    returned_at: datetime | None = None
    return_method: str = ""
    supplement_count: int = 0
    supplement_seconds: int = 0
    current_step_id: int | None = None
    paused_at: datetime | None = None
    supplements: list[dict] = field(default_factory=list)
    events: list[tuple] = field(default_factory=list)

    def event(self, action: str, frm: int | None, to: int, at: datetime, payload: dict | None = None) -> None:
        self.events.append((action, frm, to, at, payload or {"generated": True}))


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
        self.plans = P.load_plans(self.now)
        self.places = P.Places()
        self.codes = CodeCounters()
        self.ids = dict(id_base or max_ids())
        self.day_seconds = self.cal.office_hours.day_seconds
        self.staff = P.load_staff()

    def dossier(self, batch: bulk.Batch) -> None:
        """Simulate one more dossier and add its rows to the batch."""
        rng = self.rng
        d = self._submit()
        d.event("submit", None, 1, d.submitted_at)
        fate = rng.random()
        if fate < P.REFUSED_BELOW:
            d.status, d.ended_at = Status.REFUSED, d.submitted_at + timedelta(hours=rng.randint(1, 30))
            d.event("refuse", 1, 3, d.ended_at)
        elif self._receive(d):
            clock = self._steps(d, batch, fate)
            if clock is not None:
                self._close(d, clock, fate)
        emit(rng, self.ids, d, batch)

    def _submit(self) -> Life:
        rng = self.rng
        plan = P.pick_plan(rng, self.plans)
        competent, desk, commune_id = self.places.place(rng, plan)
        self.ids[Dossier] += 1
        submitted = self._instant()
        channel = P.pick_channel(rng, plan.version)
        code = self.codes.next_code(desk, submitted)
        return Life(self.ids[Dossier], plan, competent, desk, commune_id, submitted, channel, code)

    def _instant(self) -> datetime:
        lo, hi = self.cal.offset(self.window_start), self.cal.offset(self.window_end)
        return self.cal.instant_at(self.rng.randint(lo + 1, hi))

    def _budget(self, tpl) -> int:
        return timing.step_budget_seconds(self.cal, tpl.budget_value, tpl.budget_unit)

    def _receive(self, d: Life) -> bool:
        """Half are received a little after submission; False when that is still ahead of `now`."""
        rng, v = self.rng, d.plan.version
        received = d.submitted_at
        if rng.random() < 0.5:
            received = timing.add_working(self.cal, received, rng.randint(600, 4 * 3600))
        if received >= self.now:
            return False
        d.received_at, d.status = received, Status.RECEIVED
        d.appointment_at = d.first_appointment_at = d.due_at = self.cal.deadline(
            received, v.statutory_time_value, v.statutory_time_unit
        )
        d.event("receive", 1, 2, received, {"appointment_at": timezone.localtime(d.appointment_at).isoformat()})
        return True

    def _steps(self, d: Life, batch: bulk.Batch, fate: float) -> datetime | None:
        """The processing steps in turn (12 % of dossiers run late); returns when the last one ended,
        or None when the dossier stays open (at a step or waiting for a supplement)."""
        clock = d.received_at
        late = self.rng.random() < 0.12
        processing = [t for i, t in enumerate(d.plan.templates) if i == 0 or t.role != "receptionist"]
        for seq, tpl in enumerate(processing, 1):
            step = self._step(d, tpl, seq, clock, late, fate)
            batch.steps.append(step)
            if step["state"] == "active":
                self._stop_at(d, step, processing[seq:])
                return None
            clock = step["finished_at"]
            if seq < len(processing):
                d.event("forward", 2 if seq == 1 else 4, 4, clock)
            if seq == 2 and self.rng.random() < 0.06:  # a supplement request during handling
                clock = self._supplement(d, clock, step["finished_by_id"])
                if clock is None:
                    return None
        return clock

    def _step(self, d: Life, tpl, seq: int, clock: datetime, late: bool, fate: float) -> dict:
        rng, cal = self.rng, self.cal
        budget = self._budget(tpl)
        factor = rng.uniform(0.9, 2.2) if late else rng.uniform(0.2, 0.95)
        due = timing.add_working(cal, clock, budget)
        spent = max(60, int(budget * factor))
        finish = timing.add_working(cal, clock, spent)
        agency = tpl.agency or (d.desk if tpl.role == "receptionist" else d.competent)
        self.ids[DossierStep] += 1
        open_now = finish >= self.now or (fate < P.STALLED_BELOW and seq > 1)
        officials = self.staff.get((agency.pk, tpl.role))
        official = None if open_now or not officials else rng.choice(officials)
        return {
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

    def _stop_at(self, d: Life, step: dict, later: list) -> None:
        """The dossier stays at this open step; its risk starts from the budgets still ahead."""
        d.status, d.current_step_id = (Status.PROCESSING if step["seq"] > 1 else Status.RECEIVED), step["id"]
        ahead = sum(self._budget(t) for t in later)
        d.risk_from = timing.risk_from(self.cal, d.due_at, step["started_at"], step["due_at"], ahead)

    def _supplement(self, d: Life, asked: datetime, official: int | None) -> datetime | None:
        """A supplement request; returns when the applicant answered, or None while still awaited."""
        back = asked + timedelta(days=self.rng.randint(1, 12))
        d.event("request-supplement", 4, 5, asked, {"items": [P.SUPPLEMENT_ITEM], "generated": True})
        d.supplement_count += 1
        answered = back if back < self.now else None
        d.supplements.append({"requested_at": asked, "resubmitted_at": answered, "requested_by_id": official})
        if answered is None:
            d.status, d.paused_at = Status.SUPPLEMENT, asked
            return None
        d.event("resubmit", 5, 4, back)
        d.supplement_seconds += int((back - asked).total_seconds())
        d.due_at = timing.shift_by_pause(self.cal, d.due_at, asked, back)
        return back

    def _close(self, d: Life, clock: datetime, fate: float) -> None:
        """Withdrawn, or resolved and (once that is past) returned online or at the counter."""
        rng = self.rng
        if fate > P.WITHDRAWN_ABOVE:
            d.status, d.ended_at = Status.WITHDRAWN, clock
            d.event("withdraw", 4, 7, clock)
            return
        d.status, d.ended_at = Status.RESOLVED, clock
        d.event("resolve", 4, 9, clock, {"results": ["KQ"], "generated": True})
        returned = timing.add_working(self.cal, clock, rng.randint(1800, 3 * self.day_seconds))
        if returned < self.now:
            d.status, d.returned_at, d.return_method = (
                Status.RETURNED,
                returned,
                "online" if rng.random() < 0.3 else "counter",
            )
            d.event("return", 9, 10, returned, {"method": d.return_method})
