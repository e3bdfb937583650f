"""The one definition of a dossier's Decision 766 values (vietnam-domain.md §1.2–1.3, docs/index766.md).

`derive(record, calendar)` is called by every path that writes a fact row — the node's services, the
historical import, the demo generator — and by the national monitor on what it receives, so the node
and the monitor count every dossier the same way. A record whose child lists were not read (None)
gives only the values that do not depend on them.

Timeliness (2.1): the end of processing is
- status 9/10: NgayKetThucXuLy (a returned dossier without it: its return instant);
- a supplement request never answered: the request instant (also when later stopped or withdrawn);
- stopped, withdrawn or refused: that instant (NgayKetThucXuLy);
- still open: none here — judged when read, at the period's end or now.
end_adjusted = end − Σ(answered − requested); on time iff end_adjusted ≤ NgayHenTra (the first
appointment) or, without one, ≤ the statutory deadline from reception; more than one supplement
request is late whatever the times. `index_due_at` = that deadline + Σ(answered − requested), so an
open dossier is on time as of t iff t ≤ index_due_at (and at most one request).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from motcua.common.timeutil import VN_TZ
from motcua.protocol.codec import to_second
from motcua.protocol.record import Record, reuses

RESOLVED = (9, 10)


def derive(r: Record, calendar) -> dict:
    """Fact values of one dossier (the columns of the node's fact row and the monitor's store)."""
    values = {
        "status": r.status,
        "channel": r.channel,
        "submitted_at": to_second(r.submitted_at),
        "received_at": to_second(r.received_at),
        "first_appointment_at": to_second(r.appointment_at),
        "ended_at": to_second(r.ended_at),
        "returned_at": to_second(r.returned_at),
        "paper_result_required": r.paper_result_required,
        "paid_online": r.online_payment in (1, 2),
        "disliked": r.rating == 1,
    }
    if r.supplements is not None:
        values.update(timeliness(r, calendar))
    reused = reuses(r)
    if reused is not None:
        values["reused"] = reused
    if r.components is not None:
        listed = r.components
        values["from_data_store"] = any(c.from_data_store for c in listed)
        values["components_digitized"] = bool(listed) and all(c.digitized for c in listed)
    if r.results is not None:
        e_result = r.status in RESOLVED and any(x.code and x.file_link for x in r.results)
        values["electronic_result"] = e_result
        # 3.3: an online dossier of a procedure that requires a paper result counts once it has its e-result
        values["counted_online"] = r.channel == 2 and (not r.paper_result_required or e_result)
        if r.components is not None:
            values["digitized"] = values["components_digitized"] and (not r.paper_result_required or e_result)
    values.pop("components_digitized", None)
    if r.fees is not None:
        charged = any(f.amount > 0 for f in r.fees)  # an absent list or only zero amounts: exempt
        fee_procedure = charged if r.procedure_fee_bearing is None else r.procedure_fee_bearing
        values["fee_bearing"] = fee_procedure and charged
    return values


def timeliness(r: Record, calendar) -> dict:
    received = to_second(r.received_at)
    requests = r.supplements or []
    waited = sum(
        int((to_second(s.answered_at) - to_second(s.requested_at)).total_seconds())
        for s in requests
        if s.answered_at is not None
    )
    out = {
        "supplement_count": len(requests),
        "supplement_seconds": waited,
        "index_end_at": None,
        "index_due_at": None,
        "timeliness": "",
    }
    if received is None:
        return out
    due = deadline(r, received, calendar)
    end = end_of_processing(r)
    out["index_end_at"] = end
    out["index_due_at"] = due + timedelta(seconds=waited) if due else None
    if end is not None and due is not None:
        out["timeliness"] = judge(end, due, waited, len(requests))
    return out


def deadline(r: Record, received: datetime, calendar) -> datetime | None:
    """The first appointment, else the statutory time counted from reception in its unit."""
    if r.appointment_at is not None:
        return to_second(r.appointment_at)
    if r.statutory_value is None or not r.statutory_unit:
        return None
    return to_second(calendar.deadline(received, r.statutory_value, r.statutory_unit))


def end_of_processing(r: Record) -> datetime | None:
    if r.status in RESOLVED:
        return to_second(r.ended_at) or (to_second(r.returned_at) if r.status == 10 else None)
    unanswered = [to_second(s.requested_at) for s in r.supplements or [] if s.answered_at is None]
    if unanswered:
        return min(unanswered)
    if r.status in (3, 7, 8):
        return to_second(r.ended_at)
    return None


def judge(end: datetime, due: datetime, waited: int, requests: int) -> str:
    """early / on_time / late of an ended dossier."""
    adjusted = end - timedelta(seconds=waited)
    if requests > 1 or adjusted > due:
        return "late"
    return "early" if adjusted.astimezone(VN_TZ).date() < due.astimezone(VN_TZ).date() else "on_time"


def standing(fact, as_of: datetime) -> str:
    """early / on_time / late of an ended dossier; within / overdue of an open one as of `as_of`;
    '' when not received (what the index counts it as, for one dossier on a page)."""
    if fact.timeliness:
        return fact.timeliness
    if fact.received_at is None or fact.index_end_at is not None:
        return ""
    late = fact.supplement_count > 1 or (fact.index_due_at is not None and fact.index_due_at < as_of)
    return "overdue" if late else "within"
