"""The per-dossier fact row: what the Decision 766 index needs, kept current by the writer."""

from __future__ import annotations

from datetime import datetime

from motcua.dossiers import timing
from motcua.dossiers.models import Dossier, DossierFact, Status


def refresh_fact(d: Dossier, now: datetime) -> None:
    components = list(d.components.all())
    provided = [c for c in components if c.provided]
    steps = list(d.steps.all())
    version = d.procedure_version
    unit = next((s.unit_id for s in reversed(steps) if s.unit_id), None)
    values = {
        "procedure_id": d.procedure_id,
        "procedure_version_id": d.procedure_version_id,
        "agency_id": d.competent_agency_id,
        "receiving_agency_id": d.receiving_agency_id,
        "unit_id": unit,
        "status": d.status,
        "channel": d.channel,
        "online_level": version.online_level,
        "submitted_at": d.submitted_at,
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
        "digitized": bool(provided) and all(c.digitized for c in provided),
        "reused": any(c.reused for c in components),
        "electronic_result": d.status in (Status.RESOLVED, Status.RETURNED)
        and any(r.electronic for r in d.results.all()),
        "paper_result_required": version.paper_result_required,
        "timeliness": timing.classify(d, now) if d.ended_at else "",
        "officials": [{"step": s.seq, "agency": s.agency_id, "user": s.finished_by_id or s.assignee_id} for s in steps],
    }
    DossierFact.objects.update_or_create(dossier=d, defaults=values)
