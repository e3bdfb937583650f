"""The per-dossier fact row: what the Decision 766 index needs, kept current by the writer."""

from __future__ import annotations

from datetime import datetime

from motcua.dossiers import timing
from motcua.dossiers.models import Dossier, DossierFact, Status

# Which parts of the dossier an action can change, so the others are not re-read.
READS_COMPONENTS = frozenset({"submit", "resubmit"})
READS_RESULTS = frozenset({"resolve"})


def refresh_fact(d: Dossier, now: datetime, action: str) -> None:
    steps = list(d.steps.all())
    version = d.procedure_version
    values = {
        "unit_id": next((s.unit_id for s in reversed(steps) if s.unit_id), None),
        "status": d.status,
        "received_at": d.received_at,
        "appointment_at": d.appointment_at,
        "first_appointment_at": d.first_appointment_at,
        "ended_at": d.ended_at,
        "returned_at": d.returned_at,
        "supplement_count": d.supplement_count,
        "supplement_seconds": d.supplement_seconds,
        "rescheduled": d.rescheduled,
        "fee_bearing": d.fee_total_vnd > 0 or d.amount_due_vnd > 0,
        "paid_online": d.paid_online,
        "timeliness": timing.classify(d, now) if d.ended_at else "",
        "officials": [{"step": s.seq, "agency": s.agency_id, "user": s.finished_by_id or s.assignee_id} for s in steps],
    }
    if action in READS_COMPONENTS:
        provided = [c for c in d.components.all() if c.provided]
        values["digitized"] = bool(provided) and all(c.digitized for c in provided)
        values["reused"] = any(c.reused for c in provided)
    if action in READS_RESULTS:
        values["electronic_result"] = any(r.electronic for r in d.results.all())
    if d.status not in (Status.RESOLVED, Status.RETURNED):
        values["electronic_result"] = False
    if action == "submit":
        DossierFact.objects.create(
            dossier=d,
            procedure_id=d.procedure_id,
            procedure_version_id=d.procedure_version_id,
            agency_id=d.competent_agency_id,
            receiving_agency_id=d.receiving_agency_id,
            channel=d.channel,
            online_level=version.online_level,
            submitted_at=d.submitted_at,
            paper_result_required=version.paper_result_required,
            **values,
        )
    else:
        DossierFact.objects.filter(dossier_id=d.pk).update(**values, updated_at=now)  # update() skips auto_now
