"""The one writer of dossier state. Every operation, in one transaction: lock the row,
check the transition table and the actor's right, apply the change, recompute deadlines,
append a hash-chained event, refresh the fact row. Nothing else writes dossier tables.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from motcua.catalog.models import ProcessStep
from motcua.catalog.selectors import version_in_force
from motcua.common import clock
from motcua.common.errors import Conflict, InvalidInput
from motcua.dossiers import authz, timing
from motcua.dossiers.codes import allocate_code
from motcua.dossiers.events import GENESIS, chain_hash, event_body
from motcua.dossiers.facts import refresh_fact
from motcua.dossiers.models import (
    OPEN,
    Dossier,
    DossierComponent,
    DossierEvent,
    DossierFee,
    DossierResult,
    DossierStep,
    DossierSupplement,
    ReturnMethod,
    Status,
)
from motcua.dossiers.transitions import RECORDINGS, TRANSITIONS
from motcua.org import selectors as org
from motcua.org.models import Agency
from motcua.sync import outbox
from motcua.workdays.engine import WorkCalendar
from motcua.workdays.services import get_calendar


@dataclass
class Ctx:
    """What an operation sees: the locked dossier, the actor, now, the calendar."""

    dossier: Dossier
    actor: Any
    now: datetime
    calendar: WorkCalendar
    _template: list[ProcessStep] | None = None
    last_seq: int | None = None  # seq of the step this operation just finished

    @property
    def template(self) -> list[ProcessStep]:
        """The process template of the dossier's procedure version (read once per operation)."""
        if self._template is None:
            self._template = list(
                self.dossier.procedure_version.steps.select_related("agency", "unit").order_by("order")
            )
        return self._template


# -- the transaction skeleton ------------------------------------------------------------------
def _act(code: str, action: str, actor, version: int | None, apply: Callable[[Ctx], dict], target=None) -> Dossier:
    edge = TRANSITIONS.get(action) or RECORDINGS[action]
    with transaction.atomic():
        dossier = _locked(code, actor)
        authz.ensure_may_see(actor, dossier)
        if version is not None and version != dossier.version:
            raise Conflict(
                "version_conflict",
                "Hồ sơ vừa được người khác cập nhật; vui lòng tải lại.",
                "The dossier was changed by someone else; reload it.",
                current_version=dossier.version,
            )
        if dossier.status not in edge.sources:
            raise _invalid_transition(dossier, action)
        authz.ensure_role(actor, edge, (target or _acting_agency)(dossier))
        ctx = Ctx(dossier, actor, clock.now(), get_calendar())
        from_status = dossier.status
        payload = apply(ctx)
        if edge.target is not None:
            dossier.status = edge.target
        _record(ctx, action, from_status, payload)
    return dossier


def _locked(code: str, actor) -> Dossier:
    dossier = (
        Dossier.objects.select_for_update(of=("self",))
        .select_related(
            "procedure",
            "receiving_agency",
            "competent_agency",
            "procedure_version",
            "current_step__agency",
            "current_step__unit",
        )
        .filter(code=code)
        .first()
    )
    if dossier is None:
        raise authz.not_found(code)
    return dossier


def _acting_agency(dossier: Dossier) -> list[Agency]:
    """Where the work is now: the current step's unit or agency, else the receiving desk."""
    step = dossier.current_step
    if step is not None:
        return [step.unit or step.agency]
    return [dossier.receiving_agency]


def _desk(dossier: Dossier) -> list[Agency]:
    return [dossier.receiving_agency]


def _desk_or_step(dossier: Dossier) -> list[Agency]:
    return _desk(dossier) + _acting_agency(dossier)


def _invalid_transition(dossier: Dossier, action: str) -> Conflict:
    status = Status(dossier.status)
    allowed = sorted(a for a, e in TRANSITIONS.items() if dossier.status in e.sources)
    return Conflict(
        "invalid_transition",
        f"Không thể '{action}' khi hồ sơ đang ở trạng thái {status.value} ({status.label}).",
        f"Cannot '{action}' a dossier in status {status.value}.",
        status=status.value,
        allowed=allowed,
    )


def _record(ctx: Ctx, action: str, from_status: int | None, payload: dict) -> None:
    """Append the event, refresh derived fields and the fact row, save the dossier."""
    d = ctx.dossier
    d.version += 1
    _refresh_risk(ctx)
    body = event_body(d.code, d.version, action, from_status, d.status, _actor_id(ctx.actor), ctx.now, payload)
    digest = chain_hash(d.last_hash or GENESIS, body)
    DossierEvent.objects.create(
        dossier=d,
        seq=d.version,
        action=action,
        from_status=from_status,
        to_status=d.status,
        actor_id=_actor_id(ctx.actor),
        at=ctx.now,
        payload=payload,
        prev_hash=d.last_hash or GENESIS,
        hash=digest,
    )
    d.last_hash = digest
    d.save()
    refresh_fact(d, ctx.now, action)
    outbox.record_change(d.pk, d.version, ctx.now)  # same transaction: no change is ever lost


def _actor_id(actor) -> int | None:
    return getattr(actor, "pk", None)


def _iso(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def _text(value: str, field: str, code: str = "reason_required") -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidInput(code, f"Phải nhập '{field}'.", f"'{field}' is required.", field=field)
    return text


# -- steps ---------------------------------------------------------------------------------------
def _step_agency(d: Dossier, tpl: ProcessStep) -> Agency:
    if tpl.agency_id:
        return tpl.agency
    if tpl.agency_kind:
        found = org.agency_of_kind(tpl.agency_kind, commune=d.commune_id, province=d.competent_agency.province_id)
        if found is None:
            raise InvalidInput(
                "no_agency_for_step",
                f"Không có cơ quan loại '{tpl.agency_kind}' để thực hiện bước '{tpl.name}'.",
                f"No agency of kind '{tpl.agency_kind}' for step '{tpl.name}'.",
            )
        return found
    return d.receiving_agency if tpl.role == "receptionist" else d.competent_agency


def _start_step(
    ctx: Ctx, *, name, role, agency, unit=None, budget: int, template_order=None, inter_agency=False, assignee=None
) -> DossierStep:
    d = ctx.dossier
    # the current (or just finished) step is always the newest one
    latest = d.current_step.seq if d.current_step else ctx.last_seq
    if latest is None:
        latest = d.steps.order_by("-seq").values_list("seq", flat=True).first() or 0
    seq = latest + 1
    step = DossierStep.objects.create(
        dossier=d,
        seq=seq,
        template_order=template_order,
        name=name,
        role=role,
        agency=agency,
        unit=unit,
        assignee=assignee,
        inter_agency=inter_agency,
        budget_seconds=budget,
        started_at=ctx.now,
        due_at=timing.add_working(ctx.calendar, ctx.now, budget),
    )
    d.current_step = step
    return step


def _start_template_step(ctx: Ctx, tpl: ProcessStep, assignee=None) -> DossierStep:
    d = ctx.dossier
    agency = _step_agency(d, tpl)
    return _start_step(
        ctx,
        name=tpl.name,
        role=tpl.role,
        agency=agency,
        unit=tpl.unit,
        template_order=tpl.order,
        budget=timing.step_budget_seconds(ctx.calendar, tpl.budget_value, tpl.budget_unit),
        inter_agency=tpl.inter_agency or (agency.pk != d.competent_agency_id and tpl.role != "receptionist"),
        assignee=assignee,
    )


def _finish_current(ctx: Ctx, outcome: str, comment: str = "") -> DossierStep | None:
    step = ctx.dossier.current_step
    if step is None:
        return None
    step.state = DossierStep.State.DONE if outcome != "cancelled" else DossierStep.State.CANCELLED
    step.finished_at, step.finished_by, step.outcome, step.comment = ctx.now, ctx.actor, outcome, comment
    step.office_seconds = timing.office_seconds_spent(ctx.calendar, step.budget_seconds, step.due_at, ctx.now)
    step.save(update_fields=["state", "finished_at", "finished_by", "office_seconds", "outcome", "comment"])
    ctx.dossier.current_step = None
    ctx.last_seq = step.seq
    return step


def _next_template(ctx: Ctx, after_order: int | None) -> ProcessStep | None:
    return next((t for t in ctx.template if after_order is None or t.order > after_order), None)


def _refresh_risk(ctx: Ctx) -> None:
    d, step = ctx.dossier, ctx.dossier.current_step
    if d.status not in OPEN or d.due_at is None or step is None or d.status == Status.SUPPLEMENT:
        d.risk_from = None
        return
    later = sum(
        timing.step_budget_seconds(ctx.calendar, t.budget_value, t.budget_unit)
        for t in ctx.template
        if step.template_order is not None and t.order > step.template_order and t.role != "receptionist"
    )
    d.risk_from = timing.risk_from(ctx.calendar, d.due_at, step.started_at, step.due_at, later)


# -- submission ---------------------------------------------------------------------------------
@dataclass
class Submission:
    procedure_code: str
    applicant_type: int
    applicant_name: str
    applicant_phone: str
    applicant_id_number: str = ""
    applicant_email: str = ""
    applicant_address: str = ""
    commune_code: str | None = None
    channel: int | None = None
    receiving_agency_code: str | None = None
    components: list[dict] | None = None
    form_data: dict | None = None
    on_behalf: bool = False
    receive_now: bool = True


def submit(actor, sub: Submission) -> Dossier:
    """A citizen submits online (status 1), or a desk takes a dossier in at the counter or by post
    for a walk-in applicant and receives it at once (status 2)."""
    from motcua.dossiers import intake

    now = clock.now()
    version = version_in_force(sub.procedure_code, now)
    prepared = intake.prepare(actor, sub, version)
    with transaction.atomic():
        d = Dossier(
            procedure_id=version.procedure_id,
            procedure_version=version,
            status=Status.SUBMITTED,
            channel=prepared.channel,
            applicant_type=sub.applicant_type,
            applicant_name=prepared.applicant_name,
            applicant_id_number=prepared.id_number,
            applicant_phone=prepared.phone,
            applicant_email=sub.applicant_email.strip(),
            applicant_address=sub.applicant_address.strip(),
            on_behalf=sub.on_behalf,
            owner=actor if authz.is_citizen(actor) else None,
            receiving_agency=prepared.desk,
            competent_agency=prepared.competent,
            commune=prepared.commune,
            form_data=sub.form_data or {},
            submitted_at=now,
        )
        fees = list(version.fees.all())
        d.fee_total_vnd = sum(f.amount_vnd for f in fees)
        d.code = allocate_code(prepared.desk, now)
        d.save()
        DossierComponent.objects.bulk_create(DossierComponent(dossier=d, **c) for c in prepared.components)
        # the dossier's own fee list starts as the procedure's (an exemption later lists 0)
        DossierFee.objects.bulk_create(
            DossierFee(dossier=d, code=f.code, name=f.name, kind=f.kind, amount_vnd=f.amount_vnd) for f in fees
        )
        ctx = Ctx(d, actor, now, get_calendar())
        _record(ctx, "submit", None, {"channel": d.channel, "procedure_version": version.version})
        if not authz.is_citizen(actor) and sub.receive_now:
            _receive(ctx)
            d.status = Status.RECEIVED
            _record(ctx, "receive", Status.SUBMITTED, {"appointment_at": _iso(d.appointment_at)})
    return d


# -- reception ------------------------------------------------------------------------------------
def _receive(ctx: Ctx) -> dict:
    d, v = ctx.dossier, ctx.dossier.procedure_version
    d.received_at = ctx.now
    appointment = ctx.calendar.deadline(ctx.now, v.statutory_time_value, v.statutory_time_unit)
    d.appointment_at = d.first_appointment_at = d.due_at = appointment
    first = _next_template(ctx, None)
    if first is not None:
        _start_template_step(ctx, first, assignee=ctx.actor)
    return {"appointment_at": _iso(appointment)}


def receive(code: str, actor, *, version: int | None = None) -> Dossier:
    return _act(code, "receive", actor, version, _receive, target=_desk)


def refuse(code: str, actor, *, reason: str, version: int | None = None) -> Dossier:
    def apply(ctx: Ctx) -> dict:
        ctx.dossier.ended_at = ctx.now
        return {"reason": _text(reason, "reason")}

    return _act(code, "refuse", actor, version, apply, target=_desk)


def request_supplement(code: str, actor, *, items: list[str], reason: str, version: int | None = None) -> Dossier:
    def apply(ctx: Ctx) -> dict:
        d = ctx.dossier
        clean = [i.strip() for i in items or [] if i and i.strip()]
        if not clean:
            raise InvalidInput(
                "supplement_items_required",
                "Phải liệt kê đầy đủ các nội dung cần bổ sung (một lần).",
                "List every item to supplement (all at once).",
            )
        during_reception = d.status == Status.SUBMITTED
        DossierSupplement.objects.create(
            dossier=d,
            requested_at=ctx.now,
            requested_by=ctx.actor,
            during_reception=during_reception,
            items=clean,
            reason=_text(reason, "reason"),
        )
        d.resume_status, d.paused_at = d.status, ctx.now
        if not during_reception:
            d.supplement_count += 1
        return {
            "items": clean,
            "reason": reason.strip(),
            "count": d.supplement_count,
            "flagged_late": d.supplement_count > 1,
        }

    return _act(code, "request-supplement", actor, version, apply)


def resubmit(
    code: str, actor, *, components: list[dict] | None = None, note: str = "", version: int | None = None
) -> Dossier:
    def apply(ctx: Ctx) -> dict:
        d = ctx.dossier
        request = d.supplements.filter(resubmitted_at__isnull=True).order_by("-id").first()
        if request is not None:
            request.resubmitted_at = ctx.now
            request.save(update_fields=["resubmitted_at"])
        for c in components or []:
            DossierComponent.objects.create(dossier=d, **c)
        if d.received_at is not None:
            # the clock resumes: time already spent counts, the wait does not
            d.supplement_seconds += int((ctx.now - d.paused_at).total_seconds())
            d.due_at = timing.shift_by_pause(ctx.calendar, d.due_at, d.paused_at, ctx.now)
            step = d.current_step
            if step is not None:
                step.due_at = timing.shift_by_pause(ctx.calendar, step.due_at, d.paused_at, ctx.now)
                step.save(update_fields=["due_at"])
        d.status, d.paused_at, d.resume_status = d.resume_status or Status.SUBMITTED, None, None
        return {"note": note.strip(), "components": [c.get("code") for c in components or []]}

    return _act(code, "resubmit", actor, version, apply, target=_desk)


# -- processing -----------------------------------------------------------------------------------
def _assignee(username: str | None, agency: Agency):
    if not username:
        return None
    user = org.staff_at(username, agency)
    if user is None:
        raise InvalidInput(
            "unknown_assignee",
            f"Cán bộ '{username}' không thuộc {agency.name}.",
            f"'{username}' does not work at {agency.name}.",
        )
    return user


def forward(code: str, actor, *, comment: str = "", assignee: str | None = None, version: int | None = None) -> Dossier:
    """Finish the current step and start the next step of the process template."""

    def apply(ctx: Ctx) -> dict:
        d = ctx.dossier
        current = d.current_step
        tpl = _next_template(ctx, current.template_order if current else None)
        if tpl is None or tpl.role == "receptionist":
            raise Conflict(
                "resolve_required",
                "Đây là bước xử lý cuối: hãy ghi nhận kết quả (đã xử lý xong).",
                "This is the last processing step: resolve the dossier.",
            )
        done = _finish_current(ctx, "forwarded", comment)
        step = _start_template_step(ctx, tpl, assignee=_assignee(assignee, _step_agency(d, tpl)))
        return {
            "from_step": done.seq if done else None,
            "to_step": step.seq,
            "step": step.name,
            "agency": step.agency.code,
            "comment": comment,
        }

    return _act(code, "forward", actor, version, apply)


def send_back(code: str, actor, *, comment: str, version: int | None = None) -> Dossier:
    def apply(ctx: Ctx) -> dict:
        d = ctx.dossier
        previous = d.steps.filter(state=DossierStep.State.DONE).order_by("-seq").first()
        if previous is None:
            raise Conflict("no_previous_step", "Không có bước trước để trả lại.", "There is no previous step.")
        _finish_current(ctx, "sent_back", _text(comment, "comment"))
        step = _start_step(
            ctx,
            name=previous.name,
            role=previous.role,
            agency=previous.agency,
            unit=previous.unit,
            budget=previous.budget_seconds,
            template_order=previous.template_order,
            inter_agency=previous.inter_agency,
            assignee=previous.finished_by,
        )
        if step.role == "receptionist":
            d.status = Status.RECEIVED
        return {"to_step": step.seq, "step": step.name, "comment": comment}

    return _act(code, "send-back", actor, version, apply)


def reassign(
    code: str, actor, *, assignee: str | None = None, unit: str | None = None, version: int | None = None
) -> Dossier:
    def apply(ctx: Ctx) -> dict:
        step = ctx.dossier.current_step
        if step is None:
            raise Conflict("no_current_step", "Hồ sơ không có bước đang xử lý.", "No step is in progress.")
        if unit:
            found = org.unit_of(step.agency, unit)
            if found is None:
                raise InvalidInput("unknown_unit", f"Đơn vị '{unit}' không thuộc cơ quan.", f"Unknown unit '{unit}'.")
            step.unit = found
        step.assignee = _assignee(assignee, step.agency)
        step.save(update_fields=["unit", "assignee"])
        return {"step": step.seq, "assignee": assignee, "unit": unit}

    return _act(code, "reassign", actor, version, apply)


def transfer(
    code: str,
    actor,
    *,
    agency: str | None = None,
    budget_hours: float | None = None,
    step_name: str = "",
    comment: str = "",
    version: int | None = None,
) -> Dossier:
    """Hand the dossier to another agency for an inter-agency leg (liên thông), with its own deadline."""

    def apply(ctx: Ctx) -> dict:
        d = ctx.dossier
        current = d.current_step
        tpl = _next_template(ctx, current.template_order if current else None)
        if agency is None:
            if tpl is None or not (tpl.inter_agency or tpl.agency_id or tpl.agency_kind):
                raise Conflict(
                    "no_inter_agency_step",
                    "Bước tiếp theo không phải bước liên thông; hãy chọn cơ quan nhận.",
                    "The next step is not an inter-agency leg; name the receiving agency.",
                )
            _finish_current(ctx, "transferred", comment)
            step = _start_template_step(ctx, tpl)
        else:
            target = Agency.objects.filter(code=agency, active=True).first()
            if target is None or (current and target.pk == current.agency_id):
                raise InvalidInput(
                    "invalid_transfer_agency",
                    f"Cơ quan nhận '{agency}' không hợp lệ.",
                    f"Receiving agency '{agency}' is not valid.",
                )
            if not budget_hours or budget_hours <= 0:
                raise InvalidInput(
                    "budget_required", "Phải nêu thời hạn của bước liên thông.", "Give the leg's time budget."
                )
            _finish_current(ctx, "transferred", comment)
            step = _start_step(
                ctx,
                name=step_name or f"Liên thông: {target.name}",
                role="specialist",
                agency=target,
                budget=int(budget_hours * 3600),
                inter_agency=True,
            )
        step.inter_agency = True
        step.save(update_fields=["inter_agency"])
        return {"to_step": step.seq, "agency": step.agency.code, "due_at": _iso(step.due_at), "comment": comment}

    return _act(code, "transfer", actor, version, apply)


def request_payment(code: str, actor, *, amount_vnd: int, note: str = "", version: int | None = None) -> Dossier:
    def apply(ctx: Ctx) -> dict:
        if not isinstance(amount_vnd, int) or isinstance(amount_vnd, bool) or amount_vnd <= 0:
            raise InvalidInput(
                "invalid_amount_vnd", "Số tiền phải là số nguyên VND dương.", "The amount must be positive whole VND."
            )
        ctx.dossier.amount_due_vnd = amount_vnd
        return {"amount_vnd": amount_vnd, "note": note}

    return _act(code, "request-payment", actor, version, apply)


def confirm_payment(code: str, actor, *, paid_online: bool, reference: str = "", version: int | None = None) -> Dossier:
    def apply(ctx: Ctx) -> dict:
        d = ctx.dossier
        d.paid_at, d.paid_online = ctx.now, bool(paid_online)
        return {"paid_online": d.paid_online, "reference": reference, "amount_vnd": d.amount_due_vnd}

    return _act(code, "confirm-payment", actor, version, apply, target=_desk_or_step)


def reschedule(code: str, actor, *, new_appointment: datetime, reason: str, version: int | None = None) -> Dossier:
    """Apology letter and new appointment (Form 04): allowed once; both appointments are kept."""

    def apply(ctx: Ctx) -> dict:
        d = ctx.dossier
        if d.rescheduled:
            raise Conflict(
                "already_rescheduled",
                "Hồ sơ đã được hẹn lại một lần; không được hẹn lại lần nữa.",
                "The dossier was already rescheduled once.",
            )
        if new_appointment <= (d.appointment_at or ctx.now) or new_appointment <= ctx.now:
            raise InvalidInput(
                "appointment_not_later",
                "Ngày hẹn mới phải sau ngày hẹn hiện tại và sau thời điểm này.",
                "The new appointment must be later than the current one and than now.",
            )
        if not ctx.calendar.is_working_day(timezone.localtime(new_appointment).date()):
            raise InvalidInput(
                "appointment_not_working_day",
                "Ngày hẹn mới phải là ngày làm việc.",
                "The new appointment must be on a working day.",
            )
        old = d.appointment_at
        d.appointment_at = d.due_at = new_appointment
        d.rescheduled = True
        return {
            "reason": _text(reason, "reason"),
            "old_appointment": _iso(old),
            "new_appointment": _iso(new_appointment),
        }

    return _act(code, "reschedule", actor, version, apply)


def stop(code: str, actor, *, reason: str, version: int | None = None) -> Dossier:
    def apply(ctx: Ctx) -> dict:
        _finish_current(ctx, "cancelled")
        ctx.dossier.ended_at = ctx.dossier.ended_at or ctx.now
        ctx.dossier.paused_at = None
        return {"reason": _text(reason, "reason")}

    return _act(code, "stop", actor, version, apply)


def withdraw(code: str, actor, *, reason: str, version: int | None = None) -> Dossier:
    def apply(ctx: Ctx) -> dict:
        d = ctx.dossier
        _finish_current(ctx, "cancelled")
        if d.received_at is not None:
            d.ended_at = d.ended_at or ctx.now
        d.paused_at = None
        return {"reason": _text(reason, "reason")}

    return _act(code, "withdraw", actor, version, apply, target=_desk)


def resolve(code: str, actor, *, results: list[dict], comment: str = "", version: int | None = None) -> Dossier:
    """Record the result documents; the result goes to the desk for return (status 9)."""

    def apply(ctx: Ctx) -> dict:
        d = ctx.dossier
        if not results:
            raise InvalidInput(
                "results_required", "Phải có ít nhất một giấy tờ kết quả.", "At least one result document is required."
            )
        DossierResult.objects.bulk_create(DossierResult(dossier=d, **r) for r in results)
        current = _finish_current(ctx, "resolved", comment)
        d.ended_at = ctx.now
        after = current.template_order if current else None
        return_step = next(
            (t for t in ctx.template if after is not None and t.order > after and t.role == "receptionist"), None
        )
        if return_step is not None:
            _start_template_step(ctx, return_step)
        return {"results": [r.get("code") for r in results], "comment": comment}

    return _act(code, "resolve", actor, version, apply)


def return_result(code: str, actor, *, method: str, version: int | None = None) -> Dossier:
    def apply(ctx: Ctx) -> dict:
        if method not in ReturnMethod.values:
            raise InvalidInput(
                "invalid_return_method",
                "Hình thức trả kết quả không hợp lệ (counter, post, online).",
                "Invalid return method (counter, post, online).",
            )
        d = ctx.dossier
        _finish_current(ctx, "returned")
        d.returned_at, d.return_method = ctx.now, method
        return {"method": method}

    return _act(code, "return", actor, version, apply, target=_desk)


def rate(code: str, actor, *, score: int) -> Dossier:
    """The applicant's rating, recorded on the dossier so the index (5.4) and the sync carry it."""

    def apply(ctx: Ctx) -> dict:
        ctx.dossier.satisfaction = score
        return {"score": score}

    return _act(code, "rate", actor, None, apply)
