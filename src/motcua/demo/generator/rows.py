"""A simulated life as rows for the bulk writer: its hash-chained events, the dossier, and its
components (with their digitization flags), own fees (a few exempt), supplement requests and results
(most with an electronic file)."""

from __future__ import annotations

import random
from types import SimpleNamespace
from typing import TYPE_CHECKING

from motcua.demo.generator import plan as P
from motcua.dossiers import bulk
from motcua.dossiers.events import GENESIS, chain_hash, event_body
from motcua.dossiers.models import DossierEvent, Status

if TYPE_CHECKING:
    from motcua.demo.generator.simulate import Life

DEFAULT_RESULTS = [SimpleNamespace(code="KQ", name="Kết quả giải quyết")]


def emit(rng: random.Random, ids: dict, d: Life, batch: bulk.Batch) -> None:
    """Add the dossier's rows to the batch; `ids` holds the last id used of each model."""
    last_hash = _events(ids, d, batch)
    online = d.channel == 2
    paid = d.plan.fee > 0 and online and rng.random() < 0.5
    batch.dossiers.append(_dossier(rng, d, paid, last_hash))
    _components(rng, d, online, batch)
    _fees(rng, d, batch)
    batch.supplements += [_supplement(d, s) for s in d.supplements]
    _results(rng, d, batch)


def _events(ids: dict, d: Life, batch: bulk.Batch) -> str:
    """The event rows, each chained to the one before; returns the last hash."""
    prev = GENESIS
    for seq, (action, frm, to, at, payload) in enumerate(d.events, 1):
        digest = chain_hash(prev, event_body(d.code, seq, action, frm, to, None, at, payload))
        ids[DossierEvent] += 1
        batch.events.append(
            {
                "id": ids[DossierEvent],
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
    return prev


def _dossier(rng: random.Random, d: Life, paid: bool, last_hash: str) -> dict:
    v = d.plan.version
    return {
        "id": d.id,
        "code": d.code,
        "procedure_id": v.procedure_id,
        "procedure_version_id": v.pk,
        "status": d.status,
        "channel": d.channel,
        "applicant_type": 1,
        "applicant_name": P.applicant_name(rng),
        "applicant_phone": P.applicant_phone(rng),
        "receiving_agency_id": d.desk.pk,
        "competent_agency_id": d.competent.pk,
        "commune_id": d.commune_id,
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
        "resume_status": Status.PROCESSING if d.status == Status.SUPPLEMENT else None,
        "supplement_count": d.supplement_count,
        "supplement_seconds": d.supplement_seconds,
        "fee_total_vnd": d.plan.fee,
        "paid_online": paid,
        "payment_platform": 2 if paid else None,
        "satisfaction": P.satisfaction(rng, d.status),
        "current_step_id": d.current_step_id,
        "version": len(d.events),
        "last_hash": last_hash,
    }


def _components(rng: random.Random, d: Life, online: bool, batch: bulk.Batch) -> None:
    for c in d.plan.components:
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


def _fees(rng: random.Random, d: Life, batch: bulk.Batch) -> None:
    exempt = rng.random() < 0.05
    for f in d.plan.fees:
        batch.fees.append(
            {
                "dossier_id": d.id,
                "code": f.code,
                "name": f.name,
                "kind": f.kind,
                "amount_vnd": 0 if exempt else f.amount_vnd,
            }
        )


def _supplement(d: Life, asked: dict) -> dict:
    return {
        "dossier_id": d.id,
        "during_reception": False,
        "items": [P.SUPPLEMENT_ITEM],
        "reason": P.SUPPLEMENT_ITEM,
        **asked,
    }


def _results(rng: random.Random, d: Life, batch: bulk.Batch) -> None:
    if d.status not in (Status.RESOLVED, Status.RETURNED):
        return
    electronic = rng.random() < 0.7
    for r in d.plan.results or DEFAULT_RESULTS:
        ref = f"{rng.getrandbits(128):032x}" if electronic else ""
        batch.results.append({"dossier_id": d.id, "code": r.code, "name": r.name, "file_ref": ref})
