"""The per-dossier fact row: what the Decision 766 index needs, kept current by the writer.

Its values come from `protocol.facts.derive` over the dossier's national record — the same function
the national monitor applies to what it receives, and the bulk writer to imported and generated
dossiers. An action re-reads only the parts of the dossier it can change; the others keep their values.
"""

from __future__ import annotations

from datetime import datetime

from motcua.common import clock
from motcua.dossiers.models import Dossier, DossierFact, DossierStep
from motcua.dossiers.records import record_of, records_for
from motcua.protocol.codec import to_second
from motcua.protocol.facts import derive
from motcua.workdays.services import get_calendar

# Which parts of the dossier an action can change, so the others are not re-read.
READS_COMPONENTS = frozenset({"submit", "resubmit", "resolve"})
READS_RESULTS = frozenset({"submit", "resolve"})
READS_FEES = frozenset({"submit"})


def node_values(d: Dossier, steps) -> dict:
    """The fact columns only this node has: where the work is, who did it, the current appointment."""
    return {
        "unit_id": next((s.unit_id for s in reversed(steps) if s.unit_id), None),
        "appointment_at": to_second(d.appointment_at),
        "rescheduled": d.rescheduled,
        "officials": [{"step": s.seq, "agency": s.agency_id, "user": s.finished_by_id or s.assignee_id} for s in steps],
    }


def fact_values(d: Dossier, action: str) -> dict:
    version = d.procedure_version
    children = {}
    if d.supplement_count:  # requests during handling (those at reception come before the clock)
        children["supplements"] = list(d.supplements.filter(during_reception=False).order_by("id"))
    else:
        children["supplements"] = []
    if action in READS_COMPONENTS:
        children["components"] = list(d.components.all())
    if action in READS_RESULTS:
        children["results"] = [] if action == "submit" else list(d.results.all())
    if action in READS_FEES:  # at submission the own list is the procedure's: it says whether it charges
        children["fees"] = list(d.fees.all())
    record = record_of(d, version, **children)
    return {**derive(record, get_calendar()), **node_values(d, list(d.steps.all()))}


def refresh_fact(d: Dossier, now: datetime, action: str) -> None:
    values = fact_values(d, action)
    if action == "submit":
        DossierFact.objects.create(
            dossier=d,
            procedure_id=d.procedure_id,
            procedure_version_id=d.procedure_version_id,
            agency_id=d.competent_agency_id,
            receiving_agency_id=d.receiving_agency_id,
            online_level=d.procedure_version.online_level,
            **values,
        )
    else:
        DossierFact.objects.filter(dossier_id=d.pk).update(**values, updated_at=now)  # update() skips auto_now


def recompute(ids: list[int], *, write: bool) -> list[int]:
    """Derive the fact rows of these dossiers again from their records; return the ids whose stored
    row differs (an inspector's check that every figure is reproducible), rewriting them if `write`."""
    calendar = get_calendar()
    stored = {f.dossier_id: f for f in DossierFact.objects.filter(dossier_id__in=ids)}
    steps: dict[int, list] = {}
    for step in DossierStep.objects.filter(dossier_id__in=ids).order_by("seq"):
        steps.setdefault(step.dossier_id, []).append(step)
    dossiers = Dossier.objects.in_bulk(ids)
    differing = []
    for dossier_id, record in records_for(ids):
        values = {**derive(record, calendar), **node_values(dossiers[dossier_id], steps.get(dossier_id, []))}
        fact = stored.get(dossier_id)
        if fact is None or any(getattr(fact, k) != v for k, v in values.items()):
            differing.append(dossier_id)
            if write and fact is not None:
                DossierFact.objects.filter(dossier_id=dossier_id).update(**values, updated_at=clock.now())
    return differing
