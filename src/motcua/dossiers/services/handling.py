"""Handling (xử lý): moving the dossier between steps and agencies, financial obligations, and the
one apology-and-reschedule (Mẫu 04)."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from motcua.common.errors import Conflict, InvalidInput
from motcua.common.timeutil import to_local
from motcua.dossiers.models import Dossier, DossierStep, Status
from motcua.dossiers.services._core import Ctx, act, handles, iso, required_text
from motcua.dossiers.services.steps import (
    assignee_at,
    finish_current,
    next_template,
    start_step,
    start_template_step,
    step_agency,
)
from motcua.org import selectors as org
from motcua.org.models import Agency


@handles("forward")
def forward(code: str, actor, *, comment: str = "", assignee: str | None = None, version: int | None = None) -> Dossier:
    """Finish the current step and start the next step of the process template."""

    def apply(ctx: Ctx) -> dict:
        d = ctx.dossier
        current = d.current_step
        tpl = next_template(ctx, current.template_order if current else None)
        if tpl is None or tpl.role == "receptionist":
            raise Conflict(
                "resolve_required",
                "Đây là bước xử lý cuối: hãy ghi nhận kết quả (đã xử lý xong).",
                "This is the last processing step: resolve the dossier.",
            )
        done = finish_current(ctx, "forwarded", comment)
        step = start_template_step(ctx, tpl, assignee=assignee_at(assignee, step_agency(d, tpl)))
        return {
            "from_step": done.seq if done else None,
            "to_step": step.seq,
            "step": step.name,
            "agency": step.agency.code,
            "comment": comment,
        }

    return act(code, "forward", actor, version, apply)


@handles("send-back")
def send_back(code: str, actor, *, comment: str = "", version: int | None = None) -> Dossier:
    def apply(ctx: Ctx) -> dict:
        d = ctx.dossier
        previous = d.steps.filter(state=DossierStep.State.DONE).order_by("-seq").first()
        if previous is None:
            raise Conflict("no_previous_step", "Không có bước trước để trả lại.", "There is no previous step.")
        finish_current(ctx, "sent_back", required_text(comment, "comment"))
        step = start_step(
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

    return act(code, "send-back", actor, version, apply)


@handles("reassign")
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
        step.assignee = assignee_at(assignee, step.agency)
        step.save(update_fields=["unit", "assignee"])
        return {"step": step.seq, "assignee": assignee, "unit": unit}

    return act(code, "reassign", actor, version, apply)


@handles("transfer")
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
    """Hand the dossier to another agency for an inter-agency leg (liên thông), with its own deadline;
    without `agency`, to the next inter-agency step of the template."""

    def apply(ctx: Ctx) -> dict:
        if agency:
            leg = _leg_to(ctx, agency, budget_hours, step_name)
            finish_current(ctx, "transferred", comment)
            step = start_step(ctx, **leg)
        else:
            step = _template_leg(ctx, comment)
        step.inter_agency = True
        step.save(update_fields=["inter_agency"])
        return {"to_step": step.seq, "agency": step.agency.code, "due_at": iso(step.due_at), "comment": comment}

    return act(code, "transfer", actor, version, apply)


def _template_leg(ctx: Ctx, comment: str) -> DossierStep:
    current = ctx.dossier.current_step
    tpl = next_template(ctx, current.template_order if current else None)
    if tpl is None or not (tpl.inter_agency or tpl.agency_id or tpl.agency_kind):
        raise Conflict(
            "no_inter_agency_step",
            "Bước tiếp theo không phải bước liên thông; hãy chọn cơ quan nhận.",
            "The next step is not an inter-agency leg; name the receiving agency.",
        )
    finish_current(ctx, "transferred", comment)
    return start_template_step(ctx, tpl)


def _leg_to(ctx: Ctx, agency: str, budget_hours: float | None, step_name: str) -> dict:
    """The new leg's step (as `start_step` arguments), checked before anything changes."""
    current = ctx.dossier.current_step
    target = Agency.objects.filter(code=agency, active=True).first()
    if target is None or (current and target.pk == current.agency_id):
        raise InvalidInput(
            "invalid_transfer_agency",
            f"Cơ quan nhận '{agency}' không hợp lệ.",
            f"Receiving agency '{agency}' is not valid.",
        )
    if not budget_hours or budget_hours <= 0:
        raise InvalidInput("budget_required", "Phải nêu thời hạn của bước liên thông.", "Give the leg's time budget.")
    return {
        "name": step_name or f"Liên thông: {target.name}",
        "role": "specialist",
        "agency": target,
        "budget": int(budget_hours * 3600),
        "inter_agency": True,
    }


@handles("request-payment")
def request_payment(
    code: str, actor, *, amount_vnd: int | None = None, note: str = "", version: int | None = None
) -> Dossier:
    def apply(ctx: Ctx) -> dict:
        if not isinstance(amount_vnd, int) or isinstance(amount_vnd, bool) or amount_vnd <= 0:
            raise InvalidInput(
                "invalid_amount_vnd", "Số tiền phải là số nguyên VND dương.", "The amount must be positive whole VND."
            )
        ctx.dossier.amount_due_vnd = amount_vnd
        return {"amount_vnd": amount_vnd, "note": note}

    return act(code, "request-payment", actor, version, apply)


@handles("confirm-payment")
def confirm_payment(
    code: str, actor, *, paid_online: bool = False, reference: str = "", version: int | None = None
) -> Dossier:
    def apply(ctx: Ctx) -> dict:
        d = ctx.dossier
        d.paid_at, d.paid_online = ctx.now, bool(paid_online)
        return {"paid_online": d.paid_online, "reference": reference, "amount_vnd": d.amount_due_vnd}

    return act(code, "confirm-payment", actor, version, apply)


@handles("reschedule")
def reschedule(
    code: str, actor, *, new_appointment: datetime | None = None, reason: str = "", version: int | None = None
) -> Dossier:
    """Apology letter and new appointment (Form 04): allowed once; both appointments are kept."""

    def apply(ctx: Ctx) -> dict:
        d = ctx.dossier
        if d.rescheduled:
            raise Conflict(
                "already_rescheduled",
                "Hồ sơ đã được hẹn lại một lần; không được hẹn lại lần nữa.",
                "The dossier was already rescheduled once.",
            )
        when = _new_appointment(ctx, new_appointment)
        old = d.appointment_at
        d.appointment_at = d.due_at = when
        d.rescheduled = True
        return {
            "reason": required_text(reason, "reason"),
            "old_appointment": iso(old),
            "new_appointment": iso(when),
        }

    return act(code, "reschedule", actor, version, apply)


def _new_appointment(ctx: Ctx, value: datetime | None) -> datetime:
    if value is None:
        raise InvalidInput(
            "new_appointment_required", "Phải nhập ngày hẹn trả mới.", "The new appointment is required."
        )
    value = to_local(value)
    if value <= (ctx.dossier.appointment_at or ctx.now) or value <= ctx.now:
        raise InvalidInput(
            "appointment_not_later",
            "Ngày hẹn mới phải sau ngày hẹn hiện tại và sau thời điểm này.",
            "The new appointment must be later than the current one and than now.",
        )
    if not ctx.calendar.is_working_day(timezone.localtime(value).date()):
        raise InvalidInput(
            "appointment_not_working_day",
            "Ngày hẹn mới phải là ngày làm việc.",
            "The new appointment must be on a working day.",
        )
    return value
