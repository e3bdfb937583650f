"""The dossier's steps (DossierStep): started from the process template, finished with an outcome,
each with its own working-time budget and due instant; and the at-risk instant derived from them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from motcua.catalog.models import ProcessStep
from motcua.common.errors import InvalidInput
from motcua.dossiers import timing
from motcua.dossiers.models import RUNNING, Dossier, DossierStep
from motcua.org import selectors as org
from motcua.org.models import Agency

if TYPE_CHECKING:
    from motcua.dossiers.services._core import Ctx


def step_agency(d: Dossier, tpl: ProcessStep) -> Agency:
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


def start_step(
    ctx: Ctx, *, name, role, agency, unit=None, budget: int, template_order=None, inter_agency=False, assignee=None
) -> DossierStep:
    d = ctx.dossier
    # the current (or just finished) step is always the newest one
    latest = d.current_step.seq if d.current_step else ctx.last_seq
    if latest is None:
        latest = d.steps.order_by("-seq").values_list("seq", flat=True).first() or 0
    step = DossierStep.objects.create(
        dossier=d,
        seq=latest + 1,
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


def start_template_step(ctx: Ctx, tpl: ProcessStep, assignee=None) -> DossierStep:
    d = ctx.dossier
    agency = step_agency(d, tpl)
    return start_step(
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


def finish_current(ctx: Ctx, outcome: str, comment: str = "") -> DossierStep | None:
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


def next_template(ctx: Ctx, after_order: int | None) -> ProcessStep | None:
    return next((t for t in ctx.template if after_order is None or t.order > after_order), None)


def refresh_risk(ctx: Ctx) -> None:
    d, step = ctx.dossier, ctx.dossier.current_step
    if d.status not in RUNNING or d.due_at is None or step is None:
        d.risk_from = None
        return
    later = sum(
        timing.step_budget_seconds(ctx.calendar, t.budget_value, t.budget_unit)
        for t in ctx.template
        if step.template_order is not None and t.order > step.template_order and t.role != "receptionist"
    )
    d.risk_from = timing.risk_from(ctx.calendar, d.due_at, step.started_at, step.due_at, later)


def assignee_at(username: str | None, agency: Agency):
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
