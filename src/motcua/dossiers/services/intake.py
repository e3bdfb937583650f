"""Intake (tiếp nhận): submission online or at the counter, reception with its appointment,
refusal, and the supplement loop (yêu cầu bổ sung → nộp bổ sung) that pauses the clock."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from motcua.catalog.selectors import version_in_force
from motcua.common import clock
from motcua.common.errors import InvalidInput
from motcua.dossiers import authz, timing
from motcua.dossiers.codes import allocate_code
from motcua.dossiers.models import Dossier, DossierComponent, DossierFee, DossierStep, DossierSupplement, Status
from motcua.dossiers.services import _answers, _prepare
from motcua.dossiers.services._core import Ctx, act, handles, iso, record, required_text
from motcua.dossiers.services.steps import next_template, start_template_step
from motcua.workdays.services import get_calendar


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


@handles("submit")
def submit(actor, sub: Submission) -> Dossier:
    """A citizen submits online (status 1), or a desk takes a dossier in at the counter or by post
    for a walk-in applicant and receives it at once (status 2)."""
    now = clock.now()
    version = version_in_force(sub.procedure_code, now)
    prepared = _prepare.prepare(actor, sub, version)
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
        record(ctx, "submit", None, {"channel": d.channel, "procedure_version": version.version})
        if not authz.is_citizen(actor) and sub.receive_now:
            _receive(ctx)
            d.status = Status.RECEIVED
            record(ctx, "receive", Status.SUBMITTED, {"appointment_at": iso(d.appointment_at)})
    return d


def _receive(ctx: Ctx) -> dict:
    d, v = ctx.dossier, ctx.dossier.procedure_version
    d.received_at = ctx.now
    appointment = ctx.calendar.deadline(ctx.now, v.statutory_time_value, v.statutory_time_unit)
    d.appointment_at = d.first_appointment_at = d.due_at = appointment
    first = next_template(ctx, None)
    if first is not None:
        start_template_step(ctx, first, assignee=ctx.actor)
    return {"appointment_at": iso(appointment)}


@handles("receive")
def receive(code: str, actor, *, version: int | None = None) -> Dossier:
    return act(code, "receive", actor, version, _receive)


@handles("refuse")
def refuse(code: str, actor, *, reason: str = "", version: int | None = None) -> Dossier:
    def apply(ctx: Ctx) -> dict:
        ctx.dossier.ended_at = ctx.now
        return {"reason": required_text(reason, "reason")}

    return act(code, "refuse", actor, version, apply)


@handles("request-supplement")
def request_supplement(
    code: str, actor, *, items: list[str] | None = None, reason: str = "", version: int | None = None
) -> Dossier:
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
            reason=required_text(reason, "reason"),
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

    return act(code, "request-supplement", actor, version, apply)


@handles("resubmit")
def resubmit(
    code: str,
    actor,
    *,
    answers: list[dict] | None = None,
    components: list[dict] | None = None,
    note: str = "",
    version: int | None = None,
) -> Dossier:
    """The applicant (or the desk for them) answers the open supplement request: every requested item
    with at least one file or a note (`answers`: `{item, note, file_ref, component}`, item = its number
    from 1 or its text; see `_answers`). The dossier goes back to where it was paused: the status and
    step it had (a request at reception: status 1), its deadlines moved by the office time waited."""

    def apply(ctx: Ctx) -> dict:
        d = ctx.dossier
        request = d.supplements.filter(resubmitted_at__isnull=True).order_by("-id").first()
        items = list(request.items) if request is not None else []
        answered = _answers.answer(d, items, ctx.actor, answers or [], components or [], note)
        if request is not None:
            request.resubmitted_at, request.answers = ctx.now, answered.per_item
            request.save(update_fields=["resubmitted_at", "answers"])
        DossierComponent.objects.bulk_create(DossierComponent(dossier=d, **c) for c in answered.rows)
        if d.received_at is not None and d.paused_at is not None:
            # the clock resumes: time already spent counts, the wait does not
            d.supplement_seconds += int((ctx.now - d.paused_at).total_seconds())
            d.due_at = timing.shift_by_pause(ctx.calendar, d.due_at, d.paused_at, ctx.now)
            step = d.current_step
            if step is not None:
                step.due_at = timing.shift_by_pause(ctx.calendar, step.due_at, d.paused_at, ctx.now)
                step.save(update_fields=["due_at"])
        d.status, d.paused_at, d.resume_status = _paused_status(d), None, None
        return {
            "note": note.strip(),
            "components": [c["code"] for c in answered.rows],
            "answers": answered.summary(),
        }

    return act(code, "resubmit", actor, version, apply)


def _paused_status(d: Dossier) -> int:
    """The status the dossier had when the request paused it. Kept on the dossier by the request; a
    dossier written in status 5 by the importer or the generator may lack it: then the status the last
    request's event left, else 1 for a dossier never received and 4 (2 before any step was done) —
    never "newly submitted" for a dossier already received."""
    if d.resume_status:
        return d.resume_status
    asked = d.events.filter(action="request-supplement").order_by("-seq").values_list("from_status", flat=True).first()
    if asked:
        return asked
    if d.received_at is None:
        return Status.SUBMITTED
    return Status.PROCESSING if d.steps.filter(state=DossierStep.State.DONE).exists() else Status.RECEIVED
