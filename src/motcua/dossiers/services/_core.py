"""The transaction skeleton every dossier operation runs in: lock the row, check visibility, the
optimistic version, the transition table and the actor's right, apply, append the hash-chained
event, refresh the fact row, announce the change. Nothing else writes dossier tables."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from motcua.catalog.models import ProcessStep
from motcua.common import clock
from motcua.common.errors import Conflict, InvalidInput
from motcua.dossiers import authz, changes
from motcua.dossiers.events import GENESIS, chain_hash, event_body
from motcua.dossiers.facts import refresh_fact
from motcua.dossiers.models import Dossier, DossierEvent, Status
from motcua.dossiers.services.steps import refresh_risk
from motcua.dossiers.transitions import RECORDINGS, TRANSITIONS, actions_from, edge_of
from motcua.workdays.engine import WorkCalendar
from motcua.workdays.services import get_calendar

# action → its service function (filled by @handles next to each function)
HANDLERS: dict[str, Callable[..., Dossier]] = {}


def handles(action: str):
    """Register the service function of an edge of the transition table."""
    if action not in TRANSITIONS and action not in RECORDINGS:
        raise LookupError(f"'{action}' is not an edge of dossiers.transitions")

    def register(fn):
        HANDLERS[action] = fn
        return fn

    return register


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


def act(code: str, action: str, actor, version: int | None, apply: Callable[[Ctx], dict]) -> Dossier:
    edge = edge_of(action)
    with transaction.atomic():
        dossier = _locked(code)
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
        authz.ensure_role(actor, edge, dossier)
        ctx = Ctx(dossier, actor, clock.now(), get_calendar())
        from_status = dossier.status
        payload = apply(ctx)
        if edge.target is not None:
            dossier.status = edge.target
        record(ctx, action, from_status, payload)
    return dossier


def _locked(code: str) -> Dossier:
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


def _invalid_transition(dossier: Dossier, action: str) -> Conflict:
    status = Status(dossier.status)
    return Conflict(
        "invalid_transition",
        f"Không thể '{action}' khi hồ sơ đang ở trạng thái {status.value} ({status.label}).",
        f"Cannot '{action}' a dossier in status {status.value}.",
        status=status.value,
        allowed=actions_from(dossier.status),
    )


def record(ctx: Ctx, action: str, from_status: int | None, payload: dict) -> None:
    """Append the event, refresh derived fields and the fact row, save, announce the change."""
    d = ctx.dossier
    d.version += 1
    refresh_risk(ctx)
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
    changes.announce([changes.Change(d.pk, d.version, action, ctx.now)])  # same transaction


def _actor_id(actor) -> int | None:
    return getattr(actor, "pk", None)


def iso(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def required_text(value: str, field: str, code: str = "reason_required") -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidInput(code, f"Phải nhập '{field}'.", f"'{field}' is required.", field=field)
    return text
